// Package fold turns location text into the lower-case, accent-free tokens
// the gazetteer is keyed by. The generator and the resolver both use it, so a
// name written into the embedded data and the same name typed by a commenter
// always fold to the same key.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Sep is what separated a token from the one before it.
type Sep uint8

const (
	// SepNone: the first token.
	SepNone Sep = iota
	// SepSpace: white space, a hyphen or a dot inside a name.
	SepSpace
	// SepComma: a comma, as in "City, ST".
	SepComma
	// SepBreak: a list or sentence break: / | ; & + ( ) [ ] ! ? a dash with
	// spaces around it, or a new line. What follows is another place.
	SepBreak
)

// Case is how a token was capitalised where it was typed.
type Case uint8

const (
	// Lower: every letter lower case ("boulder").
	Lower Case = iota
	// Title: an upper-case first letter, the rest lower ("Boulder", "Co").
	Title
	// Upper: every letter upper case ("CO", "N.Y.").
	Upper
	// Mixed: anything else ("McKinleyville", "iPhone"), and scripts without case.
	Mixed
)

// Token is one word of a location string.
type Token struct {
	// Norm is the folded word: lower case, accents removed, apostrophes
	// dropped, "saint" written "st", "mount" "mt" and "fort" "ft".
	Norm string
	// Start and End are the word's byte offsets in the text it came from.
	Start, End int
	// Sep is the separator before the word.
	Sep Sep
	// Case is the word's capitalisation as typed.
	Case Case
	// Dot reports a full stop right after the word ("Calif.", "St.").
	Dot bool
	// Hash reports a hashtag ("#AnnArbor" gives "ann" and "arbor", both Hash).
	Hash bool
	// Letters reports that the word has at least one letter (not only digits).
	Letters bool
}

// canonical spells the words that names write two ways the same way.
func canonical(w string) string {
	switch w {
	case "saint":
		return "st"
	case "sainte":
		return "ste"
	case "mount":
		return "mt"
	case "fort":
		return "ft"
	}
	return w
}

// Key folds a name into its gazetteer key: its tokens joined by single spaces.
func Key(s string) string {
	toks := Tokenize(s, nil)
	switch len(toks) {
	case 0:
		return ""
	case 1:
		return toks[0].Norm
	}
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Norm)
	}
	return b.String()
}

// isApostrophe reports the marks dropped inside words ("Don't", "Hawke's").
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', '´', 'ʻ', 'ʼ':
		return true
	}
	return false
}

// breakRune reports the characters that separate one place from the next.
func breakRune(r rune) bool {
	switch r {
	case '/', '|', ';', '&', '+', '(', ')', '[', ']', '{', '}', '!', '?', '\n', '\r',
		'•', '·', '–', '—', '\\', '~', '<', '>', '=', '*', '"', '“', '”', '«', '»':
		return true
	}
	return false
}

// Tokenize splits s into tokens, appending to dst. A run of single letters
// written with dots or spaces ("N.Y.", "U.S.A.", "N. Y") becomes one token.
func Tokenize(s string, dst []Token) []Token {
	first := len(dst)
	pending := SepNone
	hash := false
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isWordRune(r):
			start := i
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) || isApostrophe(r2) {
					j += sz
					continue
				}
				break
			}
			word := s[start:j]
			sep := pending
			if len(dst) == first {
				sep = SepNone
			}
			n := len(dst)
			if hash {
				dst = appendHashtag(dst, word, start, sep)
			} else {
				dst = appendWord(dst, word, start, sep, false)
			}
			hash = false
			if len(dst) == n {
				// Only marks, no letters: not a word, and the separator
				// before it still stands.
				i = j
				continue
			}
			pending = SepSpace
			if j < len(s) && s[j] == '.' {
				dst[len(dst)-1].Dot = true
			}
			i = j
			continue
		case r == '#':
			hash = true
		case r == '@':
			// A handle names a person, not a place: skip it.
			j := i + size
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) && r2 != '.' && r2 != '_' {
					break
				}
				j += sz
			}
			i = j
			hash = false
			continue
		case r == ',':
			if pending < SepComma {
				pending = SepComma
			}
			hash = false
		case r == '-':
			// "Winston-Salem" joins words; "Paris - London" and "--" list places.
			spaced := i > 0 && (s[i-1] == ' ' || s[i-1] == '-') || i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '-')
			if spaced {
				pending = SepBreak
			}
			hash = false
		case breakRune(r):
			pending = SepBreak
			hash = false
		default:
			// Spaces, dots, colons and symbols: a plain word boundary.
			hash = false
		}
		i += size
	}
	return joinLetters(dst, first)
}

