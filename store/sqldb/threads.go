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
	saveThread = query(`INSERT INTO threads (name, source, target, title, url) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET source = excluded.source, target = excluded.target,
			title = excluded.title, url = excluded.url, version = threads.version + 1
		WHERE (threads.source, threads.target, threads.title, threads.url)
			IS DISTINCT FROM (excluded.source, excluded.target, excluded.title, excluded.url)`)
	threadByName = query(`SELECT name, source, target, title, url, active_at FROM threads WHERE name = ?`)
	allThreads   = query(`SELECT name, source, target, title, url, active_at FROM threads ORDER BY name{byte order}`)
	threadVer    = query(`SELECT version FROM threads WHERE name = ?`)
	// markActive never moves active_at back in time.
	markActive = query(`UPDATE threads SET active_at = CASE WHEN active_at IS NULL OR active_at < ? THEN ? ELSE active_at END
		WHERE name = ?`)
)

// SaveThread creates or updates a thread by name. An actual change to
// any field bumps the thread's version (a cached digest shows them); an
// unchanged save does not.
func (s *Store) SaveThread(ctx context.Context, t store.ThreadRecord) error {
	if err := rules.CheckThread(t); err != nil {
		return s.errorf(err, "save thread")
	}
	t.Title, t.URL = rules.CleanText(t.Title), rules.CleanText(t.URL)
	err := s.write(ctx, func(o on) error {
		_, err := o.exec(ctx, saveThread, t.Name, t.Source, t.Target, t.Title, t.URL)
		return err
	})
	if err != nil {
		return s.errorf(err, "save thread %q", t.Name)
	}
	return nil
}

func scanThread(row interface{ Scan(...any) error }) (store.ThreadRecord, error) {
	var t store.ThreadRecord
	err := row.Scan(&t.Name, &t.Source, &t.Target, &t.Title, &t.URL, dbTime{&t.ActiveAt})
	return t, err
}

// Thread returns the thread by name, or store.ErrNotFound.
func (s *Store) Thread(ctx context.Context, name string) (store.ThreadRecord, error) {
	t, err := scanThread(s.reads().queryRow(ctx, threadByName, name))
	if errors.Is(err, sql.ErrNoRows) {
		return store.ThreadRecord{}, s.errorf(store.ErrNotFound, "thread %q", name)
	}
	if err != nil {
		return store.ThreadRecord{}, s.errorf(err, "thread %q", name)
	}
	return t, nil
}

// Threads lists all threads by name.
func (s *Store) Threads(ctx context.Context) ([]store.ThreadRecord, error) {
	rows, err := s.reads().query(ctx, allThreads)
	if err != nil {
		return nil, s.errorf(err, "threads")
	}
	ts, err := collect(rows, scanThread)
	if err != nil {
		return nil, s.errorf(err, "threads")
	}
	return ts, nil
}

// ThreadVersion increases whenever a comment of the thread is added,
// changed or deleted; caches of digests compare it to know they are stale.
// A new thread is at 0; an upsert that changes nothing leaves it.
// store.ErrNotFound for an unknown thread.
func (s *Store) ThreadVersion(ctx context.Context, thread string) (int64, error) {
	var v int64
	err := s.reads().queryRow(ctx, threadVer, thread).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, s.errorf(store.ErrNotFound, "version of thread %q", thread)
	}
	if err != nil {
		return 0, s.errorf(err, "version of thread %q", thread)
	}
	return v, nil
}

// MarkActive sets the thread's ActiveAt to now (never back in time): a
// thread that had gone quiet is polled again. store.ErrNotFound for an unknown
// thread.
func (s *Store) MarkActive(ctx context.Context, thread string, now time.Time) error {
	err := s.write(ctx, func(o on) error {
		n, err := o.affected(ctx, markActive, s.timeArg(now), s.timeArg(now), thread)
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return s.errorf(err, "mark thread %q active", thread)
	}
	return nil
}

// collect reads every row with scan.
func collect[T any](rows *sql.Rows, scan func(row interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
