// Package digests computes the digests of stored threads, for scheduled runs
// and /thread answers alike, and keeps them until the thread changes.
package digests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/prometheus/client_golang/prometheus"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/store"
)

// Store is what the digests read of the store.
type Store interface {
	Thread(ctx context.Context, name string) (store.ThreadRecord, error)
	Comments(ctx context.Context, thread string) ([]store.CommentRecord, error)
	ThreadVersion(ctx context.Context, thread string) (int64, error)
}

// Analyze computes a digest of the thread stored under the name thread:
// digest.Analyze, or an engine that asks a language model (digest/llm),
// keeps what it learnt under the thread's name, and may wait on the model
// until ctx ends.
type Analyze func(ctx context.Context, thread string, t threaddigest.Thread, opt digest.Options) digest.Digest

// Deps are what a Cache is built from.
type Deps struct {
	Store   Store
	Analyze Analyze
	// Locator reads commenter locations; nil reads every one as Unknown.
	Locator digest.Locator
	// Metrics may be nil.
	Metrics *Metrics
}

// Limits bound a Cache. Zero values take the defaults.
type Limits struct {
	// Entries caps the digests kept. Default 256.
	Entries int
	// Weight caps them by size: an entry weighs one plus its digest's
	// per-comment results. Default 500,000 (a few hundred MB at most).
	Weight int
}

// Request says which digest of a thread is wanted.
type Request struct {
	// Target is the stance target; "" lets the digest find it.
	Target string
	// Whole digests the whole thread. Otherwise the digest is of the new
	// comments: those with a Seq above AfterSeq, or when Since is set those
	// written (or, without a time, first seen) at or after Since; the rest
	// of the thread gives context.
	Whole    bool
	AfterSeq int64
	Since    time.Time
	// MaxArguments caps the arguments; 0 for the default.
	MaxArguments int
}

func (r Request) key(thread string) string {
	scope := "whole"
	switch {
	case !r.Whole && !r.Since.IsZero():
		scope = "since:" + r.Since.UTC().Format(time.RFC3339Nano)
	case !r.Whole:
		scope = fmt.Sprintf("after:%d", r.AfterSeq)
	}
	return strings.Join([]string{thread, r.Target, scope, fmt.Sprint(r.MaxArguments)}, "\x00")
}

// Result is a digest and what it covered.
type Result struct {
	Digest digest.Digest
	// NewCount counts the new comments digested (deleted ones excluded);
	// for a whole-thread digest, all of them.
	NewCount int
	// CoveredTo is the highest Seq among the comments read.
	CoveredTo int64
	// Version is the thread version the digest was computed at.
	Version int64
}

// Cache computes digests and keeps them per (thread, request) until the
// thread's version in the store changes. Replicas each keep their own; the
// version lives in the database, so a comment stored by any replica
// invalidates every cache.
//
// It is bounded two ways: by entries, and by weight — one per entry plus one
// per comment result the digest holds — because a digest of a 100,000-comment
// thread carries 100,000 per-comment results and a few of those would
// otherwise dominate memory. The least recently used entries go first.
type Cache struct {
	deps      Deps
	mu        sync.Mutex
	max       int
	maxWeight int
	weight    int
	entries   map[string]*cacheEntry
	tick      uint64
	flight    singleflight.Group
}

type cacheEntry struct {
	thread string
	res    Result
	used   uint64
	weight int
}

// New returns a cache.
func New(deps Deps, l Limits) (*Cache, error) {
	if deps.Store == nil || deps.Analyze == nil {
		return nil, errors.New("digests: New needs a Store and Analyze")
	}
	if l.Entries <= 0 {
		l.Entries = 256
	}
	if l.Weight <= 0 {
		l.Weight = 500_000
	}
	return newCache(deps, l.Entries, l.Weight), nil
}

func newCache(deps Deps, max, maxWeight int) *Cache {
	return &Cache{deps: deps, max: max, maxWeight: maxWeight, entries: make(map[string]*cacheEntry)}
}

func (c *Cache) get(key string, version int64) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.res.Version != version {
		return Result{}, false
	}
	c.tick++
	e.used = c.tick
	return e.res, true
}

