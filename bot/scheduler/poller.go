package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/digests"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/store"
)

// PollState is what the service keeps in the store's source state for a
// thread: the source's own opaque memory plus how polling is going, so that
// every replica's /thread list shows a failing source whichever replica
// polls it.
type PollState struct {
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

// ReadPollState reads a thread's source state as the scheduler writes it;
// "" or a state written by something else reads as a thread never polled.
func ReadPollState(raw string) PollState {
	var ps PollState
	if raw == "" {
		return ps
	}
	if err := json.Unmarshal([]byte(raw), &ps); err != nil {
		// Written by something else (an older version): start afresh,
		// which makes the source read the whole thread once.
		return PollState{}
	}
	return ps
}

func (p PollState) encode() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// pollLease names the store lease that lets one replica poll a thread.
func pollLease(thread string) string { return "poll:" + thread }

// startPollLoops starts polling every thread, each on its own: a source
// that blocks delays no other thread's polls.
func (s *Service) startPollLoops() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollLoopsStarted = true
	for _, ts := range s.threads {
		s.startPollLoopLocked(ts)
	}
}

// startPollLoopLocked starts polling a thread at once and then every
// ts.spec.Poll.
func (s *Service) startPollLoopLocked(ts *threadState) {
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
		s.pollOnce(ctx, ts)
		s.health(ts).firstPollEnded(s.sweepNow)
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

// pollHealth is how a thread's polling goes, as this replica sees it, for
// /readyz and the catch-up sweep. Its own lock, not the thread's poll lock,
// so that reading it never waits for a poll.
type pollHealth struct {
	mu sync.Mutex
	// firstDone is set when the first poll since the start has ended,
	// well or not.
	firstDone bool
	// lastAt is when the last poll ended; lastOK when one last succeeded.
	lastAt, lastOK time.Time
	// lastErr is the last poll's error, "" after a good one.
	lastErr string
	// elsewhere is set when another replica holds the thread's poll lease.
	elsewhere bool
	// quiet is set when the thread is quiet and not polled ([store.retention]
	// quiet_threads).
	quiet bool
	// stuckSince is when a read of the source that was abandoned at its
	// deadline started; zero once that read has returned.
	stuckSince time.Time
}

func (s *Service) health(ts *threadState) *pollHealth { return &ts.health }

func (h *pollHealth) firstPollEnded(notify chan struct{}) {
	h.mu.Lock()
	first := !h.firstDone
	h.firstDone = true
	h.mu.Unlock()
	if first {
		select {
		case notify <- struct{}{}:
		default:
		}
	}
}

func (h *pollHealth) setQuiet() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.quiet = true
}

func (h *pollHealth) record(at time.Time, err error, elsewhere bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastAt, h.elsewhere, h.quiet = at, elsewhere, false
	if err != nil {
		h.lastErr = oneLine(err)
		return
	}
	if !elsewhere {
		h.lastOK, h.lastErr = at, ""
	}
}

