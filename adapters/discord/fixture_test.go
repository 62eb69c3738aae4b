package discord

import (
	"fmt"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
)

// Hand-built digests: the renderer's input, independent of the analysis.

func intp(n int) *int { return &n }

// exampleDigest is a small digest of new comments in a thread about Huawei
// and European 5G networks.
func exampleDigest() digest.Digest {
	first := time.Date(2026, 3, 11, 7, 2, 0, 0, time.UTC)
	return digest.Digest{
		ThreadID:       "huawei-europe",
		Title:          "Europe weighs whether to shut Huawei out of its 5G networks",
		Target:         "Huawei",
		CommentCount:   18,
		CommenterCount: 15,
		Span:           &digest.Span{First: first, Last: first.Add(25 * time.Hour)},
		Arguments: []digest.Argument{
			{ID: 1, Label: "security risk, state access", Statement: "Any vendor that answers to Beijing's intelligence law is a risk in the core network, full stop.", Commenters: 6, Share: 0.4, CommentIDs: []string{"3", "7", "9", "12", "14", "17"},
				Quote: digest.Quote{CommentID: "3", Author: "Maren K.", Text: "Any vendor that answers to Beijing's intelligence law is a risk in the core network, full stop.",
					Position: 3, URL: "https://news.example/wiki/Huawei_(company)#c3"}},
			{ID: 2, Label: "cost, rollout delay", Statement: "Ripping out Huawei kit will cost operators billions and set 5G back years.", Commenters: 4, Share: 4.0 / 15, CommentIDs: []string{"2", "5", "11", "15"},
				Quote: digest.Quote{CommentID: "5", Author: "Jean-Luc_B", Text: "Ripping out Huawei kit will cost operators billions and set 5G back years.", Position: 5}},
			{ID: 3, Label: "US surveillance hypocrisy", Statement: "After Snowden, lecturing Europe about spying is rich.", Commenters: 3, Share: 0.2, CommentIDs: []string{"4", "8", "16"},
				Quote: digest.Quote{CommentID: "8", Author: "O'Connor 1987", Text: "After Snowden, lecturing Europe about spying is rich.", Position: 8, URL: "javascript:alert(1)"}},
		},
		Rebuttals: []digest.Rebuttal{
			{CommentID: "9", Author: "Maren K.", ReplyTo: "5", ParentAuthor: "Jean-Luc_B", Score: 2.5,
				Excerpt: "Cheap now, expensive later: you pay for a backdoor with your sovereignty.", ParentExcerpt: "Ripping out Huawei kit will cost operators billions",
				Position: 9, URL: "https://news.example/c/9", ParentPosition: 5},
		},
		Stance: digest.Stance{
			Target: "Huawei", Favor: 5, Against: 9, None: 4,
			FavorQuote:   &digest.Quote{CommentID: "2", Author: "Søren", Text: "Huawei gear is simply the best value on the market.", Position: 2},
			AgainstQuote: &digest.Quote{CommentID: "3", Author: "Maren K.", Text: "Any vendor that answers to Beijing's intelligence law is a risk in the core network, full stop."},
		},
		Regions: []digest.Region{
			{Region: geo.US, Commenters: 4, Favor: 1, Against: 3, None: 0, TopArgument: intp(1)},
			{Region: geo.Canada, Commenters: 2, Favor: 0, Against: 1, None: 1, TopArgument: intp(3)},
			{Region: geo.Europe, Commenters: 7, Favor: 3, Against: 3, None: 1, TopArgument: intp(2)},
			{Region: geo.Unknown, Commenters: 2, Favor: 0, Against: 1, None: 1},
		},
		Context: &digest.Context{
			NewComments: 18, NewCommenters: 15, TotalComments: 52, TotalCommenters: 38,
			ThreadStance: digest.Stance{Target: "Huawei", Favor: 14, Against: 25, None: 13},
			Lean:         "the new comments lean more in favor of Huawei than the thread so far",
		},
	}
}

// hostileDigest carries the text of hostile comments in every untrusted
// slot: title, target, labels, statements, quotes, authors, excerpts, lean.
func hostileDigest() digest.Digest {
	d := exampleDigest()
	bad := "@everyone <@123> [text](https://evil.example) **bold** @here <@&42> <#7> ||spoiler|| `code` ~~gone~~ __under__"
	d.Title = "# " + bad
	d.Target = "**Huawei** @everyone"
	d.Stance.Target = d.Target
	d.Arguments[0].Label = "[click](https://evil.example) @here"
	d.Arguments[0].Quote = digest.Quote{CommentID: "3", Author: "<@123> **admin**", Text: "- " + bad}
	d.Arguments[0].Statement = d.Arguments[0].Quote.Text
	d.Rebuttals[0].Author = "@everyone"
	d.Rebuttals[0].ParentAuthor = "[me](https://evil.example)"
	d.Rebuttals[0].Excerpt = "> " + bad
	d.Stance.FavorQuote = &digest.Quote{CommentID: "2", Author: "@here", Text: "1. " + bad}
	d.Context.Lean = "the new comments lean more toward **Huawei** @everyone"
	return d
}

// The hostile fragments, each of which must arrive escaped.
var hostileFragments = []string{
	"@everyone", "@here", "<@123>", "<@&42>", "<#7>", "[text](https://evil.example)", "**bold**",
	"||spoiler||", "`code`", "~~gone~~", "__under__", "[click](https://evil.example)", "[me](https://evil.example)",
}

// longDigest has many arguments with long statements, long authors and
// many rebuttals: far more than one message holds.
func longDigest() digest.Digest {
	d := exampleDigest()
	d.Arguments = nil
	for i := 1; i <= 60; i++ {
		text := fmt.Sprintf("Argument %d: ", i) + strings.Repeat("a long and winding sentence about networks, 👍🏽 trust and money, ", 30)
		d.Arguments = append(d.Arguments, digest.Argument{
			ID: i, Label: fmt.Sprintf("label %d ", i) + strings.Repeat("word ", 80), Statement: text, Commenters: 61 - i,
			Quote: digest.Quote{CommentID: fmt.Sprint(i), Author: strings.Repeat("Name", 40), Text: text},
		})
	}
	d.CommenterCount = 200
	for i := 0; i < 40; i++ {
		d.Rebuttals = append(d.Rebuttals, digest.Rebuttal{
			CommentID: fmt.Sprint(100 + i), Author: "Replier", ParentAuthor: "Parent", ReplyTo: fmt.Sprint(i),
			Excerpt: strings.Repeat("no, that is wrong because ", 40), ParentExcerpt: strings.Repeat("it is obvious that ", 40),
		})
	}
	return d
}
