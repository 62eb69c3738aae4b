package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// generateOrSkip runs the generator, skipping when the go command or a
// module's files are not on this machine (the generator never downloads).
func generateOrSkip(t *testing.T) ([]byte, []module) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH: cannot list the binary's modules")
	}
	text, mods, files, err := generate()
	if errors.Is(err, errNotInCache) {
		t.Skipf("the module cache lacks a module the binary links, so its licence cannot be read "+
			"(run `go mod download`): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d modules, %d licence and notice files, %d bytes", len(mods), files, len(text))
	return text, mods
}

// committedModules reads the module lines of the committed file back:
// "path version" (with "=> replacement") to the rest of the line.
func committedModules(t *testing.T, text []byte) map[string]string {
	t.Helper()
	_, list, ok := strings.Cut(string(text), modulesHeading+"\n")
	if !ok {
		t.Fatalf("THIRD_PARTY.txt has no %q line", modulesHeading)
	}
	list, _, _ = strings.Cut(list, "\n\n")
	mods := map[string]string{}
	for line := range strings.Lines(list) {
		id, rest, ok := strings.Cut(strings.TrimSpace(line), " (")
		if !ok {
			t.Fatalf("THIRD_PARTY.txt: module line %q has no licence files", line)
		}
		mods[id] = rest
	}
	return mods
}

// The committed file lists exactly the modules the binary links, at the
// versions it links, and is byte for byte what the generator writes now.
func TestCommittedFileIsCurrent(t *testing.T) {
	committed, err := os.ReadFile(filepath.Join("..", "..", "THIRD_PARTY.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got, mods := generateOrSkip(t)

	inFile := committedModules(t, committed)
	linked := map[string]bool{}
	for _, m := range mods {
		linked[m.id()] = true
		if _, ok := inFile[m.id()]; !ok {
			t.Errorf("the binary links %s but licenses/THIRD_PARTY.txt does not list it: run `go generate ./licenses`", m.id())
		}
	}
	for id := range inFile {
		if !linked[id] {
			t.Errorf("licenses/THIRD_PARTY.txt lists %s but the binary no longer links it: run `go generate ./licenses`", id)
		}
	}
	if !bytes.Equal(got, committed) {
		t.Errorf("licenses/THIRD_PARTY.txt is stale: run `go generate ./licenses` (generated %d bytes, committed %d)", len(got), len(committed))
	}

	// The modules the issue names, and a licence text of each kind.
	for _, path := range []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", "github.com/robfig/cron/v3",
		"modernc.org/sqlite", "modernc.org/libc", "github.com/jackc/pgx/v5", "github.com/openai/openai-go/v3",
		"github.com/prometheus/client_golang", "github.com/pelletier/go-toml/v2", "golang.org/x/net"} {
		found := false
		for _, m := range mods {
			found = found || m.Path == path
		}
		if !found {
			t.Errorf("the binary's modules do not include %s", path)
		}
	}
	for _, text := range []string{"Apache License", "Redistribution and use in source and binary forms",
		"Permission is hereby granted", "Mozilla Public License", "The Go Authors",
		"Go standard library and runtime (https://go.dev): LICENSE"} {
		if !bytes.Contains(got, []byte(text)) {
			t.Errorf("generated file does not contain %q", text)
		}
	}
}

// Modules of the test's own dependencies or of go.sum alone are not the
// binary's: the list is the main package's dependencies, nothing more.
func TestOnlyTheBinarysModules(t *testing.T) {
	_, mods := generateOrSkip(t)
	for _, m := range mods {
		switch m.Path {
		case "github.com/threaddigest/threaddigest", "github.com/santhosh-tekuri/jsonschema/v6", "go.yaml.in/yaml/v3":
			// Our own module; jsonschema and yaml are used by tests only.
			t.Errorf("module %s listed; it is not linked into cmd/threaddigest", m.Path)
		}
		if m.Version == "" {
			t.Errorf("module %s has no version", m.Path)
		}
	}
}

// A module without a licence file fails generation with its name.
func TestMissingLicenceNamesTheModule(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/nolicence\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "LICENSING.go"), []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := readLicences(module{Path: "example.com/nolicence", Version: "v1.0.0", Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "example.com/nolicence v1.0.0") || !strings.Contains(err.Error(), "no licence file") {
		t.Errorf("readLicences on a module without a licence: error %v, want one naming the module", err)
	}

	// Licence files at the root and in a licenses/ folder are found, in
	// name order; other files are not.
	for name, text := range map[string]string{"LICENSE.md": "MIT\r\n", "NOTICE": "notice\n", "COPYING": "gpl\n",
		"licenses/ftl.txt": "ftl\n", "README.md": "readme\n", "sub/LICENSE": "nested\n"} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := readLicences(module{Path: "example.com/nolicence", Version: "v1.0.0", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, " "), "COPYING LICENSE.md NOTICE licenses/ftl.txt"; got != want {
		t.Errorf("licence files = %q, want %q", got, want)
	}
	if string(files[1].Text) != "MIT\n" {
		t.Errorf("LICENSE.md read as %q, want CRLF folded to LF", files[1].Text)
	}

	if err := os.WriteFile(filepath.Join(dir, "LICENSE"), []byte(" \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readLicences(module{Path: "example.com/nolicence", Version: "v1.0.0", Dir: dir}); err == nil ||
		!strings.Contains(err.Error(), "empty") {
		t.Errorf("readLicences with an empty LICENSE: error %v, want one saying so", err)
	}
}
