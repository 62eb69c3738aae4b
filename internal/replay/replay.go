// Package replay remembers the requests a chat adapter has taken, so that
// one played again is refused or answered once: a captured Slack or Discord
// request whose signature is still fresh, and a Socket Mode event Slack
// sends again because our acknowledgement was slow.
//
// It is per process: behind a load balancer with several replicas, a replay
// sent to another replica is not caught; the signature's time window bounds
// that.
package replay

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"
)

// Key identifies a request by what its signature signs (or an event by
// what makes it the same event), hashed.
type Key = [sha256.Size]byte

// Guard remembers keys for a time.
type Guard struct {
	ttl time.Duration
	max int

	mu   sync.Mutex
	seen map[Key]time.Time
}

// New returns a guard that remembers a key for ttl, and at most about max
// keys: past that it forgets the expired ones, then the older half of the
// rest, rather than refuse genuine requests. Only requests that passed
// their signature check should reach it, so that only the platform's own
// traffic can fill it.
func New(ttl time.Duration, max int) *Guard {
	return &Guard{ttl: ttl, max: max, seen: make(map[Key]time.Time)}
}

// First records key at now and reports whether it was not seen within the
// guard's time before.
func (g *Guard) First(key Key, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if at, ok := g.seen[key]; ok && now.Sub(at) < g.ttl {
		return false
	}
	if len(g.seen) >= g.max {
		g.forget(now)
	}
	g.seen[key] = now
	return true
}

// forget drops the expired keys and, when that is not enough, the older
// half of the others. The caller holds g.mu.
func (g *Guard) forget(now time.Time) {
	for k, at := range g.seen {
		if now.Sub(at) >= g.ttl {
			delete(g.seen, k)
		}
	}
	if len(g.seen) < g.max {
		return
	}
	ats := make([]time.Time, 0, len(g.seen))
	for _, at := range g.seen {
		ats = append(ats, at)
	}
	slices.SortFunc(ats, func(a, b time.Time) int { return a.Compare(b) })
	cut := ats[len(ats)/2]
	for k, at := range g.seen {
		if at.Before(cut) {
			delete(g.seen, k)
		}
	}
}
