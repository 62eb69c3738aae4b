// Package sourcetest holds what the tests of every live source share: a
// local fake server that can be switched into the failure modes real sites
// show (rate limits, errors, HTML pages served as JSON, truncated or huge
// bodies, redirect loops, a thread that disappears), a fetch client that
// records its waits instead of sleeping, and the checks each mode must pass.
package sourcetest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
	"golang.org/x/time/rate"
)

// Modes a Fake can fail in.
const (
	OK           = ""
	RateLimited  = "429-once"  // one 429 with Retry-After: 3, then normal
	ServerError  = "500"       // every request answers 500
	HTMLPage     = "html-200"  // an HTML error page with status 200
	Truncated    = "truncated" // the normal body cut in half
	Huge         = "huge"      // a body over the client's cap
	RedirectLoop = "redirect"  // every request redirects to itself
	Gone         = "404"       // the thread no longer exists
)

// Fake is a local server standing in for a site's API.
type Fake struct {
	*httptest.Server
	mu       sync.Mutex
	mode     string
	handler  http.Handler
	requests []string
}

// NewFake serves h until the test ends.
func NewFake(t *testing.T, h http.Handler) *Fake {
	f := &Fake{handler: h}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// SetMode switches the fake to a failure mode (OK for none).
func (f *Fake) SetMode(mode string) {
	f.mu.Lock()
	f.mode = mode
	f.mu.Unlock()
}

// Requests returns the paths and queries requested so far, and forgets them.
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	mode := f.mode
	f.requests = append(f.requests, r.URL.RequestURI())
	if mode == RateLimited {
		f.mode = OK
	}
	f.mu.Unlock()
	switch mode {
	case RateLimited:
		w.Header().Set("Retry-After", "3")
		http.Error(w, `{"message": "Too Many Requests", "error": 429}`, http.StatusTooManyRequests)
	case ServerError:
		http.Error(w, "<html><body>Internal Server Error</body></html>", http.StatusInternalServerError)
	case HTMLPage:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!DOCTYPE html>\n<html><head><title>We'll be right back</title></head><body>Maintenance</body></html>"))
	case Truncated:
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.Write(body[:len(body)/2])
	case Huge:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"pad": "`))
		w.Write(bytes.Repeat([]byte("x"), MaxBody+10))
		w.Write([]byte(`"}`))
	case RedirectLoop:
		http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
	case Gone:
		http.Error(w, `{"error": "not found"}`, http.StatusNotFound)
	default:
		f.handler.ServeHTTP(w, r)
	}
}

// MaxBody is the body cap of the clients Client makes.
const MaxBody = 256 << 10

// Client returns a fetch client for tests: no rate limit, a fixed jitter
// seed, and waits recorded in the returned slice instead of slept.
func Client(t *testing.T) (*fetch.Client, *Waits) {
	w := &Waits{}
	c := fetch.New(nil, fetch.NewLimits(rate.Inf, 1), nil, fetch.Config{
		Seed: 7, MaxBody: MaxBody, Timeout: 5 * time.Second, Retries: 2,
		Sleep: func(_ context.Context, d time.Duration) error { w.add(d); return nil },
	})
	return c, w
}

// Waits records the waits of a test client.
type Waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *Waits) add(d time.Duration) { w.mu.Lock(); w.d = append(w.d, d); w.mu.Unlock() }

// Take returns the waits so far and forgets them.
func (w *Waits) Take() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.d
	w.d = nil
	return d
}

// CheckFailures runs a source through every failure mode of fake. open
// returns a fresh source reading from fake with client c; name is what
// its errors must name (the source and thread).
func CheckFailures(t *testing.T, fake *Fake, name string, open func(c *fetch.Client) source.Source) {
	t.Helper()
	CheckFailuresSaying(t, fake, name, open, nil)
}

// CheckFailuresSaying is CheckFailures for a source whose payloads are not
// JSON: say maps a mode to what its error must say instead.
func CheckFailuresSaying(t *testing.T, fake *Fake, name string, open func(c *fetch.Client) source.Source, say map[string]string) {
	t.Helper()
	msg := func(mode, def string) string {
		if m, ok := say[mode]; ok {
			return m
		}
		return def
	}
	ctx := context.Background()
	tests := []struct {
		mode  string
		check func(t *testing.T, res source.Result, err error, waits []time.Duration)
	}{
		{RateLimited, func(t *testing.T, res source.Result, err error, waits []time.Duration) {
			if err != nil {
				t.Fatalf("429 then success: %v", err)
			}
			if len(res.Comments) == 0 {
				t.Errorf("429 then success: no comments")
			}
			if len(waits) != 1 || waits[0] != 3*time.Second {
				t.Errorf("waits %v, want [3s] from Retry-After", waits)
			}
		}},
		{ServerError, func(t *testing.T, res source.Result, err error, waits []time.Duration) {
			wantErr(t, err, name, "HTTP 500")
			if len(waits) != 2 {
				t.Errorf("waits %v, want 2 backoffs before giving up", waits)
			}
		}},
		{HTMLPage, func(t *testing.T, res source.Result, err error, _ []time.Duration) {
			wantErr(t, err, name, msg(HTMLPage, "expected JSON, got HTML"))
		}},
		{Truncated, func(t *testing.T, res source.Result, err error, _ []time.Duration) {
			wantErr(t, err, name, msg(Truncated, "JSON"))
		}},
		{Huge, func(t *testing.T, res source.Result, err error, _ []time.Duration) {
			wantErr(t, err, name, "larger than")
		}},
		{RedirectLoop, func(t *testing.T, res source.Result, err error, _ []time.Duration) { wantErr(t, err, name, "redirect") }},
		{Gone, func(t *testing.T, res source.Result, err error, _ []time.Duration) {
			wantErr(t, err, name, "404")
			if !fetch.IsGone(err) {
				t.Errorf("a 404 is not reported as gone: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run("mode "+tt.mode, func(t *testing.T) {
			c, waits := Client(t)
			fake.SetMode(tt.mode)
			defer fake.SetMode(OK)
			res, err := open(c).Fetch(ctx, "")
			tt.check(t, res, err, waits.Take())
		})
	}
}

func wantErr(t *testing.T, err error, name, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name) {
		t.Errorf("error %q: want it to name %q and say %q", err, name, want)
	}
	var pe *fetch.PayloadError
	_ = errors.As(err, &pe)
}

// ByID indexes comments by id, failing on duplicates.
func ByID(t *testing.T, cs []threaddigest.Comment) map[string]threaddigest.Comment {
	t.Helper()
	m := map[string]threaddigest.Comment{}
	for _, c := range cs {
		if _, dup := m[c.ID]; dup {
			t.Errorf("comment %q returned twice", c.ID)
		}
		m[c.ID] = c
	}
	return m
}
