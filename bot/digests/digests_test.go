package digests

import (
	"fmt"
	"testing"

	"github.com/threaddigest/threaddigest/digest"
)

func resultWith(comments int, version int64) Result {
	return Result{Digest: digest.Digest{Comments: make([]digest.CommentResult, comments)}, Version: version}
}

func TestDigestCacheBounds(t *testing.T) {
	c := newCache(Deps{}, 3, 100)
	for i := range 3 {
		c.put(fmt.Sprint(i), "t", resultWith(10, 1))
	}
	c.get("0", 1) // 0 is now the most recently used
	c.put("3", "t", resultWith(10, 1))
	if _, ok := c.get("1", 1); ok {
		t.Error("the least recently used entry was kept beyond the entry cap")
	}
	for _, k := range []string{"0", "2", "3"} {
		if _, ok := c.get(k, 1); !ok {
			t.Errorf("entry %s was evicted", k)
		}
	}
	if _, ok := c.get("0", 2); ok {
		t.Error("an entry of another thread version was served")
	}
	// A heavy digest pushes out lighter ones to stay within the weight.
	c.put("big", "u", resultWith(80, 1))
	if c.weight > 100 {
		t.Errorf("weight %d above the cap", c.weight)
	}
	if _, ok := c.get("big", 1); !ok {
		t.Error("the heavy entry was not kept")
	}
	// One heavier than the whole cache is not cached at all.
	c.put("huge", "u", resultWith(500, 1))
	if _, ok := c.get("huge", 1); ok {
		t.Error("an entry above the weight cap was cached")
	}
	c.Drop("u")
	if _, ok := c.get("big", 1); ok || c.weight < 0 {
		t.Errorf("Drop left the entry (weight %d)", c.weight)
	}
	// An older result does not replace a newer one.
	c.put("v", "t", resultWith(1, 5))
	c.put("v", "t", resultWith(1, 4))
	if _, ok := c.get("v", 5); !ok {
		t.Error("a newer result was replaced by an older one")
	}
}
