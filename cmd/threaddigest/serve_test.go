package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threaddigest/threaddigest/version"
)

// threadFile writes the first n comments of the example thread as a page
// file, with its comment count line matching.
type threadFile struct {
	path   string
	title  string
	date   string
	blocks []string // "Name (Location)\nbody"
}

func newThreadFile(t *testing.T, path string) *threadFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "huawei-europe.txt"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.TrimSpace(string(b)), "\n\n")
	date, _, _ := strings.Cut(parts[1], " · ")
	return &threadFile{path: path, title: parts[0], date: date, blocks: parts[2:]}
}

func (f *threadFile) write(t *testing.T, n int) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s · %d comments\n\n%s\n", f.title, f.date, n, strings.Join(f.blocks[:n], "\n\n"))
	if err := os.WriteFile(f.path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestServeEndToEnd starts `serve` on a temporary configuration and SQLite
// store, appends comments to the thread file, advances the (fake) clock over
// two days and reads the digests posted to stdout and to a directory: one
// per day, each covering exactly the comments that were new.
func TestServeEndToEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
		dir := t.TempDir()
		tf := newThreadFile(t, filepath.Join(dir, "huawei.txt"))
		tf.write(t, 12)
		outDir := filepath.Join(dir, "digests")
		cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"

[http]
listen = "off"

[[thread]]
name = "huawei-europe"
source = %q
target = "Huawei"
poll = "10m"

[[digest]]
thread = "huawei-europe"
schedule = "CRON_TZ=Europe/Berlin 0 8 * * *"
to = ["stdout", "file:%s/"]
`, filepath.Join(dir, "state.db"), tf.path, outDir))

		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		stop := background([]string{"serve", "--config", cfg}, Env{Stdout: stdout, Stderr: stderr})

		// 2 March 08:00 Berlin posts the 12 comments read at start.
		time.Sleep(time.Until(time.Date(2026, 3, 2, 7, 30, 0, 0, time.UTC)))
		tf.write(t, 20) // 8 more arrive after the first digest
		time.Sleep(time.Until(time.Date(2026, 3, 3, 7, 30, 0, 0, time.UTC)))
		if err := stop(); err != nil {
			t.Fatalf("serve: %v\n%s", err, stderr)
		}

		out := stdout.String()
		if n := strings.Count(out, "=== threaddigest: huawei-europe — "); n != 2 {
			t.Fatalf("stdout holds %d digests, want 2:\n%s\nlog:\n%s", n, out, stderr)
		}
		first, second, _ := strings.Cut(strings.TrimPrefix(out, "=== threaddigest: huawei-europe — 2026-03-02 07:00 UTC ===\n"), "=== threaddigest: huawei-europe — 2026-03-03 07:00 UTC ===\n")
		if first == out || second == "" {
			t.Fatalf("digest headers are not the two slots:\n%s", out)
		}
		if !strings.Contains(first, "12 new comments, 12 in all") || !strings.Contains(second, "8 new comments, 20 in all") {
			t.Errorf("the digests do not cover the new comments:\n--- first\n%s\n--- second\n%s", first, second)
		}
		files, err := filepath.Glob(filepath.Join(outDir, "*.md"))
		if err != nil || len(files) != 2 {
			t.Fatalf("files = %v, %v", files, err)
		}
		want := []string{"huawei-europe_2026-03-02T070000Z.md", "huawei-europe_2026-03-03T070000Z.md"}
		for i, f := range files {
			if filepath.Base(f) != want[i] {
				t.Errorf("file %d = %s, want %s", i, filepath.Base(f), want[i])
			}
		}
		md, _ := os.ReadFile(files[1])
		if !strings.Contains(string(md), "8 new comments, 20 in all") {
			t.Errorf("second file:\n%s", md)
		}
		for _, line := range []string{`msg="digest posted" digest=huawei-europe destination=stdout`, `msg="thread polled" thread=huawei-europe added=8`, `msg=stopped`} {
			if !strings.Contains(stderr.String(), line) {
				t.Errorf("log lacks %s", line)
			}
		}
		// Restart: nothing was missed, so nothing is posted again.
		stdout2 := &syncBuffer{}
		stop = background([]string{"serve", "--config", cfg}, Env{Stdout: stdout2, Stderr: io.Discard})
		time.Sleep(time.Hour)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if stdout2.String() != "" {
			t.Errorf("a restart posted again:\n%s", stdout2)
		}
	})
}

// TestServeHTTPAndShortSchedule runs serve in real time with an HTTP
// server on a free port and a two-second schedule (the form the replica
// tests use): /healthz answers, /metrics counts what was ingested and
// posted, and SIGINT-style cancellation stops it cleanly.
func TestServeHTTPAndShortSchedule(t *testing.T) {
	dir := t.TempDir()
	tf := newThreadFile(t, filepath.Join(dir, "huawei.txt"))
	tf.write(t, 7)
	cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"
lease = "5s"

[http]
listen = "127.0.0.1:0"

[[thread]]
name = "huawei-europe"
source = %q
poll = "1s"

[[digest]]
thread = "huawei-europe"
schedule = "@every 2s"
to = ["stdout"]
min_new_comments = 0
`, filepath.Join(dir, "state.db"), tf.path))
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	stop := background([]string{"serve", "--config", cfg}, Env{Stdout: stdout, Stderr: stderr,
		Getenv: func(k string) string { return map[string]string{"THREADDIGEST_REPLICA_ID": "replica-test"}[k] }})
	defer stop()
	addr := waitFor(t, stderr, regexp.MustCompile(`msg="http server listening" addr=(\S+)`))
	waitFor(t, stderr, regexp.MustCompile(`msg="digest posted"`))

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	_, metrics := get("/metrics")
	for _, want := range []string{
		`threaddigest_comments_ingested_total{thread="huawei-europe"} 7`,
		`threaddigest_digests_posted_total{destination="stdout",digest="huawei-europe"}`,
		`threaddigest_source_polls_total{thread="huawei-europe"}`,
		`threaddigest_run_duration_seconds_count{destination="stdout",digest="huawei-europe"}`,
		`go_goroutines`,
		`threaddigest_build_info{goversion="go`,
		`threaddigest_pruned_total{kind="skipped_runs"} 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !strings.Contains(stderr.String(), "replica=replica-test") {
		t.Error("THREADDIGEST_REPLICA_ID was not used")
	}
	if want := "version=" + version.Get().Short(); !strings.Contains(stderr.String(), want) {
		t.Errorf("the startup log lacks %s", want)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if !strings.Contains(stdout.String(), "7 new comments, 7 in all") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestServeUsageAndBadConfig(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	err := Run(context.Background(), []string{"serve", "extra"}, Env{Stderr: &stderr})
	if code := exitCode(err, io.Discard); code != 2 {
		t.Errorf("serve extra: exit %d (%v), want 2", code, err)
	}
	var stdout bytes.Buffer
	if err := Run(context.Background(), []string{"serve", "--help"}, Env{Stdout: &stdout}); err != nil || !strings.Contains(stdout.String(), "Usage: threaddigest serve") {
		t.Errorf("--help: %v\n%s", err, stdout.String())
	}
	cfg := writeConfig(t, dir, "[[digest]]\nthread = \"x\"\nschedule = \"0 8 * * *\"\nto = [\"stdout\"]\n")
	err = Run(context.Background(), []string{"serve", "--config", cfg}, Env{})
	if code := exitCode(err, io.Discard); code != 1 || !strings.Contains(err.Error(), cfg+`:2: digest[1].thread: "x" names no [[thread]]`) {
		t.Errorf("bad config: exit %d: %v", code, err)
	}
	err = Run(context.Background(), []string{"serve", "--config", filepath.Join(dir, "none.toml")}, Env{})
	if err == nil || !strings.Contains(err.Error(), "none.toml") {
		t.Errorf("missing config: %v", err)
	}
}

// TestServeMountsChatEndpoints checks that a configuration with a Slack
// signing secret and a Discord public key mounts both endpoints, which
// refuse unsigned requests.
func TestServeMountsChatEndpoints(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"

[http]
listen = "127.0.0.1:0"

[slack]
signing_secret = "${SLACK_SIGNING_SECRET}"

[discord]
public_key = "%s"
application_id = "123456789012345678"
`, filepath.Join(dir, "state.db"), strings.Repeat("ab", 32)))
	stderr := &syncBuffer{}
	stop := background([]string{"serve", "--config", cfg}, Env{Stdout: io.Discard, Stderr: stderr,
		Getenv: func(k string) string { return map[string]string{"SLACK_SIGNING_SECRET": "s3cr3t-signing"}[k] }})
	addr := waitFor(t, stderr, regexp.MustCompile(`msg="http server listening" addr=(\S+)`))
	for _, path := range []string{"/slack/commands", "/slack/interactions", "/discord/interactions"} {
		resp, err := http.Post("http://"+addr+path, "application/x-www-form-urlencoded", strings.NewReader("command=%2Fthread&text=stance"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("unsigned POST %s = %d, want 401", path, resp.StatusCode)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if strings.Contains(stderr.String(), "s3cr3t-signing") {
		t.Error("the signing secret reached the log")
	}
}

// TestServePageNewestFirst follows a page file whose newest comment is
// inserted at the top, as comment pages list them, then one in the middle,
// then an edit: each digest of new comments names exactly the comments
// added, and nothing already posted is counted again.
func TestServePageNewestFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)))
		dir := t.TempDir()
		tf := newThreadFile(t, filepath.Join(dir, "huawei.txt"))
		all := tf.blocks
		page := func(blocks ...string) {
			t.Helper()
			tf.blocks = blocks
			tf.write(t, len(blocks))
		}
		// The page as it stands: every comment but the first, which is
		// still to come.
		page(all[1:]...)
		cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"

