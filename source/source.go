// Package source reads threads from where they live: a local file in any input
// format, or a live comment section (Reddit, Hacker News, Discourse, Disqus,
// comment feeds, any JSON API). Each kind lives in its own package under
// source/; this package holds the interface they share. source/sources reads
// the address syntax that picks one ("reddit:URL", "hn:ID", a file path, …)
// and opens it; source/fetch is the HTTP client the live ones share.
package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"syscall"

	threaddigest "github.com/threaddigest/threaddigest"
)

// Source reads one thread. The service polls it on the thread's interval.
type Source interface {
	// Fetch returns what changed since the poll that returned state ("" on
	// the first poll, which returns the whole thread). The returned Result's
	// State is stored and passed to the next Fetch. A source that cannot poll
	// incrementally returns the whole thread each time; the store diffs by id.
	Fetch(ctx context.Context, state string) (Result, error)
}

// Result is one poll's outcome.
type Result struct {
	// Title and URL of the thread when the source knows them.
	Title string
	URL   string
	// Comments that are new or changed since state, or all of them. Comments
	// deleted or removed at the source come with Deleted set.
	Comments []threaddigest.Comment
	// State is the source's memory for the next poll (cursor, last id, ETag,
	// file size and modification time), opaque to the caller.
	State string
	// Complete is true when Comments is the whole thread as it stands (a
	// file read afresh): a stored comment missing from it is gone from the
	// source, and the service marks it deleted. Sources that return only
	// what changed leave it false.
	Complete bool
	// NotModified is true when the source answered that nothing changed
	// (HTTP 304, an unchanged file); Comments is then empty.
	NotModified bool
	// Skipped counts records the source could not read and left out; the
	// source logs where they were.
	Skipped int
}

// WithState runs one poll of a source whose memory between polls is an S
// kept as JSON in Result.State. It reads state into a fresh S (known is
// false when state is empty or unreadable: an unreadable state reads
// afresh), calls poll, and stores the S that poll leaves in the Result. An
// error of poll comes back as "thread: error", naming the thread, and no
// Result.
func WithState[S any](state, thread string, poll func(st *S, known bool) (Result, error)) (Result, error) {
	var st S
	known := state != "" && json.Unmarshal([]byte(state), &st) == nil
	res, err := poll(&st, known)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", thread, err)
	}
	b, _ := json.Marshal(st)
	res.State = string(b)
	return res, nil
}

// Reason says in plain words why a poll failed, for the people in a chat
// channel who asked: never the URLs, addresses, resolvers or API keys that
// err itself may name (the log has those). An error that knows its own
// plain reason says it (the source/fetch errors do: Reason() string).
func Reason(err error) string {
	var r interface{ Reason() string }
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &r):
		return r.Reason()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "the site did not answer in time"
	case errors.As(err, &dns):
		return "the site's name could not be found"
	case errors.As(err, &op), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return "the site could not be reached"
	case errors.Is(err, fs.ErrNotExist):
		return "the file does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "the file may not be read"
	}
	return "the source could not be read"
}
