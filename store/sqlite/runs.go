package sqlite

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

type scanner interface{ Scan(dest ...any) error }

func scanRun(row scanner) (store.Run, error) {
	var r store.Run
	var slot, lease, claimed, finished sql.NullInt64
	var state string
	err := row.Scan(&r.ID, &r.Digest, &r.Destination, &slot, &r.Thread, &state, &r.Holder, &lease,
		&r.Attempts, &r.CoveredTo, &r.Ref, &r.Error, &claimed, &finished)
	if err != nil {
		return store.Run{}, err
	}
	r.State = store.RunState(state)
	r.Slot, r.LeaseUntil, r.ClaimedAt, r.FinishedAt = fromMicros(slot), fromMicros(lease), fromMicros(claimed), fromMicros(finished)
	return r, nil
}

// ClaimRun claims the run of key for holder; see store.Store. It runs in
// one write transaction (BEGIN IMMEDIATE holds SQLite's write lock), so the
// runs it reads — the key's, the others in flight for the same digest and
// destination, the latest — cannot change before it writes, also when two
// processes share the file: one run of a digest and destination is in
// flight at a time (rules.PlanClaim).
func (s *Store) ClaimRun(ctx context.Context, key store.RunKey, thread, holder string, lease time.Duration, now time.Time) (store.Run, bool, error) {
	if err := rules.CheckRunKey(key, thread, holder); err != nil {
		return store.Run{}, false, fmt.Errorf("sqlite: claim run %s: %w", rules.Key(key), err)
	}
	var run store.Run
	var claimed bool
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var existing *store.Run
		r, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE digest = ? AND destination = ? AND slot = ?`,
			key.Digest, key.Destination, micros(key.Slot)))
		switch {
		case err == nil:
			existing = &r
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var latest *store.Run
		l, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE digest = ? AND destination = ?
			ORDER BY slot DESC LIMIT 1`, key.Digest, key.Destination))
		switch {
		case err == nil:
			latest = &l
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		inFlight, err := queryRuns(ctx, tx, `SELECT `+runColumns+` FROM runs WHERE id IN (
				SELECT id FROM runs WHERE digest = ? AND destination = ? ORDER BY slot DESC LIMIT ?)
			AND state IN ('claimed', 'posting') AND slot <> ? ORDER BY slot DESC`,
			key.Digest, key.Destination, rules.RecentRuns, micros(key.Slot))
		if err != nil {
			return err
		}
		plan := rules.PlanClaim(key, existing, inFlight, latest, holder, rules.Time(now))
		for _, st := range plan.Settle {
			if _, err := tx.ExecContext(ctx, `UPDATE runs SET state = ?, error = ?, finished_at = ? WHERE id = ?`,
				string(st.State), st.Reason, micros(now), st.Run.ID); err != nil {
				return err
			}
		}
		switch {
		case plan.Insert:
			run, err = scanRun(tx.QueryRowContext(ctx, `INSERT INTO runs (digest, destination, slot, thread, state, holder, lease_until, attempts, claimed_at)
				VALUES (?, ?, ?, ?, 'claimed', ?, ?, 1, ?) RETURNING `+runColumns,
				key.Digest, key.Destination, micros(key.Slot), thread, holder, micros(now.Add(lease)), micros(now)))
			claimed = err == nil
		case plan.Blocker != nil:
			run = *plan.Blocker
		case plan.Action == rules.TakeOver:
			run, err = scanRun(tx.QueryRowContext(ctx, `UPDATE runs SET holder = ?, lease_until = ?, attempts = attempts + 1,
				claimed_at = ? WHERE id = ? RETURNING `+runColumns, holder, micros(now.Add(lease)), micros(now), existing.ID))
			claimed = err == nil
		case plan.Action == rules.MarkUncertain:
			run, err = scanRun(tx.QueryRowContext(ctx, `UPDATE runs SET state = 'uncertain', error = ?, finished_at = ?
				WHERE id = ? RETURNING `+runColumns, rules.UncertainReason(*existing), micros(now), existing.ID))
		case plan.Action == rules.Supersede:
			run, err = scanRun(tx.QueryRowContext(ctx, `UPDATE runs SET state = 'failed', error = ?, finished_at = ?
				WHERE id = ? RETURNING `+runColumns, plan.Reason, micros(now), existing.ID))
		default:
			run = *existing
		}
		return err
	})
	if err != nil {
		return store.Run{}, false, fmt.Errorf("sqlite: claim run %s: %w", rules.Key(key), err)
	}
	return run, claimed, nil
}