[http]
listen = "off"

[[thread]]
name = "huawei-europe"
source = %q
target = "Huawei"
poll = "10m"

[[digest]]
thread = "huawei-europe"
schedule = "0 8 * * *"
to = ["stdout"]
`, filepath.Join(dir, "state.db"), tf.path))
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		stop := background([]string{"serve", "--config", cfg}, Env{Stdout: stdout, Stderr: stderr})

		day := func(d int) time.Time { return time.Date(2026, 3, d, 7, 30, 0, 0, time.UTC) }
		time.Sleep(time.Until(day(2)))
		// The newest comment arrives at the top of the page.
		page(all...)
		time.Sleep(time.Until(day(3)))
		// Another lands in the middle.
		extra := "Wen Li (Shanghai)\nHuawei builds the best 5G kit in the world, and Europe knows it."
		page(append(append(append([]string{}, all[:20]...), extra), all[20:]...)...)
		time.Sleep(time.Until(day(4)))
		// Its author corrects a typo: the old text goes, the new one is new.
		edited := "Wen Li (Shanghai)\nHuawei builds the best 5G kit in the world, and Europe knows it well."
		page(append(append(append([]string{}, all[:20]...), edited), all[20:]...)...)
		time.Sleep(time.Until(day(5)))
		if err := stop(); err != nil {
			t.Fatalf("serve: %v\n%s", err, stderr)
		}

		digests := strings.Split(stdout.String(), "=== threaddigest: huawei-europe — ")[1:]
		if len(digests) != 4 {
			t.Fatalf("%d digests, want 4:\n%s\nlog:\n%s", len(digests), stdout, stderr)
		}
		for i, want := range []string{
			"53 comments by 49 commenters\n53 new comments, 53 in all",
			"1 comment by 1 commenter\n1 new comment, 54 in all",
			"1 comment by 1 commenter\n1 new comment, 55 in all",
			"1 comment by 1 commenter\n1 new comment, 55 in all",
		} {
			if !strings.Contains(digests[i], want) {
				t.Errorf("digest %d lacks %q:\n%s", i+1, want, digests[i])
			}
		}
		// The new comment is Jan de Vries's, 54th in the order the
		// service read them; the old last comment is not named again.
		lastAuthor, _, _ := strings.Cut(all[len(all)-1], " (")
		if !strings.Contains(digests[1], "Jan de Vries (#54)") || strings.Contains(digests[1], lastAuthor) {
			t.Errorf("the digest of the comment inserted at the top does not name it alone:\n%s", digests[1])
		}
		if !strings.Contains(digests[2], "Wen Li (#55)") || !strings.Contains(digests[3], "Wen Li (#56)") {
			t.Errorf("the comments added in the middle are not the ones named:\n%s\n%s", digests[2], digests[3])
		}
		for _, line := range []string{
			`msg="thread polled" thread=huawei-europe added=1 updated=0 removed=0`,
			`msg="thread polled" thread=huawei-europe added=1 updated=1 removed=1`,
		} {
			if strings.Count(stderr.String(), line) < 1 {
				t.Errorf("log lacks %s:\n%s", line, stderr)
			}
		}
		if strings.Contains(stderr.String(), "updated=54") || strings.Contains(stderr.String(), "updated=53") {
			t.Errorf("an insertion rewrote the stored comments:\n%s", stderr)
		}
	})
}

// TestServeTwoThreadsOnOneFile follows two threads of one JSON Lines file
// that holds several: each [[thread]] reads its own thread_id, and each
// digest covers that thread's comments only.
func TestServeTwoThreadsOnOneFile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
		dir := t.TempDir()
		var b strings.Builder
		for i, c := range []struct{ thread, author, body string }{
			{"A", "Anna", "Free buses cut traffic in the city centre."},
			{"B", "Bob", "Huawei should not build the network."},
			{"A", "Cy", "Free buses cost the city too much money."},
			{"B", "Dee", "Huawei gear is cheaper and works well."},
			{"B", "Eve", "Banning Huawei is about security, not price."},
			{"B", "Fay", "The network needs trusted vendors only."},
			{"A", "Gus", "Free buses helped Tallinn, they say."},
			{"B", "Hal", "Huawei is already in most of Europe."},
		} {
			fmt.Fprintf(&b, `{"id": "%d", "thread": %q, "author": %q, "body": %q}`+"\n", i+1, c.thread, c.author, c.body)
		}
		file := filepath.Join(dir, "threads.jsonl")
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%[1]s"

[http]
listen = "off"

[[thread]]
name = "buses"
source = %[2]q
thread_id = "A"

[[thread]]
name = "huawei"
source = %[2]q
thread_id = "B"

[[digest]]
thread = "buses"
schedule = "0 13 * * *"
to = ["stdout"]

[[digest]]
thread = "huawei"
schedule = "0 14 * * *"
to = ["stdout"]
`, filepath.Join(dir, "state.db"), file))
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		stop := background([]string{"serve", "--config", cfg}, Env{Stdout: stdout, Stderr: stderr})
		time.Sleep(time.Until(time.Date(2026, 3, 1, 14, 30, 0, 0, time.UTC)))
		if err := stop(); err != nil {
			t.Fatalf("serve: %v\n%s", err, stderr)
		}
		out := stdout.String()
		_, rest, ok := strings.Cut(out, "=== threaddigest: buses — 2026-03-01 13:00 UTC ===\n")
		buses, huawei, ok2 := strings.Cut(rest, "=== threaddigest: huawei — 2026-03-01 14:00 UTC ===\n")
		if !ok || !ok2 {
			t.Fatalf("stdout lacks the two digests:\n%s\nlog:\n%s", out, stderr)
		}
		if !strings.Contains(buses, "3 new comments, 3 in all") || strings.Contains(buses, "Huawei") {
			t.Errorf("the buses digest is not thread A's 3 comments:\n%s", buses)
		}
		if !strings.Contains(huawei, "5 new comments, 5 in all") || strings.Contains(huawei, "Free buses") {
			t.Errorf("the huawei digest is not thread B's 5 comments:\n%s", huawei)
		}
	})
}
