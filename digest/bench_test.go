package digest

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/cputime"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/testkit/synth"
)

// benchCorpus loads the sentence corpus once per test binary and keeps the
// threads generated from it.
type benchCorpus struct {
	once    sync.Once
	corpus  synth.Corpus
	err     error
	mu      sync.Mutex
	threads map[int]threaddigest.Thread
}

func (b *benchCorpus) thread(tb testing.TB, n int) threaddigest.Thread {
	tb.Helper()
	dir := shareddata.Dir(tb)
	b.once.Do(func() { b.corpus, b.err = synth.LoadCorpus(dir) })
	if b.err != nil {
		tb.Fatal(b.err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if th, ok := b.threads[n]; ok {
		return th
	}
	if b.threads == nil {
		b.threads = map[int]threaddigest.Thread{}
	}
	b.threads[n] = synth.Generate(b.corpus, synth.Options{Comments: n, Seed: 1})
	return b.threads[n]
}

var corpusForBench benchCorpus

// cpuClock measures the processor time of the timed part of a benchmark:
// start and stop it where the benchmark starts and stops its timer.
type cpuClock struct {
	total, since time.Duration
}

func (c *cpuClock) start() { c.since = cputime.Process() }
func (c *cpuClock) stop()  { c.total += cputime.Process() - c.since }

// report adds the processor time per operation, in milliseconds, beside
// the wall time: on a shared machine it is the steadier figure, and above
// the wall time when the work ran on several cores.
func (c *cpuClock) report(b *testing.B) {
	if c.total >= 0 && b.N > 0 {
		b.ReportMetric(float64(c.total)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

func benchmarkAnalyze(b *testing.B, n int) {
	th := corpusForBench.thread(b, n)
	// Commenters' locations are read as the digest command reads them.
	resolver, err := geo.NewResolver(geo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var cpu cpuClock
	b.ReportAllocs()
	b.ResetTimer()
	cpu.start()
	for b.Loop() {
		d := Analyze(th, Options{Locator: resolver})
		if d.CommentCount != n {
			b.Fatalf("digested %d comments of %d", d.CommentCount, n)
		}
	}
	cpu.stop()
	cpu.report(b)
}

// Threads generated from real sentences (../shared/data), with replies,
// "@Name" replies, locations and camps of opinion.
func BenchmarkAnalyze1k(b *testing.B)   { benchmarkAnalyze(b, 1_000) }
func BenchmarkAnalyze10k(b *testing.B)  { benchmarkAnalyze(b, 10_000) }
func BenchmarkAnalyze100k(b *testing.B) { benchmarkAnalyze(b, 100_000) }

// stageMetrics accumulates what each step of the analysis costs: wall
// time, processor time and bytes allocated.
type stageMetrics struct {
	wall, cpu time.Duration
	bytes     uint64
}

// benchmarkStages digests a generated thread of n comments step by step and
// reports, beside the whole digest's figures, each step's wall time,
// processor time and allocation per digest (e.g. "arguments-ms/op"):
//
//	tokenize   sentences and words of every comment
//	replies    reply links, from parent ids and "@Name" openings
//	target     the subject stance is measured toward
//	stance     each comment's stance from its own words
//	relations  replies classed rebuttal, agreement or extension
//	arguments  TF-IDF sentence vectors, k-means, labels, statements
//	propagate  stance carried along reply links
//	locations  every comment's location read by a resolver with an empty
//	           cache (the gazetteer is loaded outside the figures)
//	build      the Digest: ranks, rebuttals, stance, regions, per comment
//	           (its locations now come from the warm cache)
//
// One benchmark times every step, rather than one benchmark per step with
// the steps before it outside the timer, because the testing package would
// then run a step of a millisecond a thousand times, with the whole
// analysis before it each time.
func benchmarkStages(b *testing.B, n int) {
	th := corpusForBench.thread(b, n)
	steps := []struct {
		name string
		run  func(a *analysis)
	}{
		{"tokenize", (*analysis).tokenize},
		{"replies", (*analysis).linkReplies},
		{"target", (*analysis).findTarget},
		{"stance", (*analysis).scoreLocalStance},
		{"actors", (*analysis).findActors},
		{"relations", (*analysis).classifyRelations},
		{"arguments", (*analysis).clusterArguments},
		{"propagate", (*analysis).propagateStance},
		{"locations", func(a *analysis) { a.assembly().places() }},
		{"build", func(a *analysis) { a.build() }},
	}
	stats := make([]stageMetrics, len(steps))
	var ms runtime.MemStats
	allocated := func() uint64 {
		runtime.ReadMemStats(&ms)
		return ms.TotalAlloc
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		resolver, err := geo.NewResolver(geo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		a := newAnalysis(th, Options{Locator: resolver})
		for k, step := range steps {
			b0, c0, t0 := allocated(), cputime.Process(), time.Now()
			step.run(a)
			stats[k].wall += time.Since(t0)
			stats[k].cpu += cputime.Process() - c0
			stats[k].bytes += allocated() - b0
		}
	}
	per := float64(b.N)
	for k, step := range steps {
		b.ReportMetric(float64(stats[k].wall)/per/1e6, step.name+"-ms/op")
		b.ReportMetric(float64(stats[k].cpu)/per/1e6, step.name+"-cpu-ms/op")
		b.ReportMetric(float64(stats[k].bytes)/per/(1<<20), step.name+"-MB/op")
	}
}

func BenchmarkStages1k(b *testing.B)   { benchmarkStages(b, 1_000) }
func BenchmarkStages10k(b *testing.B)  { benchmarkStages(b, 10_000) }
func BenchmarkStages100k(b *testing.B) { benchmarkStages(b, 100_000) }
