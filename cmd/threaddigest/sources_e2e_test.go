package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeRedditThread serves one post's comments in Reddit's JSON listing form,
// taking the comments from the example thread, so that the test can add
// comments while serve follows it.
type fakeRedditThread struct {
	mu     sync.Mutex
	blocks []string // "Name (Location)\nbody"
	n      int
}

func (f *fakeRedditThread) show(n int) { f.mu.Lock(); f.n = n; f.mu.Unlock() }

func (f *fakeRedditThread) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/comments/abc123.json" {
		http.NotFound(w, r)
		return
	}
	var children []any
	for i, b := range f.blocks[:f.n] {
		header, body, _ := strings.Cut(b, "\n")
		name, flair, _ := strings.Cut(strings.TrimSuffix(header, ")"), " (")
		children = append(children, map[string]any{"kind": "t1", "data": map[string]any{
			"id": fmt.Sprintf("c%d", i+1), "name": fmt.Sprintf("t1_c%d", i+1), "parent_id": "t3_abc123", "link_id": "t3_abc123",
			"author": name, "author_flair_text": flair, "body": body, "created_utc": 1772366400.0 + float64(i*60), "score": i, "replies": ""}})
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode([]any{
		map[string]any{"kind": "Listing", "data": map[string]any{"children": []any{map[string]any{"kind": "t3", "data": map[string]any{
			"id": "abc123", "name": "t3_abc123", "title": "Should Europe let Huawei build its 5G networks?", "permalink": "/r/europe/comments/abc123/huawei/"}}}}},
		map[string]any{"kind": "Listing", "data": map[string]any{"children": children}},
	})
}

// TestServeFollowsRedditThread: serve follows a fake Reddit thread; new
// comments appear on the fake, and the next scheduled digest covers exactly
// them.
func TestServeFollowsRedditThread(t *testing.T) {
	tf := newThreadFile(t, filepath.Join(t.TempDir(), "unused.txt"))
	fake := &fakeRedditThread{blocks: tf.blocks, n: 5}
	// The server lives outside the bubble of fake time; without keep-alive
	// no connection goroutine of the client lingers inside it.
	srv := httptest.NewUnstartedServer(fake)
	srv.Config.SetKeepAlivesEnabled(false)
	srv.Start()
	defer srv.Close()

	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
		dir := t.TempDir()
		cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"

[http]
listen = "off"

[sources]
user_agent = "threaddigest-test/1.0"

[[thread]]
name = "huawei-reddit"
source = "reddit:%s/r/europe/comments/abc123/huawei/"
target = "Huawei"
poll = "10m"

[[digest]]
thread = "huawei-reddit"
schedule = "CRON_TZ=UTC 0 8 * * *"
to = ["stdout"]
`, filepath.Join(dir, "state.db"), srv.URL))
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		stop := background([]string{"serve", "--config", cfg}, Env{Stdout: stdout, Stderr: stderr})
		time.Sleep(time.Until(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
		fake.show(8) // three new comments after the first digest
		time.Sleep(time.Until(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)))
		if err := stop(); err != nil {
			t.Fatalf("serve: %v\n%s", err, stderr)
		}
		out := stdout.String()
		if n := strings.Count(out, "=== threaddigest: huawei-reddit — "); n != 2 {
			t.Fatalf("stdout holds %d digests, want 2:\n%s\nlog:\n%s", n, out, stderr)
		}
		first, second, _ := strings.Cut(out, "=== threaddigest: huawei-reddit — 2026-03-03 08:00 UTC ===")
		if !strings.Contains(first, "5 new comments, 5 in all") || !strings.Contains(second, "3 new comments, 8 in all") {
			t.Errorf("the digests do not cover the new comments:\n--- first\n%s\n--- second\n%s\nlog:\n%s", first, second, stderr)
		}
		if !strings.Contains(out, "Should Europe let Huawei build its 5G networks?") {
			t.Errorf("the post's title is not in the digest:\n%s", out)
		}
	})
}
