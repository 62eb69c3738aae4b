package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

var _ store.Pruner = (*Store)(nil)

// pruneBatch is how many runs one delete transaction removes, so that a
// first prune of a year of skipped slots is many short transactions rather
// than one long one.
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
		rep.SkippedRuns, err = s.deleteRuns(ctx, `slot < $1 AND state = 'posted' AND starts_with(ref, $2)`+superseded,
			[]any{ts(now.Add(-r.SkippedRuns)), store.SkippedRef}, dryRun)
		if err != nil {
			return rep, fmt.Errorf("postgres: prune skipped runs: %w", err)
		}
	}
	if r.FailedRuns > 0 {
		rep.FailedRuns, err = s.deleteRuns(ctx, `slot < $1 AND state IN ('failed', 'uncertain')`+superseded,
			[]any{ts(now.Add(-r.FailedRuns))}, dryRun)
		if err != nil {
			return rep, fmt.Errorf("postgres: prune failed runs: %w", err)
		}
	}
	err = s.rollbackIf(ctx, dryRun, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM leases WHERE until <= $1`, ts(now.Add(-rules.LeaseKeep)))
		if err != nil {
			return fmt.Errorf("expired leases: %w", err)
		}
		rep.Leases = tag.RowsAffected()
		return pruneThreads(ctx, tx, r, now, &rep)
	})
	if err != nil {
		return rep, fmt.Errorf("postgres: prune: %w", err)
	}
	return rep, nil
}

// pruneThreads marks the threads nothing follows any more, unmarks those
// followed again, and forgets those unfollowed for r.Unfollowed.
func pruneThreads(ctx context.Context, tx pgx.Tx, r store.Retention, now time.Time, rep *store.PruneReport) error {
	configured := append([]string{}, r.Configured...)
	const followed = `(name = ANY($1::text[]) OR EXISTS (SELECT 1 FROM follows WHERE follows.thread = threads.name))`
	names := func(query string, args ...any) ([]string, error) {
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[string])
	}
	var err error
	if rep.Refollowed, err = names(`UPDATE threads SET unfollowed_at = NULL
		WHERE unfollowed_at IS NOT NULL AND `+followed+` RETURNING name`, configured); err != nil {
		return fmt.Errorf("threads followed again: %w", err)
	}
	if rep.Unfollowed, err = names(`UPDATE threads SET unfollowed_at = $2
		WHERE unfollowed_at IS NULL AND NOT `+followed+` RETURNING name`, configured, ts(now)); err != nil {
		return fmt.Errorf("threads no longer followed: %w", err)
	}
	slices.Sort(rep.Refollowed)
	slices.Sort(rep.Unfollowed)
	if r.Unfollowed <= 0 {
		return nil
	}
	// The thread's row goes first: an upsert of its comments waiting for
	// the row then finds no thread and stores nothing. Source state and
	// follows go with it (ON DELETE CASCADE), comments have no foreign key
	// and are deleted here. Runs stay: posted ones record what was posted.
	rows, err := tx.Query(ctx, `DELETE FROM threads WHERE unfollowed_at <= $2 AND NOT `+followed+`
		RETURNING name, unfollowed_at`, configured, ts(now.Add(-r.Unfollowed)))
	if err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	forgotten, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ForgottenThread, error) {
		var f store.ForgottenThread
		var at pgtype.Timestamptz
		err := row.Scan(&f.Name, &at)
		f.UnfollowedAt = fromTS(at)
		return f, err
	})
	if err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	slices.SortFunc(forgotten, func(a, b store.ForgottenThread) int { return strings.Compare(a.Name, b.Name) })
	for i := range forgotten {
		tag, err := tx.Exec(ctx, `DELETE FROM comments WHERE thread = $1`, forgotten[i].Name)
		if err != nil {
			return fmt.Errorf("forget thread %q: %w", forgotten[i].Name, err)
		}
		forgotten[i].Comments = tag.RowsAffected()
	}
	rep.Forgotten = forgotten
	return nil
}

// deleteRuns deletes the runs matching where, pruneBatch at a time, each
// batch its own transaction; with dryRun it only counts them.
func (s *Store) deleteRuns(ctx context.Context, where string, args []any, dryRun bool) (int64, error) {
	if dryRun {
		var n int64
		err := s.pool.QueryRow(ctx, `SELECT count(*) FROM runs WHERE `+where, args...).Scan(&n)
		return n, err
	}
	limit := fmt.Sprintf("$%d", len(args)+1)
	var total int64
	for {
		tag, err := s.pool.Exec(ctx, `DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE `+where+` LIMIT `+limit+`)`,
			append(append([]any{}, args...), pruneBatch)...)
		if err != nil {
			return total, err
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < pruneBatch {
			return total, nil
		}
	}
}

// rollbackIf runs fn in a transaction that is committed, or with rollback
// rolled back, so that a dry run does exactly what a real one does and
// reports it.
func (s *Store) rollbackIf(ctx context.Context, rollback bool, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback(ctx))
	}
	if rollback {
		return tx.Rollback(ctx)
	}
	return tx.Commit(ctx)
}
