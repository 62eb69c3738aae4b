package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
)

// BenchOpener returns a fresh, empty store for one benchmark; the benchmark
// closes it.
type BenchOpener func(b *testing.B) Store

// BenchmarkClaimRun measures ClaimRun: claiming fresh slots one after
// another (what a scheduler does: each slot's run is completed before the
// next is claimed, which the timer leaves out), the same after a history of
// 2,000 runs of the digest and destination, and many goroutines racing for
// the same slots (what replicas do at every tick; one wins each slot).
func BenchmarkClaimRun(b *testing.B, open BenchOpener) {
	ctx := context.Background()
	newSlots := func(b *testing.B, history int) {
		s := open(b)
		defer s.Close()
		claimAndComplete := func(i int, timed bool) {
			k := store.RunKey{Digest: "daily", Destination: "slack:C1", Slot: base.Add(time.Duration(i) * time.Minute)}
			r, claimed, err := s.ClaimRun(ctx, k, "t", "h", time.Minute, base)
			if err != nil || !claimed {
				b.Fatalf("ClaimRun: %v, claimed=%v", err, claimed)
			}
			if timed {
				b.StopTimer()
			}
			if err := s.CompleteRun(ctx, r.ID, "h", int64(i), "ref", base); err != nil {
				b.Fatal(err)
			}
			if timed {
				b.StartTimer()
			}
		}
		for i := range history {
			claimAndComplete(i, false)
		}
		b.ResetTimer()
		for i := range b.N {
			claimAndComplete(history+i, true)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
	}
	b.Run("new-slot", func(b *testing.B) { newSlots(b, 0) })
	b.Run("new-slot-history-2000", func(b *testing.B) { newSlots(b, 2000) })
	b.Run("contended-4", func(b *testing.B) {
		s := open(b)
		defer s.Close()
		// Four claimers per slot: b.N claims over b.N/4 slots.
		var next, wins atomic.Int64
		b.SetParallelism(1)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			holder := fmt.Sprintf("h%d", next.Add(1))
			i := 0
			for pb.Next() {
				// A destination per slot: slots of one destination are
				// claimed one at a time, whoever asks.
				k := store.RunKey{Digest: "daily", Destination: fmt.Sprintf("slack:C%d", i/4), Slot: base.Add(time.Duration(i/4) * time.Minute)}
				i++
				_, claimed, err := s.ClaimRun(ctx, k, "t", holder, time.Minute, base)
				if err != nil {
					b.Errorf("ClaimRun: %v", err)
					return
				}
				if claimed {
					wins.Add(1)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
	})
}

// benchComments returns n comments like a real thread's: a few hundred bytes
// of text, an author among many, a location, some replies.
func benchComments(n int, prefix string) []threaddigest.Comment {
	cs := make([]threaddigest.Comment, n)
	text := strings.Repeat("The subsidies matter less than the security question, and nobody here has answered it. ", 3)
	for i := range cs {
		cs[i] = threaddigest.Comment{
			ID:        fmt.Sprintf("%s%07d", prefix, i),
			Author:    fmt.Sprintf("reader%d", i%5000),
			AuthorID:  fmt.Sprintf("u%d", i%5000),
			Location:  "Boulder, Co",
			Body:      fmt.Sprintf("%d: %s", i, text),
			CreatedAt: base.Add(time.Duration(i) * time.Second),
			Likes:     i % 50,
		}
		if i%3 == 1 {
			cs[i].ParentID = cs[i-1].ID
		}
	}
	return cs
}

// BenchmarkUpsertComments measures UpsertComments for big batches, in
// comments per second: a whole thread of 100k arriving at once (a first
// poll, an import), the same thread again unchanged (a file source re-read),
// and small batches of new comments (live polls).
func BenchmarkUpsertComments(b *testing.B, open BenchOpener) {
	ctx := context.Background()
	const big = 100_000
	b.Run("add-100k", func(b *testing.B) {
		s := open(b)
		defer s.Close()
		cs := benchComments(big, "c")
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			thread := fmt.Sprintf("t%d", i)
			if err := s.SaveThread(ctx, store.ThreadRecord{Name: thread, Source: "x"}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := s.UpsertComments(ctx, thread, cs, base)
			if err != nil || res.Added != big {
				b.Fatalf("UpsertComments = %+v, %v", res, err)
			}
		}
		b.ReportMetric(float64(b.N*big)/b.Elapsed().Seconds(), "comments/s")
	})
	b.Run("unchanged-100k", func(b *testing.B) {
		s := open(b)
		defer s.Close()
		cs := benchComments(big, "c")
		if err := s.SaveThread(ctx, store.ThreadRecord{Name: "t", Source: "x"}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.UpsertComments(ctx, "t", cs, base); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			res, err := s.UpsertComments(ctx, "t", cs, base)
			if err != nil || res.Unchanged != big {
				b.Fatalf("UpsertComments = %+v, %v", res, err)
			}
		}
		b.ReportMetric(float64(b.N*big)/b.Elapsed().Seconds(), "comments/s")
	})
	b.Run("add-100", func(b *testing.B) {
		s := open(b)
		defer s.Close()
		if err := s.SaveThread(ctx, store.ThreadRecord{Name: "t", Source: "x"}); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			cs := benchComments(100, fmt.Sprintf("b%d-", i))
			res, err := s.UpsertComments(ctx, "t", cs, base)
			if err != nil || res.Added != 100 {
				b.Fatalf("UpsertComments = %+v, %v", res, err)
			}
		}
		b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "comments/s")
	})
}
