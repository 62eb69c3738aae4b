package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/digest"
)

// analysisRequest says which digest of a thread is wanted.
type analysisRequest struct {
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

func (r analysisRequest) key(thread string) string {
	scope := "whole"
	switch {
	case !r.Whole && !r.Since.IsZero():
		scope = "since:" + r.Since.UTC().Format(time.RFC3339Nano)
	case !r.Whole:
		scope = fmt.Sprintf("after:%d", r.AfterSeq)
	}
	return strings.Join([]string{thread, r.Target, scope, fmt.Sprint(r.MaxArguments)}, "\x00")
}

// analysisResult is a digest and what it covered.
type analysisResult struct {
	Digest digest.Digest
	// NewCount counts the new comments digested (deleted ones excluded);
	// for a whole-thread digest, all of them.
	NewCount int
	// CoveredTo is the highest Seq among the comments read.
	CoveredTo int64
	// Version is the thread version the digest was computed at.
	Version int64
}

// digestCache keeps digests per (thread, request) until the thread's version
// in the store changes. Replicas each keep their own; the version lives in the
// database, so a comment stored by any replica invalidates every cache.
//
// It is bounded two ways: by entries, and by weight — one per entry plus one
// per comment result the digest holds — because a digest of a 100,000-comment
// thread carries 100,000 per-comment results and a few of those would
// otherwise dominate memory. The least recently used entries go first.
type digestCache struct {
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
	res    analysisResult
	used   uint64
	weight int
}

func newDigestCache(max, maxWeight int) *digestCache {
	return &digestCache{max: max, maxWeight: maxWeight, entries: make(map[string]*cacheEntry)}
}

func (c *digestCache) get(key string, version int64) (analysisResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.res.Version != version {
		return analysisResult{}, false
	}
	c.tick++
	e.used = c.tick
	return e.res, true
}

func (c *digestCache) put(key, thread string, res analysisResult) {
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

func (c *digestCache) dropThread(thread string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.thread == thread {
			c.weight -= e.weight
			delete(c.entries, k)
		}
	}
}

// cachedDigest returns the digest for req if one is cached at the thread's
// current version. It reads only the version from the store.
func (s *Service) cachedDigest(ctx context.Context, thread string, req analysisRequest) (analysisResult, bool) {
	v, err := s.deps.Store.ThreadVersion(ctx, thread)
	if err != nil {
		return analysisResult{}, false
	}
	return s.cache.get(req.key(thread), v)
}

// digestOf returns the digest for req, from the cache when the thread has not
// changed since it was computed. Concurrent requests for the same digest share
// one analysis.
func (s *Service) digestOf(ctx context.Context, thread string, req analysisRequest) (analysisResult, error) {
	// Read the version before the comments: if a comment lands in between,
	// the result is cached under the older version and recomputed next time,
	// never served stale.
	v, err := s.deps.Store.ThreadVersion(ctx, thread)
	if err != nil {
		return analysisResult{}, fmt.Errorf("read version of thread %s: %w", thread, err)
	}
	key := req.key(thread)
	if res, ok := s.cache.get(key, v); ok {
		return res, nil
	}
	out, err, _ := s.cache.flight.Do(fmt.Sprintf("%s\x00%d", key, v), func() (any, error) {
		res, err := s.analyze(ctx, thread, req)
		if err != nil {
			return nil, err
		}
		res.Version = v
		s.cache.put(key, thread, res)
		return res, nil
	})
	if err != nil {
		return analysisResult{}, err
	}
	return out.(analysisResult), nil
}

func (s *Service) analyze(ctx context.Context, name string, req analysisRequest) (analysisResult, error) {
	rec, err := s.deps.Store.Thread(ctx, name)
	if err != nil {
		return analysisResult{}, fmt.Errorf("read thread %s: %w", name, err)
	}
	recs, err := s.deps.Store.Comments(ctx, name)
	if err != nil {
		return analysisResult{}, fmt.Errorf("read comments of thread %s: %w", name, err)
	}
	t := threaddigest.Thread{Title: rec.Title, URL: rec.URL, Comments: make([]threaddigest.Comment, len(recs))}
	var res analysisResult
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
	res.Digest = s.deps.Analyze(ctx, name, t, digest.Options{
		Target:       req.Target,
		Locator:      s.deps.Locator,
		MaxArguments: req.MaxArguments,
		New:          newIDs,
	})
	s.deps.Metrics.analysis(time.Since(start).Seconds())
	return res, nil
}

// warm computes the default digest of a thread that a chat channel follows,
// after a poll changed it, so /thread stance answers from the cache within
// the platforms' three-second acknowledgement.
func (s *Service) warm(ctx context.Context, thread string) {
	chat := false
	for _, d := range s.snapshotDigests() {
		if d.Thread != thread {
			continue
		}
		for _, to := range d.To {
			if to.Kind == addr.Slack || to.Kind == addr.Discord {
				chat = true
			}
		}
	}
	if !chat {
		return
	}
	spec, ok := s.thread(thread)
	if !ok {
		return
	}
	if _, err := s.digestOf(ctx, thread, analysisRequest{Target: spec.Target, Whole: true}); err != nil && ctx.Err() == nil {
		s.log.Warn("warming the digest cache failed", "thread", thread, "err", err)
	}
}
