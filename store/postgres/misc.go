package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

// AcquireLease takes or renews the named lease for holder with one
// INSERT … ON CONFLICT DO UPDATE … WHERE: the row lock it takes makes
// concurrent attempts queue, and each sees the lease as the previous one left
// it, so of replicas racing for an expired lease exactly one gets it.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if err := rules.CheckLease(name, holder); err != nil {
		return false, fmt.Errorf("postgres: acquire lease %q for %q: %w", name, holder, err)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.holder = excluded.holder OR leases.until <= $4`,
		name, holder, ts(now.Add(ttl)), ts(now))
	if err != nil {
		return false, fmt.Errorf("postgres: acquire lease %q for %s: %w", name, holder, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseLease gives the lease up if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("postgres: release lease %q for %s: %w", name, holder, err)
	}
	return nil
}

// SourceState returns the thread's source state, "" when none.
func (s *Store) SourceState(ctx context.Context, thread string) (string, error) {
	var state []byte
	err := s.pool.QueryRow(ctx, `SELECT state FROM source_states WHERE thread = $1`, thread).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("postgres: source state of thread %q: %w", thread, err)
	}
	return string(state), nil
}

// isMissingThread reports whether err is the foreign-key violation of a row
// naming a thread that does not exist.
func isMissingThread(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503" // foreign_key_violation
}

// SetSourceState replaces the thread's source state. The thread must exist.
func (s *Store) SetSourceState(ctx context.Context, thread, state string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO source_states (thread, state) VALUES ($1, $2)
		ON CONFLICT (thread) DO UPDATE SET state = excluded.state`, thread, bs(state))
	if isMissingThread(err) {
		err = fmt.Errorf("thread %q: %w", thread, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: set source state of thread %q: %w", thread, err)
	}
	return nil
}

// AddFollow records a follow, replacing the same (platform, channel, thread).
// The thread must exist.
func (s *Store) AddFollow(ctx context.Context, f store.Follow) error {
	err := rules.CheckFollow(f)
	if err == nil {
		// Followed again: no longer on its way to being forgotten. Clearing
		// unfollowed_at in the same transaction also keeps a concurrent
		// Prune from forgetting the thread: its DELETE waits for this row and
		// then finds unfollowed_at NULL.
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO follows (platform, channel, thread, schedule, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform, channel, thread) DO UPDATE SET
				schedule = excluded.schedule, created_by = excluded.created_by, created_at = excluded.created_at`,
				f.Platform, f.Channel, f.Thread, f.Schedule, f.CreatedBy, ts(f.CreatedAt)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE threads SET unfollowed_at = NULL WHERE name = $1 AND unfollowed_at IS NOT NULL`, f.Thread)
			return err
		})
		if isMissingThread(err) {
			err = fmt.Errorf("thread %q: %w", f.Thread, store.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: add follow of %q in %s/%s: %w", f.Thread, f.Platform, f.Channel, err)
	}
	return nil
}

// RemoveFollow deletes a follow; ErrNotFound when there was none.
func (s *Store) RemoveFollow(ctx context.Context, platform, channel, thread string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM follows WHERE platform = $1 AND channel = $2 AND thread = $3`, platform, channel, thread)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("postgres: remove follow of %q in %s/%s: %w", thread, platform, channel, err)
	}
	return nil
}

// Follows lists the follows of a channel, of a platform (channel ""), or all
// (both ""), by thread name.
func (s *Store) Follows(ctx context.Context, platform, channel string) ([]store.Follow, error) {
	rows, err := s.pool.Query(ctx, `SELECT platform, channel, thread, schedule, created_by, created_at FROM follows
		WHERE ($1 = '' OR platform = $1) AND ($2 = '' OR channel = $2)
		ORDER BY thread COLLATE "C", platform COLLATE "C", channel COLLATE "C"`, platform, channel)
	if err != nil {
		return nil, fmt.Errorf("postgres: follows of %s/%s: %w", platform, channel, err)
	}
	fs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Follow, error) {
		var f store.Follow
		var created pgtype.Timestamptz
		err := row.Scan(&f.Platform, &f.Channel, &f.Thread, &f.Schedule, &f.CreatedBy, &created)
		f.CreatedAt = fromTS(created)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: follows of %s/%s: %w", platform, channel, err)
	}
	return fs, nil
}
