package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/threaddigest/threaddigest/source"
)

// testClient records the waits instead of sleeping.
func testClient(t *testing.T, cfg Config) (*Client, *[]time.Duration) {
	t.Helper()
	var waits []time.Duration
	cfg.Seed = 42
	cfg.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return New(nil, NewLimits(rate.Inf, 1), nil, cfg), &waits
}

func TestRetryAfterThenSuccess(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ua := r.Header.Get("User-Agent"); ua != DefaultUserAgent() || !strings.HasPrefix(ua, "threaddigest/") {
			t.Errorf("User-Agent %q", r.Header.Get("User-Agent"))
		}
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{"ok": true}`))
	}))
	defer srv.Close()
	c, waits := testClient(t, Config{})
	resp, err := c.Do(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `{"ok": true}` || calls.Load() != 2 {
		t.Errorf("body %q after %d calls", resp.Body, calls.Load())
	}
	if len(*waits) != 1 || (*waits)[0] != 7*time.Second {
		t.Errorf("waits %v, want [7s] from Retry-After", *waits)
	}
}

func TestBackoffOn500(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "<html>oops</html>", http.StatusInternalServerError)
	}))
	defer srv.Close()
	c, waits := testClient(t, Config{Retries: 3, Backoff: time.Second})
	_, err := c.Do(context.Background(), Request{URL: srv.URL + "/x?api_key=SECRET"})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 500 {
		t.Fatalf("err = %v, want HTTP 500", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error leaks the key: %v", err)
	}
	if calls.Load() != 4 || len(*waits) != 3 {
		t.Fatalf("%d calls, waits %v; want 4 calls, 3 waits", calls.Load(), *waits)
	}
	for i, w := range *waits {
		if ceiling := time.Second << i; w < 0 || w > ceiling {
			t.Errorf("wait %d = %v, want within [0, %v]", i, w, ceiling)
		}
	}
	// Same seed, same waits.
	c2, waits2 := testClient(t, Config{Retries: 3, Backoff: time.Second})
	c2.Do(context.Background(), Request{URL: srv.URL})
	for i := range *waits {
		if (*waits)[i] != (*waits2)[i] {
			t.Errorf("jitter not deterministic for a seed: %v vs %v", *waits, *waits2)
			break
		}
	}
}

func TestNoRetry(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(error) bool
	}{
		{"404 is gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, IsGone},
		{"huge body", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2048)) },
			func(err error) bool { var e *TooLargeError; return errors.As(err, &e) }},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) },
			func(err error) bool {
				var e *RedirectError
				return errors.As(err, &e) && strings.Contains(err.Error(), "redirect loop")
			}},
		{"retry-after too long", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		}, func(err error) bool { var e *StatusError; return errors.As(err, &e) && e.RetryAfter == time.Hour }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tt.handler(w, r)
			}))
			defer srv.Close()
			c, _ := testClient(t, Config{MaxBody: 1024})
			_, err := c.Do(context.Background(), Request{URL: srv.URL + "/a"})
			if err == nil || !tt.check(err) {
				t.Fatalf("err = %v", err)
			}
			if tt.name != "redirect loop" && calls.Load() != 1 {
				t.Errorf("%d calls, want 1 (no retry)", calls.Load())
			}
		})
	}
}

func TestConditional(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c, _ := testClient(t, Config{})
	first, err := c.Do(context.Background(), Request{URL: srv.URL})
	if err != nil || first.ETag != `"v1"` || first.NotModified {
		t.Fatalf("first = %+v, %v", first, err)
	}
	second, err := c.Do(context.Background(), Request{URL: srv.URL, ETag: first.ETag})
	if err != nil || !second.NotModified || second.ETag != `"v1"` {
		t.Fatalf("second = %+v, %v", second, err)
	}
}

func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, waits := testClient(t, Config{Timeout: 50 * time.Millisecond, Retries: 1})
	_, err := c.Do(context.Background(), Request{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if len(*waits) != 1 {
		t.Errorf("a timeout is retried: waits %v", *waits)
	}
}

func TestDecodeJSON(t *testing.T) {
	var v map[string]any
	for body, want := range map[string]string{
		"<!DOCTYPE html><html><body>Down for maintenance</body></html>": "expected JSON, got HTML",
		`{"a": [1, 2`: "malformed or truncated JSON",
		``:            "empty body",
		`[1]`:         "not shaped as the API documents",
	} {
		err := DecodeJSON(&Response{URL: "http://x/", Body: []byte(body), Header: http.Header{}}, &v)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("DecodeJSON(%q) = %v, want %q", body, err, want)
		}
	}
}

func TestRetryAfterDate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := retryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); got != 90*time.Second {
		t.Errorf("retryAfter(date) = %v", got)
	}
	if got := retryAfter("soon", now); got != 0 {
		t.Errorf("retryAfter(soon) = %v", got)
	}
}

func TestLimitsPerHost(t *testing.T) {
	l := NewLimits(rate.Every(time.Hour), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, "a.example"); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx, "b.example"); err != nil {
		t.Fatalf("another host waits for the first: %v", err)
	}
	if err := l.Wait(ctx, "a.example"); err == nil {
		t.Fatal("second request to a.example within the hour was let through")
	}
}

// TestReasons checks the plain words each fetch error gives chat users,
// through source.Reason and wrapped as polls wrap them: no URL, no key.
func TestReasons(t *testing.T) {
	u := "https://disqus.example/api/3.0/threads/listPosts.json?api_key=SECRET"
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&StatusError{URL: u, Status: 404}, "the thread is gone from the site (HTTP 404)"},
		{&StatusError{URL: u, Status: 403}, "the site refused access (HTTP 403): check the source's credentials"},
		{&StatusError{URL: u, Status: 429}, "the site asked to be read less often (HTTP 429)"},
		{&StatusError{URL: u, Status: 503, Snippet: "upstream 10.0.0.7 down"}, "the site had an error (HTTP 503)"},
		{&PayloadError{URL: u, Msg: "expected JSON, got HTML"}, "the site's answer was not the comment thread expected (a changed API, or an error page)"},
		{&RedirectError{URL: u, Hops: 10}, "the site kept redirecting (a redirect loop)"},
		{&TooLargeError{URL: u, Limit: 8 << 20}, "the site's answer was too large to read"},
	} {
		got := source.Reason(fmt.Errorf("fetch disqus:f/1: thread 1: %w", tc.err))
		if got != tc.want || strings.Contains(got, "SECRET") || strings.Contains(got, "10.0.0.7") {
			t.Errorf("Reason(%T) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
