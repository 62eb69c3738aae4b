// Package nasty checks that what threaddigest writes stays inert and within
// its platforms' limits when comments, names and locations are hostile: that
// no text written by a commenter produces a mention, a link or markup in any
// output, drives a terminal, or breaks a layout.
//
// The checks look at finished outputs (a terminal text, a Markdown document, a
// Slack message as JSON, Discord embeds, a digest as JSON), so the same checks
// serve the hostile-input test of the whole pipeline (nasty_test.go, reading
// testdata/nasty at the module root) and the renderers' fuzz targets. Each
// check returns a list of problems, empty when the output is clean.
package nasty

import (
	"fmt"
	"index/suffixarray"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/threaddigest/threaddigest/internal/textutil"
)

// Problems collects what a check found, with where.
type Problems []string

func (p *Problems) add(format string, a ...any) { *p = append(*p, fmt.Sprintf(format, a...)) }

// Err returns the problems as one error (the first ten), nil when none.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	shown := p
	if len(shown) > 10 {
		shown = shown[:10]
	}
	return fmt.Errorf("%d problems:\n  %s", len(p), strings.Join(shown, "\n  "))
}

// around quotes s near byte offset i, for messages.
func around(s string, i int) string {
	lo, hi := max(0, i-24), min(len(s), i+24)
	for lo > 0 && !utf8.RuneStart(s[lo]) {
		lo--
	}
	for hi < len(s) && !utf8.RuneStart(s[hi]) {
		hi++
	}
	return fmt.Sprintf("%q", s[lo:hi])
}

// hiddenRune reports whether r, after the character prev, may corrupt a
// display or hide text when it reaches one: a control character (other than
// the newline), a line or paragraph separator, any format character (Unicode
// category Cf: direction marks, embeddings, overrides and isolates,
// zero-width spaces, word joiners, the soft hyphen, tag characters, …) or
// other default-ignorable character (the Hangul fillers, the combining
// grapheme joiner). Zero-width joiners and non-joiners are allowed except
// after an ASCII character, where they only make look-alike text: emoji
// sequences and joining scripts need them.
func hiddenRune(r, prev rune) bool {
	switch {
	case r == '\n':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r == 0x200c, r == 0x200d:
		return prev < 0x80
	}
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point)
}

// MaxMarks is the most combining marks one character may carry in a
// terminal: more stack into the lines above and below ("zalgo" text).
const MaxMarks = 3

// checkDisplay finds invalid UTF-8, hidden characters and piles of
// combining marks in s.
func checkDisplay(p *Problems, where, s string) {
	if !utf8.ValidString(s) {
		p.add("%s: invalid UTF-8", where)
		return
	}
	marks := 0
	prev := rune(0)
	for i, r := range s {
		if hiddenRune(r, prev) {
			p.add("%s: hidden or control character %U near %s", where, r, around(s, i))
		}
		prev = r
		if unicode.In(r, unicode.Mn, unicode.Me) {
			marks++
			if marks == MaxMarks+1 {
				p.add("%s: more than %d combining marks on one character near %s", where, MaxMarks, around(s, i))
			}
		} else {
			marks = 0
		}
	}
}

// Columns is how many terminal columns s takes: two for wide and full-width
// characters and emoji, none for combining marks, joiners and format
// characters, one for the rest.
func Columns(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == 0x200d || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case r >= 0x1f300 && r <= 0x1faff:
			n += 2
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}

// CheckTerminal checks text for a terminal: nothing that drives it (escape
// sequences and other control characters), reorders or hides text, or piles
// marks up; no line wider than columns.
func CheckTerminal(out string, columns int) Problems {
	var p Problems
	checkDisplay(&p, "text", out)
	for i, line := range strings.Split(out, "\n") {
		if w := Columns(line); w > columns {
			p.add("text line %d: %d columns, more than %d: %q", i+1, w, columns, line)
		}
	}
	return p
}

