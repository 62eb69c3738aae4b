package main

import (
	"context"
	"fmt"
	"log/slog"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/source/sources"
)

// fetchLive reads a thread from a live address (reddit:URL, hn:ID, a bare
// Reddit or Hacker News URL, …) once, through the same sources serve polls.
// live is false for a file path, which the caller reads itself. Credentials
// come from the environment (THREADDIGEST_REDDIT_CLIENT_ID, …).
func fetchLive(ctx context.Context, spec string, env Env) (thread threaddigest.Thread, live bool, err error) {
	if spec == "-" {
		return threaddigest.Thread{}, false, nil
	}
	addr, err := sources.ParseAddress(spec)
	if err != nil {
		return threaddigest.Thread{}, true, usagef("digest: %v", err)
	}
	if !addr.Live() {
		return threaddigest.Thread{}, false, nil
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	src, err := sources.Open(spec, sources.Settings{}, sources.Deps{Log: log, Getenv: env.Getenv})
	if err != nil {
		return threaddigest.Thread{}, true, err
	}
	res, err := src.Fetch(ctx, "")
	if err != nil {
		return threaddigest.Thread{}, true, fmt.Errorf("reading the thread: %w", err)
	}
	if res.Skipped > 0 {
		fmt.Fprintf(env.Stderr, "threaddigest: warning: %s: skipped %d comments that could not be read (%d read)\n", spec, res.Skipped, len(res.Comments))
	}
	return threaddigest.Thread{ID: addr.Target, Title: res.Title, URL: res.URL, Comments: res.Comments}, true, nil
}
