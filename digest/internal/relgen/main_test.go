package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// TestCommittedModelIsCurrent retrains the relation model from the shared
// data and compares it with the committed digest/relations.model, so that a
// change to the features, the training or the data without `go generate
// ./digest/...` fails. It also holds the model to its held-out figures.
func TestCommittedModelIsCurrent(t *testing.T) {
	dir := shareddata.Dir(t)
	out := filepath.Join(t.TempDir(), "relations.model")
	var stdout, stderr strings.Builder
	if err := run([]string{"-data", dir, "-out", out, "-report"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + stdout.String())
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "relations.model"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("digest/relations.model is stale: run `go generate ./digest/...` (generated %d bytes, committed %d)", len(got), len(want))
	}
	if len(got) > 400<<10 {
		t.Errorf("relations.model is %d bytes, over the 400 KB it should stay under", len(got))
	}
	_, res, err := build(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := res.heldOut
	if h.n < 500 || h.accuracy < h.majority+0.15 || h.macroF1 < 0.55 || h.logLoss >= h.priorLoss {
		t.Errorf("held-out figures fell: %+v", h)
	}
}

func TestBadInputNamesTheFile(t *testing.T) {
	write := func(t *testing.T, name, content string) string {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "subreddit-agreement"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range redditFiles {
			body := "\"quote_text\",\"response_text\",\"relation\"\n\"a\",\"b\",0\n"
			if f == name {
				body = content
			}
			if err := os.WriteFile(filepath.Join(dir, "subreddit-agreement", f), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	for _, tt := range []struct {
		name, content, want string
	}{
		{"missing column", "\"quote_text\",\"reply\",\"relation\"\n", `SubReddit-CovidVaccine.csv: no column "response_text"`},
		{"bad relation", "\"quote_text\",\"response_text\",\"relation\"\n\"a\",\"b\",0\n\"a\",\"b\",7\n", `SubReddit-CovidVaccine.csv:3: relation "7", want 0, 1 or 2`},
		{"broken quoting", "\"quote_text\",\"response_text\",\"relation\"\n\"a,\"b\",0\n", "SubReddit-CovidVaccine.csv"},
		{"empty", "", "SubReddit-CovidVaccine.csv: header"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t, redditFiles[0], tt.content)
			_, err := readReddit(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := readReddit(t.TempDir()); err == nil || !strings.Contains(err.Error(), "SubReddit-CovidVaccine.csv") {
		t.Errorf("no data folder: error %v, want one naming the file", err)
	}
}

// TestWindows1252 reads the Reddit files' encoding: 0x92 is a right single
// quotation mark, not invalid UTF-8.
func TestWindows1252(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "subreddit-agreement"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range redditFiles {
		body := "\"quote_text\",\"response_text\",\"relation\"\n\"don\x92t\",\"yes\",2\n"
		if err := os.WriteFile(filepath.Join(dir, "subreddit-agreement", f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pairs, err := readReddit(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 2 || pairs[0].parent != "don’t" || pairs[0].label != 1 {
		t.Errorf("pairs %+v, want the parent \"don’t\" and agreement", pairs)
	}
}
