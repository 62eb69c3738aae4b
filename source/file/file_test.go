package file

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/input"
)

const page = "Huawei in Europe\n\nDec 27, 2019 · 2 comments\nAnna (köln)\nBan them.\nBob (Boulder, Co)\nNo.\n"

func TestFetch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "thread.txt")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	src := New(path, input.Options{}, "", slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()

	first, err := src.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || len(first.Comments) != 2 || first.Title != "Huawei in Europe" || first.State == "" {
		t.Fatalf("first fetch = %+v", first)
	}

	again, err := src.Fetch(ctx, first.State)
	if err != nil {
		t.Fatal(err)
	}
	if !again.NotModified || len(again.Comments) != 0 || again.State != first.State {
		t.Fatalf("unchanged file: %+v", again)
	}

	// Touched but the same content: still not modified.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	touched, err := src.Fetch(ctx, again.State)
	if err != nil {
		t.Fatal(err)
	}
	if !touched.NotModified || touched.State == again.State {
		t.Fatalf("touched file: %+v (state must record the new time)", touched)
	}

	// A new comment and a bad record.
	grown := strings.Replace(page, "2 comments", "4 comments", 1) + "Cy (Yvr)\nFine.\nDee (Paris)\n"
	if err := os.WriteFile(path, []byte(grown), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := src.Fetch(ctx, touched.State)
	if err != nil {
		t.Fatal(err)
	}
	if changed.NotModified || len(changed.Comments) != 3 || changed.Skipped != 1 {
		t.Fatalf("changed file: %+v", changed)
	}
	if !strings.Contains(logs.String(), "record skipped") || !strings.Contains(logs.String(), "line=10") {
		t.Errorf("skipped record not logged with its line: %s", logs.String())
	}
}

func TestFetchThreadChoice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "many.csv")
	if err := os.WriteFile(path, []byte("id,author,body,thread\n1,A,x,t1\n2,B,y,t2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(path, input.Options{}, "", nil).Fetch(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "t1, t2") {
		t.Errorf("no thread chosen: err = %v, want the ids listed", err)
	}
	res, err := New(path, input.Options{}, "t2", nil).Fetch(context.Background(), "")
	if err != nil || len(res.Comments) != 1 || res.Comments[0].Body != "y" {
		t.Errorf("thread t2: %+v, %v", res, err)
	}
}

func TestFetchErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.txt"), "no such file"},
		{dir, "is a directory"},
		{empty, "empty input"},
	} {
		if _, err := New(tt.path, input.Options{}, "", nil).Fetch(context.Background(), ""); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.path, err, tt.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(dir, "t.txt")
	os.WriteFile(path, []byte(page), 0o644)
	if _, err := New(path, input.Options{}, "", nil).Fetch(ctx, ""); err != context.Canceled {
		t.Errorf("cancelled: err = %v", err)
	}
}

// TestFetchRefusesAFIFO: a named pipe is refused at once, naming it, instead
// of blocking the poll in the kernel until a writer comes.
func TestFetchRefusesAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "thread.fifo")
	if err := mkfifo(path); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := New(path, input.Options{}, "", nil).Fetch(context.Background(), "")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is a named pipe (FIFO)") {
			t.Errorf("Fetch of a FIFO: %v, want an error naming the pipe", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Fetch of a FIFO without a writer blocked")
	}
	if _, err := New(t.TempDir(), input.Options{}, "", nil).Fetch(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Fetch of a directory: %v", err)
	}
}

// TestFileRewrittenWhileRead changes the file between its read and the
// check after it, as a writer that truncates and then writes does while a
// poll reads: that read is not used (it may have been of part of the file,
// whose cut-short last comment would be stored as a new one), and the next
// poll reads the file as written.
func TestFileRewrittenWhileRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.txt")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	longer := page + "Cy (Paris)\nA third.\n"
	var logs bytes.Buffer
	src := New(path, input.Options{}, "", slog.New(slog.NewTextHandler(&logs, nil)))
	src.afterRead = func() {
		src.afterRead = nil
		if err := os.WriteFile(path, []byte(longer), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	first, err := src.Fetch(context.Background(), "")
	if err != nil || !first.NotModified || len(first.Comments) != 0 || first.State != "" {
		t.Fatalf("a read the file changed under = %+v, %v; want it unused", first, err)
	}
	if !strings.Contains(logs.String(), "file changed while it was read") {
		t.Errorf("log: %s", logs.String())
	}
	second, err := src.Fetch(context.Background(), first.State)
	if err != nil || second.NotModified || len(second.Comments) != 3 {
		t.Errorf("the next poll = %+v, %v; want the file as written", second, err)
	}
}
