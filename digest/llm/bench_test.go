package llm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/digest/llm"
	"github.com/threaddigest/threaddigest/digest/llm/llmfake"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/testkit/synth"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/sqldb"
	"github.com/threaddigest/threaddigest/store/sqlite"
)

// synthScript labels the synthetic threads (real comment sentences) by a
// few common words.
func synthScript() llmfake.Script {
	return llmfake.Script{
		Favor:     []string{"good", "right", "agree", "support"},
		Against:   []string{"bad", "wrong", "never", "against"},
		Rebuttal:  []string{"no", "wrong", "not"},
		Agreement: []string{"yes", "agree", "exactly"},
		Arguments: []llmfake.ScriptArgument{
			{Claim: "It costs too much", Side: "against", Words: []string{"cost", "money", "tax", "taxes"}},
			{Claim: "The government is to blame", Side: "none", Words: []string{"government", "president"}},
			{Claim: "People deserve better", Side: "favor", Words: []string{"people", "families"}},
		},
	}
}

func benchThread(b *testing.B, n int) threaddigest.Thread {
	b.Helper()
	c, err := synth.LoadCorpus(shareddata.Dir(b))
	if err != nil {
		b.Fatal(err)
	}
	return synth.Generate(c, synth.Options{Comments: n, Seed: 1})
}

func benchEngine(b *testing.B) (*llm.Engine, *sqldb.Store) {
	b.Helper()
	fake := llmfake.New(b, synthScript())
	st, err := sqlite.Open(context.Background(), sqlite.Memory, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	e, err := llm.New(llm.Options{BaseURL: fake.BaseURL(), Model: "m", Labels: st, Arguments: st, Concurrency: 2, BatchSize: 20})
	if err != nil {
		b.Fatal(err)
	}
	return e, st
}

// BenchmarkCachedDigest times a digest whose labels all come from the
// store: the engine's own cost (offline links and fallback labels, cache
// reads, assembly) when nothing is new.
func BenchmarkCachedDigest1k(b *testing.B)  { benchmarkCached(b, 1_000) }
func BenchmarkCachedDigest10k(b *testing.B) { benchmarkCached(b, 10_000) }

func benchmarkCached(b *testing.B, n int) {
	th := benchThread(b, n)
	e, st := benchEngine(b)
	ctx := context.Background()
	if err := st.SaveThread(ctx, store.ThreadRecord{Name: "t", Source: "synth"}); err != nil {
		b.Fatal(err)
	}
	opt := digest.Options{Target: "the government"}
	if _, rep := e.Digest(ctx, "t", th, opt); rep.Offline != 0 {
		b.Fatalf("the first digest left %d comments offline: %s", rep.Offline, rep.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, rep := e.Digest(ctx, "t", th, opt); rep.Cached != rep.Comments {
			b.Fatalf("%d of %d from the cache", rep.Cached, rep.Comments)
		}
	}
}

// BenchmarkColdDigest1k times a first digest: every comment asked of the
// local fake (its answers cost next to nothing), so the figure is this
// side's work per request and label, plus loopback HTTP.
func BenchmarkColdDigest1k(b *testing.B) {
	th := benchThread(b, 1_000)
	e, st := benchEngine(b)
	ctx := context.Background()
	opt := digest.Options{Target: "the government"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		name := fmt.Sprintf("t%d", i)
		if err := st.SaveThread(ctx, store.ThreadRecord{Name: name, Source: "synth"}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, rep := e.Digest(ctx, name, th, opt); rep.Labelled != rep.Comments {
			b.Fatalf("%d of %d labelled", rep.Labelled, rep.Comments)
		}
	}
}
