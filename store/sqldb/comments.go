package sqldb

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

// insertRows is how many comments one INSERT statement carries: few
// statements for a big batch, and 200×13 parameters stay far below
// SQLite's limit of 32,766 and PostgreSQL's of 65,535.
const insertRows = 200

var commentColumns = []string{"thread", "id", "parent_id", "author", "author_id", "location", "body",
	"created_at", "likes", "deleted", "first_seen", "updated_at", "url"}

const storedColumns = `id, parent_id, author, author_id, location, body, created_at, likes, deleted, url`

var (
	// lockThread reads the thread's row before its comments are written;
	// where rows are locked, it locks it, so that concurrent upserts of one
	// thread (two replicas polling it by mistake, a poll racing a /thread
	// command) run one after the other, each seeing what the other stored,
	// and the thread's comments become visible in Seq order.
	lockThread     = query(`SELECT version FROM threads WHERE name = ?{for no key update}`)
	storedByID     = query(`SELECT ` + storedColumns + ` FROM comments WHERE thread = ? AND id {list}`)
	storedOfThread = query(`SELECT ` + storedColumns + ` FROM comments WHERE thread = ?`)
	insertFull     = query(insertComments(insertRows))
	updateComment  = query(`UPDATE comments SET parent_id = ?, author = ?, author_id = ?, location = ?,
		body = ?, created_at = ?, likes = ?, deleted = ?, updated_at = ?, url = ? WHERE thread = ? AND id = ?`)
	bumpVersion = query(`UPDATE threads SET version = version + 1,
		active_at = CASE WHEN active_at IS NULL OR active_at < ? THEN ? ELSE active_at END WHERE name = ?`)
	countComments  = query(`SELECT (SELECT COUNT(*) FROM comments WHERE thread = ?) FROM threads WHERE name = ?`)
	threadComments = query(`SELECT seq, id, parent_id, author, author_id, location, body, created_at,
		likes, deleted, first_seen, updated_at, url FROM comments WHERE thread = ? ORDER BY seq`)
)

// insertComments is the INSERT of rows comments.
func insertComments(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(commentColumns)), ", ") + ")"
	return `INSERT INTO comments (` + strings.Join(commentColumns, ", ") + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// UpsertComments stores comments of a thread keyed by (thread, ID): new
// ones get the next Seq and FirstSeen = now; changed ones are updated in
// place (keeping Seq); a comment with Deleted set marks the stored one
// deleted. The thread must exist (else store.ErrNotFound).
//
// A deletion only sets Deleted: the stored fields stay, because sources
// blank a deleted comment's text and replies still need what they
// answered. A comment first seen deleted is stored as given. Within one
// batch a repeated ID is applied in order, each occurrence counted once
// in the result. The batch is one transaction: a comment without an ID
// rejects all of it, with an error naming its position. Seqs are
// positive and follow batch order; UpdatedAt is now for changed comments.
func (s *Store) UpsertComments(ctx context.Context, thread string, cs []threaddigest.Comment, now time.Time) (store.UpsertResult, error) {
	var res store.UpsertResult
	err := s.writeTx(ctx, false, func(o on) error {
		var version int64
		err := o.queryRow(ctx, lockThread, thread).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		existing, err := s.storedComments(ctx, o, thread, cs)
		if err != nil {
			return err
		}
		plan, err := rules.PlanUpsert(existing, cs)
		if err != nil {
			return err
		}
		if err := s.insertComments(ctx, o, thread, plan.Inserts, now); err != nil {
			return err
		}
		if err := s.updateComments(ctx, o, thread, plan.Updates, now); err != nil {
			return err
		}
		if len(plan.Inserts)+len(plan.Updates) > 0 {
			if _, err := o.exec(ctx, bumpVersion, s.timeArg(now), s.timeArg(now), thread); err != nil {
				return fmt.Errorf("bump version: %w", err)
			}
		}
		res = plan.Result
		return nil
	})
	if err != nil {
		return store.UpsertResult{}, s.errorf(err, "upsert comments of thread %q", thread)
	}
	return res, nil
}

