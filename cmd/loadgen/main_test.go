package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/slack"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
)

// service fakes the parts of threaddigest serve that loadgen talks to: the
// real Slack command handler over a cache that warms after a few commands,
// and /metrics saying how many comments are stored.
type service struct {
	commands atomic.Int64
	warmAt   int64
}

func (s *service) Cached(req bot.Request) (bot.Response, bool) {
	if s.commands.Add(1) <= s.warmAt {
		return bot.Response{}, false
	}
	d := digest.Digest{CommentCount: 10, CommenterCount: 4, Stance: digest.Stance{Target: "buses", Favor: 5, Against: 3, None: 2}}
	return bot.Response{Kind: bot.KindStance, Ephemeral: true, Thread: "load", Digest: &d}, true
}

func (s *service) Answer(ctx context.Context, req bot.Request) bot.Response {
	return bot.Response{Kind: bot.KindText, Text: "still working"}
}

func fakeServe(t *testing.T, secret string, warmAt int64) *httptest.Server {
	s := &service{warmAt: warmAt}
	h := slack.NewHandler(secret, s, nil, nil)
	mux := http.NewServeMux()
	mux.Handle("POST /slack/commands", h.Commands())
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "# TYPE threaddigest_comments_ingested_total counter\nthreaddigest_comments_ingested_total{thread=\"load\"} 10\n")
		fmt.Fprintf(w, "threaddigest_commands_total{answered=\"cache\",sub=\"stance\"} %d\n", s.commands.Load())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		srv.Close()
	})
	return srv
}

func TestRunWritesTheSection(t *testing.T) {
	srv := fakeServe(t, "s3cret", 2)
	doc := filepath.Join(t.TempDir(), "performance.md")
	if err := os.WriteFile(doc, []byte("# Performance\n\n## Digest\n\nkept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "THREADDIGEST_SLACK_SIGNING_SECRET" {
			return "s3cret"
		}
		return ""
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-rate", "40", "-duration", "250ms", "-wait-comments", "10",
		"-doc", doc, "-workload", "A small thread."}, env, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{"## Digest\n\nkept\n", "## Slash commands under load", "| 10 | 10 | 0 | 0 |", "A small thread.", "answered from its digest cache"} {
		if !strings.Contains(got, want) {
			t.Errorf("the document lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(stderr.String(), "answered from the cache after") {
		t.Errorf("no readiness on stderr:\n%s", stderr.String())
	}
}

func TestRunRefuses(t *testing.T) {
	srv := fakeServe(t, "s3cret", 0)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no secret", []string{"-url", srv.URL}, nil, "THREADDIGEST_SLACK_SIGNING_SECRET"},
		{"an argument", []string{"-url", srv.URL, "extra"}, map[string]string{"THREADDIGEST_SLACK_SIGNING_SECRET": "s3cret"}, "unexpected argument"},
		{"wrong secret", []string{"-url", srv.URL, "-rate", "20", "-duration", "100ms"}, map[string]string{"THREADDIGEST_SLACK_SIGNING_SECRET": "wrong"}, "budget missed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			err := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &out, &errs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one with %q", err, tc.want)
			}
		})
	}
}
