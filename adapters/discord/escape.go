package discord

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/internal/textutil"
)

// Text written by strangers (comment text, author names, locations, labels,
// titles) reaches Discord's Markdown renderer in embed titles, descriptions,
// field names and values, and message content. It is made inert by
// backslash-escaping: Discord's parser turns a backslash followed by ASCII
// punctuation into that character, so the reader sees the text exactly as
// written (quotes stay verbatim on screen) while nothing in it can format,
// mask a link, form a heading, list, quote or spoiler, show a mention pill or
// become an autolink. Pings are stopped by allowed_mentions parsing nothing;
// escaping also keeps `<@123>` from rendering as a mention.
//
// Footers and author names are plain text in Discord (no Markdown): they only
// ever carry our own words and the configured thread name, cleaned and never
// escaped, so no stray backslash shows there.

// escaper decides, character by character, which characters to escape. The
// decision depends on the line so far (list markers only count at the start
// of a line), so it keeps that state.
type escaper struct {
	lineStart  bool // only blanks so far on this line
	digitsOnly bool // only blanks and digits so far on this line
}

func newEscaper() escaper { return escaper{lineStart: true, digitsOnly: true} }

// needs reports whether r, at byte offset i of s, must be escaped, and
// advances the line state past r.
func (e *escaper) needs(s string, i int, r rune) bool {
	esc := false
	switch r {
	case '\\', '*', '_', '~', '|', '`', '>', '<', '[', ']', '(', ')', '@', '#':
		// Emphasis, underline, strike, spoiler, code, block quotes, mentions,
		// custom emoji and timestamps (<…>), masked links, headings.
		esc = true
	case ':':
		// A bare URL autolinks (and unfurls) at "scheme://"; escaping the
		// colon leaves "https://…" readable but not a link.
		esc = strings.HasPrefix(s[i:], "://")
	case '-', '+':
		// List items and "-#" subtext only start a line.
		esc = e.lineStart
	case '.':
		// "1. item" is an ordered list.
		esc = e.digitsOnly && !e.lineStart
	}
	switch {
	case r == '\n':
		e.lineStart, e.digitsOnly = true, true
	case r == ' ' || r == '\t':
		if !e.lineStart {
			e.digitsOnly = false
		}
	case r >= '0' && r <= '9':
		e.lineStart = false
	default:
		e.lineStart, e.digitsOnly = false, false
	}
	return esc
}

// escapeMarkdown returns s, cleaned of control and reordering characters,
// with every character that Discord Markdown could interpret escaped.
func escapeMarkdown(s string) string {
	s = textutil.Clean(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	e := newEscaper()
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf { // nothing to escape outside ASCII
			_, size := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+size])
			e.lineStart, e.digitsOnly = false, false
			i += size
			continue
		}
		if e.needs(s, i, rune(c)) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// inline is untrusted text for one line of markup: folded onto one line and
// escaped.
func inline(s string) string { return escapeMarkdown(textutil.OneLine(s)) }

// units counts s the way Discord's limits are checked, safely. Discord's API
// counts Unicode code points (it is written in Python 3); clients count UTF-16
// code units, which are never fewer. Counting UTF-16 units keeps every
// message within the limit whichever way it is counted.
func units(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n += utf16.RuneLen(r) // an invalid byte (U+FFFD) counts 1
		i += size
	}
	return n
}

// ellipsis marks text that was cut.
const ellipsis = "…"

// fitInline returns untrusted s folded onto one line and escaped, cut so the
// result (marker included) takes at most max units.
func fitInline(s string, max int) string {
	// Folding a long text whole to keep its start is wasted work: fold a
	// generous prefix, unless white space folded it too short to fill max.
	if limit := 6*max + 64; len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if p := textutil.OneLine(s[:cut]); units(p) > max {
			return fitEscaped(p, max)
		}
	}
	return fitEscaped(textutil.OneLine(s), max)
}

// fitEscaped returns untrusted s escaped and cut so the result (marker
// included) takes at most max units. The cut falls between characters of the
// original text, never inside an escape pair or a character, and at a word
// boundary when one is near the end.
func fitEscaped(s string, max int) string {
	if max <= 0 {
		return ""
	}
	s = textutil.Clean(s)
	budget := max - units(ellipsis)
	e := newEscaper()
	used, keep, lastBlank := 0, -1, -1
	for i, r := range s {
		cost := utf16.RuneLen(r)
		if r < utf8.RuneSelf && e.needs(s, i, r) {
			cost++
		} else if r >= utf8.RuneSelf {
			e.lineStart, e.digitsOnly = false, false
		}
		if used+cost > budget && keep < 0 {
			keep = i // the longest prefix that leaves room for the marker
		}
		if used+cost > max {
			// Too long even without a marker: cut at keep.
			prefix := s[:keep]
			// Escaping a prefix of s escapes it exactly as within s, except
			// that a ':' cut off before its "//" is no longer escaped, which
			// is harmless.
			if lastBlank > 0 && lastBlank <= keep && lastBlank >= keep*4/5 {
				prefix = s[:lastBlank]
			}
			if budget <= 0 {
				return cutUnits(ellipsis, max)
			}
			return escapeMarkdown(strings.TrimRight(prefix, " \n\t")) + ellipsis
		}
		used += cost
		if r == ' ' || r == '\n' || r == '\t' {
			lastBlank = i
		}
	}
	return escapeMarkdown(s)
}

// cutUnits returns the longest prefix of s of at most max units, never
// splitting a character.
func cutUnits(s string, max int) string {
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if n+w > max {
			return s[:i]
		}
		n += w
	}
	return s
}

// cutMarkup cuts markup we assembled (escaped untrusted text inside our own
// formatting) to max units, ending with the marker. It is the last guard of a
// limit: builders budget their parts so it rarely cuts. It never leaves a
// dangling escape backslash that would swallow the marker, and never splits a
// character.
func cutMarkup(s string, max int) string {
	if units(s) <= max {
		return s
	}
	budget := max - units(ellipsis)
	if budget <= 0 {
		return cutUnits(ellipsis, max)
	}
	p := strings.TrimRight(cutUnits(s, budget), " \n\t")
	// An odd run of trailing backslashes ends in half an escape pair.
	if n := len(p) - len(strings.TrimRight(p, `\`)); n%2 == 1 {
		p = p[:len(p)-1]
	}
	return p + ellipsis
}

// plain is text for a plain-text slot (footer): one line, cleaned, cut.
func plain(s string, max int) string {
	s = textutil.OneLine(s)
	if units(s) <= max {
		return s
	}
	return strings.TrimRight(cutUnits(s, max-units(ellipsis)), " ") + ellipsis
}
