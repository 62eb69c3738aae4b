package later

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestShutdownDrains(t *testing.T) {
	g := New(0, nil)
	release := make(chan struct{})
	finished := make(chan struct{})
	if err := g.Go("slow", func(context.Context) { <-release; close(finished) }); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- g.Shutdown(context.Background()) }()
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) while work ran", err)
	case <-time.After(20 * time.Millisecond):
	}
	if err := g.Go("new", func(context.Context) {}); !errors.Is(err, ErrShuttingDown) {
		t.Errorf("Go during shutdown = %v, want ErrShuttingDown", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case <-finished:
	default:
		t.Error("Shutdown returned before the work finished")
	}
	if g.Context().Err() == nil {
		t.Error("the work's context outlives the shutdown")
	}
}

func TestShutdownCancelsAtItsDeadline(t *testing.T) {
	g := New(0, nil)
	stopped := make(chan struct{})
	g.Go("stuck", func(ctx context.Context) { <-ctx.Done(); close(stopped) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := g.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want a deadline error", err)
	}
	select {
	case <-stopped:
	case <-time.After(time.Second):
		t.Error("the stuck work was not cancelled")
	}
}

func TestLimitAndPanics(t *testing.T) {
	g := New(1, nil)
	release := make(chan struct{})
	g.Go("first", func(context.Context) { <-release })
	if err := g.Go("second", func(context.Context) {}); !errors.Is(err, ErrBusy) {
		t.Errorf("Go past the limit = %v, want ErrBusy", err)
	}
	ran := make(chan struct{})
	if err := g.Finish("rest", func(context.Context) { close(ran) }); err != nil {
		t.Errorf("Finish past the limit = %v", err)
	}
	<-ran
	close(release)
	if err := g.Finish("panics", func(context.Context) { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	if err := g.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
