// Package sqldb is threaddigest's store written once, on database/sql, for
// the two databases it runs on: store/sqlite and store/postgres open the
// database, bring its schema up to date and supply a Dialect, which says
// where the two differ (parameters, time and byte columns, row locks,
// how one digest's claims are serialised, COPY). The rules every store
// follows are the store package's; store/storetest checks them.
//
// Every statement the store runs is prepared once per connection and kept:
// parsing SQL is most of what a small statement costs SQLite.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/threaddigest/threaddigest/store"
)

// Dialect is what differs between the databases. The zero value of each
// field is SQLite's way where SQLite has one.
type Dialect struct {
	// Name starts every error: "sqlite", "postgres".
	Name string
	// Numbered writes parameters as $1, $2, … (PostgreSQL); else ?.
	Numbered bool
	// Time is how a time is passed to a time column; the zero time is
	// passed as nil (NULL). Times are scanned by the store, from either
	// microseconds since the epoch or a time.
	Time func(t time.Time) any
	// Text is how a comment's text is passed: a string to a TEXT column,
	// bytes to a bytea one (which keeps NUL bytes and invalid UTF-8).
	Text func(s string) any
	// ForUpdate and ForNoKeyUpdate end a SELECT of rows the transaction is
	// about to change, where the database locks rows; "" where a write
	// transaction holds the whole database (SQLite's write lock).
	ForUpdate, ForNoKeyUpdate string
	// ByteOrder follows a text column in ORDER BY to sort it byte by byte
	// (` COLLATE "C"`); "" where that is the default.
	ByteOrder string
	// Snapshot is the isolation of a read that must see one state.
	Snapshot sql.IsolationLevel
	// WriteTx runs every write in a transaction, also a single statement,
	// so that it takes the write lock before it reads (SQLite's BEGIN
	// IMMEDIATE); false lets a single statement commit on its own.
	WriteTx bool
	// List, when set, passes a list of values as one array parameter
	// (col = ANY(?)); bytes says the column is bytea. Without it a list
	// is written IN (?, ?, …), at most MaxList values a statement.
	List    func(vals []string, bytes bool) any
	MaxList int
	// ScanThread is the batch size from which UpsertComments reads the
	// thread's stored comments with one scan rather than by id; 0 never.
	ScanThread int
	// Replan are arguments put before those of the query reading a batch's
	// stored comments, which is then planned for its arguments each time
	// rather than prepared: a generic plan made while the table was small
	// would keep scanning it whole as the thread grows (PostgreSQL).
	Replan []any
	// NamesCond is the condition "name is one of the names passed" of
	// {names}, and Names the one argument it takes.
	NamesCond string
	Names     func(names []string) any
	// LockClaims serialises the claims of one digest and destination
	// (whose runs may not exist yet) within tx; nil where the transaction
	// already holds the database's write lock. key names the pair.
	LockClaims func(ctx context.Context, tx *sql.Tx, key string) error
	// CopyFrom, when set, inserts rows of at least CopyFromRows comments
	// through conn, on which the transaction runs (PostgreSQL's COPY).
	CopyFrom     func(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) error
	CopyFromRows int
	// IsForeignKeyViolation reports whether err is a row naming a thread
	// that does not exist.
	IsForeignKeyViolation func(err error) bool
	// PingQuery is what Ping asks the database, on the health connection;
	// "" pings the connection.
	PingQuery string
}

// Handles are the connection pools of a store. Read and Health may be
// Write itself.
type Handles struct {
	// Write runs writes.
	Write *sql.DB
	// Read runs reads outside transactions.
	Read *sql.DB
	// Health answers Ping on a connection of its own, so that a health
	// check never queues behind busy pools.
	Health *sql.DB
}

// Store keeps threaddigest's state in a database. It implements every
// method the store package describes; see store/storetest.
type Store struct {
	d      Dialect
	h      Handles
	target string // what errors about the database as a whole name
	// reader and writer are the statements prepared on the read and write
	// pools (one and the same where the pools are).
	reader *prepared
	writer *prepared
}

// New returns the store on the pools h, whose schema is up to date. target
// names the database in errors about it as a whole (a file, user@host/db).
func New(d Dialect, h Handles, target string) *Store {
	if h.Read == nil {
		h.Read = h.Write
	}
	if h.Health == nil {
		h.Health = h.Read
	}
	s := &Store{d: d, h: h, target: target}
	s.writer = newPrepared(h.Write, &s.d)
	s.reader = s.writer
	if h.Read != h.Write {
		s.reader = newPrepared(h.Read, &s.d)
	}
	return s
}

// Close releases the database.
func (s *Store) Close() error {
	s.writer.close()
	if s.reader != s.writer {
		s.reader.close()
	}
	err := s.h.Write.Close()
	if s.h.Read != s.h.Write {
		err = errors.Join(err, s.h.Read.Close())
	}
	if s.h.Health != s.h.Read && s.h.Health != s.h.Write {
		err = errors.Join(err, s.h.Health.Close())
	}
	if err != nil {
		return fmt.Errorf("%s: close %s: %w", s.d.Name, s.target, err)
	}
	return nil
}

