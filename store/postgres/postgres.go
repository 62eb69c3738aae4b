// Package postgres keeps threaddigest's state in PostgreSQL through pgx, so
// that several replicas of the service can share it. Replicas coordinate only
// through the database.
//
// How the replicas share the work, and why:
//
// Digest slots and thread polls are guarded by leases: rows that name a
// holder and a time until which it holds them, written by one atomic
// statement each (INSERT … ON CONFLICT, or a row lock held for a few
// milliseconds while the row is read and rewritten). A holder that dies simply
// stops renewing, and the work passes on once its lease has expired.
//
// We chose leases over the alternatives because of what a digest post is: an
// HTTP call to Slack or Discord that can take seconds and be retried with
// backoff. SELECT … FOR UPDATE SKIP LOCKED and advisory locks both hold a lock
// only as long as a transaction or a session; to guard a post they would have
// to keep a transaction and a pooled connection open across the HTTP call,
// and the lock would vanish silently with the connection (a network blip, a
// transaction-pooling PgBouncer) while the post went on. Above all, a lock
// leaves no record: after a crash nobody could tell a slot that was never sent
// from one that was sent but not confirmed. The run row records it — claimed
// (never sent, safe to take over) or posting (maybe sent: marked uncertain,
// never sent twice) — and works the same on SQLite. Advisory locks are used for
// two things, each for the milliseconds of one transaction: serialising the
// migrations of replicas starting together, and serialising the claims of one
// digest and destination, so that one of its runs is in flight at a time.
//
// The schema is the first of search_path in the URL (else "public"), so
// that tests can each use a fresh schema and drop it at the end, and several
// deployments can share one database.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune the store; the zero value is the default.
type Options struct {
	// PoolSize is the most connections the store opens; default pgxpool's
	// (4 or the number of CPUs, whichever is more). Each replica needs only a
	// few: a digest run or a poll holds a connection for milliseconds.
	PoolSize int
	// Logger receives the store's few log lines (migrations); nil discards.
	Logger *slog.Logger
}

// Store is a PostgreSQL store. It implements store.Store.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	log    *slog.Logger

	// health is a connection of its own for Ping, opened when first needed
	// and again after it fails, so that a health check never queues behind
	// a pool that busy work has filled.
	healthMu sync.Mutex
	health   *pgx.Conn
	connCfg  *pgx.ConnConfig
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://… or postgresql://…),
// creates the schema when missing and brings it up to date.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg, schema, err := parseURL(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if opts.PoolSize > 0 {
		cfg.MaxConns = int32(opts.PoolSize)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", describe(cfg), err)
	}
	s := &Store{pool: pool, schema: schema, log: opts.Logger, connCfg: cfg.ConnConfig.Copy()}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", describe(cfg), err)
	}
	return s, nil
}

// CheckURL checks a connection URL without connecting: that it parses and
// that the schema it names can be a schema. Errors never show the password.
func CheckURL(url string) error {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("cannot parse the connection URL: %w", redactErr(err, url))
	}
	if schema := firstSchema(cfg.ConnConfig.RuntimeParams["search_path"]); schema != "" {
		if err := rules.CheckName("schema", schema); err != nil {
			return err
		}
	}
	return nil
}

// parseURL reads a connection URL and the schema the store's tables live
// in: the first of its search_path, else "public".
func parseURL(url string) (*pgxpool.Config, string, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message can include the URL; say what was wrong without it.
		return nil, "", fmt.Errorf("cannot parse the connection URL: %w", redactErr(err, url))
	}
	schema := firstSchema(cfg.ConnConfig.RuntimeParams["search_path"])
	if schema == "" {
		schema = "public"
	}
	if err := rules.CheckName("schema", schema); err != nil {
		return nil, "", err
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	return cfg, schema, nil
}

// Status says where the schema of the database at url stands and which
// migrations Open would apply, changing nothing (`threaddigest migrate
// --dry-run`).
func Status(ctx context.Context, url string) (store.SchemaStatus, error) {
	cfg, schema, err := parseURL(url)
	if err != nil {
		return store.SchemaStatus{}, fmt.Errorf("postgres: schema status: %w", err)
	}
	ms, err := rules.Migrations(migrations)
	if err != nil {
		return store.SchemaStatus{}, fmt.Errorf("postgres: schema status: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return store.SchemaStatus{}, fmt.Errorf("postgres: schema status of %s: %w", describe(cfg), err)
	}
	defer conn.Close(ctx)
	var table *string
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1)::text`, pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&table); err != nil {
		return store.SchemaStatus{}, fmt.Errorf("postgres: schema status of %s: %w", describe(cfg), err)
	}
	current := 0
	if table != nil {
		if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return store.SchemaStatus{}, fmt.Errorf("postgres: schema status of %s: %w", describe(cfg), err)
		}
	}
	st, err := rules.Status(ms, current)
	if err != nil {
		return st, fmt.Errorf("postgres: schema %q is at %w", schema, err)
	}
	st.Missing = table == nil
	return st, nil
}

// redactErr removes the URL's password from an error about it: pgx and
// net/url quote the URL they could not parse.
func redactErr(err error, url string) error {
	_, rest, ok := strings.Cut(url, "://")
	if !ok {
		return err
	}
	userinfo, _, ok := strings.Cut(rest, "@")
	if !ok {
		return err
	}
	_, password, ok := strings.Cut(userinfo, ":")
	if !ok || password == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), password, "xxxxx"))
}

// describe names the database without credentials: user@host:port/db.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// firstSchema returns the first schema named in a search_path value.
func firstSchema(searchPath string) string {
	first, _, _ := strings.Cut(searchPath, ",")
	first = strings.TrimSpace(first)
	if len(first) >= 2 && first[0] == '"' && first[len(first)-1] == '"' {
		first = strings.ReplaceAll(first[1:len(first)-1], `""`, `"`)
	}
	return first
}

