package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// TestCommittedFileIsCurrent regenerates the gazetteer from the shared data
// and compares it with the committed geo/gazetteer.tsv, so that a change to
// the generator without `go generate ./geo/...` fails.
func TestCommittedFileIsCurrent(t *testing.T) {
	dir := shareddata.Path(t, "geonames", "cities15000.txt")
	data := filepath.Dir(filepath.Dir(dir))
	out := filepath.Join(t.TempDir(), "gazetteer.tsv")
	var log strings.Builder
	if err := run([]string{"-data", data, "-out", out}, &log); err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(log.String()))
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "gazetteer.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("geo/gazetteer.tsv is stale: run `go generate ./geo/...` (generated %d bytes, committed %d)", len(got), len(want))
	}
	for _, line := range []string{
		"A\tCA\t02\tBC\tBritish Columbia\n",
		"C\tUS\tUSA\tNA\t",
		"I\tYVR\t",
		"K\tcalif\tb",
		"K\tkoln\tc",
	} {
		if !bytes.Contains(got, []byte("\n"+line)) {
			t.Errorf("generated gazetteer lacks a line starting %q", line)
		}
	}
}

func TestBadInputNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "iso-3166-subdivisions"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "iso-3166-subdivisions", "iso_3166-1.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := build(dir)
	if err == nil || !strings.Contains(err.Error(), "iso_3166-1.json") {
		t.Errorf("build on a broken file: error %v, want one naming iso_3166-1.json", err)
	}
	_, err = build(t.TempDir())
	if err == nil {
		t.Error("build on an empty folder: no error")
	}
}

func TestCloseToCity(t *testing.T) {
	if d := km(40.7128, -74.0060, 51.5074, -0.1278); d < 5500 || d > 5600 {
		t.Errorf("New York to London: %.0f km, want about 5570", d)
	}
	if !isPartOf([]string{"wycombe"}, []string{"high", "wycombe"}) || isPartOf([]string{"high", "wycombe"}, []string{"high", "wycombe"}) {
		t.Error("isPartOf")
	}
}
