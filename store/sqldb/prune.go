package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

// pruneBatch is how many runs one delete transaction removes: a first prune
// of a year of skipped slots must not hold a lock for long, so that claims
// and polls get in between batches.
const pruneBatch = 1000

const (
	// superseded: a run is kept while no later run of its digest and
	// destination exists, since the scheduler reads the latest to know
	// which slot ran.
	superseded = ` AND EXISTS (SELECT 1 FROM runs later WHERE later.digest = runs.digest
		AND later.destination = runs.destination AND later.slot > runs.slot)`
	skippedRuns = `slot < ? AND state = 'posted' AND substr(ref, 1, ?) = ?` + superseded
	failedRuns  = `slot < ? AND state IN ('failed', 'uncertain')` + superseded
	// followed: the configuration names the thread, or a chat channel
	// follows it.
	followed = `({names} OR EXISTS (SELECT 1 FROM follows WHERE follows.thread = threads.name))`
)

var (
	countSkipped   = query(`SELECT COUNT(*) FROM runs WHERE ` + skippedRuns)
	deleteSkipped  = query(`DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE ` + skippedRuns + ` LIMIT ?)`)
	countFailed    = query(`SELECT COUNT(*) FROM runs WHERE ` + failedRuns)
	deleteFailed   = query(`DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE ` + failedRuns + ` LIMIT ?)`)
	expiredLeases  = query(`DELETE FROM leases WHERE until <= ?`)
	followedAgain  = query(`UPDATE threads SET unfollowed_at = NULL WHERE unfollowed_at IS NOT NULL AND ` + followed + ` RETURNING name`)
	unfollowed     = query(`UPDATE threads SET unfollowed_at = ? WHERE unfollowed_at IS NULL AND NOT ` + followed + ` RETURNING name`)
	forgettable    = query(`SELECT name, unfollowed_at FROM threads WHERE unfollowed_at <= ? AND NOT ` + followed + ` ORDER BY name{byte order}{for update}`)
	forgetComments = query(`DELETE FROM comments WHERE thread = ?`)
	forgetThread   = query(`DELETE FROM threads WHERE name = ?`)
)

// Prune applies r at now. Runs are never pruned while in progress
// (claimed, posting), and the latest run of each digest and destination
// is always kept, whatever its state: it tells the scheduler which slot
// ran last. With dryRun nothing is written, and the report says what
// would have been.
func (s *Store) Prune(ctx context.Context, r store.Retention, now time.Time, dryRun bool) (store.PruneReport, error) {
	var rep store.PruneReport
	var err error
	if r.SkippedRuns > 0 {
		rep.SkippedRuns, err = s.deleteRuns(ctx, countSkipped, deleteSkipped,
			[]any{s.timeArg(now.Add(-r.SkippedRuns)), len(store.SkippedRef), store.SkippedRef}, dryRun)
		if err != nil {
			return rep, s.errorf(err, "prune skipped runs")
		}
	}
	if r.FailedRuns > 0 {
		rep.FailedRuns, err = s.deleteRuns(ctx, countFailed, deleteFailed, []any{s.timeArg(now.Add(-r.FailedRuns))}, dryRun)
		if err != nil {
			return rep, s.errorf(err, "prune failed runs")
		}
	}
	err = s.writeTx(ctx, dryRun, func(o on) error {
		n, err := o.affected(ctx, expiredLeases, s.timeArg(now.Add(-rules.LeaseKeep)))
		if err != nil {
			return fmt.Errorf("expired leases: %w", err)
		}
		rep.Leases = n
		return s.pruneThreads(ctx, o, r, now, &rep)
	})
	if err != nil {
		return rep, s.errorf(err, "prune")
	}
	return rep, nil
}

// pruneThreads marks the threads nothing follows any more, unmarks those
// followed again, and forgets those unfollowed for r.Unfollowed.
func (s *Store) pruneThreads(ctx context.Context, o on, r store.Retention, now time.Time, rep *store.PruneReport) error {
	configured := s.d.Names(append([]string{}, r.Configured...))
	names := func(rows *sql.Rows, err error) ([]string, error) {
		if err != nil {
			return nil, err
		}
		return collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
			var n string
			err := row.Scan(&n)
			return n, err
		})
	}
	var err error
	if rep.Refollowed, err = names(o.query(ctx, followedAgain, configured)); err != nil {
		return fmt.Errorf("threads followed again: %w", err)
	}
	if rep.Unfollowed, err = names(o.query(ctx, unfollowed, s.timeArg(now), configured)); err != nil {
		return fmt.Errorf("threads no longer followed: %w", err)
	}
	slices.Sort(rep.Refollowed)
	slices.Sort(rep.Unfollowed)
	if r.Unfollowed <= 0 {
		return nil
	}
	// The threads' rows are read first, and locked where rows are: an
	// upsert of their comments waiting for a row then finds no thread and
	// stores nothing, and a follow made meanwhile (which clears
	// unfollowed_at) keeps its thread. Comments, source state and follows
	// go with the thread; runs stay: posted ones record what was posted.
	rows, err := o.query(ctx, forgettable, s.timeArg(now.Add(-r.Unfollowed)), configured)
	if err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	rep.Forgotten, err = collect(rows, func(row interface{ Scan(...any) error }) (store.ForgottenThread, error) {
		var f store.ForgottenThread
		err := row.Scan(&f.Name, dbTime{&f.UnfollowedAt})
		return f, err
	})
	if err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	for i, f := range rep.Forgotten {
		n, err := o.affected(ctx, forgetComments, f.Name)
		if err != nil {
			return fmt.Errorf("forget thread %q: %w", f.Name, err)
		}
		rep.Forgotten[i].Comments = n
		if _, err := o.exec(ctx, forgetThread, f.Name); err != nil {
			return fmt.Errorf("forget thread %q: %w", f.Name, err)
		}
	}
	return nil
}

// deleteRuns deletes the runs a query matches, pruneBatch at a time, each
// batch its own transaction; with dryRun it only counts them.
func (s *Store) deleteRuns(ctx context.Context, count, del query, args []any, dryRun bool) (int64, error) {
	if dryRun {
		var n int64
		err := s.reads().queryRow(ctx, count, args...).Scan(&n)
		return n, err
	}
	var total int64
	for {
		var n int64
		err := s.write(ctx, func(o on) error {
			var err error
			n, err = o.affected(ctx, del, append(append([]any{}, args...), pruneBatch)...)
			return err
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}