// special is a character of md at byte offset at that a backslash does not
// escape.
type special struct {
	at int
	c  byte
}

// unescaped lists the ASCII punctuation in s that is not escaped by a
// backslash (CommonMark and Discord both read "\X" as a literal X for ASCII
// punctuation X).
func unescaped(s string) []special {
	var out []special
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
			continue
		}
		if isASCIIPunct(c) {
			out = append(out, special{i, c})
		}
	}
	return out
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// barGlyphs are the characters of the bars renderers draw.
const barGlyphs = "█▏▎▍▌▋▊▉░ "

var (
	listStart = regexp.MustCompile(`^\s*([-+*]|\d+[.)])(\s|$)`)
	heading   = regexp.MustCompile(`^#{1,3} `)
)

// CheckMarkdown checks a Markdown (CommonMark with tables) document whose
// every untrusted text is escaped. The document's own markup is limited to
// what a digest uses: headings at the start of a line, "> " quotes, "**"
// bold, "_…_" notes, `bars` in code spans and tables. Any other active
// character — a link or image bracket, an autolink or HTML "<", a mention
// "@", an entity "&", strike-through "~", "://" or "www." — can only have
// come from untrusted text, unescaped.
func CheckMarkdown(md string) Problems {
	var p Problems
	checkDisplay(&p, "markdown", md)
	lines := strings.Split(md, "\n")
	tableCols := -1
	for n, line := range lines {
		where := fmt.Sprintf("markdown line %d", n+1)
		sp := unescaped(line)
		pipes := 0
		var ticks, stars []int
		for _, u := range sp {
			switch u.c {
			case '[', ']', '<', '@', '&', '~':
				p.add("%s: unescaped %q near %s", where, u.c, around(line, u.at))
			case '>':
				if u.at != 0 {
					p.add("%s: unescaped '>' inside the line near %s", where, around(line, u.at))
				}
			case '#':
				if strings.TrimLeft(line[:u.at], "#") != "" {
					p.add("%s: unescaped '#' inside the line near %s", where, around(line, u.at))
				}
			case '|':
				pipes++
			case '`':
				ticks = append(ticks, u.at)
			case '*':
				stars = append(stars, u.at)
			case '_':
				if u.at != 0 && u.at != len(line)-1 {
					p.add("%s: unescaped '_' inside the line near %s", where, around(line, u.at))
				}
			case ':':
				if strings.HasPrefix(line[u.at:], "://") {
					p.add("%s: unescaped \"://\" (an autolink) near %s", where, around(line, u.at))
				}
			case '.':
				if u.at >= 3 && strings.EqualFold(line[u.at-3:u.at], "www") {
					p.add("%s: unescaped \"www.\" (an autolink) near %s", where, around(line, u.at))
				}
			}
		}
		// Headings only as the digest writes them.
		if strings.HasPrefix(line, "#") && !heading.MatchString(line) {
			p.add("%s: a heading the renderer does not write: %q", where, line)
		}
		// Tables: every row of a table has the same number of cells.
		if strings.HasPrefix(line, "|") {
			if tableCols < 0 {
				tableCols = pipes
			} else if pipes != tableCols {
				p.add("%s: a table row with %d cell borders, the table has %d: %q", where, pipes, tableCols, line)
			}
		} else {
			tableCols = -1
			if pipes > 0 {
				p.add("%s: unescaped '|' outside a table: %q", where, line)
			}
		}
		// Code spans hold bars only.
		if len(ticks)%2 != 0 {
			p.add("%s: an odd number of unescaped backticks: %q", where, line)
		} else {
			for k := 0; k < len(ticks); k += 2 {
				if in := line[ticks[k]+1 : ticks[k+1]]; strings.Trim(in, barGlyphs) != "" {
					p.add("%s: a code span holding %q, not a bar", where, in)
				}
			}
		}
		// Bold as "**…**" pairs only.
		for k := 0; k < len(stars); {
			if k+1 < len(stars) && stars[k+1] == stars[k]+1 && (k+2 >= len(stars) || stars[k+2] != stars[k]+2) {
				k += 2
				continue
			}
			p.add("%s: unescaped '*' that is not one side of \"**\" near %s", where, around(line, stars[k]))
			k++
		}
		if pairs := len(stars) / 2; pairs%2 != 0 {
			p.add("%s: unbalanced \"**\": %q", where, line)
		}
		if listStart.MatchString(line) {
			p.add("%s: a list item the renderer does not write: %q", where, line)
		}
		if t := strings.TrimSpace(line); t != "" && (strings.Trim(t, "=") == "" || strings.Trim(t, "-") == "") {
			p.add("%s: a setext heading underline or a rule: %q", where, line)
		}
		if strings.HasPrefix(line, "    ") {
			p.add("%s: an indented code block: %q", where, line)
		}
	}
	return p
}