// firstPollDone reports whether a thread's first poll since the start has
// ended (true for a thread this replica does not poll).
func (s *Service) firstPollDone(thread string) bool {
	s.mu.Lock()
	ts, ok := s.threads[thread]
	s.mu.Unlock()
	if !ok {
		return true
	}
	h := s.health(ts)
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.firstDone
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
// A poll has Lease to finish: a source that does not answer by then is
// abandoned (see fetch) and the poll fails.
func (s *Service) pollOnce(ctx context.Context, ts *threadState) {
	if !ts.mu.TryLock() {
		return // the previous poll is still running
	}
	defer ts.mu.Unlock()
	s.poll(ctx, ts)
}

// PollNow polls a thread after any poll in progress, for an answer that
// needs the thread read (a new follow). It reports false when the thread is
// not polled here.
func (s *Service) PollNow(ctx context.Context, thread string) bool {
	s.mu.Lock()
	ts := s.threads[thread]
	s.mu.Unlock()
	if ts == nil {
		return false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	s.poll(ctx, ts)
	return true
}

// poll does the work of pollOnce; the caller holds ts.mu.
func (s *Service) poll(ctx context.Context, ts *threadState) {
	name := ts.spec.Name
	ctx, cancel := context.WithTimeout(ctx, s.set.Lease)
	defer cancel()
	start := s.deps.Clock.Now()
	if s.quiet(ctx, ts, start) {
		s.health(ts).setQuiet()
		return
	}
	ok, err := s.deps.Store.AcquireLease(ctx, pollLease(name), s.deps.Holder, ts.spec.Poll+s.set.Lease, start)
	if err != nil {
		if !s.stopping.Load() {
			s.log.Error("taking the poll lease failed", "thread", name, "err", err)
			s.health(ts).record(s.deps.Clock.Now(), fmt.Errorf("taking the poll lease: %w", err), false)
		}
		return
	}
	if !ok {
		s.log.Debug("another replica polls this thread", "thread", name)
		s.health(ts).record(s.deps.Clock.Now(), nil, true)
		return
	}
	raw, err := s.deps.Store.SourceState(ctx, name)
	if err != nil {
		if !s.stopping.Load() {
			s.log.Error("reading the source state failed", "thread", name, "err", err)
			s.health(ts).record(s.deps.Clock.Now(), fmt.Errorf("reading the source state: %w", err), false)
		}
		return
	}
	st := ReadPollState(raw)
	res, added, updated, perr := s.fetchAndStore(ctx, ts, st.Source)
	if perr != nil && s.stopping.Load() && ctx.Err() != nil {
		return // cut short by the shutdown: not a failure of the source
	}
	now := s.deps.Clock.Now()
	s.deps.Metrics.poll(name, added, updated, perr, now.Sub(start).Seconds(), now)
	s.health(ts).record(now, perr, false)
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
	// The source's deadline may be what passed: the state is saved with a
	// moment of its own.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer scancel()
	if err := s.deps.Store.SetSourceState(sctx, name, st.encode()); err != nil {
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
		// Name, Source and Poll never change once the thread is polled;
		// Target may (reconcile sets it under s.mu), and a source needs
		// none.
		src, err := s.deps.OpenSource(ts.spec)
		if err != nil {
			return fetchResult{}, 0, 0, fmt.Errorf("open source %s: %w", ts.spec.Source, err)
		}
		ts.src = src
	}
	res, err := s.fetch(ctx, ts, state)
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
			s.deps.Digests.Drop(name)
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

// fetch reads the thread's source within ctx's deadline. The read runs on
// a goroutine of its own, so that a source blocked where no context reaches
// (opening a FIFO with no writer, a hung network mount, a read the kernel
// will not interrupt) is abandoned at the deadline instead of holding the
// poll, the thread and the shutdown. An abandoned read keeps its goroutine
// until the system call returns; until then the thread shows as stuck and
// its source is not read again, so abandoned reads never pile up. The
// caller holds ts.mu.
func (s *Service) fetch(ctx context.Context, ts *threadState, state string) (source.Result, error) {
	h := s.health(ts)
	if ts.reading != nil {
		select {
		case <-ts.reading:
			ts.reading = nil
			h.mu.Lock()
			h.stuckSince = time.Time{}
			h.mu.Unlock()
		default:
			h.mu.Lock()
			since := h.stuckSince
			h.mu.Unlock()
			return source.Result{}, fmt.Errorf("stuck: the read of the source started at %s has not returned (a FIFO without a writer, a hung mount or a server that never answers?); it is not read again until it does",
				since.UTC().Format(time.RFC3339))
		}
	}
	type outcome struct {
		res source.Result
		err error
	}
	done := make(chan struct{})
	out := make(chan outcome, 1)
	started := s.deps.Clock.Now()
	src := ts.src
	go func() {
		defer close(done)
		res, err := src.Fetch(ctx, state)
		out <- outcome{res, err}
		h.mu.Lock()
		h.stuckSince = time.Time{}
		h.mu.Unlock()
	}()
	select {
	case o := <-out:
		return o.res, o.err
	case <-ctx.Done():
		select {
		case o := <-out: // it returned at the deadline after all
			return o.res, o.err
		default:
		}
		ts.reading = done
		h.mu.Lock()
		h.stuckSince = started
		h.mu.Unlock()
		if s.stopping.Load() {
			return source.Result{}, ctx.Err()
		}
		return source.Result{}, fmt.Errorf("no answer within the poll's deadline of %s (%w); the read is abandoned and the thread shows as stuck until it returns",
			s.set.Lease, ctx.Err())
	}
}

// warm computes the default digest of a thread that a chat channel follows,
// after a poll changed it, so /thread stance answers from the cache within
// the platforms' three-second acknowledgement.
func (s *Service) warm(ctx context.Context, thread string) {
	chat := false
	for _, d := range s.Digests() {
		if d.Thread != thread {
			continue
		}
		for _, to := range d.To {
			if to.Kind == addr.Slack || to.Kind == addr.Discord {
				chat = true
			}
		}
	}
	if !chat {
		return
	}
	spec, ok := s.Thread(thread)
	if !ok {
		return
	}
	if _, err := s.deps.Digests.Digest(ctx, thread, digests.Request{Target: spec.Target, Whole: true}); err != nil && ctx.Err() == nil {
		s.log.Warn("warming the digest cache failed", "thread", thread, "err", err)
	}
}
