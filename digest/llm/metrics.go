package llm

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/threaddigest/threaddigest/digest"
)

// Metrics are the engine's Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	requests     *prometheus.CounterVec
	tokens       *prometheus.CounterVec
	cost         prometheus.Counter
	digestTokens prometheus.Histogram
	digestCost   prometheus.Histogram
	comments     *prometheus.CounterVec
	dropped      *prometheus.CounterVec
	fallbacks    prometheus.Counter
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_llm_requests_total",
			Help: "Requests to the language model by outcome (ok, timeout, rate_limited, server_error, http_error, transport, malformed, truncated, refused, canceled).",
		}, []string{"outcome"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_llm_tokens_total",
			Help: "Tokens sent to (prompt) and written by (completion) the language model.",
		}, []string{"kind"}),
		cost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "threaddigest_llm_cost_usd_total",
			Help: "What the language model's tokens cost, in US dollars at the configured prices.",
		}),
		digestTokens: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "threaddigest_llm_digest_tokens",
			Help:    "Tokens one digest spent on the language model.",
			Buckets: prometheus.ExponentialBuckets(100, 4, 9),
		}),
		digestCost: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "threaddigest_llm_digest_cost_usd",
			Help:    "What one digest's tokens cost, in US dollars at the configured prices.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9),
		}),
		comments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_llm_comments_total",
			Help: "Comments of digests by where their labels came from: cache, model or offline (the fallback).",
		}, []string{"source"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_llm_dropped_total",
			Help: "Parts of the model's answers discarded, by reason (not_verbatim, unknown_comment, unknown_argument, unknown_key, bad_value, duplicate).",
		}, []string{"reason"}),
		fallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "threaddigest_llm_offline_digests_total",
			Help: "Digests the offline analysis labelled entirely although the language model was asked (budget, failures).",
		}),
	}
	reg.MustRegister(m.requests, m.tokens, m.cost, m.digestTokens, m.digestCost, m.comments, m.dropped, m.fallbacks)
	// Every series exists from the start, at zero (the values the help
	// lists), so that rates and alerts see the first event.
	for _, o := range []string{"ok", failTimeout, failRateLimited, failServer, failHTTP, failTransport, failMalformed, failTruncated, failRefused, failCanceled} {
		m.requests.WithLabelValues(o).Add(0)
	}
	for _, k := range []string{"prompt", "completion"} {
		m.tokens.WithLabelValues(k).Add(0)
	}
	for _, src := range []string{"cache", "model", "offline"} {
		m.comments.WithLabelValues(src).Add(0)
	}
	for _, r := range []string{dropNotVerbatim, dropUnknownComment, dropUnknownArg, dropUnknownKey, dropBadValue, dropDuplicate} {
		m.dropped.WithLabelValues(r).Add(0)
	}
	return m
}

func (m *Metrics) request(outcome string) {
	if m != nil {
		m.requests.WithLabelValues(outcome).Inc()
	}
}

func (m *Metrics) digest(rep Report, e *digest.Engine) {
	if m == nil {
		return
	}
	m.tokens.WithLabelValues("prompt").Add(float64(rep.PromptTokens))
	m.tokens.WithLabelValues("completion").Add(float64(rep.CompletionTokens))
	m.cost.Add(rep.Cost)
	m.digestTokens.Observe(float64(rep.Tokens()))
	m.digestCost.Observe(rep.Cost)
	m.comments.WithLabelValues("cache").Add(float64(rep.Cached))
	m.comments.WithLabelValues("model").Add(float64(rep.Labelled))
	m.comments.WithLabelValues("offline").Add(float64(rep.Offline))
	for reason, n := range rep.Dropped {
		m.dropped.WithLabelValues(reason).Add(float64(n))
	}
	if e != nil && e.Name == digest.EngineOffline {
		m.fallbacks.Inc()
	}
}
