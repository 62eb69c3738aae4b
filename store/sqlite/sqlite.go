// Package sqlite keeps threaddigest's state in an SQLite file, through the
// pure-Go driver modernc.org/sqlite, so that no C toolchain is needed. It is
// the default store: one process serving one team.
//
// Every write runs in a BEGIN IMMEDIATE transaction, which takes SQLite's
// write lock before reading anything. Reads inside a write transaction (is
// this run claimed? is this comment stored?) therefore see the latest state
// and nobody can change it before the transaction commits — also when two
// processes were started on one file by mistake: the second waits for the
// lock (busy_timeout) instead of claiming the same slot. Within a process the
// writes share one connection, so they queue in Go rather than spin on the
// file lock; reads use a separate pool and, in WAL mode, never wait for a
// writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune the store; the zero value is the default.
type Options struct {
	// Logger receives the store's few log lines (migrations); nil discards.
	Logger *slog.Logger
}

const (
	// busyTimeout is how long a write waits for another process holding
	// the file's write lock before failing.
	busyTimeout = 10 * time.Second
	// readers is the number of read connections of a file. An in-memory
	// database has one connection for everything.
	readers = 4
)

// Store is an SQLite store. It implements store.Store.
type Store struct {
	name  string
	write *sql.DB
	read  *sql.DB
	// health is a connection of its own for Ping, so that a health check
	// never queues behind reads that fill the read pool.
	health *sql.DB
	log    *slog.Logger
}

var _ store.Store = (*Store)(nil)

// Memory is the path of a private in-memory database, gone when the store is
// closed.
const Memory = ":memory:"

// Open opens or creates the database file at path (or Memory) and brings its
// schema up to date.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty database path")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{name: path, log: opts.Logger}
	// synchronous=FULL makes every commit durable before it returns, power
	// loss included: a run recorded as posting must still say so after a
	// crash, or its slot would be taken over and posted a second time.
	common := "_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	var err error
	if path == Memory {
		// Each connection to :memory: is a database of its own, so the store
		// has exactly one, kept open for its whole life.
		s.write, err = sql.Open("sqlite", "file::memory:?"+common+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		s.write.SetMaxOpenConns(1)
		s.write.SetMaxIdleConns(1)
		s.write.SetConnMaxLifetime(0)
		s.write.SetConnMaxIdleTime(0)
		s.read = s.write
		s.health = s.write
	} else {
		uri := "file:" + escapePath(path) + "?" + common + "&_pragma=journal_mode(WAL)"
		s.write, err = sql.Open("sqlite", uri+"&_txlock=immediate&_pragma=cache_size(-32768)")
		if err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		s.write.SetMaxOpenConns(1)
		s.read, err = sql.Open("sqlite", uri+"&_pragma=query_only(1)")
		if err != nil {
			s.write.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		s.read.SetMaxOpenConns(readers)
		s.read.SetMaxIdleConns(readers)
		s.health, err = sql.Open("sqlite", uri+"&_pragma=query_only(1)")
		if err != nil {
			s.write.Close()
			s.read.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		s.health.SetMaxOpenConns(1)
		s.health.SetMaxIdleConns(1)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

// Status says where the schema of the database file at path stands and which
// migrations Open would apply, changing nothing (`threaddigest migrate
// --dry-run`): the file is opened read-only, and a missing file is reported
// as such, not created.
func Status(ctx context.Context, path string) (store.SchemaStatus, error) {
	ms, err := rules.Migrations(migrations)
	if err != nil {
		return store.SchemaStatus{}, fmt.Errorf("sqlite: schema status: %w", err)
	}
	if path == Memory {
		st, err := rules.Status(ms, 0)
		st.Missing = true
		return st, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		st, err := rules.Status(ms, 0)
		st.Missing = true
		return st, err
	} else if err != nil {
		return store.SchemaStatus{}, fmt.Errorf("sqlite: schema status of %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro&_pragma=busy_timeout("+
		strconv.FormatInt(busyTimeout.Milliseconds(), 10)+")")
	if err != nil {
		return store.SchemaStatus{}, fmt.Errorf("sqlite: schema status of %s: %w", path, err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return store.SchemaStatus{}, fmt.Errorf("sqlite: schema status of %s: %w", path, err)
	}
	current := 0
	if tables > 0 {
		if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return store.SchemaStatus{}, fmt.Errorf("sqlite: schema status of %s: %w", path, err)
		}
	}
	st, err := rules.Status(ms, current)
	if err != nil {
		return st, fmt.Errorf("sqlite: %s is at schema %w", path, err)
	}
	return st, nil
}

// escapePath makes a file path safe inside an SQLite URI, where '?' starts
// the parameters, '#' a fragment and '%' an escape.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Close closes the database.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close(), s.health.Close())
	}
	if err != nil {
		return fmt.Errorf("sqlite: close %s: %w", s.name, err)
	}
	return nil
}

// Ping checks that the database file answers, for health checks, on a
// connection of its own: it does not wait for the read pool, however busy
// (an in-memory database has one connection for everything).
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.health.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return fmt.Errorf("sqlite: ping %s: %w", s.name, err)
	}
	return nil
}

// migrate applies the embedded migrations not yet applied, in one write
// transaction, so that two processes starting at once apply each exactly once.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := rules.Migrations(migrations)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		pending, err := rules.Pending(ms, current)
		if err != nil {
			return fmt.Errorf("migrate: the database is at schema %w", err)
		}
		for _, m := range pending {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate: apply %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("migrate: record %s: %w", m.Name, err)
			}
			s.log.Info("store migrated", "store", "sqlite", "path", s.name, "migration", m.Name)
		}
		return nil
	})
}

