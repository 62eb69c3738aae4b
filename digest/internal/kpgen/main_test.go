package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// TestCommittedFileIsCurrent regenerates the background table from the
// shared data and compares it with the committed digest/stemdf.tsv, so that
// a change to the generator or the data without `go generate ./digest/...`
// fails.
func TestCommittedFileIsCurrent(t *testing.T) {
	dir := shareddata.Path(t, "ibm-argkp-kpa2021")
	data := filepath.Dir(dir)
	out := filepath.Join(t.TempDir(), "stemdf.tsv")
	var log strings.Builder
	if err := run([]string{"-data", data, "-out", out}, &log); err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(log.String()))
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "stemdf.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("digest/stemdf.tsv is stale: run `go generate ./digest/...` (generated %d bytes, committed %d)", len(got), len(want))
	}
	for _, line := range []string{"N\t", "tax\t", "vaccin\t", "climat\t"} {
		if !bytes.HasPrefix(got, []byte(line)) && !bytes.Contains(got, []byte("\n"+line)) {
			t.Errorf("generated table lacks a line starting %q", line)
		}
	}
}

func TestBadInputNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ibm-argkp-kpa2021", "kpm_data")
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "arguments_train.csv"), []byte("arg_id,text\n1,hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := build(dir)
	if err == nil || !strings.Contains(err.Error(), "arguments_train.csv") || !strings.Contains(err.Error(), `"argument"`) {
		t.Errorf("build on a file without the argument column: error %v, want one naming the file and the column", err)
	}
	if _, _, err := build(t.TempDir()); err == nil {
		t.Error("build on an empty folder: no error")
	}
}
