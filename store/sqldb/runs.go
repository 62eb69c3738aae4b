package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

const runColumns = `id, digest, destination, slot, thread, state, holder, lease_until, attempts, covered_to, ref, error, claimed_at, finished_at`

var (
	runOfSlot = query(`SELECT ` + runColumns + ` FROM runs WHERE digest = ? AND destination = ? AND slot = ?{for update}`)
	latestRun = query(`SELECT ` + runColumns + ` FROM runs WHERE digest = ? AND destination = ? ORDER BY slot DESC LIMIT 1`)
	// runsInFlight are the pair's recent runs in flight but the one of the
	// slot being claimed, locked where rows are, so that a slow holder's
	// MarkPosting waits for the claim's decision and finds its run
	// superseded rather than posting beside a new one.
	runsInFlight = query(`SELECT ` + runColumns + ` FROM runs WHERE id IN (
			SELECT id FROM runs WHERE digest = ? AND destination = ? ORDER BY slot DESC LIMIT ?)
		AND state IN ('claimed', 'posting') AND slot <> ? ORDER BY slot DESC{for update}`)
	settleRun = query(`UPDATE runs SET state = ?, error = ?, finished_at = ? WHERE id = ?`)
	insertRun = query(`INSERT INTO runs (digest, destination, slot, thread, state, holder, lease_until, attempts, claimed_at)
		VALUES (?, ?, ?, ?, 'claimed', ?, ?, 1, ?) RETURNING ` + runColumns)
	takeOverRun = query(`UPDATE runs SET holder = ?, lease_until = ?, attempts = attempts + 1,
		claimed_at = ? WHERE id = ? RETURNING ` + runColumns)
	uncertainRun = query(`UPDATE runs SET state = 'uncertain', error = ?, finished_at = ?
		WHERE id = ? RETURNING ` + runColumns)
	supersedeRun = query(`UPDATE runs SET state = 'failed', error = ?, finished_at = ?
		WHERE id = ? RETURNING ` + runColumns)
	runByID = query(`SELECT ` + runColumns + ` FROM runs WHERE id = ?`)

	// The transitions of a held run: from claimed, or from any state a
	// holder may still settle.
	markPosting = query(`UPDATE runs SET state = 'posting', lease_until = ?
		WHERE id = ? AND holder = ? AND state = 'claimed'`)
	completeRun = query(`UPDATE runs SET state = 'posted', covered_to = ?, ref = ?, error = '', finished_at = ?
		WHERE id = ? AND holder = ? AND state IN ('claimed', 'posting', 'uncertain')`)
	failRun = query(`UPDATE runs SET state = 'failed', error = ?, finished_at = ?
		WHERE id = ? AND holder = ? AND state IN ('claimed', 'posting', 'uncertain')`)

	lastPosted = query(`SELECT ` + runColumns + ` FROM runs
		WHERE digest = ? AND destination = ? AND state = 'posted' ORDER BY slot DESC LIMIT 1`)
	runsOrder     = ` ORDER BY slot DESC, digest{byte order}, destination{byte order}, id`
	allRuns       = query(`SELECT ` + runColumns + ` FROM runs` + runsOrder)
	allRunsLimit  = query(`SELECT ` + runColumns + ` FROM runs` + runsOrder + ` LIMIT ?`)
	digestRuns    = query(`SELECT ` + runColumns + ` FROM runs WHERE digest = ?` + runsOrder)
	digestRunsMax = query(`SELECT ` + runColumns + ` FROM runs WHERE digest = ?` + runsOrder + ` LIMIT ?`)
)

func scanRun(row interface{ Scan(...any) error }) (store.Run, error) {
	var r store.Run
	var state string
	err := row.Scan(&r.ID, &r.Digest, &r.Destination, dbTime{&r.Slot}, &r.Thread, &state, &r.Holder, dbTime{&r.LeaseUntil},
		&r.Attempts, &r.CoveredTo, &r.Ref, &r.Error, dbTime{&r.ClaimedAt}, dbTime{&r.FinishedAt})
	if err != nil {
		return store.Run{}, err
	}
	r.State = store.RunState(state)
	return r, nil
}