// queryRuns reads the runs a query returns.
func queryRuns(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]store.Run, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []store.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// transition moves a run held by holder from one of the states in from, or
// says why it cannot: ErrNotFound for no such run, ErrLeaseLost otherwise.
func (s *Store) transition(ctx context.Context, what string, runID int64, holder string, set string, args []any, from ...store.RunState) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		query := `UPDATE runs SET ` + set + ` WHERE id = ? AND holder = ? AND state IN (` + placeholders(len(from), 1) + `)`
		all := append(append([]any{}, args...), runID, holder)
		for _, st := range from {
			all = append(all, string(st))
		}
		res, err := tx.ExecContext(ctx, query, all...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			return nil
		}
		r, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, runID))
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return rules.LeaseLost(r)
	})
	if err != nil {
		return fmt.Errorf("sqlite: %s run %d for %s: %w", what, runID, holder, err)
	}
	return nil
}

// MarkPosting records that holder is sending the run. Only a claimed run can
// start posting, so of two attempts by one holder only the first proceeds.
func (s *Store) MarkPosting(ctx context.Context, runID int64, holder string, lease time.Duration, now time.Time) error {
	return s.transition(ctx, "mark posting", runID, holder, `state = 'posting', lease_until = ?`,
		[]any{micros(now.Add(lease))}, store.RunClaimed)
}

// CompleteRun records a posted run. A run marked uncertain because its lease
// ran out mid-post is completed too when its holder reports back: then it is
// known to have been posted.
func (s *Store) CompleteRun(ctx context.Context, runID int64, holder string, coveredTo int64, ref string, now time.Time) error {
	return s.transition(ctx, "complete", runID, holder, `state = 'posted', covered_to = ?, ref = ?, error = '', finished_at = ?`,
		[]any{coveredTo, rules.CleanText(ref), micros(now)}, store.RunClaimed, store.RunPosting, store.RunUncertain)
}

// FailRun records a failed run.
func (s *Store) FailRun(ctx context.Context, runID int64, holder, reason string, now time.Time) error {
	return s.transition(ctx, "fail", runID, holder, `state = 'failed', error = ?, finished_at = ?`,
		[]any{rules.CleanText(reason), micros(now)}, store.RunClaimed, store.RunPosting, store.RunUncertain)
}

// LastPosted returns the posted run of digest to destination with the latest
// slot.
func (s *Store) LastPosted(ctx context.Context, digest, destination string) (store.Run, bool, error) {
	r, err := scanRun(s.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs
		WHERE digest = ? AND destination = ? AND state = 'posted' ORDER BY slot DESC LIMIT 1`, digest, destination))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Run{}, false, nil
	}
	if err != nil {
		return store.Run{}, false, fmt.Errorf("sqlite: last posted run of %s to %s: %w", digest, destination, err)
	}
	return r, true, nil
}

// LastRun returns the run of digest to destination with the latest slot.
func (s *Store) LastRun(ctx context.Context, digest, destination string) (store.Run, bool, error) {
	r, err := scanRun(s.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs
		WHERE digest = ? AND destination = ? ORDER BY slot DESC LIMIT 1`, digest, destination))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Run{}, false, nil
	}
	if err != nil {
		return store.Run{}, false, fmt.Errorf("sqlite: last run of %s to %s: %w", digest, destination, err)
	}
	return r, true, nil
}

// Runs lists runs newest slot first.
func (s *Store) Runs(ctx context.Context, digest string, limit int) ([]store.Run, error) {
	query := `SELECT ` + runColumns + ` FROM runs`
	var args []any
	if digest != "" {
		query += ` WHERE digest = ?`
		args = append(args, digest)
	}
	query += ` ORDER BY slot DESC, digest, destination, id`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	runs, err := queryRuns(ctx, s.read, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: runs of %q: %w", digest, err)
	}
	return runs, nil
}
