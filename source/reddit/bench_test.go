package reddit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// benchT1 is a comment's data as Reddit sends it: most of its fields are
// ones the parser skips, and they come in Reddit's order (replies before id).
type benchT1 struct {
	SubredditID           string         `json:"subreddit_id"`
	ApprovedAtUTC         *float64       `json:"approved_at_utc"`
	AuthorIsBlocked       bool           `json:"author_is_blocked"`
	CommentType           *string        `json:"comment_type"`
	Awarders              []string       `json:"awarders"`
	ModReasonBy           *string        `json:"mod_reason_by"`
	BannedBy              *string        `json:"banned_by"`
	AuthorFlairType       string         `json:"author_flair_type"`
	TotalAwardsReceived   int            `json:"total_awards_received"`
	Subreddit             string         `json:"subreddit"`
	AuthorFlairTemplateID *string        `json:"author_flair_template_id"`
	Likes                 *bool          `json:"likes"`
	Replies               any            `json:"replies"`
	UserReports           []any          `json:"user_reports"`
	Saved                 bool           `json:"saved"`
	ID                    string         `json:"id"`
	BannedAtUTC           *float64       `json:"banned_at_utc"`
	Gilded                int            `json:"gilded"`
	Archived              bool           `json:"archived"`
	Author                string         `json:"author"`
	CanModPost            bool           `json:"can_mod_post"`
	CreatedUTC            float64        `json:"created_utc"`
	SendReplies           bool           `json:"send_replies"`
	ParentID              string         `json:"parent_id"`
	Score                 int            `json:"score"`
	AuthorFullname        string         `json:"author_fullname"`
	AllAwardings          []any          `json:"all_awardings"`
	Body                  string         `json:"body"`
	Edited                any            `json:"edited"`
	AuthorFlairCSSClass   *string        `json:"author_flair_css_class"`
	AuthorFlairRichtext   []any          `json:"author_flair_richtext"`
	Gildings              map[string]int `json:"gildings"`
	AuthorFlairText       *string        `json:"author_flair_text"`
	Downs                 int            `json:"downs"`
	IsSubmitter           bool           `json:"is_submitter"`
	BodyHTML              string         `json:"body_html"`
	Stickied              bool           `json:"stickied"`
	Permalink             string         `json:"permalink"`
	LinkID                string         `json:"link_id"`
	Name                  string         `json:"name"`
	Depth                 int            `json:"depth"`
	Ups                   int            `json:"ups"`
}

type benchThing struct {
	Kind string `json:"kind"`
	Data any    `json:"data"`
}

type benchListing struct {
	Kind string `json:"kind"`
	Data struct {
		After    *string      `json:"after"`
		Dist     *int         `json:"dist"`
		Children []benchThing `json:"children"`
		Before   *string      `json:"before"`
	} `json:"data"`
}

func benchListingOf(children []benchThing) benchListing {
	l := benchListing{Kind: "Listing"}
	l.Data.Children = children
	return l
}

var benchSentences = []string{
	"Free buses cut traffic in Tallinn &amp; nobody wants to go back.",
	"Who pays the drivers? Taxpayers do, every one of them.",
	"Better service matters more than free fares — ask anyone who waits 40 minutes.",
	"It worked in Luxembourg, but Luxembourg is rich and small.",
	"> quoted text from the parent\n\nand my answer to it, with a [link](https://example.org).",
	"Our town tried it for a year; ridership went up 30% and then the money ran out.",
}

// benchComment is a comment of about size bytes of body.
func benchComment(id, parent string, depth, size int, replies any) benchThing {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(benchSentences[(len(id)+depth+i)%len(benchSentences)])
	}
	body := b.String()
	html := `<div class="md"><p>` + strings.ReplaceAll(strings.ReplaceAll(body, "&", "&amp;"), "\n\n", "</p>\n\n<p>") + "</p>\n</div>"
	flair := ":flag-de: Köln"
	parentID := "t3_abc123"
	if parent != "" {
		parentID = "t1_" + parent
	}
	return benchThing{Kind: "t1", Data: benchT1{
		SubredditID: "t5_2qh4j", AuthorFlairType: "text", Subreddit: "europe", Replies: replies,
		UserReports: []any{}, ID: id, Author: "user_" + id, CreatedUTC: 1577455500 + float64(depth),
		SendReplies: true, ParentID: parentID, Score: depth % 7, AuthorFullname: "t2_" + id,
		AllAwardings: []any{}, Body: body, Edited: false, AuthorFlairRichtext: []any{map[string]string{"e": "text", "t": flair}},
		Gildings: map[string]int{}, AuthorFlairText: &flair, BodyHTML: html,
		Permalink: "/r/europe/comments/abc123/x/" + id + "/", LinkID: "t3_abc123", Name: "t1_" + id, Depth: depth, Ups: depth % 7,
	}}
}

