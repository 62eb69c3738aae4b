package open_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/open"
	"github.com/threaddigest/threaddigest/store/postgres/pgtest"
	"github.com/threaddigest/threaddigest/store/sqldb"
)

func TestKind(t *testing.T) {
	tests := []struct {
		url, kind, err string
	}{
		{"sqlite:threaddigest.db", "sqlite", ""},
		{"sqlite:///var/lib/td.db", "sqlite", ""},
		{"sqlite::memory:", "sqlite", ""},
		{"threaddigest.db", "sqlite", ""},
		{"./data/td.db", "sqlite", ""},
		{"postgres://postgres@127.0.0.1:5432/test", "postgres", ""},
		{"postgresql://u:secret@db/test?search_path=td", "postgres", ""},
		{"", "", "store url is empty"},
		{"sqlite:", "", "names no file"},
		{"mysql://u:secret@db/x", "", `unknown kind of store "mysql"`},
	}
	for _, tc := range tests {
		kind, err := open.Kind(tc.url)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Kind(%q) error = %v, want one containing %q", tc.url, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("Kind(%q) error %q shows the password", tc.url, err)
			}
			continue
		}
		if err != nil || kind != tc.kind {
			t.Errorf("Kind(%q) = %q, %v; want %q", tc.url, kind, err, tc.kind)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://user:s3cret@db:5432/td?sslmode=disable", "postgres://user:xxxxx@db:5432/td?sslmode=disable"},
		{"postgres://user@db/td", "postgres://user@db/td"},
		{"postgres://db/td?password=s3cret&sslmode=require", "postgres://db/td?password=xxxxx&sslmode=require"},
		{"sqlite:threaddigest.db", "sqlite:threaddigest.db"},
		{"sqlite::memory:", "sqlite::memory:"},
		{"postgres://user:s3cret@db:bad port/td", "postgres://…"},
	}
	for _, tc := range tests {
		if got := open.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// roundTrip checks that the opened store works and is the kind asked for.
func roundTrip(t *testing.T, s *sqldb.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.SaveThread(ctx, store.ThreadRecord{Name: "t", Source: "t.txt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Thread(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenSQLite(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ url, file string }{
		{"sqlite:" + filepath.Join(dir, "a.db"), "a.db"},
		{filepath.Join(dir, "b.db"), "b.db"},
		{"sqlite://" + filepath.Join(dir, "c?#%.db"), "c?#%.db"},
		{"sqlite::memory:", ""},
	} {
		s, err := open.Open(context.Background(), tc.url, open.Options{})
		if err != nil {
			t.Fatalf("Open(%q): %v", tc.url, err)
		}
		roundTrip(t, s)
		if tc.file != "" {
			if _, err := os.Stat(filepath.Join(dir, tc.file)); err != nil {
				t.Errorf("Open(%q) did not create %s: %v", tc.url, tc.file, err)
			}
		}
	}
	if _, err := open.Open(context.Background(), "sqlite:"+filepath.Join(dir, "missing-dir", "x.db"), open.Options{}); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

func TestOpenPostgres(t *testing.T) {
	url, _ := pgtest.Schema(t)
	s, err := open.Open(context.Background(), url, open.Options{PoolSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s)
}

func TestOpenPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5_000_000_000)
	defer cancel()
	_, err := open.Open(ctx, "postgres://user:s3cret@127.0.0.1:1/none?connect_timeout=2", open.Options{})
	if err == nil {
		t.Fatal("Open of an unreachable database succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("error does not say which database: %v", err)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "td.db")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ url, err string }{
		{"sqlite:" + file, ""},
		{"sqlite:" + filepath.Join(dir, "new.db"), ""},
		{"sqlite::memory:", ""},
		{"sqlite:" + dir, "is a directory: expected an SQLite database file"},
		{filepath.Join(dir, "missing", "td.db"), "the directory " + filepath.Join(dir, "missing") + " does not exist"},
		{"postgres://u:secret@db:5432/td", ""},
		{"postgres://u:secret@db:notaport/td", "cannot parse the connection URL"},
		{"mysql://db/x", `unknown kind of store "mysql"`},
	}
	for _, tc := range tests {
		err := open.Check(tc.url)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("Check(%q): %v", tc.url, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("Check(%q) = %v, want an error containing %q", tc.url, err, tc.err)
		case err != nil && strings.Contains(err.Error(), "secret"):
			t.Errorf("Check(%q) error %q shows the password", tc.url, err)
		}
	}
}
