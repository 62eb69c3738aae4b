package input

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/testkit/synth"
)

// benchBodies are sentences of the length and shape of real news comments.
var benchBodies = []string{
	"If the choice is between mining for bitcoin and mining for gold, I think we can live with bitcoin mining.",
	"This is simply cynical corporate profit making. The government has a lot to answer for if it does not stop this process.",
	"No, that is wrong. Incumbency, in particular, is an enormous issue; the lack of a third party renders the rest moot.",
	"I appreciate your memories and sentiments. Regular trips up to Beijing allowed us time to see many of the places you note.",
}

var benchLocations = []string{"Boulder, Co", "köln", "Edmonton AB", "Small-town Ontario", ""}

func genCSV(n int) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"commentID", "parentID", "userDisplayName", "userID", "userLocation", "commentBody", "recommendations", "createDate", "articleID"})
	for i := 1; i <= n; i++ {
		parent := "0"
		if i%3 == 0 {
			parent = strconv.Itoa(i - 1)
		}
		w.Write([]string{strconv.Itoa(i), parent, "Reader " + strconv.Itoa(i%997), strconv.Itoa(i % 997),
			benchLocations[i%len(benchLocations)], benchBodies[i%len(benchBodies)] + "<br/>" + strconv.Itoa(i),
			strconv.Itoa(i % 50), strconv.Itoa(1577455500 + i), "article" + strconv.Itoa(i%4)})
	}
	w.Flush()
	return buf.Bytes()
}

func genJSONL(n int) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.Encode(map[string]string{"title": "A generated thread"})
	for i := 1; i <= n; i++ {
		rec := map[string]any{"id": strconv.Itoa(i), "author": "Reader " + strconv.Itoa(i%997),
			"location": benchLocations[i%len(benchLocations)], "body": benchBodies[i%len(benchBodies)],
			"created_at": "2019-12-27T14:05:00Z", "likes": i % 50}
		if i%3 == 0 {
			rec["parent_id"] = strconv.Itoa(i - 1)
		}
		enc.Encode(rec)
	}
	return buf.Bytes()
}

func genPage(n int) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "A generated thread\n\nDec 27, 2019 · %d comments\n", n)
	for i := 1; i <= n; i++ {
		if loc := benchLocations[i%len(benchLocations)]; loc != "" {
			fmt.Fprintf(&buf, "Reader %d (%s)\n", i%997, loc)
		} else {
			fmt.Fprintf(&buf, "Reader %d\n", i%997)
		}
		buf.WriteString(benchBodies[i%len(benchBodies)])
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func benchRead(b *testing.B, gen func(int) []byte, n int) {
	data := gen(n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		var err error
		res, err = Read(bytes.NewReader(data), "bench", Options{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Comments() != n || len(res.Skipped) != 0 {
			b.Fatalf("%d comments, %d skipped", res.Comments(), len(res.Skipped))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/comment")
	runtime.KeepAlive(res)
}

func BenchmarkReadCSV(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchRead(b, genCSV, n) })
	}
}

func BenchmarkReadJSONL(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchRead(b, genJSONL, n) })
	}
}

func BenchmarkReadPage(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchRead(b, genPage, n) })
	}
}

// synthThreads generates threads from real sentences (../shared/data) once
// per test binary and size.
type synthThreads struct {
	mu      sync.Mutex
	corpus  *synth.Corpus
	threads map[int]threaddigest.Thread
}

func (s *synthThreads) get(b *testing.B, n int) threaddigest.Thread {
	b.Helper()
	dir := shareddata.Dir(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if th, ok := s.threads[n]; ok {
		return th
	}
	if s.corpus == nil {
		c, err := synth.LoadCorpus(dir)
		if err != nil {
			b.Fatal(err)
		}
		s.corpus = &c
		s.threads = map[int]threaddigest.Thread{}
	}
	s.threads[n] = synth.Generate(*s.corpus, synth.Options{Comments: n, Seed: 1})
	return s.threads[n]
}

var benchSynth synthThreads

// writeSynthCSV writes t as CSV with the canonical column names.
func writeSynthCSV(w io.Writer, t threaddigest.Thread) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "parent_id", "author", "location", "body", "created_at", "likes"})
	for _, c := range t.Comments {
		cw.Write([]string{c.ID, c.ParentID, c.Author, c.Location, c.Body, c.CreatedAt.Format(time.RFC3339), strconv.Itoa(c.Likes)})
	}
	cw.Flush()
	return cw.Error()
}

// BenchmarkReadSynth reads generated threads of 1k, 10k and 100k comments
// (real sentences, replies, "@Name" replies, locations) in each format. The
// page format has no parent ids, so its files are a little smaller.
func BenchmarkReadSynth(b *testing.B) {
	formats := []struct {
		name  string
		write func(io.Writer, threaddigest.Thread) error
	}{
		{"jsonl", synth.WriteJSONL},
		{"page", synth.WritePage},
		{"csv", writeSynthCSV},
	}
	for _, f := range formats {
		for _, n := range []int{1_000, 10_000, 100_000} {
			b.Run(f.name+"/"+strconv.Itoa(n/1000)+"k", func(b *testing.B) {
				var buf bytes.Buffer
				if err := f.write(&buf, benchSynth.get(b, n)); err != nil {
					b.Fatal(err)
				}
				benchRead(b, func(int) []byte { return buf.Bytes() }, n)
			})
		}
	}
}
