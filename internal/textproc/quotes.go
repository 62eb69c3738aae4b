package textproc

import (
	"unicode"
	"unicode/utf8"
)

// QuotedSpans appends to dst the byte ranges of s that stand inside
// quotation marks: "…", “…”, «…», and '…' or ‘…’ where the single marks
// open before a word and close after one (an apostrophe inside a word, as
// in "don't", is not a quotation mark). A mark left open quotes nothing.
// Commenters quote the article or each other to answer it: what stands in
// quotes is someone else's words.
func QuotedSpans(dst []Span, s string) []Span {
	open := -1 // byte offset after the opening mark
	var closer rune
	for i := 0; i < len(s); {
		// Only ASCII marks and the three-byte (“ ” ‘ ’) and two-byte
		// (« ») marks matter: other bytes are skipped undecoded.
		c := s[i]
		if c < utf8.RuneSelf && c != '"' && c != '\'' || c >= utf8.RuneSelf && c != 0xE2 && c != 0xC2 {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if open >= 0 {
			if r == closer && (closer == '"' || closer == '»' || closer == '”' || closesSingle(s, i, size)) {
				if i > open {
					dst = append(dst, Span{Start: open, End: i})
				}
				open = -1
			}
			i += size
			continue
		}
		switch r {
		case '"':
			open, closer = i+size, '"'
		case '“':
			open, closer = i+size, '”'
		case '«':
			open, closer = i+size, '»'
		case '\'', '‘':
			if opensSingle(s, i, size) {
				open, closer = i+size, '\''
				if r == '‘' {
					closer = '’'
				}
			}
		}
		i += size
	}
	return dst
}

// opensSingle reports whether the single mark at s[i:i+size] opens a quote:
// nothing or a space or an opening bracket before it, a letter or digit
// after it.
func opensSingle(s string, i, size int) bool {
	if i > 0 {
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.IsSpace(prev) && prev != '(' && prev != '[' && prev != '-' && prev != '—' {
			return false
		}
	}
	next, _ := utf8.DecodeRuneInString(s[i+size:])
	return unicode.IsLetter(next) || unicode.IsDigit(next)
}

// closesSingle reports whether the single mark at s[i:i+size] closes a
// quote: not inside a word, where a lower-case letter follows ("don't").
// An upper-case letter may follow where a comment lost the space between
// a quote and the sentence answering it.
func closesSingle(s string, i, size int) bool {
	if i+size >= len(s) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(s[i+size:])
	return !unicode.IsLower(next) && !unicode.IsDigit(next)
}
