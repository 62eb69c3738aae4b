package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

const (
	// insertRows is how many comments one INSERT statement carries: few
	// statements for a big batch, and 200×13 parameters stay far below
	// SQLite's limit of 32766.
	insertRows = 200
	// lookupIDs is how many IDs one lookup of stored comments names.
	lookupIDs = 500
	// scanWholeThread is the batch size from which the stored comments are
	// read with one scan of the thread rather than looked up by ID.
	scanWholeThread = 2000
)

const commentColumns = `thread, id, parent_id, author, author_id, location, body, created_at, likes, deleted, first_seen, updated_at, url`

// UpsertComments stores a batch of comments of a thread in one transaction.
func (s *Store) UpsertComments(ctx context.Context, thread string, cs []threaddigest.Comment, now time.Time) (store.UpsertResult, error) {
	var res store.UpsertResult
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var version int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM threads WHERE name = ?`, thread).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		existing, err := storedComments(ctx, tx, thread, cs)
		if err != nil {
			return err
		}
		plan, err := rules.PlanUpsert(existing, cs)
		if err != nil {
			return err
		}
		if err := insertComments(ctx, tx, thread, plan.Inserts, now); err != nil {
			return err
		}
		if err := updateComments(ctx, tx, thread, plan.Updates, now); err != nil {
			return err
		}
		if len(plan.Inserts)+len(plan.Updates) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE threads SET version = version + 1,
				active_at = MAX(COALESCE(active_at, ?1), ?1) WHERE name = ?2`, micros(now), thread); err != nil {
				return fmt.Errorf("bump version: %w", err)
			}
		}
		res = plan.Result
		return nil
	})
	if err != nil {
		return store.UpsertResult{}, fmt.Errorf("sqlite: upsert comments of thread %q: %w", thread, err)
	}
	return res, nil
}

// storedComments returns the stored comments of thread that the batch names.
func storedComments(ctx context.Context, tx *sql.Tx, thread string, batch []threaddigest.Comment) (map[string]threaddigest.Comment, error) {
	found := make(map[string]threaddigest.Comment)
	const cols = `id, parent_id, author, author_id, location, body, created_at, likes, deleted, url`
	collect := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var c threaddigest.Comment
			var created sql.NullInt64
			if err := rows.Scan(&c.ID, &c.ParentID, &c.Author, &c.AuthorID, &c.Location, &c.Body, &created, &c.Likes, &c.Deleted, &c.URL); err != nil {
				return fmt.Errorf("read stored comments: %w", err)
			}
			c.CreatedAt = fromMicros(created)
			found[c.ID] = c
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read stored comments: %w", err)
		}
		return nil
	}
	if len(batch) >= scanWholeThread {
		rows, err := tx.QueryContext(ctx, `SELECT `+cols+` FROM comments WHERE thread = ?`, thread)
		if err != nil {
			return nil, fmt.Errorf("read stored comments: %w", err)
		}
		return found, collect(rows)
	}
	ids := rules.BatchIDs(batch)
	for len(ids) > 0 {
		n := min(len(ids), lookupIDs)
		args := make([]any, 0, n+1)
		args = append(args, thread)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+cols+` FROM comments WHERE thread = ? AND id IN (`+placeholders(n, 1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read stored comments: %w", err)
		}
		if err := collect(rows); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return found, nil
}

// placeholders returns rows groups of cols question marks: "(?, ?), (?, ?)"
// for cols > 1, "?, ?" for cols == 1.
func placeholders(rows, cols int) string {
	one := strings.TrimSuffix(strings.Repeat("?, ", cols), ", ")
	if cols > 1 {
		one = "(" + one + ")"
	}
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// insertComments inserts new comments in batch order, which is the order of
// their Seq.
func insertComments(ctx context.Context, tx *sql.Tx, thread string, cs []threaddigest.Comment, now time.Time) error {
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	seen := micros(now)
	for len(cs) > 0 {
		n := min(len(cs), insertRows)
		args := make([]any, 0, n*13)
		for _, c := range cs[:n] {
			args = append(args, thread, c.ID, c.ParentID, c.Author, c.AuthorID, c.Location, c.Body,
				micros(c.CreatedAt), c.Likes, c.Deleted, seen, seen, c.URL)
		}
		query := `INSERT INTO comments (` + commentColumns + `) VALUES ` + placeholders(n, 13)
		var err error
		if n == insertRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, query); err != nil {
					return fmt.Errorf("insert comments: %w", err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, query, args...)
		}
		if err != nil {
			return fmt.Errorf("insert comments: %w", err)
		}
		cs = cs[n:]
	}
	return nil
}

// updateComments writes changed comments in place, keeping their Seq and
// FirstSeen.
func updateComments(ctx context.Context, tx *sql.Tx, thread string, cs []threaddigest.Comment, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE comments SET parent_id = ?, author = ?, author_id = ?, location = ?,
		body = ?, created_at = ?, likes = ?, deleted = ?, updated_at = ?, url = ? WHERE thread = ? AND id = ?`)
	if err != nil {
		return fmt.Errorf("update comments: %w", err)
	}
	defer stmt.Close()
	changed := micros(now)
	for _, c := range cs {
		if _, err := stmt.ExecContext(ctx, c.ParentID, c.Author, c.AuthorID, c.Location, c.Body,
			micros(c.CreatedAt), c.Likes, c.Deleted, changed, c.URL, thread, c.ID); err != nil {
			return fmt.Errorf("update comment %q: %w", c.ID, err)
		}
	}
	return nil
}

// Comments returns every comment of the thread in Seq order.
func (s *Store) Comments(ctx context.Context, thread string) ([]store.CommentRecord, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: comments of thread %q: %w", thread, err)
	}
	defer tx.Rollback()
	var exists int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM threads WHERE name = ?`, thread).Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: comments of thread %q: %w", thread, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: comments of thread %q: %w", thread, err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments WHERE thread = ?`, thread).Scan(&n); err != nil {
		return nil, fmt.Errorf("sqlite: comments of thread %q: %w", thread, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, id, parent_id, author, author_id, location, body, created_at,
		likes, deleted, first_seen, updated_at, url FROM comments WHERE thread = ? ORDER BY seq`, thread)
	if err != nil {
		return nil, fmt.Errorf("sqlite: comments of thread %q: %w", thread, err)
	}
	defer rows.Close()
	out := make([]store.CommentRecord, 0, n)
	for rows.Next() {
		var r store.CommentRecord
		var created, first, updated sql.NullInt64
		if err := rows.Scan(&r.Seq, &r.ID, &r.ParentID, &r.Author, &r.AuthorID, &r.Location, &r.Body, &created,
			&r.Likes, &r.Deleted, &first, &updated, &r.URL); err != nil {
			return nil, fmt.Errorf("sqlite: comments of thread %q: %w", thread, err)
		}
		r.CreatedAt, r.FirstSeen, r.UpdatedAt = fromMicros(created), fromMicros(first), fromMicros(updated)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: comments of thread %q: %w", thread, err)
	}
	return out, nil
}
