package main

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/licenses"
)

// `version` and `--version` print the build and then the NOTICE file, which
// carries the credits the embedded data's licences ask for.
func TestVersion(t *testing.T) {
	notice, err := os.ReadFile("../../NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, _, err := runCmd(t, "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		first, rest, _ := strings.Cut(out, "\n")
		if !strings.HasPrefix(first, "threaddigest ") || !strings.Contains(first, " built with go") {
			t.Errorf("%v: first line %q, want the version and toolchain", args, first)
		}
		if strings.TrimPrefix(rest, "\n") != string(notice) {
			t.Errorf("%v: after the version line, want NOTICE verbatim; got:\n%s", args, rest)
		}
	}
	for _, credit := range []string{"Apache License, Version 2.0", "GeoNames", "CC BY 4.0", "OpenFlights", "ODbL 1.0",
		"iso-codes", "nyt-state-abbreviations", "AFINN-165", "Permission is hereby granted", "SubReddit agreement"} {
		if !strings.Contains(string(notice), credit) {
			t.Errorf("NOTICE does not mention %q", credit)
		}
	}

	out, _, err := runCmd(t, "", "version", "--short")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "\n") != 1 || strings.ContainsAny(strings.TrimSpace(out), " \t") {
		t.Errorf("version --short = %q, want one word on one line", out)
	}
	if _, _, err := runCmd(t, "", "version", "extra"); err == nil {
		t.Error("version extra: want a usage error")
	}
}

// `version --licenses` prints the third-party licences verbatim, and the
// file names the modules this binary links at the versions it links: every
// module of the build information that the file lists is listed at the
// version built in (the test binary links a few test-only modules too).
// licenses/internal/licgen's test checks the list is exactly the binary's.
func TestVersionLicenses(t *testing.T) {
	want, err := os.ReadFile("../../licenses/THIRD_PARTY.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, "", "version", "--licenses")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) || out != licenses.ThirdParty {
		t.Errorf("version --licenses printed %d bytes, want licenses/THIRD_PARTY.txt verbatim (%d bytes)", len(out), len(want))
	}
	if _, _, err := runCmd(t, "", "version", "--licenses", "--short"); err == nil {
		t.Error("version --licenses --short: want a usage error")
	}

	listed := map[string]string{} // path -> version
	_, list, _ := strings.Cut(licenses.ThirdParty, "Modules (path, version, licence files):\n")
	list, _, _ = strings.Cut(list, "\n\n")
	for line := range strings.Lines(list) {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("THIRD_PARTY.txt: module line %q", line)
		}
		listed[f[0]] = f[1]
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("the test binary has no build information")
	}
	matched := 0
	for _, dep := range bi.Deps {
		v, ok := listed[dep.Path]
		if !ok {
			continue
		}
		matched++
		if v != dep.Version {
			t.Errorf("THIRD_PARTY.txt lists %s %s, the binary links %s: run `go generate ./licenses`", dep.Path, v, dep.Version)
		}
	}
	// The direct requirements the binary cannot run without are in both.
	for _, path := range []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", "modernc.org/sqlite",
		"github.com/jackc/pgx/v5", "github.com/robfig/cron/v3", "github.com/prometheus/client_golang"} {
		if _, ok := listed[path]; !ok {
			t.Errorf("THIRD_PARTY.txt does not list %s", path)
		}
	}
	if matched < 40 {
		t.Errorf("only %d of the build information's %d modules are in THIRD_PARTY.txt's %d", matched, len(bi.Deps), len(listed))
	}
}
