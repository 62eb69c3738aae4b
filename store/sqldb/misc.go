package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

var (
	// acquireLease takes or renews a lease with one INSERT … ON CONFLICT DO
	// UPDATE … WHERE: concurrent attempts queue on the row (or the
	// database's write lock), and each sees the lease as the previous one
	// left it, so of replicas racing for an expired lease exactly one gets
	// it.
	acquireLease = query(`INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.holder = excluded.holder OR leases.until <= ?`)
	releaseLease   = query(`DELETE FROM leases WHERE name = ? AND holder = ?`)
	sourceState    = query(`SELECT state FROM source_states WHERE thread = ?`)
	setSourceState = query(`INSERT INTO source_states (thread, state) VALUES (?, ?)
		ON CONFLICT (thread) DO UPDATE SET state = excluded.state`)
	addFollow = query(`INSERT INTO follows (platform, channel, thread, schedule, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, channel, thread) DO UPDATE SET
		schedule = excluded.schedule, created_by = excluded.created_by, created_at = excluded.created_at`)
	// refollowed: a thread followed again is no longer on its way to being
	// forgotten. Clearing unfollowed_at in the follow's transaction also
	// keeps a concurrent Prune from forgetting the thread: its DELETE waits
	// for this row and then finds unfollowed_at NULL.
	refollowed   = query(`UPDATE threads SET unfollowed_at = NULL WHERE name = ? AND unfollowed_at IS NOT NULL`)
	removeFollow = query(`DELETE FROM follows WHERE platform = ? AND channel = ? AND thread = ?`)
	followsFrom  = `SELECT platform, channel, thread, schedule, created_by, created_at FROM follows`
	followsOrder = ` ORDER BY thread{byte order}, platform{byte order}, channel{byte order}`
	allFollows   = query(followsFrom + followsOrder)
	followsOfCh  = query(followsFrom + ` WHERE platform = ? AND channel = ?` + followsOrder)
	followsOfPl  = query(followsFrom + ` WHERE platform = ?` + followsOrder)
	followsInCh  = query(followsFrom + ` WHERE channel = ?` + followsOrder)
)

// AcquireLease takes or renews the named lease (e.g. "poll:THREAD") for
// holder until now+ttl, and reports whether holder has it. A lease held by
// another holder is taken only after it expired.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if err := rules.CheckLease(name, holder); err != nil {
		return false, s.errorf(err, "acquire lease %q for %q", name, holder)
	}
	var got bool
	err := s.write(ctx, func(o on) error {
		n, err := o.affected(ctx, acquireLease, name, holder, s.timeArg(now.Add(ttl)), s.timeArg(now))
		got = n == 1
		return err
	})
	if err != nil {
		return false, s.errorf(err, "acquire lease %q for %s", name, holder)
	}
	return got, nil
}

// ReleaseLease gives the lease up if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	err := s.write(ctx, func(o on) error {
		_, err := o.exec(ctx, releaseLease, name, holder)
		return err
	})
	if err != nil {
		return s.errorf(err, "release lease %q for %s", name, holder)
	}
	return nil
}

// SourceState returns what a live source remembers between polls
// (cursor, ETag, failure count) as an opaque string; "" when none.
func (s *Store) SourceState(ctx context.Context, thread string) (string, error) {
	var state []byte
	err := s.reads().queryRow(ctx, sourceState, thread).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", s.errorf(err, "source state of thread %q", thread)
	}
	return string(state), nil
}

// SetSourceState replaces it. The thread must exist (else store.ErrNotFound).
func (s *Store) SetSourceState(ctx context.Context, thread, state string) error {
	err := s.write(ctx, func(o on) error {
		_, err := o.exec(ctx, setSourceState, thread, nonNil([]byte(state)))
		return s.threadMissing(err, thread)
	})
	if err != nil {
		return s.errorf(err, "set source state of thread %q", thread)
	}
	return nil
}

// AddFollow records a follow; an existing (platform, channel, thread)
// follow is replaced. The thread must exist (else store.ErrNotFound); it is
// followed again from then on, so Prune no longer counts it unfollowed.
func (s *Store) AddFollow(ctx context.Context, f store.Follow) error {
	err := rules.CheckFollow(f)
	if err == nil {
		err = s.writeTx(ctx, false, func(o on) error {
			if _, err := o.exec(ctx, addFollow, f.Platform, f.Channel, f.Thread, f.Schedule, f.CreatedBy, s.timeArg(f.CreatedAt)); err != nil {
				return s.threadMissing(err, f.Thread)
			}
			_, err := o.exec(ctx, refollowed, f.Thread)
			return err
		})
	}
	if err != nil {
		return s.errorf(err, "add follow of %q in %s/%s", f.Thread, f.Platform, f.Channel)
	}
	return nil
}

// RemoveFollow deletes it; store.ErrNotFound when there was none.
func (s *Store) RemoveFollow(ctx context.Context, platform, channel, thread string) error {
	err := s.write(ctx, func(o on) error {
		n, err := o.affected(ctx, removeFollow, platform, channel, thread)
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return s.errorf(err, "remove follow of %q in %s/%s", thread, platform, channel)
	}
	return nil
}

// Follows lists follows of a channel ("" platform and channel: all; ""
// channel: all of the platform), ordered by thread name (byte order).
func (s *Store) Follows(ctx context.Context, platform, channel string) ([]store.Follow, error) {
	var rows *sql.Rows
	var err error
	switch o := s.reads(); {
	case platform != "" && channel != "":
		rows, err = o.query(ctx, followsOfCh, platform, channel)
	case platform != "":
		rows, err = o.query(ctx, followsOfPl, platform)
	case channel != "":
		rows, err = o.query(ctx, followsInCh, channel)
	default:
		rows, err = o.query(ctx, allFollows)
	}
	if err != nil {
		return nil, s.errorf(err, "follows of %s/%s", platform, channel)
	}
	fs, err := collect(rows, func(row interface{ Scan(...any) error }) (store.Follow, error) {
		var f store.Follow
		err := row.Scan(&f.Platform, &f.Channel, &f.Thread, &f.Schedule, &f.CreatedBy, dbTime{&f.CreatedAt})
		return f, err
	})
	if err != nil {
		return nil, s.errorf(err, "follows of %s/%s", platform, channel)
	}
	return fs, nil
}
