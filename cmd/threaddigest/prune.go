package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/threaddigest/threaddigest/config"
	"github.com/threaddigest/threaddigest/retention"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/open"
)

const pruneUsage = `Usage: threaddigest prune [--dry-run] [--config FILE]

Deletes what [store.retention] no longer keeps, as serve does every
[store.retention] every: runs of skipped slots and failed runs past their
age, threads nothing has followed for unfollowed_threads (with their
comments), leases expired a day ago. Posted runs are always kept. With
--dry-run it deletes nothing and says what it would delete. Threads of the
configuration count as followed, so run it with serve's configuration.
See README "Retention".

Flags:
`

func runPrune(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "delete nothing: say what would be deleted")
	configPath := fs.String("config", "config.toml", "the service's configuration `FILE`")
	if err := parseFlags(fs, args, pruneUsage, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("prune takes no arguments, got %q", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath, env)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	st, err := openCurrent(ctx, cfg)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	defer st.Close()
	policy := retentionPolicy(cfg)
	now := time.Now()
	rep, err := st.Prune(ctx, policy, now, *dryRun)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	if *dryRun {
		fmt.Fprintf(env.Stdout, "Dry run on %s: nothing deleted.\n", open.Redact(cfg.Store.URL))
	} else {
		fmt.Fprintf(env.Stdout, "Pruned %s.\n", open.Redact(cfg.Store.URL))
	}
	fmt.Fprint(env.Stdout, retention.Describe(rep, policy, *dryRun))
	return nil
}

// retentionPolicy is [store.retention] with the configuration's threads,
// which count as followed.
func retentionPolicy(cfg *config.Config) store.Retention {
	r := cfg.Store.Retention
	var names []string
	for _, t := range cfg.Threads {
		names = append(names, t.Name)
	}
	return store.Retention{SkippedRuns: r.SkippedRuns.D(), FailedRuns: r.FailedRuns.D(),
		Unfollowed: r.UnfollowedThreads.D(), Configured: names}
}
