// Package output delivers digests where the service runs: as text to its
// standard output, or as Markdown to files.
package output

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/render"
)

// Stdout writes each digest as text to a stream (the process's standard
// output in `serve`), one after another with a header line naming the thread
// and slot.
type Stdout struct {
	mu sync.Mutex
	w  io.Writer
}

// NewStdout returns a destination writing to w.
func NewStdout(w io.Writer) *Stdout { return &Stdout{w: w} }

// Deliver writes p. The digest is rendered first so that a partial write
// cannot interleave with another digest's.
func (s *Stdout) Deliver(ctx context.Context, p bot.Post) (string, error) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "=== threaddigest: %s%s ===\n", p.Thread, slotText(p.Slot))
	if p.MayRepeat {
		fmt.Fprintf(&buf, "Note: %s\n\n", bot.MayRepeatNote)
	}
	if err := render.Text(&buf, p.Digest, render.Options{MaxArguments: p.MaxArguments}); err != nil {
		return "", &bot.PermanentError{Err: fmt.Errorf("render: %w", err)}
	}
	buf.WriteString("\n")
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(buf.Bytes()); err != nil {
		return "", fmt.Errorf("stdout: %w", err)
	}
	return "", nil
}

func slotText(slot time.Time) string {
	if slot.IsZero() {
		return ""
	}
	if slot.Second() != 0 {
		// Sub-minute schedules (@every 2s) need the seconds to tell slots
		// apart.
		return " — " + slot.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return " — " + slot.UTC().Format("2006-01-02 15:04 UTC")
}

// File writes each digest as Markdown: in a directory, one file per run named
// by thread and slot (huawei-europe_2026-03-02T080000Z.md); otherwise appended
// to one file, separated by a horizontal rule.
type File struct {
	path string
	dir  bool
	mu   sync.Mutex
}

// NewFile returns a destination writing into the directory path (dir true,
// created when missing) or appending to the file path.
func NewFile(path string, dir bool) *File { return &File{path: path, dir: dir} }

// Deliver writes p and returns the path written as the reference. A
// directory's file is written to a temporary name and renamed, so a reader
// never sees half a digest and a retried run replaces its own file.
func (f *File) Deliver(ctx context.Context, p bot.Post) (string, error) {
	var buf bytes.Buffer
	// The thread name and slot are ours (checked names, a formatted time),
	// so the comment cannot be closed early by anything in them.
	fmt.Fprintf(&buf, "<!-- threaddigest thread=%s slot=%s -->\n\n", p.Thread, p.Slot.UTC().Format(time.RFC3339))
	if p.MayRepeat {
		fmt.Fprintf(&buf, "> **Note:** %s\n\n", bot.MayRepeatNote)
	}
	if err := render.Markdown(&buf, p.Digest, render.Options{MaxArguments: p.MaxArguments}); err != nil {
		return "", &bot.PermanentError{Err: fmt.Errorf("render: %w", err)}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.dir {
		return f.appendTo(buf.Bytes())
	}
	if err := os.MkdirAll(f.path, 0o755); err != nil {
		return "", fmt.Errorf("file destination: %w", err)
	}
	name := p.Thread + "_" + fileSlot(p.Slot) + ".md"
	final := filepath.Join(f.path, name)
	tmp, err := os.CreateTemp(f.path, "."+name+".*")
	if err != nil {
		return "", fmt.Errorf("file destination: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", fmt.Errorf("file destination: write %s: %w", final, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("file destination: write %s: %w", final, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("file destination: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("file destination: %w", err)
	}
	return final, nil
}

func (f *File) appendTo(md []byte) (string, error) {
	if dir := filepath.Dir(f.path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("file destination: %w", err)
		}
	}
	fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return "", fmt.Errorf("file destination: %w", err)
	}
	fi, err := fh.Stat()
	if err == nil && fi.Size() > 0 {
		md = append([]byte("\n---\n\n"), md...)
	}
	if _, err := fh.Write(md); err != nil {
		fh.Close()
		return "", fmt.Errorf("file destination: append to %s: %w", f.path, err)
	}
	if err := fh.Close(); err != nil {
		return "", fmt.Errorf("file destination: append to %s: %w", f.path, err)
	}
	return f.path, nil
}

// fileSlot formats a slot for a file name: sortable, no colons (Windows).
func fileSlot(slot time.Time) string {
	if slot.IsZero() {
		return "now"
	}
	return slot.UTC().Format("2006-01-02T150405Z")
}
