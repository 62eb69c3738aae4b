package geo

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/cputime"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// builtinMix stands in for the real location fields when ../shared/data is
// absent: frequent and rare strings in roughly the proportions commenters
// type them.
var builtinMix = []string{
	"NYC", "New York", "California", "NY", "Seattle", "Boston", "New York City", "San Francisco",
	"New York, NY", "Canada", "Chicago", "New Jersey", "Brooklyn", "USA", "Florida", "NY, NY", "NC",
	"Texas", "Vancouver", "Los Angeles", "CT", "Toronto", "NJ", "New England", "Massachusetts", "CA",
	"nyc", "Denver", "MA", "San Diego", "Boulder, Co", "Edmonton AB", "Portland,OR", "Scottsdale,AZ",
	"SF", "dfw", "Yvr", "Midwest US", "West Coast", "Small-town Ontario", "Mt Dora", "köln",
	"slovenija", "Tbilisi, Georgia", "Lyon, France", "NZ", "Asia", "München", "Upstate NY", "the DMV",
	"Somewhere sane", "London", "Paris", "Planet Earth", "Hillsborough,  NJ", "Kew Gardens",
	"Enjoying  Florida Sunshine", "Toronto / Brooklyn", "Bronxville, NY 10708", "27514",
}

// realMix returns the location fields of the NYT and RumourEval samples,
// one entry per comment or tweet, so repeats occur as often as in real threads.
func realMix(tb testing.TB) []string {
	dir, err := shareddata.Find()
	if err != nil {
		return nil
	}
	var out []string
	for _, name := range []string{"CommentsApril2017_metadata_only_sample.csv", "CommentsMay2017_sample.csv", "CommentsMarch2018_sample.csv"} {
		f, err := os.Open(filepath.Join(dir, "nyt-comments-kaggle-samples", name))
		if err != nil {
			continue
		}
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		head, err := r.Read()
		col := -1
		for i, h := range head {
			if h == "userLocation" {
				col = i
			}
		}
		for err == nil && col >= 0 {
			var rec []string
			rec, err = r.Read()
			if err == nil && col < len(rec) && strings.TrimSpace(rec[col]) != "" {
				out = append(out, strings.TrimSpace(rec[col]))
			}
		}
		f.Close()
		if err != nil && err != io.EOF {
			tb.Fatalf("%s: %v", name, err)
		}
	}
	if f, err := os.Open(filepath.Join(dir, "rumoureval2017-twitter-threads", "tweets.jsonl")); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var tw struct {
				Location string `json:"user_location"`
			}
			if json.Unmarshal(sc.Bytes(), &tw) == nil && strings.TrimSpace(tw.Location) != "" {
				out = append(out, strings.TrimSpace(tw.Location))
			}
		}
		f.Close()
	}
	return out
}

func benchMix(b *testing.B) []string {
	if mix := realMix(b); len(mix) > 0 {
		return mix
	}
	b.Log("shared data absent: using the built-in mix")
	return builtinMix
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkResolve resolves the real mix of location fields with the default
// cache, as a digest does: most lookups repeat a string seen before. It
// reports the heap the Resolver holds (gazetteer and full cache).
func BenchmarkResolve(b *testing.B) {
	mix := benchMix(b)
	before := heapInUse()
	r := newTestResolver(b, Options{})
	for _, s := range mix {
		r.Resolve(s)
	}
	held := heapInUse() - before
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		r.Resolve(mix[i%len(mix)])
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(held)/(1<<20), "MB-held")
	b.ReportMetric(float64(len(mix)), "mix-strings")
	runtime.KeepAlive(r)
}

// BenchmarkResolveFreshCache is a digest's first pass over the real mix:
// the cache starts empty at every pass, so each distinct string is read
// once (3,385 of the 8,507 fields) and its repeats come from the cache.
func BenchmarkResolveFreshCache(b *testing.B) {
	mix := benchMix(b)
	r := newTestResolver(b, Options{})
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		k := i % len(mix)
		if k == 0 {
			r.cache = newCache(DefaultCacheSize)
		}
		r.Resolve(mix[k])
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkResolveParallel is BenchmarkResolve from every core at once.
func BenchmarkResolveParallel(b *testing.B) {
	mix := benchMix(b)
	r := newTestResolver(b, Options{})
	for _, s := range mix {
		r.Resolve(s)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			r.Resolve(mix[i%len(mix)])
			i++
		}
	})
}

// BenchmarkResolveUncached is the cost of reading a string never seen before.
func BenchmarkResolveUncached(b *testing.B) {
	mix := benchMix(b)
	r := newTestResolver(b, Options{CacheSize: -1})
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		r.Resolve(mix[i%len(mix)])
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkFirstLookup is loading the embedded gazetteer plus one lookup:
// what the first location of a run costs.
func BenchmarkFirstLookup(b *testing.B) {
	before := heapInUse()
	var keep *Resolver
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		r, err := NewResolver(Options{})
		if err != nil {
			b.Fatal(err)
		}
		if p := r.Resolve("Boulder, Co"); p.Admin1 != "CO" {
			b.Fatalf("Boulder, Co: %+v", p)
		}
		keep = r
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(heapInUse()-before)/(1<<20), "MB-gazetteer")
	runtime.KeepAlive(keep)
}

// TestEmbeddedSize keeps the embedded gazetteer under the 3 MB budget.
func TestEmbeddedSize(t *testing.T) {
	const budget = 3 << 20
	if n := len(gazetteerData); n > budget {
		t.Errorf("embedded gazetteer is %d bytes, over the %d budget", n, budget)
	} else {
		t.Logf("embedded gazetteer: %d bytes", n)
	}
}