// isWordRune reports letters, digits and the marks that belong to them.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// appendHashtag splits a CamelCase hashtag ("AnnArbor") into its words.
func appendHashtag(dst []Token, word string, start int, sep Sep) []Token {
	from := 0
	for k, r := range word {
		if k == 0 {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(word[:k])
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			dst = appendWord(dst, word[from:k], start+from, sep, true)
			sep = SepSpace
			from = k
		}
	}
	return appendWord(dst, word[from:], start+from, sep, true)
}

func appendWord(dst []Token, word string, start int, sep Sep, hash bool) []Token {
	n, c, letters := foldWord(word)
	if n == "" {
		return dst
	}
	return append(dst, Token{Norm: canonical(n), Start: start, End: start + len(word), Sep: sep, Case: c, Hash: hash, Letters: letters})
}

// joinLetters merges runs of single-letter tokens ("n" "y" → "ny") separated
// only by spaces or dots, so that "N.Y.", "U.S.A.", "N. Y" and "u s a" read
// as codes.
func joinLetters(dst []Token, first int) []Token {
	out := first
	for i := first; i < len(dst); {
		t := dst[i]
		j := i + 1
		if isSingleLetter(t.Norm) {
			for j < len(dst) && isSingleLetter(dst[j].Norm) && dst[j].Sep == SepSpace {
				j++
			}
		}
		if j > i+1 {
			var b strings.Builder
			upper := true
			for k := i; k < j; k++ {
				b.WriteString(dst[k].Norm)
				if dst[k].Case != Upper {
					upper = false
				}
			}
			t.Norm = b.String()
			t.End = dst[j-1].End
			t.Dot = dst[j-1].Dot
			if upper {
				t.Case = Upper
			} else {
				t.Case = Lower
			}
		}
		dst[out] = t
		out++
		i = j
	}
	return dst[:out]
}

func isSingleLetter(s string) bool {
	return len(s) == 1 && 'a' <= s[0] && s[0] <= 'z'
}

// foldWord lower-cases a word, strips accents and apostrophes, and reports its
// capitalisation.
func foldWord(w string) (string, Case, bool) {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	upper, lower, letters := 0, 0, 0
	firstUpper := false
	if ascii {
		lowerOnly := true
		for i := 0; i < len(w); i++ {
			c := w[i]
			switch {
			case 'A' <= c && c <= 'Z':
				upper++
				letters++
				if i == 0 {
					firstUpper = true
				}
				lowerOnly = false
			case 'a' <= c && c <= 'z':
				lower++
				letters++
			case c == '\'' || c == '`':
				lowerOnly = false
			}
		}
		var s string
		if lowerOnly {
			s = w
		} else {
			b := make([]byte, 0, len(w))
			for i := 0; i < len(w); i++ {
				c := w[i]
				switch {
				case 'A' <= c && c <= 'Z':
					b = append(b, c+'a'-'A')
				case c == '\'' || c == '`':
				default:
					b = append(b, c)
				}
			}
			s = string(b)
		}
		return s, caseOf(upper, lower, firstUpper), letters > 0
	}
	var b strings.Builder
	for i, r := range w {
		if isApostrophe(r) {
			continue
		}
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
				if i == 0 {
					firstUpper = true
				}
			} else if unicode.IsLower(r) {
				lower++
			}
		}
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
			continue
		}
		r = unicode.ToLower(r)
		if s := special(r); s != "" {
			b.WriteString(s)
			continue
		}
		// Decompose and drop the combining marks: "ö" → "o", "ñ" → "n".
		for _, d := range norm.NFD.String(string(r)) {
			if unicode.Is(unicode.Mn, d) {
				continue
			}
			b.WriteRune(unicode.ToLower(d))
		}
	}
	return b.String(), caseOf(upper, lower, firstUpper), letters > 0
}

func caseOf(upper, lower int, firstUpper bool) Case {
	switch {
	case upper == 0 && lower > 0:
		return Lower
	case lower == 0 && upper > 0:
		return Upper
	case upper == 1 && firstUpper:
		return Title
	case upper == 0 && lower == 0:
		return Mixed
	}
	return Mixed
}

// special folds the letters that do not decompose into a base letter and a
// mark; "" for every other letter.
func special(r rune) string {
	switch r {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'ø':
		return "o"
	case 'œ':
		return "oe"
	case 'ł':
		return "l"
	case 'đ', 'ð':
		return "d"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	case 'ŀ':
		return "l"
	case 'ħ':
		return "h"
	case 'ŧ':
		return "t"
	case 'ŋ':
		return "ng"
	}
	return ""
}
