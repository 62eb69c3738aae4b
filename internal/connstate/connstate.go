// Package connstate keeps whether a long-lived connection (Slack Socket
// Mode, the Discord gateway) is up, for /readyz: set by the receiver as
// events arrive, read at any time without waiting for it.
package connstate

import (
	"sync"
	"time"
)

// State is a connection's state. The zero value is "not connected yet".
type State struct {
	mu     sync.Mutex
	up     bool
	detail string
	since  time.Time
}

// Set records that the connection is up or not, and why, at now.
func (s *State) Set(up bool, detail string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up != up || s.since.IsZero() {
		s.since = now
	}
	s.up, s.detail = up, detail
}

// Get returns whether the connection is up and how it is, in words
// ("connected since …", "connection error: … since …").
func (s *State) Get() (up bool, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.since.IsZero() {
		return false, "not connected yet"
	}
	return s.up, s.detail + " since " + s.since.UTC().Format(time.RFC3339)
}
