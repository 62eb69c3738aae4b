package eval

import (
	"os"
	"strings"
	"unicode"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/input"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Field mappings of the real sets, as the README gives them.
const (
	rumourEvalMap  = "id=tweet_id,parent_id=parent_id,author=user_screen_name,author_id=user_id,location=user_location,body=text,thread=thread_id,created_at=created_at"
	globeAndMailMp = "id=ID,parent_id=parentID,author=author,body=text,thread=article_id,created_at=timestamp,likes=posVotes"
)

// readThreads reads a file of the real sets with the input package.
func readThreads(path, mapping string) ([]threaddigest.Thread, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opt := input.Options{}
	if mapping != "" {
		m, err := input.ParseMap(mapping)
		if err != nil {
			return nil, err
		}
		opt.Map = m
	}
	res, err := input.Read(f, path, opt)
	if err != nil {
		return nil, err
	}
	return res.Threads, nil
}

// evalReplies hides the parent ids of real threads and measures how many the
// digest recovers from the text. A reply counts as addressable "where the
// text allows" when its body opens with '@' followed by its parent's
// author's name (compared after NFKC and case folding): only those can be
// recovered from text.
func evalReplies(dir string, opt Options, t *Table) error {
	sets := []struct {
		name, mapping string
		paths         []string
	}{
		{"NYT May 2017 + Mar 2018", "", []string{
			join(dir, "nyt-comments-kaggle-samples", "CommentsMay2017_sample.csv"),
			join(dir, "nyt-comments-kaggle-samples", "CommentsMarch2018_sample.csv"),
		}},
		{"RumourEval 2017 Twitter", rumourEvalMap, []string{join(dir, "rumoureval2017-twitter-threads", "tweets.jsonl")}},
		{"Globe and Mail", globeAndMailMp, []string{join(dir, "globe-and-mail-comment-threads-sfu", "old_comments.csv")}},
	}
	for _, set := range sets {
		var threads []threaddigest.Thread
		missing := false
		for _, p := range set.paths {
			if !exists(p) {
				t.absent(p)
				missing = true
				continue
			}
			th, err := readThreads(p, set.mapping)
			if err != nil {
				return err
			}
			threads = append(threads, th...)
		}
		if missing && len(threads) == 0 {
			continue
		}
		var all, addressable linkCounts
		for _, th := range threads {
			a, b := replyLinks(th)
			all.add(a)
			addressable.add(b)
		}
		t.Rows = append(t.Rows,
			Row{"reply links", set.name, "precision", f3(ratio(all.tp, all.tp+all.fp)), "n/a (no links)", all.tp + all.fp},
			Row{"reply links", set.name, "recall, all replies", f3(ratio(all.tp, all.tp+all.fn)), "0.000", all.tp + all.fn},
			Row{"reply links", set.name, "recall, addressable", f3(ratio(addressable.tp, addressable.tp+addressable.fn)), "0.000", addressable.tp + addressable.fn},
			Row{"reply links", set.name, "F1, addressable", f3(f1(addressable.tp, addressable.fp, addressable.fn)), "0.000", addressable.tp + addressable.fn},
		)
	}
	t.Notes = append(t.Notes, "reply links: parent ids hidden; a reply is addressable when its body opens with '@' and its parent's author name (NFKC, case-folded); precision counts every link made, recall-addressable only the addressable replies")
	return nil
}

type linkCounts struct{ tp, fp, fn int }

func (c *linkCounts) add(o linkCounts) { c.tp += o.tp; c.fp += o.fp; c.fn += o.fn }

// replyLinks digests th with its parent ids hidden and compares the links
// made with the real ones: over every reply, and over addressable replies.
func replyLinks(th threaddigest.Thread) (all, addressable linkCounts) {
	byID := map[string]int{}
	for i, c := range th.Comments {
		byID[c.ID] = i
	}
	hidden := th
	hidden.Comments = make([]threaddigest.Comment, len(th.Comments))
	gold := make([]string, len(th.Comments))
	for i, c := range th.Comments {
		if j, ok := byID[c.ParentID]; ok && j != i {
			gold[i] = c.ParentID
		}
		c.ParentID = ""
		hidden.Comments[i] = c
	}
	d := digest.Analyze(hidden, digest.Options{})
	pred := map[string]string{}
	for _, cr := range d.Comments {
		if cr.ReplyTo != nil {
			pred[cr.ID] = *cr.ReplyTo
		}
	}
	fold := cases.Fold()
	for i, c := range th.Comments {
		if c.Deleted {
			continue
		}
		g, p := gold[i], pred[c.ID]
		addr := g != "" && opensWithName(c.Body, th.Comments[byID[g]].Author, fold)
		count := func(lc *linkCounts) {
			switch {
			case p != "" && p == g:
				lc.tp++
			case p != "":
				lc.fp++
				if g != "" {
					lc.fn++
				}
			case g != "":
				lc.fn++
			}
		}
		count(&all)
		if addr {
			count(&addressable)
		}
	}
	return all, addressable
}

// opensWithName reports whether body opens with "@name" and a word boundary.
func opensWithName(body, name string, fold cases.Caser) bool {
	body = strings.TrimLeftFunc(body, unicode.IsSpace)
	if !strings.HasPrefix(body, "@") || name == "" {
		return false
	}
	b := fold.String(norm.NFKC.String(body[1:]))
	n := fold.String(norm.NFKC.String(name))
	if !strings.HasPrefix(b, n) {
		return false
	}
	rest := b[len(n):]
	if rest == "" {
		return true
	}
	r := []rune(rest)[0]
	return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}
