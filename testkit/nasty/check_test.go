package nasty

import (
	"strings"
	"testing"
)

// The checks must find what they look for: each bad output below is one a
// broken renderer could write, and each good one is what the renderers
// write.

func TestCheckTerminal(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		bad       bool
	}{
		{"plain", "Title\n  1. argument  ███  3 (50%)\n", false},
		{"wide characters fit", strings.Repeat("東", 40), false},
		{"escape sequence", "a \x1b[31mred", true},
		{"bell", "a\x07", true},
		{"C1 control", "a\u009b31m", true},
		{"bidi override", "a\u202eb", true},
		{"isolate", "a\u2066b", true},
		{"zero-width space", "a\u200bb", true},
		{"line separator", "a\u2028b", true},
		{"carriage return", "a\rb", true},
		{"tab", "a\tb", true},
		{"stacked marks", "Z\u0301\u0302\u0303\u0304", true},
		{"three marks are fine", "Z\u0301\u0302\u0303", false},
		{"too wide", strings.Repeat("x", 81), true},
		{"wide characters too wide", strings.Repeat("東", 41), true},
		{"emoji count two", strings.Repeat("😀", 41), true},
		{"invalid UTF-8", "a\xffb", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := CheckTerminal(tc.out, 80); (len(p) > 0) != tc.bad {
				t.Errorf("CheckTerminal(%q) = %v, want bad %v", tc.out, p, tc.bad)
			}
		})
	}
}

func TestCheckMarkdown(t *testing.T) {
	good := strings.Join([]string{
		`# Should buses be free? \<\!channel\> \*\*Vote\*\* \@everyone \[poll\]\(https\://evil\.example\)`,
		``,
		`**30 comments** by **29 commenters** · 1 Mar 2026 08:00–08:29 UTC`,
		``,
		`## Dominant arguments`,
		``,
		`### 1. taxpayers, budget`,
		``,
		"`█████▌` 6 of 29 commenters (21%)",
		``,
		`> “Taxpayers cannot afford free buses \|\|spoiler\|\| and www\.evil.example”  `,
		`> — **\<script\>alert\(1\)\</script\>** (comment 12)`,
		``,
		`| Stance | Comments | Share | |`,
		`|:--|--:|--:|:--|`,
		"| favor | 3 | 50% | `██████████` |",
		"| none \\* | 3 | 50% | `██████████` |",
		``,
		`_2 more arguments not shown._`,
	}, "\n")
	if p := CheckMarkdown(good); len(p) > 0 {
		t.Fatalf("the renderer's own markup is reported: %v", p.Err())
	}
	for _, tc := range []struct{ name, line string }{
		{"link", `> “see [Tallinn](https://evil.example)”`},
		{"image", `> “![x](https\://evil\.example/x.png)”`},
		{"autolink", `> “<http\://evil\.example>”`},
		{"bare URL", `> “https://evil\.example”`},
		{"www", `> “www.evil\.example”`},
		{"mention", `> “\@everyone and @here”`},
		{"HTML", `> “\<b\>bold</b>”`},
		{"entity", `> “&lt;\!channel&gt;”`},
		{"strike-through", `> “~~x~~”`},
		{"emphasis", `> “*bold*”`},
		{"unbalanced bold", `**Name** said **x`},
		{"underscore", `> “_italic_”`},
		{"code span", "> “`code`”"},
		{"a cell border", `| favor | 3 | a|b | x |` + "\n" + `|:--|--:|--:|:--|`},
		{"a pipe outside a table", `> “a | b”`},
		{"heading inside a line", `> “# not a heading”`},
		{"heading of a comment", `#### deep`},
		{"quote inside a line", `**A** > B`},
		{"list", `- item`},
		{"ordered list", `1. item`},
		{"setext", "Title\n===="},
		{"control", "> “\x1b[2J”"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.line
			if tc.name == "a cell border" {
				doc = "| a | b | c | d |\n" + tc.line
			}
			if p := CheckMarkdown(doc); len(p) == 0 {
				t.Errorf("CheckMarkdown(%q) found nothing", doc)
			}
		})
	}
}

