package geo

import (
	"hash/maphash"
	"strings"
	"sync"
)

// cache remembers the Places of recently resolved strings. It holds at most
// its size in entries: each shard keeps a current and a previous generation
// and drops the previous one when the current fills, so strings seen often
// stay and the rest age out. Keys are copied, so a cached string never pins
// the comment it came from.
type cache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
	limit  int // entries per generation per shard
}

const cacheShards = 16

type cacheShard struct {
	mu       sync.Mutex
	cur, old map[string]Place
}

func newCache(size int) *cache {
	c := &cache{seed: maphash.MakeSeed(), limit: max(1, size/cacheShards/2)}
	for i := range c.shards {
		c.shards[i].cur = make(map[string]Place)
	}
	return c
}

func (c *cache) shard(key string) *cacheShard {
	return &c.shards[maphash.String(c.seed, key)%cacheShards]
}

func (c *cache) get(key string) (Place, bool) {
	s := c.shard(key)
	s.mu.Lock()
	p, ok := s.cur[key]
	if !ok && s.old != nil {
		if p, ok = s.old[key]; ok {
			s.insert(key, p, c.limit)
		}
	}
	s.mu.Unlock()
	return p, ok
}

func (c *cache) put(key string, p Place) {
	s := c.shard(key)
	key = strings.Clone(key)
	s.mu.Lock()
	s.insert(key, p, c.limit)
	s.mu.Unlock()
}

func (s *cacheShard) insert(key string, p Place, limit int) {
	if len(s.cur) >= limit {
		s.old = s.cur
		s.cur = make(map[string]Place, limit)
	}
	s.cur[key] = p
}
