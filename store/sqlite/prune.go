package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

var _ store.Pruner = (*Store)(nil)

// pruneBatch is how many runs one delete transaction removes: a first prune
// of a year of skipped slots must not hold the write lock for long, so that
// claims and polls get in between batches.
const pruneBatch = 1000

// Prune deletes what r no longer keeps; see store.Pruner.
func (s *Store) Prune(ctx context.Context, r store.Retention, now time.Time, dryRun bool) (store.PruneReport, error) {
	var rep store.PruneReport
	var err error
	// A run is kept while a later run of its digest and destination does
	// not exist: the scheduler reads the latest to know which slot ran.
	const superseded = ` AND EXISTS (SELECT 1 FROM runs later WHERE later.digest = runs.digest
		AND later.destination = runs.destination AND later.slot > runs.slot)`
	if r.SkippedRuns > 0 {
		rep.SkippedRuns, err = s.deleteRuns(ctx, `slot < ? AND state = 'posted' AND substr(ref, 1, ?) = ?`+superseded,
			[]any{micros(now.Add(-r.SkippedRuns)), len(store.SkippedRef), store.SkippedRef}, dryRun)
		if err != nil {
			return rep, fmt.Errorf("sqlite: prune skipped runs: %w", err)
		}
	}
	if r.FailedRuns > 0 {
		rep.FailedRuns, err = s.deleteRuns(ctx, `slot < ? AND state IN ('failed', 'uncertain')`+superseded,
			[]any{micros(now.Add(-r.FailedRuns))}, dryRun)
		if err != nil {
			return rep, fmt.Errorf("sqlite: prune failed runs: %w", err)
		}
	}
	err = s.rollbackIf(ctx, dryRun, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE until <= ?`, micros(now.Add(-rules.LeaseKeep)))
		if err != nil {
			return fmt.Errorf("expired leases: %w", err)
		}
		rep.Leases, err = res.RowsAffected()
		if err != nil {
			return err
		}
		return s.pruneThreads(ctx, tx, r, now, &rep)
	})
	if err != nil {
		return rep, fmt.Errorf("sqlite: prune: %w", err)
	}
	return rep, nil
}

// pruneThreads marks the threads nothing follows any more, unmarks those
// followed again, and forgets those unfollowed for r.Unfollowed.
func (s *Store) pruneThreads(ctx context.Context, tx *sql.Tx, r store.Retention, now time.Time, rep *store.PruneReport) error {
	configured, err := json.Marshal(append([]string{}, r.Configured...))
	if err != nil {
		return err
	}
	const followed = `(name IN (SELECT value FROM json_each(?)) OR EXISTS (SELECT 1 FROM follows WHERE follows.thread = threads.name))`
	names := func(query string, args ...any) ([]string, error) {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, rows.Err()
	}
	if rep.Refollowed, err = names(`UPDATE threads SET unfollowed_at = NULL
		WHERE unfollowed_at IS NOT NULL AND `+followed+` RETURNING name`, string(configured)); err != nil {
		return fmt.Errorf("threads followed again: %w", err)
	}
	if rep.Unfollowed, err = names(`UPDATE threads SET unfollowed_at = ?
		WHERE unfollowed_at IS NULL AND NOT `+followed+` RETURNING name`, micros(now), string(configured)); err != nil {
		return fmt.Errorf("threads no longer followed: %w", err)
	}
	slices.Sort(rep.Refollowed)
	slices.Sort(rep.Unfollowed)
	if r.Unfollowed <= 0 {
		return nil
	}
	// Comments, source state and follows go with the thread (ON DELETE
	// CASCADE). Runs stay: posted ones record what was posted.
	rows, err := tx.QueryContext(ctx, `SELECT name, unfollowed_at,
			(SELECT COUNT(*) FROM comments WHERE comments.thread = threads.name)
		FROM threads WHERE unfollowed_at <= ? AND NOT `+followed+` ORDER BY name`,
		micros(now.Add(-r.Unfollowed)), string(configured))
	if err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f store.ForgottenThread
		var at sql.NullInt64
		if err := rows.Scan(&f.Name, &at, &f.Comments); err != nil {
			return fmt.Errorf("forget threads: %w", err)
		}
		f.UnfollowedAt = fromMicros(at)
		rep.Forgotten = append(rep.Forgotten, f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	rows.Close()
	for _, f := range rep.Forgotten {
		if _, err := tx.ExecContext(ctx, `DELETE FROM threads WHERE name = ?`, f.Name); err != nil {
			return fmt.Errorf("forget thread %q: %w", f.Name, err)
		}
	}
	return nil
}

// deleteRuns deletes the runs matching where, pruneBatch at a time, each
// batch its own transaction; with dryRun it only counts them.
func (s *Store) deleteRuns(ctx context.Context, where string, args []any, dryRun bool) (int64, error) {
	if dryRun {
		var n int64
		err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM runs WHERE `+where, args...).Scan(&n)
		return n, err
	}
	var total int64
	for {
		var n int64
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE `+where+` LIMIT ?)`,
				append(append([]any{}, args...), pruneBatch)...)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// rollbackIf runs fn in a write transaction that is committed, or with
// rollback rolled back, so that a dry run does exactly what a real one does
// and reports it.
func (s *Store) rollbackIf(ctx context.Context, rollback bool, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if rollback {
		return tx.Rollback()
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
