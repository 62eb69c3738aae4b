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

// BenchmarkStages10k times each step of the analysis alone on the 10,000
// comment thread, the steps before it run outside the timer.
func BenchmarkStages10k(b *testing.B) {
	th := corpusForBench.thread(b, 10_000)
	resolver, err := geo.NewResolver(geo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{Locator: resolver}
	steps := []struct {
		name string
		run  func(a *analysis)
	}{
		{"tokenize", (*analysis).tokenize},
		{"replies", (*analysis).linkReplies},
		{"target", (*analysis).findTarget},
		{"stance", (*analysis).scoreLocalStance},
		{"relations", (*analysis).classifyRelations},
		{"arguments", (*analysis).clusterArguments},
		{"propagate", (*analysis).propagateStance},
		{"build", func(a *analysis) { a.build() }},
	}
	for k, step := range steps {
		b.Run(step.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				a := newAnalysis(th, opt)
				for _, before := range steps[:k] {
					before.run(a)
				}
				b.StartTimer()
				step.run(a)
			}
		})
	}
}
