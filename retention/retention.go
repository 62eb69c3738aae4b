// Package retention runs the store's pruning on the service's own schedule:
// every so often one replica deletes what the [store.retention] settings no
// longer keep (the store's Prune) and says what it did, in the log and in
// metrics. `threaddigest prune` does the same once, by hand.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threaddigest/threaddigest/store"
)

// LeaseName is the store lease that lets one replica prune per interval.
const LeaseName = "prune"

// Store is what pruning needs of the store.
type Store interface {
	// Prune deletes what r no longer keeps at now; with dryRun it only
	// says what it would delete.
	Prune(ctx context.Context, r store.Retention, now time.Time, dryRun bool) (store.PruneReport, error)
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
}

// Deps are what a Pruner is built from.
type Deps struct {
	Store Store
	// Holder names this replica in the lease.
	Holder string
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
	// Registerer receives the metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Pruner prunes the store every interval.
type Pruner struct {
	deps    Deps
	policy  store.Retention
	every   time.Duration
	log     *slog.Logger
	pruned  *prometheus.CounterVec
	last    prometheus.Gauge
	failure prometheus.Counter
}

// New builds a pruner that applies policy every interval (0: never on its
// own; Once still works).
func New(deps Deps, policy store.Retention, every time.Duration) *Pruner {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Pruner{deps: deps, policy: policy, every: every, log: deps.Logger,
		pruned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_pruned_total",
			Help: "Records deleted by retention, by kind: skipped_runs, failed_runs, leases, threads, comments.",
		}, []string{"kind"}),
		last: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "threaddigest_last_prune_timestamp_seconds",
			Help: "When this replica last pruned the store (Unix time); 0 before its first prune.",
		}),
		failure: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "threaddigest_prune_failures_total",
			Help: "Prunes that failed (the store did not answer); the next interval tries again.",
		}),
	}
	for _, kind := range []string{"skipped_runs", "failed_runs", "leases", "threads", "comments"} {
		p.pruned.WithLabelValues(kind)
	}
	if deps.Registerer != nil {
		deps.Registerer.MustRegister(p.pruned, p.last, p.failure)
	}
	return p
}

// Run prunes at once and then every interval until ctx ends. Replicas share
// the work through a lease held for one interval: the replica that pruned
// renews it at its next turn, another takes over once it has lapsed.
func (p *Pruner) Run(ctx context.Context) {
	if p.every <= 0 {
		p.log.Info("retention: the service does not prune on its own ([store.retention] every = 0); run threaddigest prune")
		return
	}
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	for {
		if _, _, err := p.Once(ctx); err != nil && ctx.Err() == nil {
			p.failure.Inc()
			p.log.Error("retention: pruning the store failed; trying again next interval", "every", p.every, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Once prunes if this replica holds (or takes) the prune lease, and reports
// what it deleted; ran is false when another replica holds the lease.
func (p *Pruner) Once(ctx context.Context) (rep store.PruneReport, ran bool, err error) {
	now := p.deps.Now()
	ttl := p.every
	if ttl <= 0 {
		ttl = time.Minute
	}
	got, err := p.deps.Store.AcquireLease(ctx, LeaseName, p.deps.Holder, ttl, now)
	if err != nil {
		return rep, false, fmt.Errorf("take the prune lease: %w", err)
	}
	if !got {
		p.log.Debug("retention: another replica prunes this interval")
		return rep, false, nil
	}
	start := time.Now()
	rep, err = p.deps.Store.Prune(ctx, p.policy, now, false)
	if err != nil {
		return rep, true, err
	}
	p.record(rep)
	p.last.Set(float64(now.Unix()))
	p.logReport(rep, time.Since(start))
	return rep, true, nil
}

func (p *Pruner) record(rep store.PruneReport) {
	var comments int64
	for _, f := range rep.Forgotten {
		comments += f.Comments
	}
	p.pruned.WithLabelValues("skipped_runs").Add(float64(rep.SkippedRuns))
	p.pruned.WithLabelValues("failed_runs").Add(float64(rep.FailedRuns))
	p.pruned.WithLabelValues("leases").Add(float64(rep.Leases))
	p.pruned.WithLabelValues("threads").Add(float64(len(rep.Forgotten)))
	p.pruned.WithLabelValues("comments").Add(float64(comments))
}

func (p *Pruner) logReport(rep store.PruneReport, took time.Duration) {
	for _, name := range rep.Unfollowed {
		p.log.Info("retention: nothing follows this thread any more; it will be forgotten with its comments unless followed again",
			"thread", name, "after", p.policy.Unfollowed)
	}
	for _, name := range rep.Refollowed {
		p.log.Info("retention: thread followed again; it is kept", "thread", name)
	}
	for _, f := range rep.Forgotten {
		p.log.Info("retention: forgot a thread nothing has followed since "+f.UnfollowedAt.UTC().Format(time.RFC3339),
			"thread", f.Name, "comments", f.Comments)
	}
	if rep.SkippedRuns+rep.FailedRuns+rep.Leases+int64(len(rep.Forgotten)) > 0 {
		p.log.Info("retention: store pruned", "skipped_runs", rep.SkippedRuns, "failed_runs", rep.FailedRuns,
			"leases", rep.Leases, "threads", len(rep.Forgotten), "took", took.Round(time.Millisecond))
	} else {
		p.log.Debug("retention: nothing to prune", "took", took.Round(time.Millisecond))
	}
}

// Describe writes what a report says, one line each, for `threaddigest
// prune`; dryRun words it as what would happen.
func Describe(rep store.PruneReport, r store.Retention, dryRun bool) string {
	verb := "deleted"
	if dryRun {
		verb = "would be deleted"
	}
	keep := func(d time.Duration) string {
		if d <= 0 {
			return "kept for ever"
		}
		return "older than " + Days(d)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "skipped runs (%s): %d %s\n", keep(r.SkippedRuns), rep.SkippedRuns, verb)
	fmt.Fprintf(&b, "failed and uncertain runs (%s): %d %s\n", keep(r.FailedRuns), rep.FailedRuns, verb)
	fmt.Fprintf(&b, "leases expired a day or more ago: %d %s\n", rep.Leases, verb)
	if len(rep.Unfollowed) > 0 {
		what := "forgotten after " + Days(r.Unfollowed) + " unless followed again"
		if r.Unfollowed <= 0 {
			what = "kept: unfollowed_threads is 0"
		}
		fmt.Fprintf(&b, "threads no longer followed (%s): %s\n", what, strings.Join(rep.Unfollowed, ", "))
	}
	if len(rep.Refollowed) > 0 {
		fmt.Fprintf(&b, "threads followed again, kept: %s\n", strings.Join(rep.Refollowed, ", "))
	}
	if len(rep.Forgotten) == 0 {
		fmt.Fprintf(&b, "threads forgotten: none\n")
	}
	for _, f := range rep.Forgotten {
		fmt.Fprintf(&b, "thread %s, unfollowed since %s: %s with its %d comments\n", f.Name,
			f.UnfollowedAt.UTC().Format("2006-01-02 15:04 UTC"), verb, f.Comments)
	}
	return b.String()
}

// Days writes a retention period as people set it: "30d", else Go's form.
func Days(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
