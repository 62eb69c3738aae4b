package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/digests"
	"github.com/threaddigest/threaddigest/store"
)

// runSlot runs one slot of a digest to one destination, exactly once across
// replicas:
//
//	ClaimRun (store) → compute the digest of the new comments → MarkPosting
//	→ Deliver, retried within the slot → CompleteRun, or FailRun.
//
// What a crash at each step leaves, and what happens next:
//   - before ClaimRun: nothing; the slot is run by another replica, or by
//     catch-up at the next start (within the catch-up window).
//   - after ClaimRun, before MarkPosting: a claimed run; once its lease
//     expires a sweep (this replica's or another's) takes it over and posts.
//   - after MarkPosting, before CompleteRun: a posting run; once its lease
//     expires it is marked uncertain and never posted again automatically
//     (it may have reached the channel, and a second post is worse than a
//     missing one); its comments stay new for the next slot.
//   - after CompleteRun: nothing to do.
func (s *Service) runSlot(ctx context.Context, d DigestSpec, to addr.Addr, slot time.Time, why string) {
	key := store.RunKey{Digest: d.Name, Destination: to.Key(), Slot: slot.UTC()}
	pair := pairKey{d.Name, key.Destination}
	s.mu.Lock()
	if s.inflight[pair] {
		// A run of this digest and destination is going here already: this
		// slot folds into a later one, as it would across replicas.
		s.mu.Unlock()
		s.log.Debug("a run of this digest and destination is in flight; the slot folds into the next catch-up",
			"digest", d.Name, "destination", key.Destination, "slot", key.Slot)
		return
	}
	s.inflight[pair] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.inflight, pair)
		s.mu.Unlock()
	}()

	log := s.log.With("digest", d.Name, "destination", key.Destination, "slot", key.Slot)
	start := s.deps.Clock.Now()
	run, claimed, err := s.deps.Store.ClaimRun(ctx, key, d.Thread, s.deps.Holder, s.set.Lease, start)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("claiming the run failed", "err", err)
		}
		return
	}
	if !claimed {
		switch {
		case run.Slot.After(key.Slot):
			log.Debug("a later slot already has a run; this one is not run", "later_slot", run.Slot)
		case !run.Slot.Equal(key.Slot):
			log.Debug("a run of an earlier slot is in flight; this slot waits and folds into the next catch-up",
				"in_flight_slot", run.Slot, "holder", run.Holder, "state", run.State)
		case run.State == store.RunUncertain && run.FinishedAt.Equal(asStored(start)):
			s.reportUncertain(d.Name, key.Destination, run)
		case run.State == store.RunFailed && run.FinishedAt.Equal(asStored(start)):
			log.Info("a claim left by a replica that stopped was superseded by a later slot's run, which covers its comments", "holder", run.Holder, "run", run.ID)
		default:
			log.Debug("slot already handled", "state", run.State, "holder", run.Holder)
		}
		return
	}
	log = log.With("run", run.ID, "attempt", run.Attempts)
	switch {
	case run.Attempts > 1:
		log.Info("took over a run whose claim expired", "previous_holder", run.Holder)
	case why == "catch-up":
		log.Info("running a missed slot: one digest of everything not yet posted")
	}
	outcome, err := s.post(ctx, d, to, run, start, log)
	end := s.deps.Clock.Now()
	s.deps.Metrics.runOutcome(outcome, d.Name, key.Destination, end.Sub(start).Seconds(), end)
	if err == nil {
		return
	}
	if errors.Is(err, errAbandoned) {
		log.Info("run abandoned at shutdown before posting; it stays claimed and is taken over after its lease")
		return
	}
	// The store may be what failed; record the failure with a fresh
	// context so a cancelled run still says why.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	reason := oneLine(err)
	if ferr := s.deps.Store.FailRun(fctx, run.ID, s.deps.Holder, reason, end); ferr != nil {
		log.Error("recording the failed run failed", "err", ferr, "reason", reason)
	}
	log.Error("digest run failed; its comments stay new for the next slot", "reason", reason)
}

// asStored is t as the stores keep times (UTC, to the microsecond), to
// recognise the runs a claim settled: their FinishedAt is the claim's time.
func asStored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// pairKey is a digest and destination, which have one run in flight at a
// time.
type pairKey struct{ digest, destination string }

