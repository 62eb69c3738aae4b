package digest_test

import (
	"os"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// TestRealThreads digests every thread of the real sets in ../shared/data
// (skipped where absent) and checks what every digest must satisfy: every
// quote verbatim, every count consistent.
func TestRealThreads(t *testing.T) {
	sets := []struct {
		path    []string
		mapping string
	}{
		{[]string{"nyt-comments-kaggle-samples", "CommentsMay2017_sample.csv"}, ""},
		{[]string{"nyt-comments-kaggle-samples", "CommentsMarch2018_sample.csv"}, ""},
		{[]string{"rumoureval2017-twitter-threads", "tweets.jsonl"}, "id=tweet_id,parent_id=parent_id,author=user_screen_name,author_id=user_id,location=user_location,body=text,thread=thread_id,created_at=created_at"},
		{[]string{"globe-and-mail-comment-threads-sfu", "old_comments.csv"}, "id=ID,parent_id=parentID,author=author,body=text,thread=article_id,created_at=timestamp,likes=posVotes"},
	}
	for _, set := range sets {
		t.Run(set.path[len(set.path)-1], func(t *testing.T) {
			path := shareddata.Path(t, set.path...)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			opt := input.Options{}
			if set.mapping != "" {
				if opt.Map, err = input.ParseMap(set.mapping); err != nil {
					t.Fatal(err)
				}
			}
			res, err := input.Read(f, path, opt)
			if err != nil {
				t.Fatal(err)
			}
			args, rebuttals := 0, 0
			for _, th := range res.Threads {
				d := digest.Analyze(th, digest.Options{})
				checkDigest(t, th, d)
				args += len(d.Arguments)
				rebuttals += len(d.Rebuttals)
			}
			t.Logf("%d threads: %d arguments, %d rebuttals", len(res.Threads), args, rebuttals)
		})
	}
}

// checkDigest asserts every quote verbatim and every count consistent.
func checkDigest(t *testing.T, th threaddigest.Thread, d digest.Digest) {
	t.Helper()
	fail := func(format string, a ...any) {
		t.Helper()
		t.Errorf("thread %q: "+format, append([]any{th.ID}, a...)...)
	}
	byID := map[string]threaddigest.Comment{}
	live, who := 0, map[string]bool{}
	for _, c := range th.Comments {
		byID[c.ID] = c
		if !c.Deleted {
			live++
			who[c.CommenterKey()] = true
		}
	}
	if d.CommentCount != live || d.CommenterCount != len(who) || len(d.Comments) != live {
		fail("counts %d comments, %d commenters, %d entries; want %d, %d", d.CommentCount, d.CommenterCount, len(d.Comments), live, len(who))
	}
	verbatim := func(what, id, text string) {
		t.Helper()
		c, ok := byID[id]
		if !ok || text == "" || !strings.Contains(c.Body, text) {
			fail("%s %q is not verbatim from comment %q", what, text, id)
		}
	}
	argsOf := map[string][]int{}
	for _, c := range d.Comments {
		argsOf[c.ID] = c.Arguments
	}
	for _, a := range d.Arguments {
		verbatim("argument statement", a.Quote.CommentID, a.Statement)
		// The label is the claim, a clause of the statement; the quote is
		// the statement, from the comment that makes the claim.
		if a.Label == "" || !strings.Contains(a.Statement, a.Label) || a.Quote.Text != a.Statement {
			fail("argument %d: label %q is not a clause of its statement %q, or the quote %q is not the statement", a.ID, a.Label, a.Statement, a.Quote.Text)
		}
		if len(argsOf[a.Quote.CommentID]) > 0 || d.Context == nil {
			found := false
			for _, x := range argsOf[a.Quote.CommentID] {
				found = found || x == a.ID
			}
			if !found {
				fail("argument %d is quoted from comment %s, which does not make it", a.ID, a.Quote.CommentID)
			}
		}
		commenters := map[string]bool{}
		for _, id := range a.CommentIDs {
			commenters[byID[id].CommenterKey()] = true
			found := false
			for _, x := range argsOf[id] {
				found = found || x == a.ID
			}
			if !found {
				fail("argument %d lists comment %s, which does not list it", a.ID, id)
			}
		}
		if a.Commenters != len(commenters) {
			fail("argument %d: %d commenters, its comments have %d", a.ID, a.Commenters, len(commenters))
		}
	}
	for _, r := range d.Rebuttals {
		verbatim("rebuttal excerpt", r.CommentID, r.Excerpt)
		verbatim("rebuttal parent excerpt", r.ReplyTo, r.ParentExcerpt)
	}
	if d.Stance.Total() != d.CommentCount {
		fail("stance counts %d, comments %d", d.Stance.Total(), d.CommentCount)
	}
	for _, q := range []*digest.Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			verbatim("stance quote", q.CommentID, q.Text)
		}
	}
	sum := 0
	for _, r := range d.Regions {
		sum += r.Commenters
		if r.Favor+r.Against+r.None != r.Commenters {
			fail("region %s stances do not add up", r.Region)
		}
	}
	if sum != d.CommenterCount {
		fail("region commenters sum to %d, want %d", sum, d.CommenterCount)
	}
}
