package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

const runColumns = `id, digest, destination, slot, thread, state, holder, lease_until, attempts, covered_to, ref, error, claimed_at, finished_at`

func scanRun(row pgx.Row) (store.Run, error) {
	var r store.Run
	var slot, lease, claimed, finished pgtype.Timestamptz
	var state string
	err := row.Scan(&r.ID, &r.Digest, &r.Destination, &slot, &r.Thread, &state, &r.Holder, &lease,
		&r.Attempts, &r.CoveredTo, &r.Ref, &r.Error, &claimed, &finished)
	if err != nil {
		return store.Run{}, err
	}
	r.State = store.RunState(state)
	r.Slot, r.LeaseUntil, r.ClaimedAt, r.FinishedAt = fromTS(slot), fromTS(lease), fromTS(claimed), fromTS(finished)
	return r, nil
}

// ClaimRun claims the run of key for holder; see store.Store. One run of a
// digest and destination is in flight at a time, across replicas
// (rules.PlanClaim): the transaction first takes an advisory lock keyed by
// the schema, digest and destination, so that claims of one pair — of any
// slot, whose rows may not exist yet — are decided one after another; it
// then locks the key's run and the pair's recent runs in flight (FOR
// UPDATE, among the last rules.RecentRuns), so
// that a slow holder's MarkPosting waits for the decision and finds its
// claim superseded rather than posting beside a new one. The lock is held
// for the milliseconds of the transaction, never across a post.
func (s *Store) ClaimRun(ctx context.Context, key store.RunKey, thread, holder string, lease time.Duration, now time.Time) (store.Run, bool, error) {
	if err := rules.CheckRunKey(key, thread, holder); err != nil {
		return store.Run{}, false, fmt.Errorf("postgres: claim run %s: %w", rules.Key(key), err)
	}
	var run store.Run
	var claimed bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, s.claimLockKey(key)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		var existing *store.Run
		r, err := scanRun(tx.QueryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE digest = $1 AND destination = $2 AND slot = $3 FOR UPDATE`,
			key.Digest, key.Destination, ts(key.Slot)))
		switch {
		case err == nil:
			existing = &r
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var latest *store.Run
		l, err := scanRun(tx.QueryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE digest = $1 AND destination = $2
			ORDER BY slot DESC LIMIT 1`, key.Digest, key.Destination))
		switch {
		case err == nil:
			latest = &l
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+runColumns+` FROM runs WHERE id IN (
				SELECT id FROM runs WHERE digest = $1 AND destination = $2 ORDER BY slot DESC LIMIT $3)
			AND state IN ('claimed', 'posting') AND slot <> $4 ORDER BY slot DESC FOR UPDATE`,
			key.Digest, key.Destination, rules.RecentRuns, ts(key.Slot))
		if err != nil {
			return err
		}
		inFlight, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Run, error) { return scanRun(row) })
		if err != nil {
			return err
		}
		plan := rules.PlanClaim(key, existing, inFlight, latest, holder, rules.Time(now))
		for _, st := range plan.Settle {
			if _, err := tx.Exec(ctx, `UPDATE runs SET state = $1, error = $2, finished_at = $3 WHERE id = $4`,
				string(st.State), st.Reason, ts(now), st.Run.ID); err != nil {
				return err
			}
		}
		switch {
		case plan.Insert:
			run, err = scanRun(tx.QueryRow(ctx, `INSERT INTO runs (digest, destination, slot, thread, state, holder, lease_until, attempts, claimed_at)
				VALUES ($1, $2, $3, $4, 'claimed', $5, $6, 1, $7) RETURNING `+runColumns,
				key.Digest, key.Destination, ts(key.Slot), thread, holder, ts(now.Add(lease)), ts(now)))
			claimed = err == nil
		case plan.Blocker != nil:
			run = *plan.Blocker
		case plan.Action == rules.TakeOver:
			run, err = scanRun(tx.QueryRow(ctx, `UPDATE runs SET holder = $1, lease_until = $2, attempts = attempts + 1,
				claimed_at = $3 WHERE id = $4 RETURNING `+runColumns, holder, ts(now.Add(lease)), ts(now), existing.ID))
			claimed = err == nil
		case plan.Action == rules.MarkUncertain:
			run, err = scanRun(tx.QueryRow(ctx, `UPDATE runs SET state = 'uncertain', error = $1, finished_at = $2
				WHERE id = $3 RETURNING `+runColumns, rules.UncertainReason(*existing), ts(now), existing.ID))
		case plan.Action == rules.Supersede:
			run, err = scanRun(tx.QueryRow(ctx, `UPDATE runs SET state = 'failed', error = $1, finished_at = $2
				WHERE id = $3 RETURNING `+runColumns, plan.Reason, ts(now), existing.ID))
		default:
			run = *existing
		}
		return err
	})
	if err != nil {
		return store.Run{}, false, fmt.Errorf("postgres: claim run %s: %w", rules.Key(key), err)
	}
	return run, claimed, nil
}

