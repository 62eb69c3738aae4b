// Package later runs work that outlives the request that asked for it — a
// chat answer computed after the platform's three-second acknowledgement,
// the rest of a long answer — and drains it at shutdown: Shutdown stops
// taking work, waits for what runs, and cancels it when its own deadline
// comes first.
package later

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
)

// ErrShuttingDown is why Go refuses work once Shutdown has begun.
var ErrShuttingDown = errors.New("shutting down")

// ErrBusy is why Go refuses work when as much as the group takes runs.
var ErrBusy = errors.New("busy")

// Group runs work in the background until Shutdown.
type Group struct {
	limit  int
	log    *slog.Logger
	base   context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	running int // work counted against limit
	wg      sync.WaitGroup
}

// New returns a group that runs at most limit pieces of counted work at a
// time (0: no limit). A panic in the work is logged to logger, and ends
// only that work.
func New(limit int, logger *slog.Logger) *Group {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	g := &Group{limit: limit, log: logger}
	g.base, g.cancel = context.WithCancel(context.Background())
	return g
}

// Context ends when Shutdown has drained the work or given up waiting for
// it. Work derives its contexts from it.
func (g *Group) Context() context.Context { return g.base }

// Go runs f on a goroutine of its own, counted against the group's limit.
// It refuses, with ErrShuttingDown or ErrBusy, once Shutdown has begun or
// while the limit is reached; f then does not run. what names the work in
// the log.
func (g *Group) Go(what string, f func(ctx context.Context)) error {
	return g.start(what, true, f)
}

// Finish runs f like Go, but never refuses it for the limit: it finishes
// what counted work began (the rest of an answer whose first part went).
func (g *Group) Finish(what string, f func(ctx context.Context)) error {
	return g.start(what, false, f)
}

func (g *Group) start(what string, counted bool, f func(ctx context.Context)) error {
	g.mu.Lock()
	switch {
	case g.closed:
		g.mu.Unlock()
		return ErrShuttingDown
	case counted && g.limit > 0 && g.running >= g.limit:
		g.mu.Unlock()
		return ErrBusy
	}
	if counted {
		g.running++
	}
	g.wg.Add(1) // under mu: never after Shutdown has started waiting
	g.mu.Unlock()
	go func() {
		defer g.wg.Done()
		if counted {
			defer func() {
				g.mu.Lock()
				g.running--
				g.mu.Unlock()
			}()
		}
		defer func() {
			if p := recover(); p != nil {
				g.log.Error("background work panicked", "what", what, "panic", p, "stack", string(debug.Stack()))
			}
		}()
		f(g.base)
	}()
	return nil
}

// Shutdown stops taking work and waits for what runs. When ctx ends first
// it cancels the work (its contexts end; it stops shortly, unwaited for)
// and returns an error wrapping ctx's.
func (g *Group) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	defer g.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("answers still running at shutdown were cancelled: %w", ctx.Err())
	}
}
