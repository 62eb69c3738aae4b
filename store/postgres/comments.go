package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

// copyFromRows is the number of new comments from which they are sent with
// COPY rather than INSERTs queued in one batch.
const copyFromRows = 64

var commentColumns = []string{"thread", "id", "parent_id", "author", "author_id", "location", "body",
	"created_at", "likes", "deleted", "first_seen", "updated_at", "url"}

// UpsertComments stores a batch of comments of a thread in one transaction.
// It locks the thread's row first: concurrent upserts of one thread (two
// replicas polling it by mistake, a poll racing a /thread command) then run
// one after the other, each seeing what the other stored, and the thread's
// comments become visible in Seq order.
func (s *Store) UpsertComments(ctx context.Context, thread string, cs []threaddigest.Comment, now time.Time) (store.UpsertResult, error) {
	var res store.UpsertResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var version int64
		err := tx.QueryRow(ctx, `SELECT version FROM threads WHERE name = $1 FOR NO KEY UPDATE`, thread).Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
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
			if _, err := tx.Exec(ctx, `UPDATE threads SET version = version + 1, active_at = GREATEST(active_at, $2)
				WHERE name = $1`, thread, ts(now)); err != nil {
				return fmt.Errorf("bump version: %w", err)
			}
		}
		res = plan.Result
		return nil
	})
	if err != nil {
		return store.UpsertResult{}, fmt.Errorf("postgres: upsert comments of thread %q: %w", thread, err)
	}
	return res, nil
}

// storedComments returns the stored comments of thread that the batch names.
func storedComments(ctx context.Context, tx pgx.Tx, thread string, batch []threaddigest.Comment) (map[string]threaddigest.Comment, error) {
	ids := rules.BatchIDs(batch)
	keys := make([][]byte, len(ids))
	for i, id := range ids {
		keys[i] = []byte(id)
	}
	// Planned afresh each time (QueryExecModeExec), not as a cached prepared
	// statement: a generic plan made while the table was small would keep
	// scanning it whole as the thread grows.
	rows, err := tx.Query(ctx, `SELECT id, parent_id, author, author_id, location, body, created_at, likes, deleted, url
		FROM comments WHERE thread = $1 AND id = ANY($2)`, pgx.QueryExecModeExec, thread, keys)
	if err != nil {
		return nil, fmt.Errorf("read stored comments: %w", err)
	}
	defer rows.Close()
	found := make(map[string]threaddigest.Comment)
	var id, parent, author, authorID, location, body, url []byte
	var created pgtype.Timestamptz
	var likes int64
	var deleted bool
	for rows.Next() {
		if err := rows.Scan(&id, &parent, &author, &authorID, &location, &body, &created, &likes, &deleted, &url); err != nil {
			return nil, fmt.Errorf("read stored comments: %w", err)
		}
		c := threaddigest.Comment{ID: string(id), ParentID: string(parent), Author: string(author), AuthorID: string(authorID),
			Location: string(location), Body: string(body), CreatedAt: fromTS(created), Likes: int(likes), Deleted: deleted,
			URL: string(url)}
		found[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stored comments: %w", err)
	}
	return found, nil
}

// bs is s as bytea: never nil, which pgx would send as NULL.
func bs(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return []byte(s)
}

func commentRow(thread string, c threaddigest.Comment, now pgtype.Timestamptz) []any {
	return []any{thread, bs(c.ID), bs(c.ParentID), bs(c.Author), bs(c.AuthorID), bs(c.Location),
		bs(c.Body), ts(c.CreatedAt), int64(c.Likes), c.Deleted, now, now, bs(c.URL)}
}

// insertComments inserts new comments in batch order: COPY and a batch of
// INSERTs both evaluate the seq default row by row, so Seq follows it.
func insertComments(ctx context.Context, tx pgx.Tx, thread string, cs []threaddigest.Comment, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	seen := ts(now)
	if len(cs) >= copyFromRows {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"comments"}, commentColumns, pgx.CopyFromSlice(len(cs), func(i int) ([]any, error) {
			return commentRow(thread, cs[i], seen), nil
		}))
		if err != nil {
			return fmt.Errorf("insert comments: %w", err)
		}
		return nil
	}
	b := &pgx.Batch{}
	for _, c := range cs {
		b.Queue(`INSERT INTO comments (thread, id, parent_id, author, author_id, location, body, created_at, likes, deleted, first_seen, updated_at, url)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, commentRow(thread, c, seen)...)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("insert comments: %w", err)
	}
	return nil
}

// updateComments writes changed comments in place, keeping Seq and FirstSeen.
func updateComments(ctx context.Context, tx pgx.Tx, thread string, cs []threaddigest.Comment, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	changed := ts(now)
	b := &pgx.Batch{}
	for _, c := range cs {
		b.Queue(`UPDATE comments SET parent_id = $3, author = $4, author_id = $5, location = $6, body = $7,
			created_at = $8, likes = $9, deleted = $10, updated_at = $11, url = $12 WHERE thread = $1 AND id = $2`,
			thread, bs(c.ID), bs(c.ParentID), bs(c.Author), bs(c.AuthorID), bs(c.Location),
			bs(c.Body), ts(c.CreatedAt), int64(c.Likes), c.Deleted, changed, bs(c.URL))
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("update comments: %w", err)
	}
	return nil
}

// Comments returns every comment of the thread in Seq order.
func (s *Store) Comments(ctx context.Context, thread string) ([]store.CommentRecord, error) {
	var out []store.CommentRecord
	// REPEATABLE READ: the existence check, the count and the rows are one
	// snapshot.
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var n int
		err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM comments WHERE thread = $1) FROM threads WHERE name = $1`, thread).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, id, parent_id, author, author_id, location, body, created_at, likes, deleted,
			first_seen, updated_at, url FROM comments WHERE thread = $1 ORDER BY seq`, thread)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = make([]store.CommentRecord, 0, n)
		var id, parent, author, authorID, location, body, url []byte
		var created, first, updated pgtype.Timestamptz
		var likes int64
		for rows.Next() {
			var r store.CommentRecord
			if err := rows.Scan(&r.Seq, &id, &parent, &author, &authorID, &location, &body, &created, &likes, &r.Deleted, &first, &updated, &url); err != nil {
				return err
			}
			r.ID, r.ParentID, r.Author, r.AuthorID, r.URL = string(id), string(parent), string(author), string(authorID), string(url)
			r.Location, r.Body, r.Likes = string(location), string(body), int(likes)
			r.CreatedAt, r.FirstSeen, r.UpdatedAt = fromTS(created), fromTS(first), fromTS(updated)
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: comments of thread %q: %w", thread, err)
	}
	return out, nil
}
