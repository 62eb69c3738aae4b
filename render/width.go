package render

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/threaddigest/threaddigest/internal/textutil"
)

// maxMarks caps a run of combining marks on one character: stacked marks
// ("zalgo" text) spill over the lines above and below in a terminal.
const maxMarks = 3

// inert makes untrusted text safe to print on one line: control characters,
// escape sequences, bidi overrides and line breaks gone, combining-mark runs
// capped.
func inert(s string) string {
	s = textutil.OneLine(s)
	marks := 0
	capped := true
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			marks++
			if marks > maxMarks {
				capped = false
				break
			}
		} else {
			marks = 0
		}
	}
	if capped {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	marks = 0
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			marks++
			if marks > maxMarks {
				continue
			}
		} else {
			marks = 0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// runeWidth is the number of terminal columns r takes: 2 for wide and
// full-width characters, 0 for combining marks and joiners, 1 otherwise.
func runeWidth(r rune) int {
	switch {
	case r == 0x200D || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r):
		return 0
	case r >= 0x1F300 && r <= 0x1FAFF: // emoji and pictographs show wide in terminals
		return 2
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// displayWidth is the number of terminal columns s takes.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// fit cuts s to at most w columns, ending with "…" when it cut.
func fit(s string, w int) string {
	if displayWidth(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	used := 0
	for i, r := range s {
		rw := runeWidth(r)
		if used+rw > w-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		used += rw
	}
	return s
}

// pad fits s into exactly w columns, padding with spaces on the right.
func pad(s string, w int) string {
	s = fit(s, w)
	if n := displayWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// padLeft fits s into exactly w columns, padding with spaces on the left.
func padLeft(s string, w int) string {
	s = fit(s, w)
	if n := displayWidth(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// wrap breaks one-line text into lines of at most w columns at spaces; a word
// longer than a line is broken inside, so that no line exceeds w.
func wrap(s string, w int) []string {
	if w < 1 {
		w = 1
	}
	var lines []string
	var line strings.Builder
	lineW := 0
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		lineW = 0
	}
	for _, word := range strings.Fields(s) {
		ww := displayWidth(word)
		if lineW > 0 && lineW+1+ww <= w {
			line.WriteByte(' ')
			line.WriteString(word)
			lineW += 1 + ww
			continue
		}
		if lineW > 0 {
			flush()
		}
		if ww > w {
			// Break an over-long word at the column limit, in one pass.
			start, cw := 0, 0
			for i, r := range word {
				rw := runeWidth(r)
				if cw+rw > w && i > start {
					line.WriteString(word[start:i])
					flush()
					start, cw = i, 0
				}
				cw += rw
			}
			word, ww = word[start:], cw
		}
		line.WriteString(word)
		lineW = ww
	}
	if lineW > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}
