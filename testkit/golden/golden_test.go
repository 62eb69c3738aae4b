package golden

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what a check reports.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg = format
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = format
	runtime.Goexit()
}

// check runs Check on its own goroutine, as Fatalf ends it, and returns
// what it reported.
func check(t *testing.T, path string, got []byte) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Check(r, path, got, false)
	}()
	<-done
	return r
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "out.golden")

	r := check(t, path, []byte("v1\n"))
	if !r.failed || !strings.Contains(r.msg, "-update to create it") {
		t.Errorf("a missing golden file: failed %v, %q", r.failed, r.msg)
	}

	Check(t, path, []byte("v1\n"), true)
	if b, err := os.ReadFile(path); err != nil || string(b) != "v1\n" {
		t.Fatalf("update wrote %q, %v", b, err)
	}
	Check(t, path, []byte("v1\n"), false)

	r = check(t, path, []byte("v2\n"))
	if !r.failed || !strings.Contains(r.msg, "differs from the output") {
		t.Errorf("a changed output: failed %v, %q", r.failed, r.msg)
	}
}
