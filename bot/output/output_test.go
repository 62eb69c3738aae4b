package output

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
)

// hostilePost is a digest of comments written to break out of a rendering.
func hostilePost(t *testing.T) bot.Post {
	t.Helper()
	th := threaddigest.Thread{Title: "# Huawei <script>alert(1)</script>", Comments: []threaddigest.Comment{
		{ID: "1", Author: "@everyone", Body: "Huawei is a security risk [click](http://evil.example) **now** <!channel> <@U123>"},
		{ID: "2", Author: "Mallory\x1b[31m", Body: "Huawei is cheaper\x1b[2J and the ban will cost billions \u202eevil"},
	}}
	d := digest.Analyze(th, digest.Options{Target: "Huawei"})
	return bot.Post{Thread: "huawei", Digest: d, Slot: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)}
}

func TestStdoutDestination(t *testing.T) {
	var buf bytes.Buffer
	ref, err := NewStdout(&buf).Deliver(context.Background(), hostilePost(t))
	if err != nil || ref != "" {
		t.Fatalf("Deliver = %q, %v", ref, err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "=== threaddigest: huawei — 2026-03-02 07:00 UTC ===\n") {
		t.Errorf("header: %q", out[:min(80, len(out))])
	}
	if strings.ContainsAny(out, "\x1b\u202e") {
		t.Errorf("terminal control characters reached stdout: %q", out)
	}
}

func TestFileDestination(t *testing.T) {
	dir := t.TempDir()
	p := hostilePost(t)

	d := NewFile(filepath.Join(dir, "digests")+"/", true)
	ref, err := d.Deliver(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "digests", "huawei_2026-03-02T070000Z.md")
	if ref != want {
		t.Errorf("ref = %q, want %q", ref, want)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	if !strings.HasPrefix(md, "<!-- threaddigest thread=huawei slot=2026-03-02T07:00:00Z -->\n\n") {
		t.Errorf("file starts %q", md[:min(80, len(md))])
	}
	for _, bad := range []string{"[click](http", "**now**", "<script>", "\n# Huawei", "\x1b"} {
		if strings.Contains(md, bad) {
			t.Errorf("hostile text %q is live in the Markdown file", bad)
		}
	}
	// The same slot again (a retried run) replaces the file; no temporary
	// file is left behind.
	if _, err := d.Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "digests"))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want 1", len(entries))
	}

	// A file destination appends, separated by a rule.
	one := filepath.Join(dir, "all", "digests.md")
	f := NewFile(one, false)
	for range 2 {
		if ref, err := f.Deliver(context.Background(), p); err != nil || ref != one {
			t.Fatalf("append: %q %v", ref, err)
		}
	}
	b, _ = os.ReadFile(one)
	if n := strings.Count(string(b), "<!-- threaddigest thread=huawei"); n != 2 || !strings.Contains(string(b), "\n---\n\n<!--") {
		t.Errorf("appended file holds %d digests:\n%s", n, b)
	}

	// An unwritable directory is an error (retried by the runner).
	blocker := filepath.Join(dir, "blocker")
	os.WriteFile(blocker, nil, 0o644)
	if _, err := NewFile(blocker+"/sub/", true).Deliver(context.Background(), p); err == nil {
		t.Error("writing under a file succeeded")
	}
}

func TestSlotText(t *testing.T) {
	if got := slotText(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)); got != " — 2026-03-02 07:00 UTC" {
		t.Errorf("minute slot: %q", got)
	}
	if got := slotText(time.Date(2026, 3, 2, 7, 0, 4, 0, time.UTC)); got != " — 2026-03-02 07:00:04 UTC" {
		t.Errorf("second slot: %q", got)
	}
	if got := slotText(time.Time{}); got != "" {
		t.Errorf("no slot: %q", got)
	}
}

// TestDestinationsShowMayRepeat: stdout and files say when a digest may
// repeat comments of a run cut off mid-post.
func TestDestinationsShowMayRepeat(t *testing.T) {
	p := hostilePost(t)
	p.MayRepeat = true
	var buf bytes.Buffer
	if _, err := NewStdout(&buf).Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Note: "+bot.MayRepeatNote) {
		t.Errorf("stdout lacks the note:\n%s", buf.String())
	}
	path := filepath.Join(t.TempDir(), "all.md")
	if _, err := NewFile(path, false).Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "> **Note:** "+bot.MayRepeatNote) {
		t.Errorf("the file lacks the note:\n%s", b)
	}
	p.MayRepeat = false
	buf.Reset()
	if _, err := NewStdout(&buf).Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), bot.MayRepeatNote) {
		t.Error("a digest that repeats nothing shows the note")
	}
}
