package retention

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/sqldb"
	"github.com/threaddigest/threaddigest/store/sqlite"
)

const day = 24 * time.Hour

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// fill makes a store with an old skipped run before a newer one, and a
// thread nothing follows that was marked unfollowed long ago.
func fill(t *testing.T) *sqldb.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Memory, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i, slot := range []time.Time{t0, t0.Add(time.Hour)} {
		r, _, err := s.ClaimRun(ctx, store.RunKey{Digest: "d", Destination: "stdout", Slot: slot}, "kept", "h", time.Minute, slot)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteRun(ctx, r.ID, "h", int64(i), store.SkippedRef+" 0 new comments", slot); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"kept", "gone"} {
		if err := s.SaveThread(ctx, store.ThreadRecord{Name: name, Source: name + ".txt"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpsertComments(ctx, name, []threaddigest.Comment{{ID: "1", Author: "a", Body: "b"}}, t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Prune(ctx, store.Retention{Configured: []string{"kept"}}, t0, false); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOnceSharesTheWorkAndCounts(t *testing.T) {
	s := fill(t)
	ctx := context.Background()
	now := t0.Add(40 * day)
	policy := store.Retention{SkippedRuns: 30 * day, Unfollowed: 30 * day, Configured: []string{"kept"}}
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	a := New(Deps{Store: s, Holder: "a", Now: func() time.Time { return now }, Registerer: reg,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}, policy, time.Hour)
	b := New(Deps{Store: s, Holder: "b", Now: func() time.Time { return now }}, policy, time.Hour)

	rep, ran, err := a.Once(ctx)
	if err != nil || !ran {
		t.Fatalf("first Once = %v, %v", ran, err)
	}
	if rep.SkippedRuns != 1 || len(rep.Forgotten) != 1 || rep.Forgotten[0].Name != "gone" {
		t.Errorf("report = %+v; want one skipped run and thread gone", rep)
	}
	if _, ran, err := b.Once(ctx); err != nil || ran {
		t.Errorf("another replica within the interval: ran=%v, %v; want it to leave the prune to a", ran, err)
	}
	if _, ran, err := a.Once(ctx); err != nil || !ran {
		t.Errorf("the holder at its next turn: ran=%v, %v", ran, err)
	}
	now = now.Add(2 * time.Hour)
	if _, ran, err := b.Once(ctx); err != nil || !ran {
		t.Errorf("another replica once the lease lapsed: ran=%v, %v", ran, err)
	}
	for kind, want := range map[string]float64{"skipped_runs": 1, "threads": 1, "comments": 1, "failed_runs": 0} {
		if got := testutil.ToFloat64(a.pruned.WithLabelValues(kind)); got != want {
			t.Errorf("threaddigest_pruned_total{kind=%q} = %v, want %v", kind, got, want)
		}
	}
	if got := testutil.ToFloat64(a.last); got != float64(t0.Add(40*day).Unix()) {
		t.Errorf("last prune = %v", got)
	}
	for _, want := range []string{"retention: store pruned", "skipped_runs=1", "thread=gone", "forgot a thread nothing has followed since 2026-03-01T08:00:00Z"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestRunStopsAndNeverPrunesWhenOff(t *testing.T) {
	s := fill(t)
	ctx, cancel := context.WithCancel(context.Background())
	off := New(Deps{Store: s, Holder: "a", Now: func() time.Time { return t0.Add(40 * day) }},
		store.Retention{SkippedRuns: day}, 0)
	off.Run(ctx) // returns at once
	if runs, _ := s.Runs(ctx, "", 0); len(runs) != 2 {
		t.Errorf("every = 0 pruned: %d runs left", len(runs))
	}
	on := New(Deps{Store: s, Holder: "a", Now: func() time.Time { return t0.Add(40 * day) }},
		store.Retention{SkippedRuns: day}, time.Hour)
	done := make(chan struct{})
	go func() { on.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if runs, _ := s.Runs(ctx, "", 0); len(runs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not prune at start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
}

func TestDescribe(t *testing.T) {
	rep := store.PruneReport{SkippedRuns: 12, FailedRuns: 0, Leases: 1, Unfollowed: []string{"a", "b"}, Refollowed: []string{"c"},
		Forgotten: []store.ForgottenThread{{Name: "old", Comments: 54, UnfollowedAt: t0}}}
	got := Describe(rep, store.Retention{SkippedRuns: 30 * day, Unfollowed: 36 * time.Hour}, true)
	want := `skipped runs (older than 30d): 12 would be deleted
failed and uncertain runs (kept for ever): 0 would be deleted
leases expired a day or more ago: 1 would be deleted
threads no longer followed (forgotten after 36h0m0s unless followed again): a, b
threads followed again, kept: c
thread old, unfollowed since 2026-03-01 08:00 UTC: would be deleted with its 54 comments
`
	if got != want {
		t.Errorf("Describe =\n%s\nwant\n%s", got, want)
	}
}