// storedComments returns the stored comments of thread that the batch names.
func (s *Store) storedComments(ctx context.Context, o on, thread string, batch []threaddigest.Comment) (map[string]threaddigest.Comment, error) {
	found := make(map[string]threaddigest.Comment)
	read := func(rows *sql.Rows, err error) error {
		if err != nil {
			return fmt.Errorf("read stored comments: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c threaddigest.Comment
			if err := rows.Scan(&c.ID, &c.ParentID, &c.Author, &c.AuthorID, &c.Location, &c.Body, dbTime{&c.CreatedAt},
				&c.Likes, &c.Deleted, &c.URL); err != nil {
				return fmt.Errorf("read stored comments: %w", err)
			}
			found[c.ID] = c
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read stored comments: %w", err)
		}
		return nil
	}
	if s.d.ScanThread > 0 && len(batch) >= s.d.ScanThread {
		return found, read(o.query(ctx, storedOfThread, thread))
	}
	err := s.list(o, rules.BatchIDs(batch), true, func(o on, ids []any) error {
		args := append([]any{thread}, ids...)
		if s.d.Replan != nil {
			return read(o.queryText(ctx, s.d.expand(storedByID, 0), append(append([]any{}, s.d.Replan...), args...)...))
		}
		return read(o.query(ctx, storedByID, args...))
	})
	return found, err
}

func (s *Store) commentRow(thread string, c threaddigest.Comment, seen any) []any {
	return []any{thread, s.d.Text(c.ID), s.d.Text(c.ParentID), s.d.Text(c.Author), s.d.Text(c.AuthorID),
		s.d.Text(c.Location), s.d.Text(c.Body), s.timeArg(c.CreatedAt), int64(c.Likes), c.Deleted, seen, seen, s.d.Text(c.URL)}
}

// insertComments inserts new comments in batch order, which is the order
// of their Seq: a multi-row INSERT, and COPY alike, take the seq default
// row by row.
func (s *Store) insertComments(ctx context.Context, o on, thread string, cs []threaddigest.Comment, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	seen := s.timeArg(now)
	if s.d.CopyFrom != nil && len(cs) >= s.d.CopyFromRows {
		rows := make([][]any, len(cs))
		for i, c := range cs {
			rows[i] = s.commentRow(thread, c, seen)
		}
		if err := s.d.CopyFrom(ctx, o.conn, "comments", commentColumns, rows); err != nil {
			return fmt.Errorf("insert comments: %w", err)
		}
		return nil
	}
	for len(cs) > 0 {
		n := min(len(cs), insertRows)
		args := make([]any, 0, n*len(commentColumns))
		for _, c := range cs[:n] {
			args = append(args, s.commentRow(thread, c, seen)...)
		}
		var err error
		if n == insertRows {
			_, err = o.exec(ctx, insertFull, args...)
		} else {
			_, err = o.execText(ctx, insertComments(n), args...)
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
func (s *Store) updateComments(ctx context.Context, o on, thread string, cs []threaddigest.Comment, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	st, err := o.stmt(ctx, updateComment)
	if err != nil {
		return fmt.Errorf("update comments: %w", err)
	}
	changed := s.timeArg(now)
	for _, c := range cs {
		if _, err := st.ExecContext(ctx, s.d.Text(c.ParentID), s.d.Text(c.Author), s.d.Text(c.AuthorID), s.d.Text(c.Location),
			s.d.Text(c.Body), s.timeArg(c.CreatedAt), int64(c.Likes), c.Deleted, changed, s.d.Text(c.URL), thread, s.d.Text(c.ID)); err != nil {
			return fmt.Errorf("update comment %q: %w", c.ID, err)
		}
	}
	return nil
}

// Comments returns every stored comment of the thread, deleted ones
// included, ordered by Seq; store.ErrNotFound for an unknown thread.
// The existence check, the count and the rows are one snapshot.
func (s *Store) Comments(ctx context.Context, thread string) ([]store.CommentRecord, error) {
	tx, err := s.h.Read.BeginTx(ctx, &sql.TxOptions{Isolation: s.d.Snapshot, ReadOnly: true})
	if err != nil {
		return nil, s.errorf(err, "comments of thread %q", thread)
	}
	var unprepared []stmtKey
	defer func() {
		tx.Rollback()
		s.reader.fill(ctx, unprepared)
	}()
	o := on{p: s.reader, tx: tx, unprepared: &unprepared}
	var n int
	err = o.queryRow(ctx, countComments, thread, thread).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf(store.ErrNotFound, "comments of thread %q", thread)
	}
	if err != nil {
		return nil, s.errorf(err, "comments of thread %q", thread)
	}
	rows, err := o.query(ctx, threadComments, thread)
	if err != nil {
		return nil, s.errorf(err, "comments of thread %q", thread)
	}
	defer rows.Close()
	out := make([]store.CommentRecord, 0, n)
	for rows.Next() {
		var r store.CommentRecord
		if err := rows.Scan(&r.Seq, &r.ID, &r.ParentID, &r.Author, &r.AuthorID, &r.Location, &r.Body, dbTime{&r.CreatedAt},
			&r.Likes, &r.Deleted, dbTime{&r.FirstSeen}, dbTime{&r.UpdatedAt}, &r.URL); err != nil {
			return nil, s.errorf(err, "comments of thread %q", thread)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf(err, "comments of thread %q", thread)
	}
	return out, nil
}
