package digest

import (
	"sync"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/internal/shareddata"
	"github.com/threaddigest/threaddigest/internal/synth"
)

// benchCorpus loads the sentence corpus once per test binary.
type benchCorpus struct {
	once   sync.Once
	corpus synth.Corpus
	err    error
}

func (b *benchCorpus) thread(tb testing.TB, n int) threaddigest.Thread {
	tb.Helper()
	dir := shareddata.Dir(tb)
	b.once.Do(func() { b.corpus, b.err = synth.LoadCorpus(dir) })
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return synth.Generate(b.corpus, synth.Options{Comments: n, Seed: 1})
}

var corpusForBench benchCorpus

func benchmarkAnalyze(b *testing.B, n int) {
	th := corpusForBench.thread(b, n)
	// Commenters' locations are read as the digest command reads them.
	resolver, err := geo.NewResolver(geo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d := Analyze(th, Options{Locator: resolver})
		if d.CommentCount != n {
			b.Fatalf("digested %d comments of %d", d.CommentCount, n)
		}
	}
}

// Threads generated from real sentences (../shared/data), with replies,
// "@Name" replies, locations and camps of opinion.
func BenchmarkAnalyze1k(b *testing.B)   { benchmarkAnalyze(b, 1_000) }
func BenchmarkAnalyze10k(b *testing.B)  { benchmarkAnalyze(b, 10_000) }
func BenchmarkAnalyze100k(b *testing.B) { benchmarkAnalyze(b, 100_000) }
