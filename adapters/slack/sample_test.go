package slack

import (
	"strconv"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
)

// sampleDigest is a hand-built digest shaped like the example thread's, for
// tests that must not depend on the analysis.
func sampleDigest() digest.Digest {
	two, one, three := 2, 1, 3
	first := time.Date(2026, 3, 3, 9, 12, 0, 0, time.UTC)
	return digest.Digest{
		Title:          "Europe weighs limits on Huawei in 5G networks",
		Target:         "Huawei",
		CommentCount:   18,
		CommenterCount: 14,
		Span:           &digest.Span{First: first, Last: first.Add(33 * time.Hour)},
		Arguments: []digest.Argument{
			{ID: 1, Label: "security risk · backdoor · state", Statement: "Any vendor that answers to a state security law is a risk you cannot audit away.",
				Commenters: 6, Share: 6.0 / 14, CommentIDs: []string{"1", "4", "7", "9", "12", "15"},
				Quote: digest.Quote{CommentID: "1", Author: "Ingrid K.", Text: "Any vendor that answers to a state security law is a risk you cannot audit away.",
					Position: 1, URL: "https://news.example/c?id=1&page=2|x"}},
			{ID: 2, Label: "cost · rollout · delay", Statement: "Ripping out installed kit will delay 5G by years & cost billions.",
				Commenters: 4, Share: 4.0 / 14, CommentIDs: []string{"2", "5", "10", "16"},
				Quote: digest.Quote{CommentID: "2", Author: "Marc_Lyon", Text: "Ripping out installed kit will delay 5G by years & cost billions.", Position: 2}},
			{ID: 3, Label: "US surveillance · hypocrisy", Statement: "After Snowden, lectures from Washington about spying ring hollow.",
				Commenters: 3, Share: 3.0 / 14, CommentIDs: []string{"3", "8", "13"},
				Quote: digest.Quote{CommentID: "3", Author: "köln_reader", Text: "After Snowden, lectures from Washington about spying ring hollow.",
					Position: 3, URL: "javascript:alert(1)"}},
		},
		Rebuttals: []digest.Rebuttal{
			{CommentID: "4", Author: "Dave from Boulder", ReplyTo: "3", ParentAuthor: "köln_reader", Score: 2.5,
				Excerpt: "Snowden is exactly why we know the difference: courts, not a party.", ParentExcerpt: "lectures from Washington about spying ring hollow",
				Position: 4, URL: "https://news.example/c/4", ParentPosition: 3},
			{CommentID: "10", Author: "Priya S", ReplyTo: "1", ParentAuthor: "Ingrid K.", Score: 1.7,
				Excerpt: "Audits of source code have found nothing so far.", ParentExcerpt: "a risk you cannot audit away"},
		},
		Stance: digest.Stance{Target: "Huawei", Favor: 5, Against: 9, None: 4,
			FavorQuote: &digest.Quote{CommentID: "2", Author: "Marc_Lyon", Text: "Ripping out installed kit will delay 5G by years & cost billions.", Position: 2},
			AgainstQuote: &digest.Quote{CommentID: "1", Author: "Ingrid K.", Text: "Any vendor that answers to a state security law is a risk you cannot audit away.",
				Position: 1, URL: "https://news.example/c?id=1&page=2|x"}},
		Regions: []digest.Region{
			{Region: geo.US, Commenters: 5, Favor: 1, Against: 3, None: 1, TopArgument: &one},
			{Region: geo.Canada, Commenters: 2, Favor: 1, Against: 1, None: 0, TopArgument: &two},
			{Region: geo.Europe, Commenters: 5, Favor: 2, Against: 2, None: 1, TopArgument: &three},
			{Region: geo.Unknown, Commenters: 2, Favor: 0, Against: 1, None: 1},
		},
		Context: &digest.Context{NewComments: 18, NewCommenters: 14, TotalComments: 52, TotalCommenters: 38,
			ThreadStance: digest.Stance{Target: "Huawei", Favor: 12, Against: 30, None: 10},
			Lean:         "the new comments lean more in favor of Huawei than the thread so far"},
	}
}

// Hostile texts: mention, link and formatting syntax of Slack, and the
// characters that corrupt layouts.
var hostile = []string{
	"<!channel>", "<!here>", "<!everyone>", "<@U123ABC>", "<#C0001|general>", "<!subteam^S123>",
	"<http://evil.example|click here>", "*bold*", "_italic_", "~strike~", "`code`", "```block```",
	"> quoted", "&amp; &lt;", "\u202eevil\u202c", "\x1b[31mred", ":skull:",
}

var hostileText = strings.Join(hostile, " ") + "\n> second line <!here>"

// hostileDigest puts hostile text in every field that comes from strangers.
func hostileDigest() digest.Digest {
	d := sampleDigest()
	h := hostileText
	d.Title = "Title " + h
	d.Target = "<!channel> *Huawei*"
	d.Stance.Target = d.Target
	for i := range d.Arguments {
		a := &d.Arguments[i]
		a.Label = "label " + strconv.Itoa(i) + " " + h
		a.Statement = "statement " + h
		a.Quote.Author = "<@U999> *Author*"
		a.Quote.Text = a.Statement
	}
	for i := range d.Rebuttals {
		r := &d.Rebuttals[i]
		r.Author, r.ParentAuthor = "<!here> _name_", "<@U42|boss>"
		r.Excerpt, r.ParentExcerpt = "reply "+h, "parent "+h
	}
	d.Stance.FavorQuote = &digest.Quote{Author: "`coder`", Text: "favor " + h}
	d.Stance.AgainstQuote = &digest.Quote{Author: "~x~", Text: "against " + h}
	d.Context.Lean = "lean " + h
	d.Engine = &digest.Engine{Name: digest.EngineLLM, Model: "model " + h, ModelComments: 3, OfflineComments: 1, Reason: "reason " + h}
	return d
}
