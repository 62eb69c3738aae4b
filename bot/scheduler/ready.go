package scheduler

import (
	"fmt"
	"time"
)

// Readiness is how one part of the service is doing, for /readyz.
type Readiness struct {
	// Part names it: "scheduler", "thread NAME".
	Part string
	// OK is false when the part needs attention.
	OK bool
	// Detail says how it is, in words.
	Detail string
}

// Readiness reports the scheduler and every thread this replica follows: a
// thread is ready when its last poll succeeded (or another replica polls
// it), not while it waits for its first poll since the start, when its
// source fails, nor while a read of it is stuck past its deadline. It never
// waits for a poll or the store.
func (s *Service) Readiness() []Readiness {
	var out []Readiness
	if s.scheduling.Load() {
		out = append(out, Readiness{Part: "scheduler", OK: true, Detail: "running"})
	} else {
		out = append(out, Readiness{Part: "scheduler", Detail: "not running (starting or stopping)"})
	}
	for _, ts := range s.snapshotThreads() {
		out = append(out, s.threadReadiness(ts))
	}
	return out
}

func (s *Service) threadReadiness(ts *threadState) Readiness {
	h := s.health(ts)
	h.mu.Lock()
	defer h.mu.Unlock()
	r := Readiness{Part: "thread " + ts.spec.Name}
	lastOK := "never since the start"
	if !h.lastOK.IsZero() {
		lastOK = h.lastOK.UTC().Format(time.RFC3339)
	}
	switch {
	case !h.stuckSince.IsZero():
		r.Detail = fmt.Sprintf("stuck: a read of its source has not returned since %s (last good poll: %s)", h.stuckSince.UTC().Format(time.RFC3339), lastOK)
	case !h.firstDone:
		r.Detail = "waiting for its first poll since the start"
	case h.lastErr != "":
		r.Detail = fmt.Sprintf("failing: %s (last good poll: %s)", h.lastErr, lastOK)
	case h.quiet:
		r.OK, r.Detail = true, "quiet: no comment added or changed for [store.retention] quiet_threads, so not polled (threaddigest resume "+ts.spec.Name+" polls it again)"
	case h.elsewhere:
		r.OK, r.Detail = true, "polled by another replica"
	default:
		r.OK, r.Detail = true, "last good poll "+lastOK
	}
	return r
}
