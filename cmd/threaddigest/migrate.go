package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/threaddigest/threaddigest/config"
	"github.com/threaddigest/threaddigest/internal/textutil"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/open"
	"github.com/threaddigest/threaddigest/store/sqldb"
)

const migrateUsage = `Usage: threaddigest migrate [--dry-run] [--config FILE | --store URL]

Brings the store's schema up to date, as serve does at start, and says
which migrations it applied. With --dry-run it changes nothing and shows
the version the store is at and each migration that would be applied, with
its SQL. The store is [store] url of the configuration (or
THREADDIGEST_STORE_URL), or --store. See README "Backups and upgrades".

Flags:
`

func runMigrate(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "change nothing: show what would be applied")
	configPath := fs.String("config", "config.toml", "the configuration `FILE` naming the store")
	storeURL := fs.String("store", "", "the store `URL` (sqlite:PATH or postgres://…), instead of the configuration's")
	if err := parseFlags(fs, args, migrateUsage, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("migrate takes no arguments, got %q", fs.Arg(0))
	}
	url := *storeURL
	if url == "" {
		cfg, err := loadConfig(*configPath, env)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		url = cfg.Store.URL
	}
	name := open.Redact(url)
	before, err := open.Status(ctx, url)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	describeStatus(env.Stdout, name, before)
	if len(before.Pending) == 0 {
		return nil
	}
	if *dryRun {
		fmt.Fprintf(env.Stdout, "Dry run: nothing changed. %s would be applied:\n", count(len(before.Pending), "migration"))
		for _, m := range before.Pending {
			fmt.Fprintf(env.Stdout, "\n-- %s\n%s\n", m.Name, strings.TrimSpace(m.SQL))
		}
		return nil
	}
	st, err := open.Open(ctx, url, open.Options{})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	after, err := open.Status(ctx, url)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var names []string
	for _, m := range before.Pending {
		if m.Version <= after.Current {
			names = append(names, m.Name)
		}
	}
	fmt.Fprintf(env.Stdout, "Applied %s: %s. The store is at schema version %d.\n", count(len(names), "migration"),
		strings.Join(names, ", "), after.Current)
	return nil
}

// describeStatus says where a store's schema stands.
func describeStatus(w io.Writer, name string, st store.SchemaStatus) {
	switch {
	case st.Missing:
		fmt.Fprintf(w, "Store %s does not exist yet; migrate or serve creates it at schema version %d.\n", name, st.Latest)
	case len(st.Pending) == 0:
		fmt.Fprintf(w, "Store %s is at schema version %d, the latest this threaddigest knows: nothing to do.\n", name, st.Current)
	default:
		fmt.Fprintf(w, "Store %s is at schema version %d; this threaddigest's latest is %d.\n", name, st.Current, st.Latest)
	}
}

// count writes "1 migration", "2 migrations".
func count(n int, what string) string { return textutil.Plural(n, what, what+"s") }

// openCurrent opens the store for a command that must not change its schema
// behind the operator's back (prune, resume): a store with migrations
// pending is refused, naming `threaddigest migrate`.
func openCurrent(ctx context.Context, cfg *config.Config) (*sqldb.Store, error) {
	st, err := open.Status(ctx, cfg.Store.URL)
	if err != nil {
		return nil, err
	}
	if st.Missing {
		return nil, fmt.Errorf("store %s does not exist yet: nothing to do", open.Redact(cfg.Store.URL))
	}
	if len(st.Pending) > 0 {
		return nil, fmt.Errorf("store %s is at schema version %d and this threaddigest expects %d: run `threaddigest migrate` first (`--dry-run` shows what it changes)",
			open.Redact(cfg.Store.URL), st.Current, st.Latest)
	}
	return open.Open(ctx, cfg.Store.URL, open.Options{PoolSize: cfg.Store.PoolSize})
}
