package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/store/sqlite"
)

// A database made by a threaddigest before the retention migration (schema
// 1, with a thread and comments) is reported as one migration behind, is
// left as it was by Status, and is brought up to date by Open, its threads'
// active_at taken from their comments.
func TestUpgradeFromSchema1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	if st, err := sqlite.Status(ctx, path); err != nil || !st.Missing || st.Current != 0 || len(st.Pending) < 2 {
		t.Fatalf("Status of a missing file = %+v, %v; want missing, every migration pending", st, err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("Status created the file")
	}
	init1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMicro()
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`,
		string(init1),
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql')`,
		`INSERT INTO threads (name, source, target, title, url) VALUES ('t', 't.txt', '', '', ''), ('empty', 'e.txt', '', '', '')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO comments (thread, id, parent_id, author, author_id, location, body,
		created_at, likes, deleted, first_seen, updated_at) VALUES ('t', '1', '', 'a', '', '', 'hello', NULL, 0, 0, ?, ?),
		('t', '2', '', 'b', '', '', 'hi', NULL, 0, 0, ?, ?)`, seen-10, seen-10, seen-20, seen); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := sqlite.Status(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Missing || st.Current != 1 || st.Latest < 2 || len(st.Pending) != st.Latest-1 || st.Pending[len(st.Pending)-1].Name != "0004_comment_url.sql" {
		t.Errorf("Status of a schema-1 database = %+v; want at 1 with every later migration pending, 0004_comment_url.sql last", st)
	}
	s := openFile(t, path)
	defer s.Close()
	if after, err := sqlite.Status(ctx, path); err != nil || after.Current != after.Latest || len(after.Pending) != 0 {
		t.Errorf("Status after Open = %+v, %v; want up to date", after, err)
	}
	rec, err := s.Thread(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.UnixMicro(seen).UTC(); !rec.ActiveAt.Equal(want) {
		t.Errorf("upgraded thread active at %v, want its last comment's %v", rec.ActiveAt, want)
	}
	if rec, err := s.Thread(ctx, "empty"); err != nil || !rec.ActiveAt.IsZero() {
		t.Errorf("upgraded thread without comments = %+v, %v; want active at zero", rec, err)
	}
	if cs, err := s.Comments(ctx, "t"); err != nil || len(cs) != 2 {
		t.Errorf("comments after the upgrade: %d, %v", len(cs), err)
	}
}
