// Package file reads a thread from a local file in any input format, as a
// source the service can poll: an unchanged file answers NotModified without
// being read again.
package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"

	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/source"
)

// Source is a thread in a local file.
type Source struct {
	path   string
	opt    input.Options
	thread string
	log    *slog.Logger
	// afterRead, when set (tests), runs between reading the file and
	// checking that it did not change meanwhile.
	afterRead func()
}

// New returns a source reading path with opt. thread picks the thread of a
// file that holds several ("" for a file with one). log receives the
// records skipped on each read.
func New(path string, opt input.Options, thread string, log *slog.Logger) *Source {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{path: path, opt: opt, thread: thread, log: log}
}

// state is what a poll remembers of the file. Size and modification time
// spare reading an untouched file; the content hash tells a file that was
// touched or rewritten with the same content from one that changed.
type state struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

// Fetch reads the whole thread, or answers NotModified when the file is
// as it was at the poll that returned prev.
func (s *Source) Fetch(ctx context.Context, prev string) (source.Result, error) {
	var old state
	if prev != "" {
		if err := json.Unmarshal([]byte(prev), &old); err != nil {
			old = state{} // a state from another kind of source: read afresh
		}
	}
	f, err := openRegular(s.path)
	if err != nil {
		return source.Result{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return source.Result{}, fmt.Errorf("file source: %w", err)
	}
	cur := state{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if prev != "" && old.Size == cur.Size && old.ModTime == cur.ModTime && old.SHA256 != "" {
		cur.SHA256 = old.SHA256
		return source.Result{State: encode(cur), NotModified: true}, nil
	}
	h := sha256.New()
	res, err := input.Read(io.TeeReader(ctxReader{ctx, f}, h), s.path, s.opt)
	if err != nil {
		if ctx.Err() != nil {
			return source.Result{}, ctx.Err()
		}
		return source.Result{}, err
	}
	// Read stops at the end of the data it needs; hash the rest too, so that
	// the hash is of the whole file.
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return source.Result{}, fmt.Errorf("file source: %s: %w", s.path, err)
	}
	cur.SHA256 = hex.EncodeToString(h.Sum(nil))
	if s.afterRead != nil {
		s.afterRead()
	}
	// A file being written while it was read (most writers truncate, then
	// write) may have been read in part: its last comment cut short would
	// be stored as a new one, the rest marked gone. Such a read is not
	// used; the next poll reads the file as written.
	if after, err := os.Stat(s.path); err != nil || after.Size() != cur.Size || after.ModTime().UnixNano() != cur.ModTime {
		s.log.Info("file changed while it was read; reading it again at the next poll", "file", s.path)
		return source.Result{State: prev, NotModified: true}, nil
	}
	if prev != "" && old.SHA256 == cur.SHA256 {
		return source.Result{State: encode(cur), NotModified: true}, nil
	}
	th, err := res.Thread(s.thread)
	if err != nil {
		return source.Result{}, fmt.Errorf("%s: %w", s.path, err)
	}
	for i, p := range res.Skipped {
		if i == maxLogged {
			s.log.Warn("more records skipped", "file", s.path, "count", len(res.Skipped)-maxLogged)
			break
		}
		s.log.Warn("record skipped", "file", s.path, "line", p.Line, "field", p.Field, "reason", p.Msg)
	}
	for i, p := range res.Warnings {
		if i == maxLogged {
			s.log.Warn("more warnings", "file", s.path, "count", len(res.Warnings)-maxLogged)
			break
		}
		s.log.Warn("input warning", "file", s.path, "line", p.Line, "field", p.Field, "reason", p.Msg)
	}
	return source.Result{
		Title:    th.Title,
		URL:      th.URL,
		Comments: th.Comments,
		Complete: true,
		State:    encode(cur),
		Skipped:  len(res.Skipped),
	}, nil
}

// maxLogged caps the problems logged one by one on each read.
const maxLogged = 20

func encode(st state) string {
	b, _ := json.Marshal(st)
	return string(b)
}

// ctxReader stops a long read when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// openRegular opens path for reading if it is a regular file. A thread file
// is read again at every poll, so it must be one: a named pipe (FIFO) gives
// its content once, and opening it blocks, in the kernel, until a writer
// comes; a device or a socket is no thread either. The file is stat'ed
// first and opened without blocking (O_NONBLOCK, which changes nothing for
// a regular file), then checked again, so that a FIFO put in its place in
// between cannot block the open.
func openRegular(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("file source: %w", err)
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("file source: %w", err)
	}
	fi, err = f.Stat()
	if err == nil {
		err = regular(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func regular(path string, fi os.FileInfo) error {
	switch m := fi.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("file source: %s is a directory, expected a thread file", path)
	case m&os.ModeNamedPipe != 0:
		return fmt.Errorf("file source: %s is a named pipe (FIFO), expected a regular thread file: a pipe cannot be read again at every poll", path)
	default:
		return fmt.Errorf("file source: %s is not a regular file (%s), expected a thread file", path, m.Type())
	}
}
