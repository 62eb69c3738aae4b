package replay

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"
)

func key(i int) Key { return sha256.Sum256([]byte(fmt.Sprint(i))) }

func TestGuardRemembersForItsTime(t *testing.T) {
	g := New(time.Minute, 100)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	if !g.First(key(1), t0) {
		t.Fatal("a new key was refused")
	}
	if g.First(key(1), t0.Add(59*time.Second)) {
		t.Error("a key seen within its time was taken again")
	}
	if !g.First(key(2), t0.Add(59*time.Second)) {
		t.Error("another key was refused")
	}
	if !g.First(key(1), t0.Add(2*time.Minute)) {
		t.Error("a key seen longer ago than the guard's time was refused")
	}
}

func TestGuardStaysBounded(t *testing.T) {
	g := New(time.Hour, 100)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i := range 1000 {
		if !g.First(key(i), t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("key %d refused", i)
		}
	}
	if n := len(g.seen); n > 100 {
		t.Errorf("%d keys remembered, want at most 100", n)
	}
	// The newest are kept.
	if g.First(key(999), t0.Add(1000*time.Second)) {
		t.Error("the newest key was forgotten")
	}
}