// Corpus finds text that came from comments in outputs where none may be.
type Corpus struct {
	index *suffixarray.Index
}

// Window is how many characters of an output must match comment text for
// the output to count as carrying it.
const Window = 16

// NewCorpus indexes the untrusted texts as written and as renderers
// transform them (cleaned, folded onto one line, HTML-escaped).
func NewCorpus(texts ...string) *Corpus {
	var b strings.Builder
	for _, t := range texts {
		clean := textutil.Clean(t)
		one := textutil.OneLine(t)
		for _, v := range []string{t, clean, one, htmlEscape(clean), htmlEscape(one)} {
			b.WriteString(v)
			b.WriteByte(0)
		}
	}
	return &Corpus{index: suffixarray.New([]byte(b.String()))}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Leak returns a piece of s of Window characters that appears in the
// untrusted texts; ok is false when there is none.
func (c *Corpus) Leak(s string) (piece string, ok bool) {
	if c == nil {
		return "", false
	}
	starts := make([]int, 0, len(s))
	for i := range s {
		starts = append(starts, i)
	}
	starts = append(starts, len(s))
	for k := 0; k+Window < len(starts); k++ {
		w := s[starts[k]:starts[k+Window]]
		if strings.TrimSpace(w) == "" {
			continue
		}
		if len(c.index.Lookup([]byte(w), 1)) > 0 {
			return w, true
		}
	}
	return "", false
}

// Slack's limits on a message (Block Kit reference), and the ones README
// promises on top: at most 8,000 characters of text in one message.
const (
	SlackBlocks         = 50
	SlackHeaderText     = 150
	SlackSectionText    = 3000
	SlackSectionFields  = 10
	SlackFieldText      = 2000
	SlackContextElems   = 10
	SlackButtonText     = 75
	SlackButtonValue    = 2000
	SlackActionElements = 25
	SlackMessageText    = 8000
)

// slackDate is Slack's date token, which the renderer writes itself.
var slackDate = regexp.MustCompile(`<!date\^\d+\^\{date_short\} \{time\}\|[0-9: -]+UTC>`)

// slackEntity matches the three entities Slack decodes.
var slackEntity = regexp.MustCompile(`^&(amp|lt|gt);`)

// checkSlackText checks one text as Slack reads it: no "<" (mentions,
// links, commands) other than the renderer's own date tokens, and every "&"
// one of the three entities Slack decodes. In mrkdwn, where formatting is
// live, no comment text may appear at all: untrusted text goes in plain_text.
func checkSlackText(p *Problems, where, kind, s string, corpus *Corpus) {
	checkDisplay(p, where, strings.ReplaceAll(s, "\n", " "))
	rest := s
	if kind == "mrkdwn" || kind == "fallback" {
		rest = slackDate.ReplaceAllString(s, "")
	}
	if i := strings.IndexByte(rest, '<'); i >= 0 {
		p.add("%s: '<' in Slack text (a mention, link or command) near %s", where, around(rest, i))
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '&' && !slackEntity.MatchString(rest[i:]) {
			p.add("%s: a bare '&' near %s", where, around(rest, i))
			break
		}
	}
	switch kind {
	case "mrkdwn":
		if w, ok := corpus.Leak(rest); ok {
			p.add("%s: comment text in mrkdwn, where its markup is live: %q", where, w)
		}
	}
	// The fallback text of a message with blocks is shown only in
	// notifications, which show no formatting: "*" or "_" there is shown as
	// typed, so only mentions and links (checked above) matter.
}

// slackText is a text object.
type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// SlackBlock is the part of a Block Kit block the checks read.
type SlackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text"`
	Fields   []*slackText `json:"fields"`
	Elements []struct {
		Type  string `json:"type"`
		Text  any    `json:"text"`
		Value string `json:"value"`
		URL   string `json:"url"`
	} `json:"elements"`
	ImageURL string `json:"image_url"`
}