// claimLockKey names the advisory lock of a digest and destination's
// claims: lengths before each part, so no two pairs make one key.
func (s *Store) claimLockKey(key store.RunKey) string {
	return fmt.Sprintf("threaddigest claim %d:%s %d:%s %d:%s", len(s.schema), s.schema, len(key.Digest), key.Digest, len(key.Destination), key.Destination)
}

// transition moves a run held by holder from one of the states in from with
// one conditional UPDATE, or says why it cannot: ErrNotFound for no such run,
// ErrLeaseLost otherwise.
func (s *Store) transition(ctx context.Context, what string, runID int64, holder, set string, args []any, from ...store.RunState) error {
	states := make([]string, len(from))
	for i, st := range from {
		states[i] = string(st)
	}
	n := len(args)
	all := append(append([]any{}, args...), runID, holder, states)
	tag, err := s.pool.Exec(ctx, `UPDATE runs SET `+set+fmt.Sprintf(` WHERE id = $%d AND holder = $%d AND state = ANY($%d)`, n+1, n+2, n+3), all...)
	if err == nil && tag.RowsAffected() == 1 {
		return nil
	}
	if err == nil {
		var r store.Run
		r, err = scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE id = $1`, runID))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			err = store.ErrNotFound
		case err == nil:
			err = rules.LeaseLost(r)
		}
	}
	return fmt.Errorf("postgres: %s run %d for %s: %w", what, runID, holder, err)
}

// MarkPosting records that holder is sending the run. Only a claimed run can
// start posting, so of two attempts by one holder only the first proceeds.
func (s *Store) MarkPosting(ctx context.Context, runID int64, holder string, lease time.Duration, now time.Time) error {
	return s.transition(ctx, "mark posting", runID, holder, `state = 'posting', lease_until = $1`,
		[]any{ts(now.Add(lease))}, store.RunClaimed)
}

// CompleteRun records a posted run. A run marked uncertain because its lease
// ran out mid-post is completed too when its holder reports back: then it is
// known to have been posted.
func (s *Store) CompleteRun(ctx context.Context, runID int64, holder string, coveredTo int64, ref string, now time.Time) error {
	return s.transition(ctx, "complete", runID, holder, `state = 'posted', covered_to = $1, ref = $2, error = '', finished_at = $3`,
		[]any{coveredTo, rules.CleanText(ref), ts(now)}, store.RunClaimed, store.RunPosting, store.RunUncertain)
}

// FailRun records a failed run.
func (s *Store) FailRun(ctx context.Context, runID int64, holder, reason string, now time.Time) error {
	return s.transition(ctx, "fail", runID, holder, `state = 'failed', error = $1, finished_at = $2`,
		[]any{rules.CleanText(reason), ts(now)}, store.RunClaimed, store.RunPosting, store.RunUncertain)
}

// LastPosted returns the posted run of digest to destination with the latest
// slot.
func (s *Store) LastPosted(ctx context.Context, digest, destination string) (store.Run, bool, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM runs
		WHERE digest = $1 AND destination = $2 AND state = 'posted' ORDER BY slot DESC LIMIT 1`, digest, destination))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Run{}, false, nil
	}
	if err != nil {
		return store.Run{}, false, fmt.Errorf("postgres: last posted run of %s to %s: %w", digest, destination, err)
	}
	return r, true, nil
}

// LastRun returns the run of digest to destination with the latest slot.
func (s *Store) LastRun(ctx context.Context, digest, destination string) (store.Run, bool, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM runs
		WHERE digest = $1 AND destination = $2 ORDER BY slot DESC LIMIT 1`, digest, destination))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Run{}, false, nil
	}
	if err != nil {
		return store.Run{}, false, fmt.Errorf("postgres: last run of %s to %s: %w", digest, destination, err)
	}
	return r, true, nil
}

// Runs lists runs newest slot first.
func (s *Store) Runs(ctx context.Context, digest string, limit int) ([]store.Run, error) {
	query := `SELECT ` + runColumns + ` FROM runs WHERE ($1 = '' OR digest = $1)
		ORDER BY slot DESC, digest COLLATE "C", destination COLLATE "C", id`
	args := []any{digest}
	if limit > 0 {
		query += ` LIMIT $2`
		args = append(args, limit)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: runs of %q: %w", digest, err)
	}
	runs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Run, error) { return scanRun(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: runs of %q: %w", digest, err)
	}
	return runs, nil
}
