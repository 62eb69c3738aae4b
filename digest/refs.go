package digest

import (
	"net/url"
	"strings"

	"github.com/threaddigest/threaddigest"
)

// A digest names comments by where a reader finds them, not by their ids,
// which are opaque (a hash for a page file, a database key for a site):
// Position is the comment's 1-based place in the thread as the digest read
// it — the file's order, or for the service the order comments were first
// stored — counting deleted comments, so that a deletion does not renumber
// the others; URL is the comment's permalink when its source gives one
// (Comment.URL), "" otherwise.
//
// Only http and https URLs are kept: renderings build links from them, and
// a javascript: or data: URL in a source's answer must never become one.

// addRefs fills the Position and URL of every comment d names.
func addRefs(t threaddigest.Thread, d *Digest) {
	type ref struct {
		pos int
		url string
	}
	refs := make(map[string]ref, len(t.Comments))
	for i, c := range t.Comments {
		if _, dup := refs[c.ID]; !dup {
			refs[c.ID] = ref{i + 1, SafeURL(c.URL)}
		}
	}
	quote := func(q *Quote) {
		if q != nil {
			r := refs[q.CommentID]
			q.Position, q.URL = r.pos, r.url
		}
	}
	for i := range d.Arguments {
		quote(&d.Arguments[i].Quote)
	}
	quote(d.Stance.FavorQuote)
	quote(d.Stance.AgainstQuote)
	if d.Context != nil {
		quote(d.Context.ThreadStance.FavorQuote)
		quote(d.Context.ThreadStance.AgainstQuote)
	}
	for i := range d.Rebuttals {
		r := &d.Rebuttals[i]
		r.Position, r.URL = refs[r.CommentID].pos, refs[r.CommentID].url
		r.ParentPosition, r.ParentURL = refs[r.ReplyTo].pos, refs[r.ReplyTo].url
	}
	for i := range d.Comments {
		c := &d.Comments[i]
		c.Position, c.URL = refs[c.ID].pos, refs[c.ID].url
	}
}

// SafeURL returns u when it is an absolute http or https URL without
// credentials or white space, and "" otherwise, so that only such URLs ever
// become links.
func SafeURL(u string) string {
	if u == "" || len(u) > 2048 || strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil || p.Opaque != "" {
		return ""
	}
	return p.String()
}