// SlackMessage is a message as Slack receives it.
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks"`
}

// CheckSlack checks one Slack message: within Slack's limits, no mention,
// link or command from any text, and no comment text in mrkdwn.
func CheckSlack(where string, m SlackMessage, corpus *Corpus) Problems {
	var p Problems
	if len(m.Blocks) > SlackBlocks {
		p.add("%s: %d blocks, Slack takes %d", where, len(m.Blocks), SlackBlocks)
	}
	if strings.TrimSpace(m.Text) == "" {
		p.add("%s: no fallback text", where)
	}
	checkSlackText(&p, where+" fallback", "fallback", m.Text, corpus)
	total := 0
	text := func(w string, t *slackText, limit int) {
		if t == nil {
			return
		}
		n := utf8.RuneCountInString(t.Text)
		total += n
		if strings.TrimSpace(t.Text) == "" {
			p.add("%s: empty text (Slack refuses the message)", w)
		}
		if n > limit {
			p.add("%s: %d characters, the limit is %d", w, n, limit)
		}
		switch t.Type {
		case "plain_text", "mrkdwn":
		default:
			p.add("%s: text of type %q", w, t.Type)
		}
		checkSlackText(&p, w, t.Type, t.Text, corpus)
	}
	for i, b := range m.Blocks {
		w := fmt.Sprintf("%s block %d (%s)", where, i+1, b.Type)
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" {
				p.add("%s: a header must be plain_text", w)
			}
			text(w, b.Text, SlackHeaderText)
		case "section":
			text(w, b.Text, SlackSectionText)
			if len(b.Fields) > SlackSectionFields {
				p.add("%s: %d fields, the limit is %d", w, len(b.Fields), SlackSectionFields)
			}
			for j, f := range b.Fields {
				text(fmt.Sprintf("%s field %d", w, j+1), f, SlackFieldText)
			}
		case "context":
			if len(b.Elements) > SlackContextElems {
				p.add("%s: %d elements, the limit is %d", w, len(b.Elements), SlackContextElems)
			}
			for j, e := range b.Elements {
				if e.Type != "plain_text" && e.Type != "mrkdwn" {
					p.add("%s element %d: type %q", w, j+1, e.Type)
					continue
				}
				s, _ := e.Text.(string)
				text(fmt.Sprintf("%s element %d", w, j+1), &slackText{Type: e.Type, Text: s}, SlackSectionText)
			}
		case "actions":
			if len(b.Elements) > SlackActionElements {
				p.add("%s: %d elements, the limit is %d", w, len(b.Elements), SlackActionElements)
			}
			for j, e := range b.Elements {
				ew := fmt.Sprintf("%s element %d", w, j+1)
				if e.URL != "" {
					p.add("%s: a button with a URL %q", ew, e.URL)
				}
				if len(e.Value) > SlackButtonValue {
					p.add("%s: a value of %d bytes, the limit is %d", ew, len(e.Value), SlackButtonValue)
				}
				if t, ok := e.Text.(map[string]any); ok {
					tt, _ := t["type"].(string)
					ts, _ := t["text"].(string)
					text(ew, &slackText{Type: tt, Text: ts}, SlackButtonText)
				}
			}
		case "divider":
		case "image":
			if b.ImageURL != "" {
				p.add("%s: an image from %q", w, b.ImageURL)
			}
		default:
			p.add("%s: a block type the checks do not know", w)
		}
	}
	if total > SlackMessageText {
		p.add("%s: %d characters of text, more than %d", where, total, SlackMessageText)
	}
	return p
}

