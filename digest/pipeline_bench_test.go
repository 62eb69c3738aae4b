package digest_test

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/testkit/cputime"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/testkit/synth"
	"github.com/threaddigest/threaddigest/render"
)

// synthFiles holds generated threads as JSON Lines files, made once per test
// binary and size.
type synthFiles struct {
	mu     sync.Mutex
	corpus *synth.Corpus
	files  map[int][]byte
}

func (s *synthFiles) jsonl(tb testing.TB, n int) []byte {
	tb.Helper()
	dir := shareddata.Dir(tb)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.corpus == nil {
		c, err := synth.LoadCorpus(dir)
		if err != nil {
			tb.Fatal(err)
		}
		s.corpus = &c
		s.files = map[int][]byte{}
	}
	if f, ok := s.files[n]; ok {
		return f
	}
	var buf bytes.Buffer
	if err := synth.WriteJSONL(&buf, synth.Generate(*s.corpus, synth.Options{Comments: n, Seed: 1})); err != nil {
		tb.Fatal(err)
	}
	s.files[n] = buf.Bytes()
	return s.files[n]
}

var benchFiles synthFiles

// benchSizes are the thread sizes benchmarked: 1k, 10k and 100k comments,
// and 1M when THREADDIGEST_BENCH_1M=1 (a minute per run and 3 GB; profile it
// with -benchtime 1x).
func benchSizes() []int {
	sizes := []int{1_000, 10_000, 100_000}
	if os.Getenv("THREADDIGEST_BENCH_1M") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

func sizeName(n int) string {
	if n >= 1_000_000 {
		return strconv.Itoa(n/1_000_000) + "M"
	}
	return strconv.Itoa(n/1000) + "k"
}

// BenchmarkDigestJSON is what `threaddigest digest --format json FILE` does
// for a JSON Lines file of n comments: read, load the gazetteer, analyse,
// write the JSON of every comment. scripts/perf.sh times the real command.
func BenchmarkDigestJSON(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(sizeName(n), func(b *testing.B) {
			data := benchFiles.jsonl(b, n)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cputime.Process()
			for b.Loop() {
				res, err := input.Read(bytes.NewReader(data), "bench.jsonl", input.Options{})
				if err != nil {
					b.Fatal(err)
				}
				resolver, err := geo.NewResolver(geo.Options{Home: "US"})
				if err != nil {
					b.Fatal(err)
				}
				d := digest.Analyze(res.Threads[0], digest.Options{Locator: resolver})
				if d.CommentCount != n {
					b.Fatalf("digested %d comments of %d", d.CommentCount, n)
				}
				if err := render.JSON(io.Discard, d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
