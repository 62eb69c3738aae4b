package scheduler

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the service's Prometheus metrics. A nil *Metrics records
// nothing, so tests that do not look at metrics need not build one.
//
// Labels carry digest and thread names (from the configuration or chosen by
// /thread follow, checked to be short and plain) and destination keys, which
// never hold a webhook's secret (see bot/addr).
type Metrics struct {
	posted        *prometheus.CounterVec
	failed        *prometheus.CounterVec
	skipped       *prometheus.CounterVec
	uncertain     *prometheus.CounterVec
	runDuration   *prometheus.HistogramVec
	attempts      *prometheus.CounterVec
	ingested      *prometheus.CounterVec
	updated       *prometheus.CounterVec
	polls         *prometheus.CounterVec
	pollFailures  *prometheus.CounterVec
	pollDuration  *prometheus.HistogramVec
	sourceFailing *prometheus.GaugeVec
	lastDigest    *prometheus.GaugeVec
	lastPoll      *prometheus.GaugeVec
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		posted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_digests_posted_total",
			Help: "Digest runs delivered, by digest and destination.",
		}, []string{"digest", "destination"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_digests_failed_total",
			Help: "Digest runs recorded as failed after their retries, by digest and destination.",
		}, []string{"digest", "destination"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_digests_skipped_total",
			Help: "Digest runs that posted nothing because fewer than min_new_comments were new.",
		}, []string{"digest", "destination"}),
		uncertain: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_digests_uncertain_total",
			Help: "Runs found mid-post with an expired lease: maybe posted, never posted again.",
		}, []string{"digest", "destination"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "threaddigest_run_duration_seconds",
			Help:    "Time from claiming a run to recording its outcome.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 10),
		}, []string{"digest", "destination"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_delivery_attempts_total",
			Help: "Delivery attempts by destination and outcome (ok, retry, permanent).",
		}, []string{"destination", "outcome"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_comments_ingested_total",
			Help: "Comments stored for the first time, by thread.",
		}, []string{"thread"}),
		updated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_comments_updated_total",
			Help: "Stored comments changed by an edit or deletion, by thread.",
		}, []string{"thread"}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_source_polls_total",
			Help: "Polls of a thread's source by this replica.",
		}, []string{"thread"}),
		pollFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_source_poll_failures_total",
			Help: "Polls of a thread's source that failed.",
		}, []string{"thread"}),
		pollDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "threaddigest_source_poll_duration_seconds",
			Help:    "Time to fetch a source and store what changed.",
			Buckets: prometheus.ExponentialBuckets(0.005, 3, 10),
		}, []string{"thread"}),
		sourceFailing: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "threaddigest_source_failing",
			Help: "1 while a thread's source has failed since its last good poll.",
		}, []string{"thread"}),
		lastDigest: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "threaddigest_last_digest_success_timestamp_seconds",
			Help: "When a run of the digest to the destination last succeeded here (posted, or skipped for too few new comments), in Unix seconds; 0 until one does.",
		}, []string{"digest", "destination"}),
		lastPoll: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "threaddigest_last_poll_success_timestamp_seconds",
			Help: "When this replica last polled the thread's source successfully, in Unix seconds; 0 until it does (another replica may poll it).",
		}, []string{"thread"}),
	}
	reg.MustRegister(m.posted, m.failed, m.skipped, m.uncertain, m.runDuration, m.attempts,
		m.ingested, m.updated, m.polls, m.pollFailures, m.pollDuration, m.sourceFailing,
		m.lastDigest, m.lastPoll)
	return m
}

// digestKnown makes the series of a digest and destination exist, at zero,
// before its first run: an alert on the time since the last success then
// fires for a digest that never succeeded too, and every counter starts
// from 0.
func (m *Metrics) digestKnown(digest, dest string) {
	if m == nil {
		return
	}
	m.lastDigest.WithLabelValues(digest, dest).Add(0)
	for _, c := range []*prometheus.CounterVec{m.posted, m.failed, m.skipped, m.uncertain} {
		c.WithLabelValues(digest, dest).Add(0)
	}
	m.runDuration.WithLabelValues(digest, dest)
	for _, outcome := range []string{"ok", "retry", "permanent"} {
		m.attempts.WithLabelValues(dest, outcome).Add(0)
	}
}

// threadKnown does the same for a thread's polls.
func (m *Metrics) threadKnown(thread string) {
	if m == nil {
		return
	}
	m.lastPoll.WithLabelValues(thread).Add(0)
	for _, c := range []*prometheus.CounterVec{m.ingested, m.updated, m.polls, m.pollFailures} {
		c.WithLabelValues(thread).Add(0)
	}
	m.sourceFailing.WithLabelValues(thread).Add(0)
	m.pollDuration.WithLabelValues(thread)
}

func (m *Metrics) runOutcome(outcome, digest, dest string, seconds float64, at time.Time) {
	if m == nil {
		return
	}
	switch outcome {
	case "posted":
		m.posted.WithLabelValues(digest, dest).Inc()
		m.lastDigest.WithLabelValues(digest, dest).Set(float64(at.UnixNano()) / 1e9)
	case "failed":
		m.failed.WithLabelValues(digest, dest).Inc()
	case "skipped":
		m.skipped.WithLabelValues(digest, dest).Inc()
		m.lastDigest.WithLabelValues(digest, dest).Set(float64(at.UnixNano()) / 1e9)
	case "uncertain":
		m.uncertain.WithLabelValues(digest, dest).Inc()
		return
	default:
		return
	}
	m.runDuration.WithLabelValues(digest, dest).Observe(seconds)
}

func (m *Metrics) attempt(dest, outcome string) {
	if m != nil {
		m.attempts.WithLabelValues(dest, outcome).Inc()
	}
}

func (m *Metrics) poll(thread string, added, updated int, err error, seconds float64, at time.Time) {
	if m == nil {
		return
	}
	m.polls.WithLabelValues(thread).Inc()
	m.pollDuration.WithLabelValues(thread).Observe(seconds)
	if err != nil {
		m.pollFailures.WithLabelValues(thread).Inc()
		m.sourceFailing.WithLabelValues(thread).Set(1)
		return
	}
	m.lastPoll.WithLabelValues(thread).Set(float64(at.UnixNano()) / 1e9)
	m.sourceFailing.WithLabelValues(thread).Set(0)
	m.ingested.WithLabelValues(thread).Add(float64(added))
	m.updated.WithLabelValues(thread).Add(float64(updated))
}