// Ping checks that the database answers, for health checks, on the health
// connection: it does not wait for the other pools, however busy.
func (s *Store) Ping(ctx context.Context) error {
	var err error
	if s.d.PingQuery == "" {
		err = s.h.Health.PingContext(ctx)
	} else {
		var v any
		err = s.h.Health.QueryRowContext(ctx, s.d.PingQuery).Scan(&v)
	}
	if err != nil {
		return fmt.Errorf("%s: ping %s: %w", s.d.Name, s.target, err)
	}
	return nil
}

// errorf wraps err with the dialect's name and what was being done.
func (s *Store) errorf(err error, format string, a ...any) error {
	return fmt.Errorf("%s: %s: %w", s.d.Name, fmt.Sprintf(format, a...), err)
}

// A query is the text of one of the store's statements, written with ?
// parameters and braces where the dialects differ: {for update}, {for no
// key update}, {byte order}, {names} (the configured threads' names, see
// Dialect.Names) and {list} (a list of values, see Store.list).
type query string

// stmtKey names a prepared statement: its query, and for a query with a
// {list} written IN (…), the list's length.
type stmtKey struct {
	q query
	n int
}

// prepared holds a pool's prepared statements, each prepared on the pool
// when first run and kept; database/sql prepares it once on each
// connection that runs it.
//
// A statement is never prepared on the pool while the caller holds one of
// its connections in a transaction: SQLite's write pool has one, and a
// transaction waiting for a second would wait for ever. A transaction
// prepares a statement it is the first to run on its own connection, for
// itself, and the pool prepares it once the transaction has ended.
type prepared struct {
	db *sql.DB
	d  *Dialect
	mu sync.Mutex
	m  map[stmtKey]*sql.Stmt
}

func newPrepared(db *sql.DB, d *Dialect) *prepared {
	return &prepared{db: db, d: d, m: make(map[stmtKey]*sql.Stmt)}
}

func (p *prepared) lookup(k stmtKey) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[k]
}

// prepare prepares k on the pool and keeps it; the caller holds none of
// the pool's connections.
func (p *prepared) prepare(ctx context.Context, k stmtKey) (*sql.Stmt, error) {
	if st := p.lookup(k); st != nil {
		return st, nil
	}
	st, err := p.db.PrepareContext(ctx, p.d.expand(k.q, k.n))
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.m[k]; ok {
		st.Close() // another caller was quicker
		return prev, nil
	}
	p.m[k] = st
	return st, nil
}

// fill prepares on the pool the statements a transaction prepared for
// itself, now that it has ended. A statement that does not prepare now
// (the context ended) is prepared the next time it runs.
func (p *prepared) fill(ctx context.Context, keys []stmtKey) {
	for _, k := range keys {
		if _, err := p.prepare(ctx, k); err != nil {
			return
		}
	}
}

func (p *prepared) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.m {
		st.Close()
	}
}

// expand writes q for the dialect, with a list of n values.
func (d *Dialect) expand(q query, n int) string {
	list := "= ANY(?)"
	if d.List == nil {
		list = "IN (" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	}
	return d.rebind(strings.NewReplacer(
		"{for update}", d.ForUpdate,
		"{for no key update}", d.ForNoKeyUpdate,
		"{byte order}", d.ByteOrder,
		"{names}", d.NamesCond,
		"{list}", list,
	).Replace(string(q)))
}

