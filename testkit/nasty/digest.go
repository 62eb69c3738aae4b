package nasty

import (
	"strconv"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
)

// HostileDigest builds a digest whose every untrusted text field holds the
// given strings (text in every quote, statement, excerpt and label; author in
// every name; location in every location; title and target as themselves),
// with counts that add up, and the thread it describes. n varies the shape:
// how many arguments, rebuttals and regions there are. The renderers' fuzz
// targets render it.
func HostileDigest(title, target, text, author, location string, n uint8) (digest.Digest, threaddigest.Thread) {
	args := 1 + int(n)%4
	rebs := int(n/4) % 4
	regions := geo.Regions()
	nRegions := 1 + int(n/16)%len(regions)
	commenters := 2 * (args + rebs + nRegions)

	th := threaddigest.Thread{Title: title}
	d := digest.Digest{ThreadID: author, Title: title, Target: target, CommenterCount: commenters}
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	add := func(author string) string {
		id := strconv.Itoa(len(th.Comments) + 1)
		th.Comments = append(th.Comments, threaddigest.Comment{ID: id, Author: author, Location: location, Body: text,
			CreatedAt: at.Add(time.Duration(len(th.Comments)) * time.Minute)})
		return id
	}
	for i := range args {
		id := add(author)
		d.Arguments = append(d.Arguments, digest.Argument{ID: i + 1, Label: text, Statement: text, Commenters: 1 + i,
			Share: float64(1+i) / float64(commenters), CommentIDs: []string{id},
			Quote: digest.Quote{CommentID: id, Author: author, Text: text}})
	}
	for range rebs {
		parent := add(author)
		reply := add(author)
		th.Comments[len(th.Comments)-1].ParentID = parent
		d.Rebuttals = append(d.Rebuttals, digest.Rebuttal{CommentID: reply, Author: author, ReplyTo: parent,
			ParentAuthor: author, Score: 1, Excerpt: text, ParentExcerpt: text})
	}
	favor := add(author)
	against := add(author)
	for i, c := range th.Comments {
		stance := digest.StanceNone
		switch c.ID {
		case favor:
			stance = digest.StanceFavor
			d.Stance.Favor++
		case against:
			stance = digest.StanceAgainst
			d.Stance.Against++
		default:
			d.Stance.None++
		}
		cr := digest.CommentResult{ID: c.ID, Author: c.Author, Location: c.Location, Region: regions[i%nRegions], Stance: stance}
		if c.ParentID != "" {
			p, rel := c.ParentID, digest.RelationRebuttal
			cr.ReplyTo, cr.Relation = &p, &rel
		}
		if i < args {
			cr.Arguments = []int{i + 1}
		}
		d.Comments = append(d.Comments, cr)
	}
	d.CommentCount = len(th.Comments)
	d.Stance.Target = target
	d.Stance.FavorQuote = &digest.Quote{CommentID: favor, Author: author, Text: text}
	d.Stance.AgainstQuote = &digest.Quote{CommentID: against, Author: author, Text: text}
	d.Span = &digest.Span{First: at, Last: at.Add(time.Duration(len(th.Comments)) * time.Minute)}
	left := commenters
	for i := range nRegions {
		r := digest.Region{Region: regions[i], Commenters: commenters / nRegions}
		if i == nRegions-1 {
			r.Commenters = left
		}
		left -= r.Commenters
		r.Favor = r.Commenters / 3
		r.Against = r.Commenters / 3
		r.None = r.Commenters - r.Favor - r.Against
		if i%2 == 0 {
			top := 1 + i%args
			r.TopArgument = &top
		}
		d.Regions = append(d.Regions, r)
	}
	if n%2 == 1 {
		d.Context = &digest.Context{NewComments: d.CommentCount, NewCommenters: commenters, TotalComments: 2 * d.CommentCount,
			TotalCommenters: 2 * commenters, ThreadStance: d.Stance, Lean: text}
	}
	return d, th
}
