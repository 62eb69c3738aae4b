package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/threaddigest/threaddigest/store"
)

const resumeUsage = `Usage: threaddigest resume [--config FILE] THREAD...

Polls quiet threads again. A thread with no comment added or changed for
[store.retention] quiet_threads is no longer polled (the log and /thread
list say so); resume marks each THREAD active now, and the running service
polls it from its next interval on, for another quiet_threads at least.
/thread follow of the thread's source does the same from a chat channel.

Flags:
`

func runResume(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	configPath := fs.String("config", "config.toml", "the service's configuration `FILE`")
	if err := parseFlags(fs, args, resumeUsage, env); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("resume: name at least one thread")
	}
	cfg, err := loadConfig(*configPath, env)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	st, err := openCurrent(ctx, cfg)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	defer st.Close()
	now := time.Now()
	var errs []error
	for _, name := range fs.Args() {
		err := st.MarkActive(ctx, name, now)
		if errors.Is(err, store.ErrNotFound) {
			errs = append(errs, fmt.Errorf("resume: no thread %q in the store", name))
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("resume %s: %w", name, err))
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: polled again from the service's next interval.\n", name)
	}
	return errors.Join(errs...)
}
