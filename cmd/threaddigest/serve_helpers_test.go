package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer safe for the service's goroutines and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits up to 30s for re to match a line of the log and returns its
// first group.
func waitFor(t *testing.T, log *syncBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(log.String()))
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				if len(m) > 1 {
					return m[1]
				}
				return m[0]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no log line matching %s in:\n%s", re, log)
	return ""
}

func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// background runs threaddigest with args and env on another goroutine.
// stop cancels it and returns what Run returned; it may be called again.
func background(args []string, env Env) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, args, env) }()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
}

// serveThread writes thread to DIR/thread.txt and cfgBody, with DIR, THREAD
// and the old, new pairs of replace replaced, to DIR/config.toml, and runs
// serve on it with the environment env until the test ends; then serve must
// stop cleanly within 30s, and no value of env may be in its log. It returns
// the log.
func serveThread(t *testing.T, thread, cfgBody string, env map[string]string, replace ...string) *syncBuffer {
	t.Helper()
	dir := t.TempDir()
	threadPath := filepath.Join(dir, "thread.txt")
	if err := os.WriteFile(threadPath, []byte(thread), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, strings.NewReplacer(append([]string{"DIR", dir, "THREAD", threadPath}, replace...)...).Replace(cfgBody))
	log := &syncBuffer{}
	stop := background([]string{"serve", "--config", cfg}, Env{Stdout: io.Discard, Stderr: log, Getenv: func(k string) string { return env[k] }})
	t.Cleanup(func() {
		stopped := make(chan error, 1)
		go func() { stopped <- stop() }()
		select {
		case err := <-stopped:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, log)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop")
		}
		for _, secret := range env {
			if strings.Contains(log.String(), secret) {
				t.Error("a secret reached the log")
			}
		}
	})
	return log
}