// reportUncertain logs and counts a run found left mid-post by a replica
// that stopped.
func (s *Service) reportUncertain(digest, dest string, run store.Run) {
	s.log.Warn("a run was left mid-post by a replica that stopped; it may or may not have been posted and is not posted again; its comments stay new, so the next digest may repeat some",
		"digest", digest, "destination", dest, "slot", run.Slot, "holder", run.Holder, "run", run.ID)
	s.deps.Metrics.runOutcome("uncertain", digest, dest, 0, time.Time{})
}

var errAbandoned = errors.New("abandoned at shutdown")

// post does the work of a claimed run, claimed at claimedAt, and records
// its outcome unless it returns an error: "posted", "skipped" or "failed".
func (s *Service) post(ctx context.Context, d DigestSpec, to addr.Addr, run store.Run, claimedAt time.Time, log *slog.Logger) (string, error) {
	cov, err := s.coverage(ctx, d.Name, to.Key())
	if err != nil {
		return "failed", err
	}
	from := cov.from
	for _, r := range cov.uncertain {
		// Settled by this run's claim (at the instant of the claim), or
		// earlier by another's: reported once, by the claim that found it.
		if r.FinishedAt.Equal(asStored(claimedAt)) {
			s.reportUncertain(d.Name, to.Key(), r)
		}
	}
	spec, ok := s.Thread(d.Thread)
	if !ok {
		return "failed", fmt.Errorf("thread %s is not followed", d.Thread)
	}
	res, err := s.deps.Digests.Digest(ctx, spec.Name, digests.Request{Target: spec.Target, AfterSeq: from, MaxArguments: d.MaxArguments})
	if err != nil {
		return "failed", err
	}
	if res.NewCount < d.MinNew {
		ref := fmt.Sprintf("%s %d new comments, fewer than min_new_comments %d", store.SkippedRef, res.NewCount, d.MinNew)
		if err := s.deps.Store.CompleteRun(ctx, run.ID, s.deps.Holder, from, ref, s.deps.Clock.Now()); err != nil {
			return "failed", fmt.Errorf("record skipped run: %w", err)
		}
		// Said once per digest and destination until it posts again: a
		// quiet thread on a short schedule would otherwise fill the log.
		pair := pairKey{d.Name, to.Key()}
		s.mu.Lock()
		said := s.skipSaid[pair]
		s.skipSaid[pair] = true
		s.mu.Unlock()
		if said {
			log.Debug("slot skipped: too few new comments", "new", res.NewCount, "min_new_comments", d.MinNew)
		} else {
			log.Info("slot skipped: too few new comments; said once until this digest posts again (debug level shows each)",
				"new", res.NewCount, "min_new_comments", d.MinNew)
		}
		return "skipped", nil
	}
	dest, err := s.Destination(to)
	if err != nil {
		return "failed", fmt.Errorf("open destination: %w", err)
	}
	if s.stopping.Load() {
		return "", errAbandoned
	}
	// Nothing extends the lease while posting, so it must cover the whole
	// delivery, retries included; a replica that dies mid-post leaves the
	// run to be marked uncertain once it has run out.
	if err := s.deps.Store.MarkPosting(ctx, run.ID, s.deps.Holder, s.set.RunTimeout+s.set.Lease, s.deps.Clock.Now()); err != nil {
		// Lost the claim (the work above outlasted the lease and another
		// replica took over): that replica posts.
		log.Warn("lost the claim before posting; leaving the slot to its new holder", "err", err)
		return "", nil
	}
	post := bot.Post{Thread: d.Thread, Digest: res.Digest, Slot: run.Slot, MaxArguments: d.MaxArguments, MayRepeat: len(cov.uncertain) > 0}
	rctx, cancel := context.WithTimeout(ctx, s.set.RunTimeout)
	defer cancel()
	ref, err := s.deliver(rctx, dest, post, to.Key(), log)
	if err != nil {
		return "failed", err
	}
	if err := s.deps.Store.CompleteRun(context.WithoutCancel(ctx), run.ID, s.deps.Holder, res.CoveredTo, ref, s.deps.Clock.Now()); err != nil {
		// Delivered but not recorded: the run stays "posting" and becomes
		// uncertain after its lease, so it is not posted twice.
		log.Error("digest delivered but recording it failed", "err", err, "ref", ref)
		return "posted", nil
	}
	log.Info("digest posted", "new_comments", res.NewCount, "covered_to", res.CoveredTo, "ref", ref, "may_repeat", len(cov.uncertain) > 0)
	s.mu.Lock()
	delete(s.skipSaid, pairKey{d.Name, to.Key()})
	s.mu.Unlock()
	return "posted", nil
}

