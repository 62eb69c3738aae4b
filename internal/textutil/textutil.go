// Package textutil holds the small text operations every output shares when it
// shows text written by strangers: removing characters that can corrupt a
// layout or a terminal, folding text onto one line, and cutting it to a limit
// without splitting a character.
//
// Escaping for a particular markup (Slack mrkdwn, Discord Markdown, Markdown,
// HTML) is not here: each renderer knows its own syntax.
package textutil

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean returns s as valid UTF-8 with the characters removed that corrupt
// a layout or hide text, chosen by Unicode category rather than by list:
// control characters (tab and newline are kept), line and paragraph
// separators, every format character (category Cf: bidirectional overrides
// and isolates, zero-width spaces, word joiners and invisible operators, the
// soft hyphen, the Mongolian vowel separator, interlinear annotations, tag
// characters, byte-order marks) and the other default-ignorable characters
// that render as nothing (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0,
// the combining grapheme joiner U+034F). Such characters make two names that
// look the same differ, or hide text inside a quote. Invalid bytes become
// U+FFFD.
//
// The zero-width joiner and non-joiner are kept where a script or an emoji
// sequence needs them, after a character outside the Latin, Greek and
// Cyrillic scripts and ASCII (👩‍💻, Persian, Indic scripts); after those they
// change nothing visible and are removed. Variation selectors are kept
// (they choose emoji or text presentation). Combining marks beyond MaxMarks
// on one character are dropped: stacked marks ("zalgo" text) spill over the
// lines above and below in every chat client and terminal, while no script
// needs more than a few.
func Clean(s string) string {
	clean := true
	marks := 0
	prev := rune(0)
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				clean = false
				break
			}
		}
		if unsafeRune(r, prev) {
			clean = false
			break
		}
		if marks = countMark(r, marks); marks > MaxMarks {
			clean = false
			break
		}
		prev = r
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	marks = 0
	prev = 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unsafeRune(r, prev) {
			continue
		}
		if marks = countMark(r, marks); marks > MaxMarks {
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// MaxMarks is the most combining marks Clean leaves on one character.
const MaxMarks = 3

// countMark returns the length of the run of combining marks that r ends:
// marks+1 when r is a combining mark, else 0.
func countMark(r rune, marks int) int {
	if r >= 0x300 && unicode.In(r, unicode.Mn, unicode.Me) {
		return marks + 1
	}
	return 0
}

// unsafeRune reports whether Clean removes r after the character prev (0 at
// the start).
func unsafeRune(r, prev rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r < 0xad:
		// Below the first format character (the soft hyphen): the
		// common case, decided without a table lookup.
		return false
	case r == 0x200c || r == 0x200d: // zero-width non-joiner and joiner
		return !joins(prev)
	case r == 0x2028 || r == 0x2029: // line and paragraph separators (Zl, Zp)
		return true
	}
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point)
}

// joins reports whether a joiner after prev can change how text shows:
// after an emoji or a letter of a script that joins (Arabic, Indic scripts),
// not after ASCII or a Latin, Greek or Cyrillic letter, nor at the start.
func joins(prev rune) bool {
	return prev >= 0x80 && !unicode.IsSpace(prev) && !unicode.In(prev, unicode.Latin, unicode.Greek, unicode.Cyrillic)
}

// OneLine cleans s and folds every run of white space, newlines included, into
// a single space, trimming both ends.
func OneLine(s string) string {
	return strings.Join(strings.Fields(Clean(s)), " ")
}

// Truncate cuts s to at most max runes, ending with marker when it cut (the
// marker counts toward max). It cuts at the last space in the final fifth of
// the allowed length when there is one, so words stay whole, and never inside
// a character. max smaller than the marker yields the marker cut to max.
func Truncate(s string, max int, marker string) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	mlen := utf8.RuneCountInString(marker)
	if mlen >= max {
		return FirstRunes(marker, max)
	}
	keep := FirstRunes(s, max-mlen)
	if i := strings.LastIndexAny(keep, " \n\t"); i > 0 && utf8.RuneCountInString(keep[:i]) >= (max-mlen)*4/5 {
		keep = keep[:i]
	}
	return strings.TrimRight(keep, " \n\t") + marker
}

// TruncateBytes is Truncate with the limit counted in bytes, for limits that
// count bytes rather than characters.
func TruncateBytes(s string, max int, marker string) string {
	if len(s) <= max {
		return s
	}
	if len(marker) >= max {
		return validPrefix(marker, max)
	}
	keep := validPrefix(s, max-len(marker))
	if i := strings.LastIndexAny(keep, " \n\t"); i > 0 && i >= (max-len(marker))*4/5 {
		keep = keep[:i]
	}
	return strings.TrimRight(keep, " \n\t") + marker
}

// FirstRunes returns the first n characters (runes) of s, or s when it is
// no longer.
func FirstRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// validPrefix returns the longest prefix of s of at most n bytes that does not
// end inside a character.
func validPrefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Plural writes a count with its noun: "1 comment", "3 comments".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
