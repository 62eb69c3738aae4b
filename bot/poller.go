package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/store"
)

// pollState is what the service keeps in the store's source state for a
// thread: the source's own opaque memory plus how polling is going, so that
// every replica's /thread list shows a failing source whichever replica
// polls it.
type pollState struct {
	// Source is the source's opaque state, passed back to Fetch.
	Source string `json:"source"`
	// LastOK is the time of the last good poll; zero when none.
	LastOK time.Time `json:"last_ok,omitzero"`
	// Failures counts consecutive failed polls; FailingSince is the first
	// of them and LastError the latest reason.
	Failures     int       `json:"failures,omitempty"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	// Reason is LastError in plain words for chat users (source.Reason),
	// without the URLs and addresses the error names.
	Reason string `json:"reason,omitempty"`
	// Skipped counts records the source could not read at the last poll.
	Skipped int `json:"skipped,omitempty"`
}

func decodePollState(raw string) pollState {
	var ps pollState
	if raw == "" {
		return ps
	}
	if err := json.Unmarshal([]byte(raw), &ps); err != nil {
		// Written by something else (an older version): start afresh,
		// which makes the source read the whole thread once.
		return pollState{}
	}
	return ps
}

func (p pollState) encode() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// pollLease names the store lease that lets one replica poll a thread.
func pollLease(thread string) string { return "poll:" + thread }

// pollAll polls every thread once, a few at a time.
func (s *Service) pollAll(ctx context.Context) {
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, ts := range s.snapshotThreads() {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			s.pollOnce(ctx, ts)
		}()
	}
	wg.Wait()
}

func (s *Service) startPollLoops() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollLoopsStarted = true
	for _, ts := range s.threads {
		s.startPollLoopLocked(ts, false)
	}
}

// startPollLoopLocked starts polling a thread every ts.spec.Poll, at once
// first when immediate (a thread added while running).
func (s *Service) startPollLoopLocked(ts *threadState, immediate bool) {
	if s.stopping.Load() || ts.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(s.runCtx)
	ts.cancel = cancel
	ts.done = make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(ts.done)
		tick := time.NewTicker(ts.spec.Poll)
		defer tick.Stop()
		if immediate {
			s.pollOnce(ctx, ts)
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				s.pollOnce(ctx, ts)
			}
		}
	}()
}

func (s *Service) stopThreadLocked(ts *threadState) {
	if ts.cancel != nil {
		ts.cancel()
	}
	name := ts.spec.Name
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if ts.done != nil {
			<-ts.done
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.deps.Store.ReleaseLease(ctx, pollLease(name), s.deps.Holder); err != nil {
			s.log.Warn("releasing a poll lease failed", "thread", name, "err", err)
		}
	}()
}

func (s *Service) stopPollLoops() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ts := range s.threads {
		if ts.cancel != nil {
			ts.cancel()
		}
	}
}

// releasePollLeases lets another replica poll at once instead of after the
// lease expires.
func (s *Service) releasePollLeases() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, ts := range s.snapshotThreads() {
		if err := s.deps.Store.ReleaseLease(ctx, pollLease(ts.spec.Name), s.deps.Holder); err != nil {
			s.log.Warn("releasing a poll lease failed", "thread", ts.spec.Name, "err", err)
		}
	}
}

// pollOnce reads a thread's source and stores what changed, if this replica
// holds (or takes) the thread's poll lease. The lease is kept between polls
// (renewed at each) so the same replica keeps polling a thread while it
// lives; another takes over once Poll+Lease has passed without a renewal.
// A poll must finish within the lease.
func (s *Service) pollOnce(ctx context.Context, ts *threadState) {
	if !ts.mu.TryLock() {
		return // the previous poll is still running
	}
	defer ts.mu.Unlock()
	s.poll(ctx, ts)
}

// pollNow polls a thread after any poll in progress, for an answer that
// needs the thread read (a new follow).
func (s *Service) pollNow(ctx context.Context, ts *threadState) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	s.poll(ctx, ts)
}

// poll does the work of pollOnce; the caller holds ts.mu.
func (s *Service) poll(ctx context.Context, ts *threadState) {
	name := ts.spec.Name
	ctx, cancel := context.WithTimeout(ctx, s.set.Lease)
	defer cancel()
	start := s.deps.Clock.Now()
	if s.quiet(ctx, ts, start) {
		return
	}
	ok, err := s.deps.Store.AcquireLease(ctx, pollLease(name), s.deps.Holder, ts.spec.Poll+s.set.Lease, start)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("taking the poll lease failed", "thread", name, "err", err)
		}
		return
	}
	if !ok {
		s.log.Debug("another replica polls this thread", "thread", name)
		return
	}
	raw, err := s.deps.Store.SourceState(ctx, name)
	if err != nil {
		s.log.Error("reading the source state failed", "thread", name, "err", err)
		return
	}
	st := decodePollState(raw)
	res, added, updated, perr := s.fetchAndStore(ctx, ts, st.Source)
	now := s.deps.Clock.Now()
	s.deps.Metrics.poll(name, added, updated, perr, now.Sub(start).Seconds())
	if perr != nil {
		if st.Failures == 0 {
			st.FailingSince = now
		}
		st.Failures++
		st.LastError = oneLine(perr)
		st.Reason = source.Reason(perr)
		// Log the first failure and then every tenth, so a source down for
		// a day does not flood the log.
		if st.Failures == 1 || st.Failures%10 == 0 {
			s.log.Warn("polling a source failed; keeping what is stored and trying again next interval",
				"thread", name, "failures", st.Failures, "failing_since", st.FailingSince, "err", st.LastError)
		}
	} else {
		if st.Failures > 0 {
			s.log.Info("source recovered", "thread", name, "after_failures", st.Failures)
		}
		st.Source = res.State
		st.LastOK = now
		st.Failures, st.FailingSince, st.LastError, st.Reason = 0, time.Time{}, "", ""
		st.Skipped = res.Skipped
		if added+updated > 0 {
			s.log.Info("thread polled", "thread", name, "added", added, "updated", updated, "removed", res.Removed, "skipped", res.Skipped)
		}
	}
	if err := s.deps.Store.SetSourceState(ctx, name, st.encode()); err != nil {
		s.log.Error("saving the source state failed", "thread", name, "err", err)
	}
	// Warm after every good poll, not only one that stored something: after
	// a restart the store is full and the cache empty, and a source that
	// has not changed would otherwise leave the first /thread stance to
	// compute the digest (seconds on a large thread). When the digest is
	// cached, warming costs one version read.
	if perr == nil {
		s.warm(ctx, name)
	}
}

type fetchResult struct {
	State   string
	Skipped int
	// Removed counts stored comments the source no longer has, now marked
	// deleted (they are also counted as updated).
	Removed int
}

// markGone marks deleted the stored comments of a thread that a complete
// read of its source (a file) no longer holds: a comment removed from the
// file, or the old text of an edited one (a comment without an id is known
// by its text, so an edit is a new comment). A comment that comes back is
// undeleted by the next upsert.
func (s *Service) markGone(ctx context.Context, thread string, current []threaddigest.Comment) (int, error) {
	stored, err := s.deps.Store.Comments(ctx, thread)
	if err != nil {
		return 0, fmt.Errorf("read stored comments: %w", err)
	}
	present := make(map[string]bool, len(current))
	for _, c := range current {
		present[c.ID] = true
	}
	var gone []threaddigest.Comment
	for _, r := range stored {
		if !r.Deleted && !present[r.ID] {
			c := r.Comment
			c.Deleted = true
			gone = append(gone, c)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	if _, err := s.deps.Store.UpsertComments(ctx, thread, gone, s.deps.Clock.Now()); err != nil {
		return 0, fmt.Errorf("mark removed comments deleted: %w", err)
	}
	return len(gone), nil
}

func (s *Service) fetchAndStore(ctx context.Context, ts *threadState, state string) (fetchResult, int, int, error) {
	name := ts.spec.Name
	if ts.src == nil {
		src, err := s.deps.OpenSource(ts.spec)
		if err != nil {
			return fetchResult{}, 0, 0, fmt.Errorf("open source %s: %w", ts.spec.Source, err)
		}
		ts.src = src
	}
	res, err := ts.src.Fetch(ctx, state)
	if err != nil {
		return fetchResult{}, 0, 0, fmt.Errorf("fetch %s: %w", ts.spec.Source, err)
	}
	out := fetchResult{State: res.State, Skipped: res.Skipped}
	if res.NotModified {
		return out, 0, 0, nil
	}
	var added, updated int
	if len(res.Comments) > 0 {
		r, err := s.deps.Store.UpsertComments(ctx, name, res.Comments, s.deps.Clock.Now())
		if err != nil {
			return fetchResult{}, 0, 0, fmt.Errorf("store comments: %w", err)
		}
		added, updated = r.Added, r.Updated
	}
	if res.Complete {
		removed, err := s.markGone(ctx, name, res.Comments)
		if err != nil {
			return fetchResult{}, 0, 0, err
		}
		out.Removed = removed
		updated += removed
	}
	if res.Title != "" || res.URL != "" {
		rec, err := s.deps.Store.Thread(ctx, name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fetchResult{}, 0, 0, fmt.Errorf("read thread: %w", err)
		}
		rec.Name = name
		if (res.Title != "" && rec.Title != res.Title) || (res.URL != "" && rec.URL != res.URL) {
			if res.Title != "" {
				rec.Title = res.Title
			}
			if res.URL != "" {
				rec.URL = res.URL
			}
			if err := s.deps.Store.SaveThread(ctx, rec); err != nil {
				return fetchResult{}, 0, 0, fmt.Errorf("save thread: %w", err)
			}
			// The title is part of the digest: cached ones are stale.
			s.cache.dropThread(name)
		}
	}
	return out, added, updated, nil
}

// quiet reports whether a thread has had no comment added or changed for
// Settings.QuietAfter, and so is not polled; it says so once when the thread
// goes quiet, and again when it wakes. A thread never active (new, or stored
// before the store kept the time) starts its clock now. The caller holds
// ts.mu. When the store cannot say, the thread is polled.
func (s *Service) quiet(ctx context.Context, ts *threadState, now time.Time) bool {
	if s.set.QuietAfter <= 0 {
		return false
	}
	name := ts.spec.Name
	rec, err := s.deps.Store.Thread(ctx, name)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			s.log.Warn("reading the thread's last activity failed; polling it", "thread", name, "err", err)
		}
		return false
	}
	if rec.ActiveAt.IsZero() {
		if err := s.deps.Store.MarkActive(ctx, name, now); err != nil {
			s.log.Warn("starting the thread's quiet clock failed", "thread", name, "err", err)
		}
		return false
	}
	if now.Sub(rec.ActiveAt) < s.set.QuietAfter {
		if ts.quiet {
			ts.quiet = false
			s.log.Info("thread active again; polling it", "thread", name, "active_at", rec.ActiveAt)
		}
		return false
	}
	if !ts.quiet {
		ts.quiet = true
		s.log.Info("thread quiet: no comment added or changed for [store.retention] quiet_threads; no longer polled. "+
			"`threaddigest resume "+name+"`, or /thread follow of its source, polls it again",
			"thread", name, "active_at", rec.ActiveAt, "quiet_threads", s.set.QuietAfter)
	}
	return true
}