func TestCheckSlack(t *testing.T) {
	corpus := NewCorpus("Free buses cut traffic downtown <!channel> and everyone saves money.", "Zoë Müller")
	block := func(typ, text string) SlackBlock {
		return SlackBlock{Type: "section", Text: &slackText{Type: typ, Text: text}}
	}
	good := SlackMessage{Text: "nasty: 3 comments by 2 commenters · *fine in notifications*", Blocks: []SlackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: "Stance · nasty"}},
		block("mrkdwn", "*Stance*"),
		block("mrkdwn", "threaddigest · scheduled for <!date^1772434800^{date_short} {time}|2026-03-02 07:00 UTC>"),
		block("plain_text", "“Free buses cut traffic downtown &lt;!channel&gt; and everyone saves money.” — Zoë Müller"),
		{Type: "divider"},
	}}
	if p := CheckSlack("good", good, corpus); len(p) > 0 {
		t.Fatalf("a clean message is reported: %v", p.Err())
	}
	long := strings.Repeat("x", SlackSectionText+1)
	for _, tc := range []struct {
		name string
		m    SlackMessage
	}{
		{"channel mention", SlackMessage{Text: "x", Blocks: []SlackBlock{block("plain_text", "hi <!channel>")}}},
		{"user mention", SlackMessage{Text: "x", Blocks: []SlackBlock{block("plain_text", "hi <@U123>")}}},
		{"link", SlackMessage{Text: "x", Blocks: []SlackBlock{block("plain_text", "<https://evil.example|city.gov>")}}},
		{"mention in the fallback", SlackMessage{Text: "x <!here>", Blocks: []SlackBlock{block("plain_text", "x")}}},
		{"bare ampersand", SlackMessage{Text: "x", Blocks: []SlackBlock{block("plain_text", "a & b")}}},
		{"a date token from a comment in plain text", SlackMessage{Text: "x", Blocks: []SlackBlock{block("plain_text", "<!date^1^{date}|x>")}}},
		{"comment text in mrkdwn", SlackMessage{Text: "x", Blocks: []SlackBlock{block("mrkdwn", "*Free buses cut traffic downtown*")}}},
		{"section too long", SlackMessage{Text: "x", Blocks: []SlackBlock{block("plain_text", long)}}},
		{"header in mrkdwn", SlackMessage{Text: "x", Blocks: []SlackBlock{{Type: "header", Text: &slackText{Type: "mrkdwn", Text: "*x*"}}}}},
		{"too many blocks", SlackMessage{Text: "x", Blocks: make([]SlackBlock, SlackBlocks+1)}},
		{"no fallback", SlackMessage{Blocks: []SlackBlock{block("plain_text", "x")}}},
		{"bidi override", SlackMessage{Text: "x", Blocks: []SlackBlock{block("plain_text", "a\u202eb")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.m.Blocks {
				if tc.m.Blocks[i].Type == "" {
					tc.m.Blocks[i] = SlackBlock{Type: "divider"}
				}
			}
			if p := CheckSlack("bad", tc.m, corpus); len(p) == 0 {
				t.Errorf("found nothing in %+v", tc.m)
			}
		})
	}
}