// coverage is where a run's new comments start, and whether some of them
// may have been posted already.
type coverage struct {
	// from is the highest comment Seq covered by posted runs of the digest
	// to the destination: the new comments are those above it. It is the
	// maximum over recent runs rather than the last by slot, because a run
	// recorded late (a slow holder completing an uncertain run) can cover
	// more than a later one.
	from int64
	// uncertain are the runs after the last delivered one (a skipped run
	// delivers nothing) that were cut off mid-post: they may have reached
	// the destination, and their comments, still new, are in the next
	// digest again.
	uncertain []store.Run
}

// coverage reads the coverage of the next run of a digest to a destination.
func (s *Service) coverage(ctx context.Context, digestName, dest string) (coverage, error) {
	var c coverage
	last, ok, err := s.deps.Store.LastPosted(ctx, digestName, dest)
	if err != nil {
		return c, fmt.Errorf("read last posted run: %w", err)
	}
	if ok {
		c.from = last.CoveredTo
	}
	runs, err := s.deps.Store.Runs(ctx, digestName, 50)
	if err != nil {
		return c, fmt.Errorf("list runs: %w", err)
	}
	var delivered time.Time
	for _, r := range runs {
		if r.Destination != dest || r.State != store.RunPosted {
			continue
		}
		c.from = max(c.from, r.CoveredTo)
		if !strings.HasPrefix(r.Ref, store.SkippedRef) && r.Slot.After(delivered) {
			delivered = r.Slot
		}
	}
	for _, r := range runs {
		if r.Destination == dest && r.State == store.RunUncertain && r.Slot.After(delivered) {
			c.uncertain = append(c.uncertain, r)
		}
	}
	return c, nil
}

// CoveredFrom returns where the new comments of a digest to a destination
// start: the highest comment Seq its posted runs covered.
func (s *Service) CoveredFrom(ctx context.Context, digestName, dest string) (int64, error) {
	c, err := s.coverage(ctx, digestName, dest)
	return c.from, err
}

// deliver posts p, retrying what can be retried until ctx's deadline:
// bot.RetryAfterError waits at least as long as it says, bot.PermanentError is not
// retried, anything else (5xx, timeouts, connection errors) is retried with
// exponential backoff. At shutdown it stops retrying.
func (s *Service) deliver(ctx context.Context, dest bot.Destination, p bot.Post, key string, log *slog.Logger) (string, error) {
	backoff := s.set.Retry.Backoff
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, s.set.Retry.AttemptTimeout)
		ref, err := dest.Deliver(actx, p)
		cancel()
		if err == nil {
			s.deps.Metrics.attempt(key, "ok")
			return ref, nil
		}
		if bot.IsPermanent(err) {
			s.deps.Metrics.attempt(key, "permanent")
			return "", fmt.Errorf("attempt %d: %w (not retried)", attempt, err)
		}
		s.deps.Metrics.attempt(key, "retry")
		wait := backoff
		backoff = min(backoff*2, s.set.Retry.MaxBackoff)
		var ra *bot.RetryAfterError
		if errors.As(err, &ra) && ra.After > wait {
			wait = ra.After
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("attempt %d: %w; no time left in the run (%v)", attempt, err, ctx.Err())
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return "", fmt.Errorf("attempt %d: %w; the next try (in %s) would pass the run's deadline", attempt, err, wait)
		}
		if s.stopping.Load() {
			return "", fmt.Errorf("attempt %d: %w; not retried: the service is stopping", attempt, err)
		}
		log.Warn("delivery failed; retrying", "try", attempt, "in", wait, "err", oneLine(err))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("attempt %d: %w; gave up waiting to retry (%v)", attempt, err, ctx.Err())
		case <-s.stopCh:
			t.Stop()
			return "", fmt.Errorf("attempt %d: %w; not retried: the service is stopping", attempt, err)
		}
	}
}