// ClaimRun claims the run for key for holder until now+lease. It creates
// the run when none exists, takes over a claimed run whose lease expired
// (Attempts+1), and marks a posting run whose lease expired uncertain. It
// reports claimed=false, with the existing run, when the run is held by
// another live holder, already posted, failed or uncertain. A lease has
// expired when now is at or after LeaseUntil. The holder of a claimed run
// may claim it again (Attempts+1): a restarted process with a stable
// replica id gets its slot back at once.
//
// One run of a digest and destination is in flight at a time, across
// processes, and its slots run in order, so that a digest never posts
// beside another of the same destination nor after a later one:
//   - while a run of another slot is claimed or posting under a live
//     lease, the claim is refused and reports that run (claimed=false,
//     a run of another slot); the caller's slot folds into a later one;
//   - a slot earlier than one that has a run is refused, reporting the
//     later run; when its own claim was left by a holder that died, it
//     is marked failed as superseded instead of taken over;
//   - runs of earlier slots left by holders whose leases expired are
//     settled by the claim: claimed ones fail as superseded (their
//     comments are still new, and the new run covers them), posting ones
//     become uncertain.
//
// It runs in one write transaction, in which the runs it reads — the key's, the
// others in flight for the same digest and destination, the latest —
// cannot change before it writes, also when several processes share the
// database: one run of a digest and destination is in flight at a time
// (rules.PlanClaim). SQLite's transaction holds the write lock from its
// start; PostgreSQL's first takes an advisory lock of the digest and
// destination (Dialect.LockClaims), so that claims of one pair — of any
// slot, whose rows may not exist yet — are decided one after another, and
// locks the rows it reads. The locks are held for the milliseconds of the
// transaction, never across a post.
func (s *Store) ClaimRun(ctx context.Context, key store.RunKey, thread, holder string, lease time.Duration, now time.Time) (store.Run, bool, error) {
	if err := rules.CheckRunKey(key, thread, holder); err != nil {
		return store.Run{}, false, s.errorf(err, "claim run %s", rules.Key(key))
	}
	var run store.Run
	var claimed bool
	err := s.writeTx(ctx, false, func(o on) error {
		if s.d.LockClaims != nil {
			if err := s.d.LockClaims(ctx, o.tx, claimLockKey(key)); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		slot := s.timeArg(key.Slot)
		var existing *store.Run
		r, err := scanRun(o.queryRow(ctx, runOfSlot, key.Digest, key.Destination, slot))
		switch {
		case err == nil:
			existing = &r
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var latest *store.Run
		l, err := scanRun(o.queryRow(ctx, latestRun, key.Digest, key.Destination))
		switch {
		case err == nil:
			latest = &l
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		rows, err := o.query(ctx, runsInFlight, key.Digest, key.Destination, rules.RecentRuns, slot)
		if err != nil {
			return err
		}
		inFlight, err := collect(rows, scanRun)
		if err != nil {
			return err
		}
		plan := rules.PlanClaim(key, existing, inFlight, latest, holder, rules.Time(now))
		for _, st := range plan.Settle {
			if _, err := o.exec(ctx, settleRun, string(st.State), st.Reason, s.timeArg(now), st.Run.ID); err != nil {
				return err
			}
		}
		switch {
		case plan.Insert:
			run, err = scanRun(o.queryRow(ctx, insertRun, key.Digest, key.Destination, slot, thread, holder,
				s.timeArg(now.Add(lease)), s.timeArg(now)))
			claimed = err == nil
		case plan.Blocker != nil:
			run = *plan.Blocker
		case plan.Action == rules.TakeOver:
			run, err = scanRun(o.queryRow(ctx, takeOverRun, holder, s.timeArg(now.Add(lease)), s.timeArg(now), existing.ID))
			claimed = err == nil
		case plan.Action == rules.MarkUncertain:
			run, err = scanRun(o.queryRow(ctx, uncertainRun, rules.UncertainReason(*existing), s.timeArg(now), existing.ID))
		case plan.Action == rules.Supersede:
			run, err = scanRun(o.queryRow(ctx, supersedeRun, plan.Reason, s.timeArg(now), existing.ID))
		default:
			run = *existing
		}
		return err
	})
	if err != nil {
		return store.Run{}, false, s.errorf(err, "claim run %s", rules.Key(key))
	}
	return run, claimed, nil
}

// claimLockKey names the lock of a digest and destination's claims:
// lengths before each part, so that no two pairs make one key.
func claimLockKey(key store.RunKey) string {
	return fmt.Sprintf("%d:%s %d:%s", len(key.Digest), key.Digest, len(key.Destination), key.Destination)
}

// transition moves a run held by holder with one conditional UPDATE, or
// says why it cannot: store.ErrNotFound for no such run, store.ErrLeaseLost otherwise.
func (s *Store) transition(ctx context.Context, what string, runID int64, holder string, q query, args ...any) error {
	err := s.write(ctx, func(o on) error {
		n, err := o.affected(ctx, q, append(args, runID, holder)...)
		if err != nil || n == 1 {
			return err
		}
		r, err := scanRun(o.queryRow(ctx, runByID, runID))
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return rules.LeaseLost(r)
	})
	if err != nil {
		return s.errorf(err, "%s run %d for %s", what, runID, holder)
	}
	return nil
}

// MarkPosting records that the holder is about to send the run to its
// destination, extending the lease to now+lease. store.ErrLeaseLost when the
// run is no longer the holder's. Only a claimed run can start posting, so
// of two claims by one holder only the first to get here proceeds; the
// other gets store.ErrLeaseLost and must not send.
func (s *Store) MarkPosting(ctx context.Context, runID int64, holder string, lease time.Duration, now time.Time) error {
	return s.transition(ctx, "mark posting", runID, holder, markPosting, s.timeArg(now.Add(lease)))
}

// CompleteRun records a posted run and what it covered. It accepts a
// claimed, posting or uncertain run of holder; store.ErrLeaseLost otherwise,
// store.ErrNotFound for no such run.
func (s *Store) CompleteRun(ctx context.Context, runID int64, holder string, coveredTo int64, ref string, now time.Time) error {
	return s.transition(ctx, "complete", runID, holder, completeRun, coveredTo, rules.CleanText(ref), s.timeArg(now))
}

// FailRun records a failed run with its reason; the comments it would
// have covered stay new for the next run. Same states as CompleteRun.
func (s *Store) FailRun(ctx context.Context, runID int64, holder, reason string, now time.Time) error {
	return s.transition(ctx, "fail", runID, holder, failRun, rules.CleanText(reason), s.timeArg(now))
}

// LastPosted returns the most recent posted run of a digest to a
// destination (by slot), or ok=false when there is none.
func (s *Store) LastPosted(ctx context.Context, digest, destination string) (store.Run, bool, error) {
	r, err := scanRun(s.reads().queryRow(ctx, lastPosted, digest, destination))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Run{}, false, nil
	}
	if err != nil {
		return store.Run{}, false, s.errorf(err, "last posted run of %s to %s", digest, destination)
	}
	return r, true, nil
}

// LastRun returns the most recent run of a digest to a destination in any
// state (by slot), or ok=false.
func (s *Store) LastRun(ctx context.Context, digest, destination string) (store.Run, bool, error) {
	r, err := scanRun(s.reads().queryRow(ctx, latestRun, digest, destination))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Run{}, false, nil
	}
	if err != nil {
		return store.Run{}, false, s.errorf(err, "last run of %s to %s", digest, destination)
	}
	return r, true, nil
}

// Runs lists the runs of a digest ("" for all), newest slot first, at most
// limit (0 for all).
func (s *Store) Runs(ctx context.Context, digest string, limit int) ([]store.Run, error) {
	var rows *sql.Rows
	var err error
	switch o := s.reads(); {
	case digest == "" && limit <= 0:
		rows, err = o.query(ctx, allRuns)
	case digest == "":
		rows, err = o.query(ctx, allRunsLimit, limit)
	case limit <= 0:
		rows, err = o.query(ctx, digestRuns, digest)
	default:
		rows, err = o.query(ctx, digestRunsMax, digest, limit)
	}
	if err != nil {
		return nil, s.errorf(err, "runs of %q", digest)
	}
	runs, err := collect(rows, scanRun)
	if err != nil {
		return nil, s.errorf(err, "runs of %q", digest)
	}
	return runs, nil
}