func TestCheckDiscord(t *testing.T) {
	corpus := NewCorpus("Free buses cut traffic downtown <!channel> and everyone saves money.")
	good := DiscordMessage{Embeds: []DiscordEmbed{{
		Title:       `Should buses be free? \<\!channel\> \@everyone`,
		Description: "**30 comments** from 29 commenters\n<t:1772352000:f> – <t:1772353740:f>\n\n**Stance toward buses** · 30 comments\n`favor  ` ███░░░░░░░ **30%** · 9",
		Fields:      []DiscordField{{Name: "1 · taxpayers, budget", Value: `“Free buses cut traffic downtown \<\!channel\> and everyone saves money\.” — Zo\_ë`}},
		Footer:      "threaddigest · nasty · slot 2026-03-02 07:00 UTC",
		ImageURL:    "attachment://regional-split.png",
	}}, Files: map[string]int{"regional-split.png": 1000}}
	if p := CheckDiscord("good", good, corpus); len(p) > 0 {
		t.Fatalf("a clean message is reported: %v", p.Err())
	}
	for _, tc := range []struct {
		name string
		e    DiscordEmbed
	}{
		{"everyone", DiscordEmbed{Description: "hi @everyone"}},
		{"user mention", DiscordEmbed{Description: `hi \<@123>`}},
		{"role mention", DiscordEmbed{Title: "<@&1>"}},
		{"masked link", DiscordEmbed{Fields: []DiscordField{{Name: "x", Value: "[city.gov](https://evil.example)"}}}},
		{"bare URL", DiscordEmbed{Description: "https://evil.example"}},
		{"spoiler", DiscordEmbed{Description: "||x||"}},
		{"timestamp from a comment", DiscordEmbed{Description: "said <t:0:R>"}},
		{"code span", DiscordEmbed{Description: "`rm -rf /`"}},
		{"italic", DiscordEmbed{Description: "_x_"}},
		{"strike", DiscordEmbed{Description: "~~x~~"}},
		{"heading", DiscordEmbed{Description: "# big"}},
		{"subtext", DiscordEmbed{Description: `-# small`}},
		{"list", DiscordEmbed{Description: "1. item"}},
		{"quote", DiscordEmbed{Description: "> quoted"}},
		{"comment text in the footer", DiscordEmbed{Title: "x", Footer: "Free buses cut traffic downtown"}},
		{"a link", DiscordEmbed{Title: "x", URL: "https://evil.example"}},
		{"a remote image", DiscordEmbed{Title: "x", ImageURL: "https://evil.example/x.png"}},
		{"title too long", DiscordEmbed{Title: strings.Repeat("x", DiscordTitle+1)}},
		{"field value too long in UTF-16", DiscordEmbed{Fields: []DiscordField{{Name: "x", Value: strings.Repeat("😀", DiscordFieldValue/2+1)}}}},
		{"empty field", DiscordEmbed{Fields: []DiscordField{{Name: " ", Value: "x"}}}},
		{"too much text", DiscordEmbed{Description: strings.Repeat("x", DiscordDescription), Fields: []DiscordField{
			{Name: "x", Value: strings.Repeat("x", 1000)}, {Name: "y", Value: strings.Repeat("x", 1000)}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := CheckDiscord("bad", DiscordMessage{Embeds: []DiscordEmbed{tc.e}}, corpus); len(p) == 0 {
				t.Errorf("found nothing in %+v", tc.e)
			}
		})
	}
	if p := CheckDiscord("bad", DiscordMessage{Content: strings.Repeat("x", DiscordContent+1)}, corpus); len(p) == 0 {
		t.Error("content over the limit found nothing")
	}
	if p := CheckDiscord("bad", DiscordMessage{Embeds: make([]DiscordEmbed, DiscordEmbeds+1)}, corpus); len(p) == 0 {
		t.Error("eleven embeds found nothing")
	}
}

func TestCorpusLeak(t *testing.T) {
	c := NewCorpus("Free buses cut traffic downtown <!channel> now", "a\x1b[31mb")
	for _, tc := range []struct {
		s    string
		leak bool
	}{
		{"*Stance* · by comment", false},
		{"*Free buses cut traffic downtown*", true},
		{"said: downtown &lt;!channel&gt; now", true}, // as Slack escapes it
		{"Free buses cut", false},                     // shorter than Window
	} {
		if _, got := c.Leak(tc.s); got != tc.leak {
			t.Errorf("Leak(%q) = %v, want %v", tc.s, got, tc.leak)
		}
	}
}

func TestCheckSlackEmptyText(t *testing.T) {
	m := SlackMessage{Text: "x", Blocks: []SlackBlock{{Type: "header", Text: &slackText{Type: "plain_text", Text: ""}}}}
	if p := CheckSlack("empty", m, nil); len(p) == 0 {
		t.Error("an empty header found nothing")
	}
}

func TestContainsUnescaped(t *testing.T) {
	for _, tt := range []struct {
		s, frag string
		want    bool
	}{
		{"say @everyone", "@everyone", true},
		{`say \@everyone`, "@everyone", false},
		{`say \\@everyone`, "@everyone", true}, // the backslash is itself escaped
		{`\@everyone then @everyone`, "@everyone", true},
		{`\*\*5G\*\*`, "**5G**", false},
		{"nothing here", "@here", false},
	} {
		if got := ContainsUnescaped(tt.s, tt.frag); got != tt.want {
			t.Errorf("ContainsUnescaped(%q, %q) = %v, want %v", tt.s, tt.frag, got, tt.want)
		}
	}
}