// Close closes the pool and the health connection.
func (s *Store) Close() error {
	s.pool.Close()
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	if s.health != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.health.Close(ctx)
		s.health = nil
	}
	return nil
}

// Ping checks that the database answers, for health checks, on a
// connection of its own (see Store.health): it does not wait for the pool.
func (s *Store) Ping(ctx context.Context) error {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	if s.health == nil || s.health.IsClosed() {
		c, err := pgx.ConnectConfig(ctx, s.connCfg)
		if err != nil {
			return fmt.Errorf("postgres: ping: %w", err)
		}
		s.health = c
	}
	if err := s.health.Ping(ctx); err != nil {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.health.Close(cctx)
		s.health = nil
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// migrate applies the embedded migrations not yet applied. Replicas started
// together all get here at once: a transaction-scoped advisory lock keyed by
// the schema lets one apply them while the others wait, then find nothing
// left to do. DDL is transactional in PostgreSQL, so a failed migration
// leaves nothing half-applied.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := rules.Migrations(migrations)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "threaddigest migrate "+s.schema); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
			return fmt.Errorf("migrate: create schema %q: %w", s.schema, err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		pending, err := rules.Pending(ms, current)
		if err != nil {
			return fmt.Errorf("migrate: schema %q is at %w", s.schema, err)
		}
		for _, m := range pending {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate: apply %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("migrate: record %s: %w", m.Name, err)
			}
			s.log.Info("store migrated", "store", "postgres", "schema", s.schema, "migration", m.Name)
		}
		return nil
	})
}

// ts is how a time is passed: UTC to the microsecond, NULL for the zero time.
func ts(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: rules.Time(t), Valid: true}
}

func fromTS(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// SaveThread creates or updates a thread. A change to any field bumps the
// thread's version, since a cached digest shows the title and target.
func (s *Store) SaveThread(ctx context.Context, t store.ThreadRecord) error {
	if err := rules.CheckThread(t); err != nil {
		return fmt.Errorf("postgres: save thread: %w", err)
	}
	t.Title, t.URL = rules.CleanText(t.Title), rules.CleanText(t.URL)
	_, err := s.pool.Exec(ctx, `INSERT INTO threads (name, source, target, title, url) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (name) DO UPDATE SET source = excluded.source, target = excluded.target,
			title = excluded.title, url = excluded.url, version = threads.version + 1
		WHERE (threads.source, threads.target, threads.title, threads.url)
			IS DISTINCT FROM (excluded.source, excluded.target, excluded.title, excluded.url)`,
		t.Name, t.Source, t.Target, t.Title, t.URL)
	if err != nil {
		return fmt.Errorf("postgres: save thread %q: %w", t.Name, err)
	}
	return nil
}

// Thread returns the thread by name.
func (s *Store) Thread(ctx context.Context, name string) (store.ThreadRecord, error) {
	var t store.ThreadRecord
	var active pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, `SELECT name, source, target, title, url, active_at FROM threads WHERE name = $1`, name).
		Scan(&t.Name, &t.Source, &t.Target, &t.Title, &t.URL, &active)
	t.ActiveAt = fromTS(active)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ThreadRecord{}, fmt.Errorf("postgres: thread %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return store.ThreadRecord{}, fmt.Errorf("postgres: thread %q: %w", name, err)
	}
	return t, nil
}

// Threads lists every thread by name, in byte order as SQLite does.
func (s *Store) Threads(ctx context.Context) ([]store.ThreadRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, source, target, title, url, active_at FROM threads ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres: threads: %w", err)
	}
	ts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ThreadRecord, error) {
		var t store.ThreadRecord
		var active pgtype.Timestamptz
		err := row.Scan(&t.Name, &t.Source, &t.Target, &t.Title, &t.URL, &active)
		t.ActiveAt = fromTS(active)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: threads: %w", err)
	}
	return ts, nil
}

// ThreadVersion returns the thread's version.
func (s *Store) ThreadVersion(ctx context.Context, thread string) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT version FROM threads WHERE name = $1`, thread).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("postgres: version of thread %q: %w", thread, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: version of thread %q: %w", thread, err)
	}
	return v, nil
}

// MarkActive sets the thread's active_at to now, never back in time.
func (s *Store) MarkActive(ctx context.Context, thread string, now time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE threads SET active_at = GREATEST(active_at, $1) WHERE name = $2`, ts(now), thread)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("postgres: mark thread %q active: %w", thread, err)
	}
	return nil
}