// Discord's limits on a message (API reference, "Embed Limits"), counted in
// UTF-16 code units, which are never fewer than the code points Discord's API
// counts.
const (
	DiscordContent      = 2000
	DiscordEmbeds       = 10
	DiscordEmbedTotal   = 6000
	DiscordTitle        = 256
	DiscordDescription  = 4096
	DiscordFields       = 25
	DiscordFieldName    = 256
	DiscordFieldValue   = 1024
	DiscordFooter       = 2048
	DiscordAuthorName   = 256
	DiscordMaxFileBytes = 8 << 20
)

// Units counts s in UTF-16 code units.
func Units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// DiscordEmbed is the part of an embed the checks read.
type DiscordEmbed struct {
	Title, Description, URL string
	Fields                  []DiscordField
	Footer, Author          string
	AuthorURL, ImageURL     string
	ThumbnailURL            string
}

// DiscordField is one field of an embed.
type DiscordField struct{ Name, Value string }

// DiscordMessage is a message as sent to Discord.
type DiscordMessage struct {
	Content string
	Embeds  []DiscordEmbed
	// Files are the attachments' sizes, by name.
	Files map[string]int
}

// discordSpan is the line of timestamps the renderer writes for a
// digest's time span; timestamps anywhere else came from comments.
var discordSpan = regexp.MustCompile(`^<t:-?\d+:f> – <t:-?\d+:f>$`)

// checkDiscordMarkup checks a text Discord renders as Markdown. The
// renderer's own markup is "**" bold, `label` code spans of a few letters and
// <t:…> timestamps; every other active character must be escaped.
func checkDiscordMarkup(p *Problems, where, s string) {
	checkDisplay(p, where, s)
	for n, line := range strings.Split(s, "\n") {
		lw := where
		if strings.Contains(s, "\n") {
			lw = fmt.Sprintf("%s line %d", where, n+1)
		}
		if discordSpan.MatchString(line) {
			continue
		}
		var ticks, stars []int
		for _, u := range unescaped(line) {
			switch u.c {
			case '@', '[', ']', '|', '~', '_', '>', '#':
				p.add("%s: unescaped %q near %s", lw, u.c, around(line, u.at))
			case '<':
				p.add("%s: unescaped '<' (a mention, emoji, channel, timestamp or link) near %s", lw, around(line, u.at))
			case ':':
				if strings.HasPrefix(line[u.at:], "://") {
					p.add("%s: unescaped \"://\" (a link) near %s", lw, around(line, u.at))
				}
			case '`':
				ticks = append(ticks, u.at)
			case '*':
				stars = append(stars, u.at)
			}
		}
		if len(ticks)%2 != 0 {
			p.add("%s: an odd number of unescaped backticks: %q", lw, line)
		} else {
			for k := 0; k < len(ticks); k += 2 {
				in := line[ticks[k]+1 : ticks[k+1]]
				if len(in) > 8 || strings.TrimFunc(in, func(r rune) bool { return r == ' ' || r >= 'a' && r <= 'z' }) != "" {
					p.add("%s: a code span holding %q, not a label of the renderer", lw, in)
				}
			}
		}
		for k := 0; k < len(stars); {
			if k+1 < len(stars) && stars[k+1] == stars[k]+1 && (k+2 >= len(stars) || stars[k+2] != stars[k]+2) {
				k += 2
				continue
			}
			p.add("%s: unescaped '*' that is not one side of \"**\" near %s", lw, around(line, stars[k]))
			k++
		}
		if pairs := len(stars) / 2; pairs%2 != 0 {
			p.add("%s: unbalanced \"**\": %q", lw, line)
		}
		if listStart.MatchString(line) || strings.HasPrefix(strings.TrimSpace(line), "-#") {
			p.add("%s: a list item or subtext the renderer does not write: %q", lw, line)
		}
	}
}

