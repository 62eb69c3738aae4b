// Package sqlite keeps threaddigest's state in an SQLite file, through the
// pure-Go driver modernc.org/sqlite, so that no C toolchain is needed. It is
// the default store: one process serving one team. It opens the file,
// brings its schema up to date and gives store/sqldb, which is the store,
// SQLite's dialect.
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
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	msqlite "modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
	"github.com/threaddigest/threaddigest/store/sqldb"
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

// Memory is the path of a private in-memory database, gone when the store is
// closed.
const Memory = ":memory:"

// Open opens or creates the database file at path (or Memory) and brings its
// schema up to date.
func Open(ctx context.Context, path string, opts Options) (*sqldb.Store, error) {
	s, _, err := open(ctx, path, opts)
	return s, err
}

// open opens the store and returns its pools too, for tests.
func open(ctx context.Context, path string, opts Options) (*sqldb.Store, sqldb.Handles, error) {
	if path == "" {
		return nil, sqldb.Handles{}, errors.New("sqlite: open: empty database path")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// synchronous=FULL makes every commit durable before it returns, power
	// loss included: a run recorded as posting must still say so after a
	// crash, or its slot would be taken over and posted a second time.
	common := "_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	var h sqldb.Handles
	var err error
	if path == Memory {
		// Each connection to :memory: is a database of its own, so the store
		// has exactly one, kept open for its whole life.
		h.Write, err = sql.Open("sqlite", "file::memory:?"+common+"&_txlock=immediate")
		if err != nil {
			return nil, h, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		h.Write.SetMaxOpenConns(1)
		h.Write.SetMaxIdleConns(1)
		h.Write.SetConnMaxLifetime(0)
		h.Write.SetConnMaxIdleTime(0)
		h.Read, h.Health = h.Write, h.Write
	} else {
		// Writes share one connection, so that they queue in Go rather
		// than spin on the file lock; reads use a pool of their own and,
		// in WAL mode, never wait for a writer; the health check has a
		// connection of its own, so that it never queues behind reads
		// that fill the read pool.
		uri := "file:" + escapePath(path) + "?" + common + "&_pragma=journal_mode(WAL)"
		h.Write, err = sql.Open("sqlite", uri+"&_txlock=immediate&_pragma=cache_size(-32768)")
		if err != nil {
			return nil, h, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		h.Write.SetMaxOpenConns(1)
		h.Read, err = sql.Open("sqlite", uri+"&_pragma=query_only(1)")
		if err != nil {
			h.Write.Close()
			return nil, h, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		h.Read.SetMaxOpenConns(readers)
		h.Read.SetMaxIdleConns(readers)
		h.Health, err = sql.Open("sqlite", uri+"&_pragma=query_only(1)")
		if err != nil {
			h.Write.Close()
			h.Read.Close()
			return nil, h, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		h.Health.SetMaxOpenConns(1)
		h.Health.SetMaxIdleConns(1)
	}
	closeAll := func() {
		h.Write.Close()
		if h.Read != h.Write {
			h.Read.Close()
			h.Health.Close()
		}
	}
	if err := migrate(ctx, h.Write, path, opts.Logger); err != nil {
		closeAll()
		return nil, h, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return sqldb.New(dialect, h, path), h, nil
}

// dialect is how SQLite differs: ? parameters, times as microseconds,
// comment text as TEXT, no row locks (every write transaction holds the
// write lock from its start), lists written out.
var dialect = sqldb.Dialect{
	Name: "sqlite",
	Time: func(t time.Time) any { return rules.Time(t).UnixMicro() },
	Text: func(s string) any { return s },
	// Every write begins immediately, taking the write lock before it
	// reads: a lone statement that read before it wrote could otherwise
	// fail to upgrade its lock when another process wrote in between.
	WriteTx: true,
	// SQLite allows 32,766 parameters, and shorter statements plan faster.
	MaxList: 500,
	// A big batch (a first read of a large file) reads the thread once
	// rather than by ids.
	ScanThread: 2000,
	NamesCond:  "name IN (SELECT value FROM json_each(?))",
	Names: func(names []string) any {
		b, _ := json.Marshal(names) // names are checked: UTF-8, no NUL
		return string(b)
	},
	IsForeignKeyViolation: func(err error) bool {
		var se *msqlite.Error
		return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	},
	// The file is a database with the store's schema.
	PingQuery: "SELECT count(*) FROM schema_migrations",
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

// migrate applies the embedded migrations not yet applied, in one write
// transaction, so that two processes starting at once apply each exactly once.
func migrate(ctx context.Context, db *sql.DB, path string, log *slog.Logger) error {
	ms, err := rules.Migrations(migrations)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
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
		log.Info("store migrated", "store", "sqlite", "path", path, "migration", m.Name)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
