package nasty

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
)

// ParseSlack reads a Slack message payload.
func ParseSlack(b []byte) (SlackMessage, error) {
	var m SlackMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("a Slack message that is not JSON: %w", err)
	}
	return m, nil
}

// FromDiscordgo describes a message built of discordgo embeds; files gives
// the attachments' sizes by name.
func FromDiscordgo(content string, embeds []*discordgo.MessageEmbed, files map[string]int) DiscordMessage {
	m := DiscordMessage{Content: content, Files: files}
	for _, e := range embeds {
		if e == nil {
			continue
		}
		de := DiscordEmbed{Title: e.Title, Description: e.Description, URL: e.URL}
		for _, f := range e.Fields {
			if f != nil {
				de.Fields = append(de.Fields, DiscordField{Name: f.Name, Value: f.Value})
			}
		}
		if e.Footer != nil {
			de.Footer = e.Footer.Text
		}
		if e.Author != nil {
			de.Author, de.AuthorURL = e.Author.Name, e.Author.URL
		}
		if e.Image != nil {
			de.ImageURL = e.Image.URL
		}
		if e.Thumbnail != nil {
			de.ThumbnailURL = e.Thumbnail.URL
		}
		m.Embeds = append(m.Embeds, de)
	}
	return m
}

// CheckJSON checks a digest written as JSON (render.JSON) of the thread t:
// valid JSON, safe to embed in HTML (no raw <, > or &), and carrying the
// comments' text verbatim: every quote, statement and excerpt a substring of
// its comment's body, every author and location as written. Counts must add
// up. Text that is not valid UTF-8 cannot survive JSON and is compared only
// where it is valid.
func CheckJSON(out []byte, t threaddigest.Thread) Problems {
	var p Problems
	if !json.Valid(out) {
		p.add("json: not valid JSON")
		return p
	}
	if !utf8.Valid(out) {
		p.add("json: not valid UTF-8 (JSON text must be)")
	}
	if i := bytes.IndexAny(out, "<>&"); i >= 0 {
		p.add("json: a raw %q (not safe to embed in HTML) near %s", out[i], around(string(out), i))
	}
	var d digest.Digest
	if err := json.Unmarshal(out, &d); err != nil {
		p.add("json: does not read back as a digest: %v", err)
		return p
	}
	byID := map[string]threaddigest.Comment{}
	for _, c := range t.Comments {
		if _, dup := byID[c.ID]; !dup {
			byID[c.ID] = c
		}
	}
	verbatim := func(where, id, text string) {
		c, ok := byID[id]
		if !ok {
			p.add("json %s: comment %q is not in the thread", where, id)
			return
		}
		if utf8.ValidString(c.Body) && !strings.Contains(c.Body, text) {
			p.add("json %s: %q is not verbatim from comment %s", where, text, id)
		}
	}
	sameAuthor := func(where, id, author string) {
		if c, ok := byID[id]; ok && utf8.ValidString(c.Author) && c.Author != author {
			p.add("json %s: author %q, the comment says %q", where, author, c.Author)
		}
	}
	for _, a := range d.Arguments {
		w := fmt.Sprintf("argument %d", a.ID)
		verbatim(w+" statement", a.Quote.CommentID, a.Statement)
		verbatim(w+" quote", a.Quote.CommentID, a.Quote.Text)
		sameAuthor(w, a.Quote.CommentID, a.Quote.Author)
		if a.Commenters < 1 || a.Commenters > d.CommenterCount {
			p.add("json %s: %d commenters of %d", w, a.Commenters, d.CommenterCount)
		}
	}
	for i, r := range d.Rebuttals {
		w := fmt.Sprintf("rebuttal %d", i+1)
		verbatim(w+" excerpt", r.CommentID, r.Excerpt)
		verbatim(w+" parent excerpt", r.ReplyTo, r.ParentExcerpt)
		sameAuthor(w, r.CommentID, r.Author)
		sameAuthor(w+" parent", r.ReplyTo, r.ParentAuthor)
	}
	for _, q := range []*digest.Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			verbatim("stance quote", q.CommentID, q.Text)
			sameAuthor("stance quote", q.CommentID, q.Author)
		}
	}
	if d.Stance.Total() != d.CommentCount {
		p.add("json: stance counts add up to %d, comment_count is %d", d.Stance.Total(), d.CommentCount)
	}
	if len(d.Comments) != d.CommentCount {
		p.add("json: %d comments listed, comment_count is %d", len(d.Comments), d.CommentCount)
	}
	sum := 0
	for _, r := range d.Regions {
		sum += r.Commenters
		if r.Favor+r.Against+r.None != r.Commenters {
			p.add("json region %s: %d+%d+%d is not its %d commenters", r.Region, r.Favor, r.Against, r.None, r.Commenters)
		}
	}
	if sum != d.CommenterCount {
		p.add("json: regions hold %d commenters, commenter_count is %d", sum, d.CommenterCount)
	}
	for _, c := range d.Comments {
		in, ok := byID[c.ID]
		if !ok {
			p.add("json comment %q: not in the thread", c.ID)
			continue
		}
		if utf8.ValidString(in.Author) && in.Author != c.Author {
			p.add("json comment %s: author %q, written %q", c.ID, c.Author, in.Author)
		}
		if utf8.ValidString(in.Location) && in.Location != c.Location {
			p.add("json comment %s: location %q, written %q", c.ID, c.Location, in.Location)
		}
	}
	return p
}

// Chart limits: an image a chat client shows whole, small enough for any
// platform's uploads.
const (
	MaxChartSide  = 4000
	MaxChartBytes = DiscordMaxFileBytes
)

// CheckChart checks a PNG chart: it decodes, and its size and dimensions are
// within what the platforms take.
func CheckChart(b []byte) Problems {
	var p Problems
	if len(b) > MaxChartBytes {
		p.add("chart: %d bytes, more than %d", len(b), MaxChartBytes)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		p.add("chart: not a PNG: %v", err)
		return p
	}
	if cfg.Width > MaxChartSide || cfg.Height > MaxChartSide || cfg.Width < 1 || cfg.Height < 1 {
		p.add("chart: %d×%d pixels", cfg.Width, cfg.Height)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		p.add("chart: the PNG does not decode: %v", err)
	}
	return p
}
