package input

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"testing"
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
