package slack

import (
	"strings"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/internal/textutil"
)

// How untrusted text is made inert in Slack.
//
// Slack parses &, < and > in every text object, plain_text included: "<!channel>",
// "<@U123>" and "<http://x|y>" are its mention and link syntax. Escaping those
// three characters as HTML entities is the documented way to show them
// literally, and it is what Slack decodes for display.
//
// mrkdwn has no escape for its formatting characters (*bold*, _italic_,
// ~strike~, `code`, "> " quotes): a backslash is shown as a backslash, and
// invisible characters between the markers (zero-width joiners and the like)
// are a trick that also changes the text a reader copies. So untrusted text is
// never put in a mrkdwn object: it goes into plain_text objects, which Slack
// shows without formatting, with emoji shortcodes left as typed (emoji:false),
// so a quote reads exactly as the commenter wrote it. mrkdwn is used only for
// text this package writes itself: headings, numbers, bars, dates.

// escape cleans s of characters that corrupt a layout (control characters,
// bidirectional overrides) and escapes Slack's three control characters.
func escape(s string) string { return escapeCleaned(textutil.Clean(s)) }

// escapeCleaned escapes &, < and > in text already cleaned.
func escapeCleaned(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ellipsis marks text that was cut.
const ellipsis = "…"

// fit escapes s and cuts it so that the escaped result has at most max
// characters, ending with the ellipsis when it was cut. The cut is made on the
// raw text, so it never falls inside a character or inside an entity.
func fit(s string, max int) string {
	if max <= 0 {
		return ""
	}
	raw := textutil.Clean(s)
	// Escaping only lengthens text, so nothing past the first max+1
	// characters can be shown: drop it before the work below (keeping one
	// more than max, so that the cut is still marked).
	if len(raw) > max+1 {
		raw = textutil.FirstRunes(raw, max+1)
	}
	e := escapeCleaned(raw)
	if utf8.RuneCountInString(e) <= max {
		return e
	}
	n := max
	for n > 0 {
		e = escapeCleaned(textutil.Truncate(raw, n, ellipsis))
		over := utf8.RuneCountInString(e) - max
		if over <= 0 {
			return e
		}
		n -= over
	}
	return ""
}

// fitQuote is fit for quoted text: line breaks are kept, as the commenter
// wrote them, but runs of blank lines are folded so a quote cannot push the
// rest of a message out of view.
func fitQuote(s string, max int) string {
	s = strings.TrimSpace(textutil.Clean(s))
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return fit(s, max)
}

// fitLine is fit of s folded onto one line.
func fitLine(s string, max int) string {
	return fit(textutil.OneLine(s), max)
}

// chunks escapes s and splits it into pieces of at most max characters each,
// keeping all of the text: it breaks after a newline when one falls in the
// second half of a piece, else between characters (never inside an entity).
func chunks(s string, max int) []string {
	e := escape(s)
	if utf8.RuneCountInString(e) <= max {
		return []string{e}
	}
	var out []string
	var cur strings.Builder
	n := 0       // characters in cur
	lastNL := -1 // byte offset in cur just after its last newline
	lastNLRunes := 0
	flush := func(upto int, runes int) {
		piece := cur.String()
		out = append(out, strings.TrimRight(piece[:upto], "\n"))
		rest := piece[upto:]
		cur.Reset()
		cur.WriteString(rest)
		n -= runes
		lastNL = -1
	}
	for _, r := range textutil.Clean(s) {
		unit := string(r)
		switch r {
		case '&':
			unit = "&amp;"
		case '<':
			unit = "&lt;"
		case '>':
			unit = "&gt;"
		}
		ulen := utf8.RuneCountInString(unit)
		if n+ulen > max {
			if lastNL > 0 && lastNLRunes >= max/2 {
				flush(lastNL, lastNLRunes)
			} else {
				flush(cur.Len(), n)
			}
		}
		cur.WriteString(unit)
		n += ulen
		if r == '\n' {
			lastNL = cur.Len()
			lastNLRunes = n
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimRight(cur.String(), "\n"))
	}
	return out
}
