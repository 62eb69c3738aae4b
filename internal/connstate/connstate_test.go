package connstate

import (
	"testing"
	"time"
)

func TestState(t *testing.T) {
	var s State
	if up, d := s.Get(); up || d != "not connected yet" {
		t.Errorf("zero state = %v %q", up, d)
	}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s.Set(true, "connected", t0)
	s.Set(true, "connected", t0.Add(time.Minute)) // still up: since stays
	if up, d := s.Get(); !up || d != "connected since 2026-03-01T08:00:00Z" {
		t.Errorf("up = %v %q", up, d)
	}
	s.Set(false, "connection error: EOF", t0.Add(2*time.Minute))
	if up, d := s.Get(); up || d != "connection error: EOF since 2026-03-01T08:02:00Z" {
		t.Errorf("down = %v %q", up, d)
	}
}
