// Package open opens the store that a configuration's [store] url names, so
// that the service need not know which implementations exist:
//
//	sqlite:threaddigest.db        an SQLite file (created when missing)
//	sqlite:///var/lib/td/td.db    the same, with an absolute path
//	sqlite::memory:               a private in-memory database (tests)
//	threaddigest.db               a bare path is an SQLite file too
//	postgres://user@host:5432/db  PostgreSQL; also postgresql://
//	postgres://…?search_path=td   PostgreSQL, tables in schema td
package open

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/postgres"
	"github.com/threaddigest/threaddigest/store/sqldb"
	"github.com/threaddigest/threaddigest/store/sqlite"
)

// Options apply to whichever store the URL names.
type Options struct {
	// Logger receives the store's log lines; nil discards them.
	Logger *slog.Logger
	// PoolSize caps a PostgreSQL store's connections per process; 0 keeps
	// pgx's default. SQLite ignores it.
	PoolSize int
}

// Kind says which implementation a store URL names: "sqlite" or "postgres".
// It reports an error for a URL no implementation accepts.
func Kind(rawURL string) (kind string, err error) {
	kind, _, err = parse(rawURL)
	return kind, err
}

func parse(rawURL string) (kind, target string, err error) {
	switch {
	case strings.TrimSpace(rawURL) == "":
		return "", "", errors.New("store url is empty; expected sqlite:PATH, a file path, or postgres://…")
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return "postgres", rawURL, nil
	case rawURL == "sqlite::memory:":
		return "sqlite", sqlite.Memory, nil
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return "", "", fmt.Errorf("store url %q names no file; expected sqlite:PATH", rawURL)
		}
		return "sqlite", path, nil
	}
	if scheme, _, ok := strings.Cut(rawURL, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		return "", "", fmt.Errorf("store url %s: unknown kind of store %q; expected sqlite:PATH, a file path, or postgres://…", Redact(rawURL), scheme)
	}
	return "sqlite", rawURL, nil
}

// Check makes the checks of a store URL that need no connection: that an
// implementation accepts it, that a PostgreSQL URL parses, and that an
// SQLite path is a file that can be opened for writing, or does not exist
// yet in a directory that does. check-config runs it; Open runs it first, so
// that serve refuses the same and says so plainly.
func Check(rawURL string) error {
	kind, target, err := parse(rawURL)
	if err != nil {
		return err
	}
	if kind == "postgres" {
		if err := postgres.CheckURL(target); err != nil {
			return fmt.Errorf("store url %s: %w", Redact(rawURL), err)
		}
		return nil
	}
	if target == sqlite.Memory {
		return nil
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("store url %s: %s is a directory: expected an SQLite database file (it is created when missing), e.g. sqlite:%s", rawURL, target, filepath.Join(target, "threaddigest.db"))
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("store url %s: %s is not a regular file: expected an SQLite database file", rawURL, target)
	case err == nil:
		f, err := os.OpenFile(target, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("store url %s: the database file cannot be opened for writing: %w", rawURL, err)
		}
		return f.Close()
	case errors.Is(err, os.ErrNotExist):
		dir := filepath.Dir(target)
		di, derr := os.Stat(dir)
		if derr != nil || !di.IsDir() {
			return fmt.Errorf("store url %s: the directory %s does not exist: create it, or name a file in a directory that does", rawURL, dir)
		}
		return nil
	default:
		return fmt.Errorf("store url %s: %w", rawURL, err)
	}
}

// Open opens the store rawURL names and brings its schema up to date.
func Open(ctx context.Context, rawURL string, opts Options) (*sqldb.Store, error) {
	if err := Check(rawURL); err != nil {
		return nil, err
	}
	kind, target, err := parse(rawURL)
	if err != nil {
		return nil, err
	}
	if kind == "postgres" {
		return postgres.Open(ctx, target, postgres.Options{PoolSize: opts.PoolSize, Logger: opts.Logger})
	}
	return sqlite.Open(ctx, target, sqlite.Options{Logger: opts.Logger})
}

// Status says where the schema of the store rawURL names stands and which
// migrations opening it would apply, changing nothing.
func Status(ctx context.Context, rawURL string) (store.SchemaStatus, error) {
	kind, target, err := parse(rawURL)
	if err != nil {
		return store.SchemaStatus{}, err
	}
	if kind == "postgres" {
		return postgres.Status(ctx, target)
	}
	return sqlite.Status(ctx, target)
}

// Redact returns rawURL fit for logs: a password in it replaced by "xxxxx".
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		if scheme, rest, ok := strings.Cut(rawURL, "://"); ok && (strings.Contains(rest, "@") || strings.Contains(rest, "password")) {
			// Unparseable but maybe holding credentials: keep the scheme only.
			return scheme + "://…"
		}
		return rawURL
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			changed = true
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
		changed = true
	}
	if !changed {
		return rawURL
	}
	return u.String()
}