func (c *Cache) put(key, thread string, res Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok && e.res.Version > res.Version {
		return // a newer result landed first
	}
	w := 1 + len(res.Digest.Comments)
	if w > c.maxWeight {
		return // would evict everything else for one answer
	}
	c.tick++
	if old, ok := c.entries[key]; ok {
		c.weight -= old.weight
	}
	c.entries[key] = &cacheEntry{thread: thread, res: res, used: c.tick, weight: w}
	c.weight += w
	for len(c.entries) > c.max || c.weight > c.maxWeight {
		var oldest string
		var used uint64
		for k, e := range c.entries {
			if oldest == "" || e.used < used {
				oldest, used = k, e.used
			}
		}
		c.weight -= c.entries[oldest].weight
		delete(c.entries, oldest)
	}
}

// Drop forgets the digests of a thread, when what they show of it changed
// (its title).
func (c *Cache) Drop(thread string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.thread == thread {
			c.weight -= e.weight
			delete(c.entries, k)
		}
	}
}

// Cached returns the digest for req if one is cached at the thread's
// current version. It reads only the version from the store.
func (c *Cache) Cached(ctx context.Context, thread string, req Request) (Result, bool) {
	v, err := c.deps.Store.ThreadVersion(ctx, thread)
	if err != nil {
		return Result{}, false
	}
	return c.get(req.key(thread), v)
}

// Digest returns the digest for req, from the cache when the thread has not
// changed since it was computed. Concurrent requests for the same digest
// share one analysis.
func (c *Cache) Digest(ctx context.Context, thread string, req Request) (Result, error) {
	// Read the version before the comments: if a comment lands in between,
	// the result is cached under the older version and recomputed next time,
	// never served stale.
	v, err := c.deps.Store.ThreadVersion(ctx, thread)
	if err != nil {
		return Result{}, fmt.Errorf("read version of thread %s: %w", thread, err)
	}
	key := req.key(thread)
	if res, ok := c.get(key, v); ok {
		return res, nil
	}
	out, err, _ := c.flight.Do(fmt.Sprintf("%s\x00%d", key, v), func() (any, error) {
		res, err := c.analyze(ctx, thread, req)
		if err != nil {
			return nil, err
		}
		res.Version = v
		c.put(key, thread, res)
		return res, nil
	})
	if err != nil {
		return Result{}, err
	}
	return out.(Result), nil
}

func (c *Cache) analyze(ctx context.Context, name string, req Request) (Result, error) {
	rec, err := c.deps.Store.Thread(ctx, name)
	if err != nil {
		return Result{}, fmt.Errorf("read thread %s: %w", name, err)
	}
	recs, err := c.deps.Store.Comments(ctx, name)
	if err != nil {
		return Result{}, fmt.Errorf("read comments of thread %s: %w", name, err)
	}
	t := threaddigest.Thread{Title: rec.Title, URL: rec.URL, Comments: make([]threaddigest.Comment, len(recs))}
	var res Result
	var newIDs map[string]bool
	if !req.Whole {
		newIDs = make(map[string]bool)
	}
	for i, r := range recs {
		t.Comments[i] = r.Comment
		if r.Seq > res.CoveredTo {
			res.CoveredTo = r.Seq
		}
		if r.Deleted {
			continue
		}
		switch {
		case req.Whole:
			res.NewCount++
		case !req.Since.IsZero():
			at := r.CreatedAt
			if at.IsZero() {
				at = r.FirstSeen
			}
			if !at.Before(req.Since) {
				newIDs[r.ID] = true
				res.NewCount++
			}
		case r.Seq > req.AfterSeq:
			newIDs[r.ID] = true
			res.NewCount++
		}
	}
	start := time.Now()
	res.Digest = c.deps.Analyze(ctx, name, t, digest.Options{
		Target:       req.Target,
		Locator:      c.deps.Locator,
		MaxArguments: req.MaxArguments,
		New:          newIDs,
	})
	c.deps.Metrics.analysis(time.Since(start).Seconds())
	return res, nil
}

// Metrics are the digests' Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	analyses     prometheus.Counter
	analysisTime prometheus.Histogram
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		analyses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "threaddigest_analyses_total",
			Help: "Digests computed (cache misses and warm-ups).",
		}),
		analysisTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "threaddigest_analysis_duration_seconds",
			Help:    "Time to compute one digest.",
			Buckets: prometheus.ExponentialBuckets(0.001, 3, 11),
		}),
	}
	reg.MustRegister(m.analyses, m.analysisTime)
	return m
}

func (m *Metrics) analysis(seconds float64) {
	if m != nil {
		m.analyses.Inc()
		m.analysisTime.Observe(seconds)
	}
}
