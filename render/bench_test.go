package render

import (
	"io"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/testkit/synth"
)

// synthDigests holds digests of generated threads, made once per test binary
// and size.
type synthDigests struct {
	mu      sync.Mutex
	corpus  *synth.Corpus
	digests map[int]digest.Digest
}

func (s *synthDigests) get(b *testing.B, n int) digest.Digest {
	b.Helper()
	dir := shareddata.Dir(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.digests[n]; ok {
		return d
	}
	if s.corpus == nil {
		c, err := synth.LoadCorpus(dir)
		if err != nil {
			b.Fatal(err)
		}
		s.corpus = &c
		s.digests = map[int]digest.Digest{}
	}
	resolver, err := geo.NewResolver(geo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	th := synth.Generate(*s.corpus, synth.Options{Comments: n, Seed: 1})
	s.digests[n] = digest.Analyze(th, digest.Options{Locator: resolver})
	runtime.GC() // the analysis's garbage is not the renderer's to collect
	return s.digests[n]
}

var benchDigests synthDigests

// BenchmarkRenderSynth writes the digest of a generated thread (real
// sentences from ../shared/data) of 1k, 10k and 100k comments in each
// format. Text and Markdown show the summary; JSON also lists every comment.
func BenchmarkRenderSynth(b *testing.B) {
	formats := []struct {
		name  string
		write func(io.Writer, digest.Digest) error
	}{
		{"text", func(w io.Writer, d digest.Digest) error { return Text(w, d, Options{}) }},
		{"markdown", func(w io.Writer, d digest.Digest) error { return Markdown(w, d, Options{}) }},
		{"json", JSON},
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		for _, f := range formats {
			b.Run(f.name+"/"+strconv.Itoa(n/1000)+"k", func(b *testing.B) {
				d := benchDigests.get(b, n)
				var out countingWriter
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					out = 0
					if err := f.write(&out, d); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(out), "bytes-out/op")
			})
		}
	}
}

// countingWriter counts what is written to it and keeps nothing.
type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
