package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/threaddigest/threaddigest/store/postgres"
	"github.com/threaddigest/threaddigest/store/postgres/pgtest"
)

// A schema made by a threaddigest before the retention migration (schema
// 1, with a thread and comments) is reported as one migration behind, is
// left as it was by Status, and is brought up to date by Open, its threads'
// active_at taken from their comments.
func TestUpgradeFromSchema1(t *testing.T) {
	ctx := context.Background()
	url, schema := pgtest.Schema(t)
	if st, err := postgres.Status(ctx, url); err != nil || !st.Missing || st.Current != 0 || len(st.Pending) < 2 {
		t.Fatalf("Status of a missing schema = %+v, %v; want missing, every migration pending", st, err)
	}
	init1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, q := range []string{
		`CREATE SCHEMA ` + pgx.Identifier{schema}.Sanitize(),
		`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
		string(init1),
		`INSERT INTO schema_migrations (version, name) VALUES (1, '0001_init.sql')`,
		`INSERT INTO threads (name, source, target, title, url) VALUES ('t', 't.txt', '', '', ''), ('empty', 'e.txt', '', '', '')`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := conn.Exec(ctx, `INSERT INTO comments (thread, id, parent_id, author, author_id, location, body,
		created_at, likes, deleted, first_seen, updated_at) VALUES
		('t', '1', '', 'a', '', '', 'hello', NULL, 0, false, $1, $1), ('t', '2', '', 'b', '', '', 'hi', NULL, 0, false, $2, $3)`,
		seen.Add(-10*time.Second), seen.Add(-20*time.Second), seen); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	st, err := postgres.Status(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if st.Missing || st.Current != 1 || st.Latest < 2 || len(st.Pending) != st.Latest-1 || st.Pending[len(st.Pending)-1].Name != "0004_comment_url.sql" {
		t.Errorf("Status of a schema-1 database = %+v; want at 1 with every later migration pending, 0004_comment_url.sql last", st)
	}
	s := open(t, url)
	defer s.Close()
	if after, err := postgres.Status(ctx, url); err != nil || after.Current != after.Latest || len(after.Pending) != 0 {
		t.Errorf("Status after Open = %+v, %v; want up to date", after, err)
	}
	rec, err := s.Thread(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	if !rec.ActiveAt.Equal(seen) {
		t.Errorf("upgraded thread active at %v, want its last comment's %v", rec.ActiveAt, seen)
	}
	if rec, err := s.Thread(ctx, "empty"); err != nil || !rec.ActiveAt.IsZero() {
		t.Errorf("upgraded thread without comments = %+v, %v; want active at zero", rec, err)
	}
	if cs, err := s.Comments(ctx, "t"); err != nil || len(cs) != 2 {
		t.Errorf("comments after the upgrade: %d, %v", len(cs), err)
	}
}