// CheckDiscord checks one Discord message: within Discord's limits, no
// mention, link or markup from untrusted text in any Markdown field, no
// untrusted text in the plain ones (footer, author), no link anywhere but
// the message's own attachments.
func CheckDiscord(where string, m DiscordMessage, corpus *Corpus) Problems {
	var p Problems
	if n := Units(m.Content); n > DiscordContent {
		p.add("%s: content of %d units, the limit is %d", where, n, DiscordContent)
	}
	if m.Content == "" && len(m.Embeds) == 0 {
		p.add("%s: neither content nor embeds", where)
	}
	if m.Content != "" {
		checkDiscordMarkup(&p, where+" content", m.Content)
	}
	if len(m.Embeds) > DiscordEmbeds {
		p.add("%s: %d embeds, the limit is %d", where, len(m.Embeds), DiscordEmbeds)
	}
	total := 0
	limit := func(w, s string, max int) {
		n := Units(s)
		total += n
		if n > max {
			p.add("%s: %d units, the limit is %d", w, n, max)
		}
	}
	for i, e := range m.Embeds {
		w := fmt.Sprintf("%s embed %d", where, i+1)
		limit(w+" title", e.Title, DiscordTitle)
		limit(w+" description", e.Description, DiscordDescription)
		limit(w+" footer", e.Footer, DiscordFooter)
		limit(w+" author", e.Author, DiscordAuthorName)
		checkDiscordMarkup(&p, w+" title", e.Title)
		checkDiscordMarkup(&p, w+" description", e.Description)
		if len(e.Fields) > DiscordFields {
			p.add("%s: %d fields, the limit is %d", w, len(e.Fields), DiscordFields)
		}
		for j, f := range e.Fields {
			fw := fmt.Sprintf("%s field %d", w, j+1)
			limit(fw+" name", f.Name, DiscordFieldName)
			limit(fw+" value", f.Value, DiscordFieldValue)
			if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
				p.add("%s: an empty name or value (Discord refuses it)", fw)
			}
			checkDiscordMarkup(&p, fw+" name", f.Name)
			checkDiscordMarkup(&p, fw+" value", f.Value)
		}
		for _, plain := range []struct{ name, s string }{{"footer", e.Footer}, {"author", e.Author}} {
			checkDisplay(&p, w+" "+plain.name, plain.s)
			if piece, ok := corpus.Leak(plain.s); ok {
				p.add("%s %s: comment text in a plain field: %q", w, plain.name, piece)
			}
		}
		for _, u := range []struct{ name, url string }{{"url", e.URL}, {"author url", e.AuthorURL}, {"thumbnail", e.ThumbnailURL}} {
			if u.url != "" {
				p.add("%s: a link in the %s: %q", w, u.name, u.url)
			}
		}
		if e.ImageURL != "" && !strings.HasPrefix(e.ImageURL, "attachment://") {
			p.add("%s: an image from %q, not an attachment", w, e.ImageURL)
		}
	}
	if total > DiscordEmbedTotal {
		p.add("%s: %d units of embed text, the limit is %d", where, total, DiscordEmbedTotal)
	}
	for name, size := range m.Files {
		if size > DiscordMaxFileBytes {
			p.add("%s: attachment %s of %d bytes, more than %d", where, name, size, DiscordMaxFileBytes)
		}
	}
	return p
}

// ContainsUnescaped reports whether frag occurs in s other than right after
// an escaping backslash (an odd number of backslashes).
func ContainsUnescaped(s, frag string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], frag)
		if i < 0 {
			return false
		}
		i += off
		n := 0
		for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		off = i + 1
	}
}