func benchAnswer(t testing.TB, comments []benchThing) []byte {
	post := benchListingOf([]benchThing{{Kind: "t3", Data: map[string]any{"id": "abc123", "title": "Free buses?", "permalink": "/r/europe/comments/abc123/x/"}}})
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as Reddit writes it with raw_json=1
	if err := enc.Encode([]benchListing{post, benchListingOf(comments)}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sized calls answer with the body size that makes its result about size
// bytes: the length grows linearly with the body size.
func sized(size int, answer func(body int) []byte) []byte {
	l1, l2 := len(answer(100)), len(answer(1100))
	body := 100 + (size-l1)*1000/(l2-l1)
	return answer(max(body, 20))
}

// nestedAnswer is a reply chain depth levels deep with siblings beside each
// link of the chain, about size bytes in all.
func nestedAnswer(t testing.TB, depth, size int) []byte {
	return sized(size, func(body int) []byte { return nestedAnswerOf(t, depth, body) })
}

func nestedAnswerOf(t testing.TB, depth, body int) []byte {
	const siblings = 3
	var level func(d int) []benchThing
	level = func(d int) []benchThing {
		var replies any = ""
		if d+1 < depth {
			replies = benchListingOf(level(d + 1))
		}
		parent := ""
		if d > 0 {
			parent = fmt.Sprintf("d%d", d-1)
		}
		out := []benchThing{benchComment(fmt.Sprintf("d%d", d), parent, d, body, replies)}
		for s := range siblings {
			out = append(out, benchComment(fmt.Sprintf("s%d_%d", d, s), parent, d, body, ""))
		}
		return out
	}
	return benchAnswer(t, level(0))
}

// broadAnswer is size bytes of top-level comments with a few replies each,
// two or three levels deep, and a `more` stub at the end.
func broadAnswer(t testing.TB, size int) []byte {
	return sized(size, func(n int) []byte { return broadAnswerOf(t, n/2) })
}

// broadAnswerOf is n top-level comments with replies.
func broadAnswerOf(t testing.TB, n int) []byte {
	const body = 300
	var top []benchThing
	for i := 0; len(top) < n; i++ {
		id := fmt.Sprintf("b%d", i)
		var replies any = ""
		if i%2 == 0 {
			kids := []benchThing{benchComment(id+"r0", id, 1, body, benchListingOf([]benchThing{benchComment(id+"r0r", id+"r0", 2, body, "")}))}
			kids = append(kids, benchComment(id+"r1", id, 1, body, ""))
			replies = benchListingOf(kids)
		} else {
			replies = benchListingOf([]benchThing{benchComment(id+"r0", id, 1, body, "")})
		}
		top = append(top, benchComment(id, "", 0, body, replies))
	}
	top = append(top, benchThing{Kind: "more", Data: map[string]any{"count": 120, "name": "t1_zz1", "id": "zz1", "parent_id": "t3_abc123", "depth": 0, "children": []string{"zz1", "zz2", "zz3"}}})
	return benchAnswer(t, top)
}

// BenchmarkParseNested reads answers of about 2 MB: a reply chain 199
// levels deep (far beyond the ten Reddit sends, as a hostile server might),
// one 32 deep, and a broad thread of the usual shape.
func BenchmarkParseNested(b *testing.B) {
	cases := []struct {
		name string
		body []byte
	}{
		{"deep199-2MB", nestedAnswer(b, 199, 2<<20)},
		{"deep32-2MB", nestedAnswer(b, 32, 2<<20)},
		{"broad-2MB", broadAnswer(b, 2<<20)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			_, cs, _, err := ParseListing(c.body)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%d bytes, %d comments", len(c.body), len(cs))
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := ParseListing(c.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
