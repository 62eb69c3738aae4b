package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDigestChartFlag(t *testing.T) {
	example := filepath.Join("..", "..", "examples", "huawei-europe.txt")
	out := filepath.Join(t.TempDir(), "split.png")
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"digest", "--chart", out, "--target", "Huawei", example}, Env{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatalf("digest --chart: %v\n%s", err, stderr.String())
	}
	if stdout.Len() == 0 {
		t.Error("the digest itself was not written")
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", out, err)
	}
	if w := img.Bounds().Dx(); w != 1200 {
		t.Errorf("chart %d px wide, want 1200", w)
	}

	// A place it cannot write is an error naming the flag; the digest is
	// still on standard output.
	stdout.Reset()
	err = Run(context.Background(), []string{"digest", "--chart", filepath.Join(t.TempDir(), "missing", "x.png"), example}, Env{Stdout: &stdout, Stderr: &stderr})
	if err == nil || !strings.Contains(err.Error(), "--chart") || exitCode(err, &stderr) != 1 {
		t.Errorf("err = %v", err)
	}
	if stdout.Len() == 0 {
		t.Error("the digest was not written before the chart failed")
	}

	// A thread without comments has no chart to draw.
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	if err := os.WriteFile(empty, []byte(""), 0o644); err != nil {
		t.Fatal(err)
	}
	err = Run(context.Background(), []string{"digest", "--input-format", "jsonl", "--chart", out, empty}, Env{Stdout: &stdout, Stderr: &stderr})
	if err == nil {
		t.Error("an empty thread drew a chart")
	}
}
