package digest_test

import (
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/testkit/synth"
)

// TestSampledClusteringCountsExact digests generated threads large enough
// that the number of arguments is chosen on a sample of sentences and every
// sentence is then assigned to its nearest centre (arguments.go), and checks
// that the counts stay exact: an argument's commenters are the distinct
// commenters of its comment_ids, its comment_ids are exactly the comments
// listing it, its share is its commenters over all commenters, and every
// other count adds up (checkDigest). THREADDIGEST_BENCH_1M=1 adds a thread
// of 1,000,000 comments (a minute and some 3 GB).
func TestSampledClusteringCountsExact(t *testing.T) {
	sizes := []int{5_000, 30_000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	if os.Getenv("THREADDIGEST_BENCH_1M") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	dir := shareddata.Dir(t)
	corpus, err := synth.LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	resolver, err := geo.NewResolver(geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sizes {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			th := synth.Generate(corpus, synth.Options{Comments: n, Seed: 7})
			d := digest.Analyze(th, digest.Options{Locator: resolver})
			if len(d.Arguments) < 2 {
				t.Fatalf("%d arguments: the thread's camps should give several", len(d.Arguments))
			}
			checkDigest(t, th, d)
			checkArgumentMembership(t, th, d)
		})
	}
}

// checkArgumentMembership checks each argument against the per-comment
// entries, both ways, and recounts its commenters and share.
func checkArgumentMembership(t *testing.T, th threaddigest.Thread, d digest.Digest) {
	t.Helper()
	position := map[string]int{}
	commenter := map[string]string{}
	for i, c := range th.Comments {
		position[c.ID] = i
		commenter[c.ID] = c.CommenterKey()
	}
	listing := map[int][]string{} // argument id -> comments whose entry lists it
	for _, c := range d.Comments {
		if !slices.IsSorted(c.Arguments) || len(slices.Compact(slices.Clone(c.Arguments))) != len(c.Arguments) {
			t.Errorf("comment %s lists arguments %v: want them sorted, each once", c.ID, c.Arguments)
		}
		for _, id := range c.Arguments {
			listing[id] = append(listing[id], c.ID)
		}
	}
	reported := map[int]bool{}
	for _, a := range d.Arguments {
		reported[a.ID] = true
		if !slices.Equal(a.CommentIDs, listing[a.ID]) {
			t.Errorf("argument %d: comment_ids has %d comments, %d comments list it", a.ID, len(a.CommentIDs), len(listing[a.ID]))
		}
		if !slices.IsSortedFunc(a.CommentIDs, func(x, y string) int { return position[x] - position[y] }) {
			t.Errorf("argument %d: comment_ids not in input order", a.ID)
		}
		distinct := map[string]bool{}
		for _, id := range a.CommentIDs {
			distinct[commenter[id]] = true
		}
		if a.Commenters != len(distinct) {
			t.Errorf("argument %d: %d commenters, its comments have %d distinct commenters", a.ID, a.Commenters, len(distinct))
		}
		if want := math.Round(float64(len(distinct))/float64(d.CommenterCount)*10000) / 10000; a.Share != want {
			t.Errorf("argument %d: share %v, want %v", a.ID, a.Share, want)
		}
	}
	for id := range listing {
		if !reported[id] {
			t.Errorf("comments list argument %d, which the digest does not report", id)
		}
	}
	for i := 1; i < len(d.Arguments); i++ {
		if d.Arguments[i].Commenters > d.Arguments[i-1].Commenters {
			t.Errorf("argument %d has more commenters than argument %d before it", d.Arguments[i].ID, d.Arguments[i-1].ID)
		}
	}
	for _, r := range d.Regions {
		if r.TopArgument != nil && !reported[*r.TopArgument] {
			t.Errorf("region %s: top argument %d is not reported", r.Region, *r.TopArgument)
		}
	}
}