// writeTx runs fn in a BEGIN IMMEDIATE transaction on the write connection.
func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// micros is how a time is stored: microseconds since the epoch, NULL for
// the zero time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return rules.Time(t).UnixMicro()
}

func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// SaveThread creates or updates a thread. A change to any field bumps the
// thread's version, since a cached digest shows the title and target.
func (s *Store) SaveThread(ctx context.Context, t store.ThreadRecord) error {
	if err := rules.CheckThread(t); err != nil {
		return fmt.Errorf("sqlite: save thread: %w", err)
	}
	t.Title, t.URL = rules.CleanText(t.Title), rules.CleanText(t.URL)
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO threads (name, source, target, title, url) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET source = excluded.source, target = excluded.target,
				title = excluded.title, url = excluded.url, version = threads.version + 1
			WHERE (threads.source, threads.target, threads.title, threads.url)
				IS NOT (excluded.source, excluded.target, excluded.title, excluded.url)`,
			t.Name, t.Source, t.Target, t.Title, t.URL)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: save thread %q: %w", t.Name, err)
	}
	return nil
}

// Thread returns the thread by name.
func (s *Store) Thread(ctx context.Context, name string) (store.ThreadRecord, error) {
	var t store.ThreadRecord
	var active sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT name, source, target, title, url, active_at FROM threads WHERE name = ?`, name).
		Scan(&t.Name, &t.Source, &t.Target, &t.Title, &t.URL, &active)
	t.ActiveAt = fromMicros(active)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ThreadRecord{}, fmt.Errorf("sqlite: thread %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return store.ThreadRecord{}, fmt.Errorf("sqlite: thread %q: %w", name, err)
	}
	return t, nil
}

// Threads lists every thread by name.
func (s *Store) Threads(ctx context.Context) ([]store.ThreadRecord, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name, source, target, title, url, active_at FROM threads ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: threads: %w", err)
	}
	defer rows.Close()
	var ts []store.ThreadRecord
	for rows.Next() {
		var t store.ThreadRecord
		var active sql.NullInt64
		if err := rows.Scan(&t.Name, &t.Source, &t.Target, &t.Title, &t.URL, &active); err != nil {
			return nil, fmt.Errorf("sqlite: threads: %w", err)
		}
		t.ActiveAt = fromMicros(active)
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: threads: %w", err)
	}
	return ts, nil
}

// ThreadVersion returns the thread's version.
func (s *Store) ThreadVersion(ctx context.Context, thread string) (int64, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, `SELECT version FROM threads WHERE name = ?`, thread).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlite: version of thread %q: %w", thread, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: version of thread %q: %w", thread, err)
	}
	return v, nil
}

// MarkActive sets the thread's active_at to now, never back in time.
func (s *Store) MarkActive(ctx context.Context, thread string, now time.Time) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE threads SET active_at = MAX(COALESCE(active_at, ?1), ?1) WHERE name = ?2`,
			micros(now), thread)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: mark thread %q active: %w", thread, err)
	}
	return nil
}
