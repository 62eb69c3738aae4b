// Package postgres keeps threaddigest's state in PostgreSQL through pgx, so
// that several replicas of the service can share it. Replicas coordinate only
// through the database. It connects, brings the schema up to date and gives
// store/sqldb, which is the store, PostgreSQL's dialect; pgx's database/sql
// adapter carries the statements, and COPY goes to pgx itself.
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
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
	"github.com/threaddigest/threaddigest/store/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune the store; the zero value is the default.
type Options struct {
	// PoolSize is the most connections the store opens; default pgxpool's
	// (4 or the number of CPUs, whichever is more, unless the URL's
	// pool_max_conns says). Each replica needs only a few: a digest run or
	// a poll holds a connection for milliseconds.
	PoolSize int
	// Logger receives the store's few log lines (migrations); nil discards.
	Logger *slog.Logger
}

// Open connects to the database at url (postgres://… or postgresql://…),
// creates the schema when missing and brings it up to date.
func Open(ctx context.Context, url string, opts Options) (*sqldb.Store, error) {
	s, _, err := open(ctx, url, opts)
	return s, err
}

// open opens the store and returns its pools too, for tests.
func open(ctx context.Context, url string, opts Options) (*sqldb.Store, sqldb.Handles, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg, schema, err := parseURL(url)
	if err != nil {
		return nil, sqldb.Handles{}, fmt.Errorf("postgres: open: %w", err)
	}
	size := int(cfg.MaxConns)
	if opts.PoolSize > 0 {
		size = opts.PoolSize
	}
	// database/sql keeps the connections, and on each the statements the
	// store prepared; pgx speaks to the server.
	var h sqldb.Handles
	h.Write = stdlib.OpenDB(*cfg.ConnConfig)
	h.Write.SetMaxOpenConns(size)
	h.Write.SetMaxIdleConns(size)
	h.Write.SetConnMaxLifetime(cfg.MaxConnLifetime)
	h.Write.SetConnMaxIdleTime(cfg.MaxConnIdleTime)
	// The health check has a connection of its own, opened when first
	// needed and again after it is lost, so that it never queues behind a
	// pool that busy work has filled.
	h.Health = stdlib.OpenDB(*cfg.ConnConfig)
	h.Health.SetMaxOpenConns(1)
	h.Health.SetMaxIdleConns(1)
	closeAll := func() {
		h.Write.Close()
		h.Health.Close()
	}
	if err := migrate(ctx, h.Write, schema, opts.Logger); err != nil {
		closeAll()
		return nil, h, fmt.Errorf("postgres: open %s: %w", describe(cfg.ConnConfig), err)
	}
	return sqldb.New(dialect(schema), h, describe(cfg.ConnConfig)), h, nil
}

// copyFromRows is the number of new comments from which they are sent with
// COPY rather than INSERTs.
const copyFromRows = 64

// dialect is how PostgreSQL differs: $N parameters, timestamptz, comment
// text and source state as bytea (text cannot hold NUL bytes or invalid
// UTF-8), row locks, byte-order collation to sort as SQLite does, arrays
// for lists, COPY for big batches, and an advisory lock per digest and
// destination for claims.
func dialect(schema string) sqldb.Dialect {
	return sqldb.Dialect{
		Name:           "postgres",
		Numbered:       true,
		Time:           func(t time.Time) any { return rules.Time(t) },
		Text:           func(s string) any { return bs(s) },
		ForUpdate:      " FOR UPDATE",
		ForNoKeyUpdate: " FOR NO KEY UPDATE",
		ByteOrder:      ` COLLATE "C"`,
		Snapshot:       sql.LevelRepeatableRead,
		List: func(vals []string, bytes bool) any {
			if !bytes {
				return vals
			}
			out := make([][]byte, len(vals))
			for i, v := range vals {
				out[i] = bs(v)
			}
			return out
		},
		Replan:    []any{pgx.QueryExecModeExec},
		NamesCond: "name = ANY(?)",
		Names:     func(names []string) any { return names },
		LockClaims: func(ctx context.Context, tx *sql.Tx, key string) error {
			_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
				fmt.Sprintf("threaddigest claim %d:%s %s", len(schema), schema, key))
			return err
		},
		CopyFrom:     copyFrom,
		CopyFromRows: copyFromRows,
		IsForeignKeyViolation: func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == "23503" // foreign_key_violation
		},
	}
}

// copyFrom sends rows with COPY on conn, within the transaction it runs.
func copyFrom(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy: the connection is a %T, not pgx's", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		return err
	})
}

// bs is s as bytea: never nil, which would be sent as NULL.
func bs(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return []byte(s)
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
		return store.SchemaStatus{}, fmt.Errorf("postgres: schema status of %s: %w", describe(cfg.ConnConfig), err)
	}
	defer conn.Close(ctx)
	var table *string
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1)::text`, pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&table); err != nil {
		return store.SchemaStatus{}, fmt.Errorf("postgres: schema status of %s: %w", describe(cfg.ConnConfig), err)
	}
	current := 0
	if table != nil {
		if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return store.SchemaStatus{}, fmt.Errorf("postgres: schema status of %s: %w", describe(cfg.ConnConfig), err)
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
func describe(c *pgx.ConnConfig) string {
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

// migrate applies the embedded migrations not yet applied. Replicas started
// together all get here at once: a transaction-scoped advisory lock keyed by
// the schema lets one apply them while the others wait, then find nothing
// left to do. DDL is transactional in PostgreSQL, so a failed migration
// leaves nothing half-applied.
func migrate(ctx context.Context, db *sql.DB, schema string, log *slog.Logger) error {
	ms, err := rules.Migrations(migrations)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "threaddigest migrate "+schema); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("migrate: create schema %q: %w", schema, err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	pending, err := rules.Pending(ms, current)
	if err != nil {
		return fmt.Errorf("migrate: schema %q is at %w", schema, err)
	}
	for _, m := range pending {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate: apply %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			return fmt.Errorf("migrate: record %s: %w", m.Name, err)
		}
		log.Info("store migrated", "store", "postgres", "schema", schema, "migration", m.Name)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
