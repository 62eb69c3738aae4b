package digest

import (
	"hash/fnv"
	"testing"
)

// TestFNV64aIsHashFNV checks that the hash seeding the analysis is FNV-1a as
// hash/fnv computes it, so that the seed of a thread is what it always was.
func TestFNV64aIsHashFNV(t *testing.T) {
	for _, s := range []string{"", "a", "1", "hello world", "köln ünïcode", "\x00\xff\xfe"} {
		h := fnv.New64a()
		h.Write([]byte(s))
		h.Write([]byte{0})
		h.Write([]byte(s))
		if got, want := uint64(newFNV64a().add(s).addByte(0).add(s)), h.Sum64(); got != want {
			t.Errorf("%q: %#x, hash/fnv gives %#x", s, got, want)
		}
	}
}
