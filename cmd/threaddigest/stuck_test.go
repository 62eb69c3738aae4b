//go:build unix

package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeFIFOSourceBesideHealthyThread is issue 12's stall: a thread whose
// source is a named pipe nobody writes to, beside a healthy thread, through
// a real `serve` process. The healthy thread is polled and digested as
// usual, /readyz answers 503 naming the pipe's thread, /healthz stays 200,
// the last-success gauges say which thread polls, and SIGTERM stops the
// process within its shutdown deadline.
func TestServeFIFOSourceBesideHealthyThread(t *testing.T) {
	t.Parallel() // waits on real deadlines and connections more than it computes
	dir := t.TempDir()
	fifo := filepath.Join(dir, "thread.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	tf := newThreadFile(t, filepath.Join(dir, "huawei.txt"))
	tf.write(t, 6)
	out := filepath.Join(dir, "out")
	cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"
lease = "2s"

[http]
listen = "127.0.0.1:0"

[[thread]]
name = "healthy"
source = %q
poll = "1s"

[[thread]]
name = "pipe"
source = %q
poll = "1s"

[[digest]]
thread = "healthy"
schedule = "@every 2s"
to = ["file:%s/"]

[[digest]]
thread = "pipe"
schedule = "@every 2s"
to = ["stdout"]
`, filepath.Join(dir, "state.db"), tf.path, fifo, out))

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	cmd := exec.Command(exe, "serve", "--config", cfg)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	cmd.Stdout, cmd.Stderr = io.Discard, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("serve's log:\n%s", log)
		}
	}()
	addr := waitFor(t, log, regexp.MustCompile(`msg="http server listening" addr=(\S+)`))

	// The healthy thread is polled and digested, again and again.
	digests := func() string {
		files, _ := filepath.Glob(filepath.Join(out, "*.md"))
		var b strings.Builder
		for _, f := range files {
			md, _ := os.ReadFile(f)
			b.Write(md)
		}
		return b.String()
	}
	waitUntil(t, "the healthy thread's first digest", func() bool { return strings.Contains(digests(), "6 new comments, 6 in all") })
	tf.write(t, 9)
	waitUntil(t, "a digest of the comments added later", func() bool { return strings.Contains(digests(), "3 new comments, 9 in all") })

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/readyz")
	if code != http.StatusServiceUnavailable || !regexp.MustCompile(`"thread pipe: failing: fetch [^"]*is a named pipe \(FIFO\)`).MatchString(body) ||
		!strings.Contains(body, `"part": "thread healthy",
      "ok": true`) {
		t.Errorf("/readyz = %d\n%s\nwant 503 naming the pipe's thread, the healthy one ready", code, body)
	}
	if code, body := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %q, want 200: the process lives", code, body)
	}
	_, metrics := get("/metrics")
	if !regexp.MustCompile(`threaddigest_last_poll_success_timestamp_seconds\{thread="healthy"\} [1-9]`).MatchString(metrics) ||
		!strings.Contains(metrics, `threaddigest_last_poll_success_timestamp_seconds{thread="pipe"} 0`) ||
		!regexp.MustCompile(`threaddigest_last_digest_success_timestamp_seconds\{destination="file:[^"]*",digest="healthy"\} [1-9]`).MatchString(metrics) {
		t.Errorf("/metrics lacks the last-success gauges:\n%s", grepLines(metrics, "last_"))
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	signalled := time.Now()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM", err)
		}
		t.Logf("stopped %v after SIGTERM", time.Since(signalled).Round(time.Millisecond))
	case <-time.After(shutdownDrain + storeCloseTimeout):
		t.Fatalf("serve still ran %s after SIGTERM", shutdownDrain+storeCloseTimeout)
	}
	if !strings.Contains(log.String(), "msg=stopped") {
		t.Error("serve did not log that it stopped")
	}
}

// waitUntil waits up to 30 s for cond.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
