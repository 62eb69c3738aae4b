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

// AcquireLease takes or renews the named lease for holder.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if err := rules.CheckLease(name, holder); err != nil {
		return false, fmt.Errorf("sqlite: acquire lease %q for %q: %w", name, holder, err)
	}
	var got bool
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
			WHERE leases.holder = excluded.holder OR leases.until <= ?`,
			name, holder, micros(now.Add(ttl)), micros(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: acquire lease %q for %s: %w", name, holder, err)
	}
	return got, nil
}

// ReleaseLease gives the lease up if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: release lease %q for %s: %w", name, holder, err)
	}
	return nil
}

// SourceState returns the thread's source state, "" when none.
func (s *Store) SourceState(ctx context.Context, thread string) (string, error) {
	var state []byte
	err := s.read.QueryRowContext(ctx, `SELECT state FROM source_states WHERE thread = ?`, thread).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: source state of thread %q: %w", thread, err)
	}
	return string(state), nil
}

// SetSourceState replaces the thread's source state. The thread must exist.
func (s *Store) SetSourceState(ctx context.Context, thread, state string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := threadExists(ctx, tx, thread); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO source_states (thread, state) VALUES (?, ?)
			ON CONFLICT (thread) DO UPDATE SET state = excluded.state`, thread, []byte(state))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: set source state of thread %q: %w", thread, err)
	}
	return nil
}

func threadExists(ctx context.Context, tx *sql.Tx, thread string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM threads WHERE name = ?`, thread).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("thread %q: %w", thread, store.ErrNotFound)
	}
	return err
}

// AddFollow records a follow, replacing the same (platform, channel, thread).
// The thread must exist.
func (s *Store) AddFollow(ctx context.Context, f store.Follow) error {
	err := rules.CheckFollow(f)
	if err == nil {
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			if err := threadExists(ctx, tx, f.Thread); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO follows (platform, channel, thread, schedule, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, channel, thread) DO UPDATE SET
				schedule = excluded.schedule, created_by = excluded.created_by, created_at = excluded.created_at`,
				f.Platform, f.Channel, f.Thread, f.Schedule, f.CreatedBy, micros(f.CreatedAt)); err != nil {
				return err
			}
			// Followed again: no longer on its way to being forgotten.
			_, err := tx.ExecContext(ctx, `UPDATE threads SET unfollowed_at = NULL WHERE name = ? AND unfollowed_at IS NOT NULL`, f.Thread)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("sqlite: add follow of %q in %s/%s: %w", f.Thread, f.Platform, f.Channel, err)
	}
	return nil
}

// RemoveFollow deletes a follow; ErrNotFound when there was none.
func (s *Store) RemoveFollow(ctx context.Context, platform, channel, thread string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM follows WHERE platform = ? AND channel = ? AND thread = ?`, platform, channel, thread)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: remove follow of %q in %s/%s: %w", thread, platform, channel, err)
	}
	return nil
}

// Follows lists the follows of a channel, of a platform (channel ""), or all
// (both ""), by thread name.
func (s *Store) Follows(ctx context.Context, platform, channel string) ([]store.Follow, error) {
	query := `SELECT platform, channel, thread, schedule, created_by, created_at FROM follows`
	var args []any
	switch {
	case platform != "" && channel != "":
		query += ` WHERE platform = ? AND channel = ?`
		args = append(args, platform, channel)
	case platform != "":
		query += ` WHERE platform = ?`
		args = append(args, platform)
	case channel != "":
		query += ` WHERE channel = ?`
		args = append(args, channel)
	}
	query += ` ORDER BY thread, platform, channel`
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: follows of %s/%s: %w", platform, channel, err)
	}
	defer rows.Close()
	var fs []store.Follow
	for rows.Next() {
		var f store.Follow
		var created sql.NullInt64
		if err := rows.Scan(&f.Platform, &f.Channel, &f.Thread, &f.Schedule, &f.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("sqlite: follows of %s/%s: %w", platform, channel, err)
		}
		f.CreatedAt = fromMicros(created)
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: follows of %s/%s: %w", platform, channel, err)
	}
	return fs, nil
}