// rebind rewrites the ? parameters of a query for the dialect. The
// store's queries hold no ? in literals.
func (d *Dialect) rebind(query string) string {
	if !d.Numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// on is where statements run: a pool, or a transaction on it.
type on struct {
	p  *prepared
	tx *sql.Tx
	// conn is the connection tx runs on (writeTx), for CopyFrom.
	conn *sql.Conn
	// n is the length of the list of a {list} query; see Store.list.
	n int
	// unprepared collects, in a transaction, the statements the pool has
	// not prepared yet, for prepared.fill.
	unprepared *[]stmtKey
}

func (s *Store) reads() on  { return on{p: s.reader} }
func (s *Store) writes() on { return on{p: s.writer} }

// listOf is o for a query with a list of n values.
func (o on) listOf(n int) on {
	o.n = n
	return o
}

// stmt returns the prepared statement of q where o runs.
func (o on) stmt(ctx context.Context, q query) (*sql.Stmt, error) {
	k := stmtKey{q, o.n}
	if o.p.d.List != nil {
		k.n = 0
	}
	if o.tx == nil {
		return o.p.prepare(ctx, k)
	}
	if st := o.p.lookup(k); st != nil {
		return o.tx.StmtContext(ctx, st), nil
	}
	*o.unprepared = append(*o.unprepared, k)
	return o.tx.PrepareContext(ctx, o.p.d.expand(k.q, k.n))
}

func (o on) exec(ctx context.Context, q query, args ...any) (sql.Result, error) {
	st, err := o.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (o on) query(ctx context.Context, q query, args ...any) (*sql.Rows, error) {
	st, err := o.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// row is a single-row query's result, or the error of finding its
// statement.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (o on) queryRow(ctx context.Context, q query, args ...any) row {
	st, err := o.stmt(ctx, q)
	if err != nil {
		return row{err: err}
	}
	return row{r: st.QueryRowContext(ctx, args...)}
}

// affected runs a statement and returns how many rows it changed.
func (o on) affected(ctx context.Context, q query, args ...any) (int64, error) {
	res, err := o.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execText runs a statement that is not one of the prepared ones (its
// shape depends on its arguments, or it must be planned for them).
func (o on) execText(ctx context.Context, text string, args ...any) (sql.Result, error) {
	text = o.p.d.rebind(text)
	if o.tx != nil {
		return o.tx.ExecContext(ctx, text, args...)
	}
	return o.p.db.ExecContext(ctx, text, args...)
}

func (o on) queryText(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	text = o.p.d.rebind(text)
	if o.tx != nil {
		return o.tx.QueryContext(ctx, text, args...)
	}
	return o.p.db.QueryContext(ctx, text, args...)
}

// writeTx runs fn in a write transaction (BEGIN IMMEDIATE in SQLite, whose
// write pool is configured so) on a connection of the write pool, and
// commits it, or with rollback rolls it back: a dry run does all that a
// real one does and reports it.
func (s *Store) writeTx(ctx context.Context, rollback bool, fn func(o on) error) error {
	conn, err := s.h.Write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	var unprepared []stmtKey
	err = func() error {
		defer conn.Close()
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if err := fn(on{p: s.writer, tx: tx, conn: conn, unprepared: &unprepared}); err != nil {
			return errors.Join(err, ignoreDone(tx.Rollback()))
		}
		if rollback {
			return tx.Rollback()
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	}()
	s.writer.fill(ctx, unprepared)
	return err
}

// ignoreDone drops the error of rolling back a transaction the driver had
// already ended (its context ended).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// write runs fn where a write of one statement (or a few that need not be
// atomic) runs: in a transaction when the dialect wants every write in one,
// else on the write pool.
func (s *Store) write(ctx context.Context, fn func(o on) error) error {
	if s.d.WriteTx {
		return s.writeTx(ctx, false, fn)
	}
	return fn(s.writes())
}

// threadMissing turns the foreign-key violation of a row naming a thread
// that does not exist into store.ErrNotFound.
func (s *Store) threadMissing(err error, thread string) error {
	if err != nil && s.d.IsForeignKeyViolation != nil && s.d.IsForeignKeyViolation(err) {
		return missingThread(thread)
	}
	return err
}

func missingThread(thread string) error {
	return fmt.Errorf("thread %q: %w", thread, store.ErrNotFound)
}

// list calls fn with the arguments of a {list} query for vals, and o made
// for it: one array (Dialect.List), or lists of at most Dialect.MaxList
// values, each padded with its last value to one of a few lengths, so that
// a few prepared statements serve every length. bytes says the list's
// column holds comment text.
func (s *Store) list(o on, vals []string, bytes bool, fn func(o on, args []any) error) error {
	if len(vals) == 0 {
		return nil
	}
	if s.d.List != nil {
		return fn(o, []any{s.d.List(vals, bytes)})
	}
	for len(vals) > 0 {
		n := min(len(vals), s.d.MaxList)
		size := listSize(n, s.d.MaxList)
		args := make([]any, size)
		for i := range size {
			v := vals[min(i, n-1)]
			if bytes {
				args[i] = s.d.Text(v)
			} else {
				args[i] = v
			}
		}
		if err := fn(o.listOf(size), args); err != nil {
			return err
		}
		vals = vals[n:]
	}
	return nil
}

// listSizes are the lengths of the lists written IN (…): 1, 8, 64, …, max.
func listSizes(max int) []int {
	var out []int
	for n := 1; n < max; n *= 8 {
		out = append(out, n)
	}
	return append(out, max)
}

// listSize rounds n up to one of listSizes.
func listSize(n, max int) int {
	for _, size := range listSizes(max) {
		if size >= n {
			return size
		}
	}
	return max
}

// timeArg is how t is passed.
func (s *Store) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.d.Time(t)
}

// dbTime scans a time column: NULL as the zero time, microseconds since the
// epoch (SQLite) or a time (PostgreSQL) as that time in UTC.
type dbTime struct{ t *time.Time }

func (d dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("a time column holds %T", src)
	}
	return nil
}

// nonNil keeps an empty value from being stored as NULL in a NOT NULL
// bytes column, and reads one back as empty rather than nil.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
