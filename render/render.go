// Package render writes a digest.Digest for people and programs: Text for a
// terminal, Markdown for a document or a chat, JSON for other programs.
//
// Comment text, names and labels are written by strangers. Every rendering
// treats them as data: Text strips control characters and escape sequences so
// that a comment cannot drive the terminal, Markdown escapes every character
// that could form a link, heading, emphasis, HTML, a table cell or a mention.
// Quotes are verbatim apart from that: runs of white space fold into one space
// and a long quote is cut at a word with "…".
package render

import (
	"fmt"
	"strconv"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/internal/shares"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// Options tune the Text and Markdown renderings. The zero value shows
// everything the digest holds at 80 columns.
type Options struct {
	// MaxArguments caps the arguments shown; 0 shows all the digest holds.
	MaxArguments int
	// MaxRebuttals caps the rebuttals shown; 0 shows all the digest holds.
	MaxRebuttals int
	// Width is the terminal width Text lays out for; 0 means 80. Widths below
	// 60 are laid out as 60.
	Width int
}

// MinWidth is the narrowest text rendering: Options.Width below it is laid
// out at MinWidth, and `digest --width` refuses less.
const MinWidth = minWidth

const (
	defaultWidth = 80
	minWidth     = 60
	// statementRunes caps a quoted statement; excerptRunes a rebuttal's
	// excerpts, which the analysis already keeps short.
	statementRunes = 320
	excerptRunes   = 240
	// labelRunes caps an argument label before it is laid out.
	labelRunes = 80
	// titleRunes caps the thread title.
	titleRunes = 200
)

func (o Options) width() int {
	switch {
	case o.Width == 0:
		return defaultWidth
	case o.Width < minWidth:
		return minWidth
	}
	return o.Width
}

func (o Options) arguments(d *digest.Digest) []digest.Argument {
	if o.MaxArguments > 0 && len(d.Arguments) > o.MaxArguments {
		return d.Arguments[:o.MaxArguments]
	}
	return d.Arguments
}

func (o Options) rebuttals(d *digest.Digest) []digest.Rebuttal {
	if o.MaxRebuttals > 0 && len(d.Rebuttals) > o.MaxRebuttals {
		return d.Rebuttals[:o.MaxRebuttals]
	}
	return d.Rebuttals
}

// quoteText prepares verbatim text for quoting: inert, on one line, cut to
// limit runes at a word.
func quoteText(s string, limit int) string {
	return textutil.Truncate(inert(s), limit, "…")
}

// split formats the parts of a whole (favor, against, none) as whole
// percentages that add up to 100 (shares.Percents); "–" each when the whole
// is empty.
func split(counts ...int) []string {
	out := make([]string, len(counts))
	total := 0
	for _, c := range counts {
		total += c
	}
	for i, p := range shares.Percents(counts...) {
		out[i] = "–"
		if total > 0 {
			out[i] = strconv.Itoa(p) + "%"
		}
	}
	return out
}

// spanText describes a time span in UTC, compactly when it is one day.
func spanText(s *digest.Span) string {
	if s == nil || s.First.IsZero() {
		return ""
	}
	first, last := s.First.UTC(), s.Last.UTC()
	const day, clock = "2 Jan 2006", "15:04"
	if first.Equal(last) || last.IsZero() {
		return first.Format(day+" "+clock) + " UTC"
	}
	if first.Format(day) == last.Format(day) {
		return first.Format(day+" "+clock) + "–" + last.Format(clock) + " UTC"
	}
	return first.Format(day+" "+clock) + " – " + last.Format(day+" "+clock) + " UTC"
}

// plural returns "1 comment" or "n comments".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// heading is the title line of a digest: its title, else its thread id.
func heading(d *digest.Digest) string {
	switch {
	case inert(d.Title) != "": // a title of control characters only shows as nothing
		return d.Title
	case d.ThreadID != "":
		return "Thread " + d.ThreadID
	}
	return "Untitled thread"
}

// argumentLabel finds an argument's label by ID, for a region's leading
// argument; "" when the ID is not among the digest's arguments.
func argumentLabel(d *digest.Digest, id int) string {
	for _, a := range d.Arguments {
		if a.ID == id {
			return a.Label
		}
	}
	return ""
}

// contextLine is the "N new comments, M in all; …" line of a digest of new
// comments.
func contextLine(c *digest.Context) string {
	line := fmt.Sprintf("%s, %d in all", plural(c.NewComments, "new comment", "new comments"), c.TotalComments)
	if lean := inert(c.Lean); lean != "" {
		line += "; " + lean
	}
	return line + "."
}
