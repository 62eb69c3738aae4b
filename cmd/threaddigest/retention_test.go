package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/sqlite"
)

func TestMigrateDryRunAndApply(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	url := "sqlite:" + db
	out, _, err := runCmd(t, "", "migrate", "--dry-run", "--store", url)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"does not exist yet", "4 migrations would be applied", "-- 0001_init.sql", "CREATE TABLE threads",
		"-- 0002_model_cache.sql", "-- 0003_retention.sql", "ALTER TABLE threads ADD COLUMN active_at", "-- 0004_comment_url.sql"} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate --dry-run on a missing store lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a dry run created the database: %v", err)
	}

	// A database at schema 1, as an older threaddigest left it.
	makeSchema1(t, db)
	out, _, err = runCmd(t, "", "migrate", "--dry-run", "--store", url)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "is at schema version 1; this threaddigest's latest is 4") || !strings.Contains(out, "3 migrations would be applied") ||
		strings.Contains(out, "0001_init.sql") || !strings.Contains(out, "-- 0003_retention.sql") {
		t.Errorf("migrate --dry-run on schema 1:\n%s", out)
	}
	// prune and resume refuse a store behind the binary.
	cfg := writeConfig(t, dir, fmt.Sprintf("[store]\nurl = %q\n", url))
	if _, _, err := runCmd(t, "", "prune", "--config", cfg); err == nil || !strings.Contains(err.Error(), "run `threaddigest migrate` first") {
		t.Errorf("prune of a store behind: %v", err)
	}
	out, _, err = runCmd(t, "", "migrate", "--config", cfg)
	if err != nil || !strings.Contains(out, "Applied 3 migrations: 0002_model_cache.sql, 0003_retention.sql, 0004_comment_url.sql. The store is at schema version 4.") {
		t.Errorf("migrate = %q, %v", out, err)
	}
	out, _, err = runCmd(t, "", "migrate", "--dry-run", "--config", cfg)
	if err != nil || !strings.Contains(out, "nothing to do") {
		t.Errorf("migrate --dry-run when up to date = %q, %v", out, err)
	}
}

// makeSchema1 creates the database as threaddigest's first schema made it.
func makeSchema1(t *testing.T, path string) {
	t.Helper()
	init1, err := os.ReadFile("../../store/sqlite/migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`,
		string(init1), `INSERT INTO schema_migrations VALUES (1, '0001_init.sql')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPruneAndResume(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"

[store.retention]
skipped_runs = "30d"
unfollowed_threads = "30d"

[[thread]]
name = "configured"
source = "configured.txt"
`, db))
	// The store as months of service leave it: a configured thread, a
	// thread a channel once followed, and forty days of skipped slots.
	st, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, name := range []string{"configured", "old-follow"} {
		if err := st.SaveThread(ctx, store.ThreadRecord{Name: name, Source: name + ".txt"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertComments(ctx, name, []threaddigest.Comment{{ID: "1", Author: "a", Body: "one"}, {ID: "2", Author: "b", Body: "two"}}, now.Add(-60*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		slot := now.Add(-time.Duration(40-i)*24*time.Hour + 12*time.Hour)
		r, _, err := st.ClaimRun(ctx, store.RunKey{Digest: "configured", Destination: "stdout", Slot: slot}, "configured", "h", time.Minute, slot)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CompleteRun(ctx, r.ID, "h", 0, store.SkippedRef+" 0 new comments", slot); err != nil {
			t.Fatal(err)
		}
	}
	// A prune 31 days ago found old-follow unfollowed.
	if _, err := st.Prune(ctx, store.Retention{Configured: []string{"configured"}}, now.Add(-31*24*time.Hour), false); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out, _, err := runCmd(t, "", "prune", "--dry-run", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Dry run on sqlite:", "nothing deleted", "skipped runs (older than 30d): 10 would be deleted",
		"failed and uncertain runs (older than 90d): 0 would be deleted",
		"thread old-follow, unfollowed since ", ": would be deleted with its 2 comments"} {
		if !strings.Contains(out, want) {
			t.Errorf("prune --dry-run lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCmd(t, "", "prune", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "skipped runs (older than 30d): 10 deleted") || !strings.Contains(out, ": deleted with its 2 comments") {
		t.Errorf("prune:\n%s", out)
	}
	st, err = sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if runs, _ := st.Runs(ctx, "", 0); len(runs) != 30 {
		t.Errorf("%d runs left, want the 30 younger than 30 days", len(runs))
	}
	if _, err := st.Thread(ctx, "old-follow"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old-follow after prune: %v, want forgotten", err)
	}
	if cs, err := st.Comments(ctx, "configured"); err != nil || len(cs) != 2 {
		t.Errorf("the configured thread lost comments: %d, %v", len(cs), err)
	}

	before := time.Now()
	out, _, err = runCmd(t, "", "resume", "--config", cfg, "configured")
	if err != nil || !strings.Contains(out, "configured: polled again") {
		t.Errorf("resume = %q, %v", out, err)
	}
	if rec, err := st.Thread(ctx, "configured"); err != nil || rec.ActiveAt.Before(before.Add(-time.Second)) {
		t.Errorf("resumed thread = %+v, %v; want active now", rec, err)
	}
	if _, _, err := runCmd(t, "", "resume", "--config", cfg, "nope"); err == nil || !strings.Contains(err.Error(), `no thread "nope"`) {
		t.Errorf("resume of an unknown thread: %v", err)
	}
	if _, _, err := runCmd(t, "", "resume", "--config", cfg); status(err) != 2 {
		t.Errorf("resume without a thread: status %d, want 2", status(err))
	}
}
