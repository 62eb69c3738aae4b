package digest_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/eval"
	"github.com/threaddigest/threaddigest/testkit/examples"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// stableThread is a thread to grow and the target to read it toward.
type stableThread struct {
	name   string
	thread threaddigest.Thread
	target string
}

// stableThreads are the bundled examples and, where ../shared/data is
// present, the labelled real threads.
func stableThreads(t *testing.T) []stableThread {
	t.Helper()
	out := []stableThread{
		{"huawei-europe.txt", examples.Thread(t, "huawei-europe.txt"), ""},
		{"fare-free-buses.jsonl", examples.Thread(t, "fare-free-buses.jsonl"), ""},
	}
	dir, err := shareddata.Find()
	if err != nil {
		t.Logf("labelled threads not measured: %v", err)
		return out
	}
	labelled, err := eval.LoadLabelled(filepath.Join(dir, "threads-labelled"))
	if err != nil {
		t.Fatal(err)
	}
	for _, lt := range labelled {
		out = append(out, stableThread{lt.Name, lt.Thread, lt.Labels.Target})
	}
	return out
}

// unrelated are comments that make no argument and take no side.
var unrelated = []threaddigest.Comment{
	{ID: "zz-1", Author: "A Newcomer", Body: "Interesting discussion, thanks everyone."},
	{ID: "zz-2", Author: "Long-time Reader", Body: "First time commenting here. Happy holidays to all of you."},
	{ID: "zz-3", Author: "Night Owl", Location: "Reno, NV", Body: "Is it just me or did the page load slowly tonight?"},
}

// sameReading lists how the digest of earlier reads comment i's stance and
// relation differently in later. (The arguments' own stability tests are
// in arguments_test.go.)
func sameReading(earlier, later digest.Digest, i int) []string {
	a, b := earlier.Comments[i], later.Comments[i]
	var diff []string
	if a.Stance != b.Stance {
		diff = append(diff, fmt.Sprintf("stance %s→%s", a.Stance, b.Stance))
	}
	if str(a.Relation) != str(b.Relation) {
		diff = append(diff, fmt.Sprintf("relation %s→%s", str(a.Relation), str(b.Relation)))
	}
	return diff
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestStableWhenUnrelatedCommentsArrive appends comments that make none of
// the thread's arguments and take no side: no earlier comment's stance or
// relation may change.
func TestStableWhenUnrelatedCommentsArrive(t *testing.T) {
	for _, st := range stableThreads(t) {
		t.Run(st.name, func(t *testing.T) {
			opt := digest.Options{Target: st.target}
			before := digest.Analyze(st.thread, opt)
			grown := st.thread
			grown.Comments = append(slices.Clone(st.thread.Comments), unrelated...)
			after := digest.Analyze(grown, opt)
			changed := 0
			for i := range before.Comments {
				if diff := sameReading(before, after, i); len(diff) > 0 {
					changed++
					if changed <= 5 {
						t.Errorf("comment %s read differently once unrelated comments came: %v", before.Comments[i].ID, diff)
					}
				}
			}
			if changed > 0 {
				t.Errorf("%d of %d earlier comments read differently", changed, len(before.Comments))
			}
		})
	}
}

// TestStableAsThreadGrows digests the first tenth-elevenths of each thread
// and then the whole: the stance of at most 5% of the earlier comments may
// change, since the new comments are new evidence about some of them.
func TestStableAsThreadGrows(t *testing.T) {
	for _, st := range stableThreads(t) {
		t.Run(st.name, func(t *testing.T) {
			n := len(st.thread.Comments)
			k := n * 10 / 11
			opt := digest.Options{Target: st.target}
			part := st.thread
			part.Comments = st.thread.Comments[:k]
			before := digest.Analyze(part, opt)
			after := digest.Analyze(st.thread, opt)
			changed := 0
			for i := range before.Comments {
				if before.Comments[i].Stance != after.Comments[i].Stance {
					changed++
				}
			}
			share := float64(changed) / float64(len(before.Comments))
			t.Logf("%d more comments changed the stance of %d of %d earlier ones (%.1f%%)", n-k, changed, len(before.Comments), 100*share)
			if share > 0.05 {
				t.Errorf("%d more comments changed the stance of %d of %d earlier ones (%.1f%%), more than 5%%", n-k, changed, len(before.Comments), 100*share)
			}
		})
	}
}

// TestSameReadingWhateverTheIDs renames every comment (and every parent
// reference) with ids in another order: what the digest says of each
// comment, and its arguments, must not change. A page's comments are named
// by a hash of their text, so the order of their ids is arbitrary.
func TestSameReadingWhateverTheIDs(t *testing.T) {
	for _, st := range stableThreads(t) {
		t.Run(st.name, func(t *testing.T) {
			opt := digest.Options{Target: st.target}
			before := digest.Analyze(st.thread, opt)
			renamed := st.thread
			renamed.Comments = slices.Clone(st.thread.Comments)
			n := len(renamed.Comments)
			name := map[string]string{}
			for i, c := range renamed.Comments {
				// Reversed, so that id order is the reverse of what it was.
				name[c.ID] = fmt.Sprintf("id-%06d", n-i)
			}
			for i := range renamed.Comments {
				c := &renamed.Comments[i]
				c.ID = name[c.ID]
				if p, ok := name[c.ParentID]; ok {
					c.ParentID = p
				}
			}
			after := digest.Analyze(renamed, opt)
			changed := 0
			for i := range before.Comments {
				if diff := sameReading(before, after, i); len(diff) > 0 {
					changed++
					if changed <= 5 {
						t.Errorf("comment %d read differently once renamed: %v", i+1, diff)
					}
				}
			}
			if len(before.Arguments) != len(after.Arguments) {
				t.Fatalf("%d arguments, %d once renamed", len(before.Arguments), len(after.Arguments))
			}
			for k := range before.Arguments {
				if b, a := before.Arguments[k], after.Arguments[k]; b.Label != a.Label || b.Commenters != a.Commenters {
					t.Errorf("argument %d: %q (%d commenters), once renamed %q (%d)", k+1, b.Label, b.Commenters, a.Label, a.Commenters)
				}
			}
		})
	}
}
