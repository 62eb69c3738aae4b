// Package textproc holds the text processing the analysis shares: splitting a
// comment into sentences, cutting it into words, and telling function words
// from content words. Everything works on byte offsets into the original
// string, so that what the digest quotes is always a verbatim substring.
package textproc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is the byte range [Start, End) of a piece of a string.
type Span struct{ Start, End int }

// Sentences returns the sentences of s as byte ranges, in order, trimmed of
// surrounding white space. A sentence ends at '.', '!', '?' or '…' followed by
// white space (closing quotes and brackets stay with it), or at a line break.
// A full stop after a known abbreviation ("Mr.", "e.g.", "U.S.") or an initial
// ("J. Smith") does not end a sentence unless what follows plainly starts one.
func Sentences(s string) []Span { return AppendSentences(nil, s) }

// AppendSentences appends the sentences of s to dst, as Sentences does.
func AppendSentences(dst []Span, s string) []Span {
	start := 0
	emit := func(end int) {
		a, b := trimSpan(s, start, end)
		if a < b {
			dst = append(dst, Span{a, b})
		}
	}
	for i := 0; i < len(s); {
		// Most bytes are ASCII that ends nothing: step over them without
		// decoding.
		if c := s[i]; c < utf8.RuneSelf && c != '\n' && c != '.' && c != '!' && c != '?' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n':
			emit(i)
			start = i + size
			i += size
			continue
		case '.', '!', '?', '…':
			// Take the whole run of terminal punctuation ("?!", "...").
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if r2 != '.' && r2 != '!' && r2 != '?' && r2 != '…' {
					break
				}
				j += sz
			}
			// Closing quotes and brackets belong to the sentence.
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !isCloser(r2) {
					break
				}
				j += sz
			}
			if j < len(s) {
				r2, _ := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) && !(r == '.' && j-i == 1 && gluedSentence(s, i, r2)) {
					i = j
					continue
				}
			}
			if r == '.' && j-i == 1 && !endsSentence(s, i, j) {
				i = j
				continue
			}
			if (r == '.' || r == '…') && !strings.ContainsAny(s[i:j], "?!") && startsLower(s[j:]) {
				// An ellipsis before a lower-case word trails off mid-sentence.
				i = j
				continue
			}
			emit(j)
			start = j
			i = j
			continue
		}
		i += size
	}
	emit(len(s))
	return dst
}

// gluedSentence reports whether the full stop at s[dot] ends a sentence
// although the next one follows without a space ("spending.The"), as text
// whose line breaks were lost often does: a word of at least two lower-case
// letters before it, a capital after it.
func gluedSentence(s string, dot int, next rune) bool {
	if !unicode.IsUpper(next) {
		return false
	}
	lower := 0
	for w := dot; w > 0 && lower < 2; {
		r, size := utf8.DecodeLastRuneInString(s[:w])
		if !unicode.IsLower(r) {
			break
		}
		lower++
		w -= size
	}
	return lower >= 2
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', ')', ']', '»', '*':
		return true
	}
	return false
}

func trimSpan(s string, a, b int) (int, int) {
	for a < b {
		r, size := utf8.DecodeRuneInString(s[a:])
		if !unicode.IsSpace(r) {
			break
		}
		a += size
	}
	for b > a {
		r, size := utf8.DecodeLastRuneInString(s[a:b])
		if !unicode.IsSpace(r) {
			break
		}
		b -= size
	}
	return a, b
}

// endsSentence decides whether the single full stop at s[dot] (followed by
// white space, the next text starting after index next) ends a sentence.
func endsSentence(s string, dot, next int) bool {
	// The word before the full stop, including inner dots ("U.S", "e.g").
	w := dot
	for w > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:w])
		if !(unicode.IsLetter(r) || r == '.') {
			break
		}
		w -= size
	}
	word := s[w:dot]
	nextWord := firstWord(s[next:])
	if word == "" {
		return true
	}
	lower := strings.ToLower(word)
	// A single capital letter is an initial ("J. Smith").
	if utf8.RuneCountInString(word) == 1 && unicode.IsUpper(rune(word[0])) {
		return startsPlainSentence(nextWord)
	}
	if titleAbbreviations[lower] {
		return false
	}
	if lower == "no" || lower == "nos" || lower == "vol" || lower == "p" || lower == "pp" {
		// "No. 5", "p. 12": a number follows.
		if nextWord != "" {
			if r, _ := utf8.DecodeRuneInString(nextWord); unicode.IsDigit(r) {
				return false
			}
		}
		return true
	}
	if ambiguousAbbreviations[lower] || strings.Contains(word, ".") {
		return startsPlainSentence(nextWord)
	}
	// Otherwise a full stop before a lower-case word is mid-sentence only in
	// sloppy writing; comments are sloppy, but a capital is the usual sign.
	if nextWord != "" {
		r, _ := utf8.DecodeRuneInString(nextWord)
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}

func startsLower(s string) bool {
	w := firstWord(s)
	if w == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLower(r)
}

// firstWord returns the first run of non-space characters of s after white
// space, without leading quotes or brackets.
func firstWord(s string) string {
	s = strings.TrimLeftFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '"' || r == '“' || r == '(' || r == '\'' || r == '‘'
	})
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		s = s[:i]
	}
	return s
}

// startsPlainSentence reports whether w is a word that typically opens a
// sentence, so that a full stop after an abbreviation before it ends one.
func startsPlainSentence(w string) bool {
	w = strings.TrimRightFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
	if w == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	return sentenceOpeners[strings.ToLower(w)]
}

// titleAbbreviations never end a sentence: a name follows them.
var titleAbbreviations = setOf(
	"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "sen", "rep", "gov",
	"gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "pres", "rev", "hon",
	"messrs", "mme", "mlle", "vs", "v", "e.g", "i.e", "cf", "approx", "ca",
	"fig", "dept", "est", "mt", "ft", "jan", "feb", "mar", "apr", "jun",
	"jul", "aug", "sep", "sept", "oct", "nov", "dec", "ave", "blvd", "rd",
)

// ambiguousAbbreviations end a sentence only before a plain sentence opener.
var ambiguousAbbreviations = setOf(
	"etc", "inc", "ltd", "co", "corp", "u.s", "u.k", "u.n", "e.u", "a.m",
	"p.m", "d.c", "l.a", "n.y", "al", "govt", "min", "max", "yrs", "hrs",
)

// sentenceOpeners are words that, capitalised, usually start a sentence.
var sentenceOpeners = setOf(
	"the", "a", "an", "i", "it", "its", "this", "that", "these", "those",
	"we", "you", "they", "he", "she", "there", "here", "but", "and", "or",
	"so", "if", "when", "what", "why", "how", "who", "where", "which",
	"in", "on", "at", "for", "to", "of", "as", "my", "our", "your", "their",
	"his", "her", "no", "yes", "not", "now", "then", "also", "all", "some",
	"many", "most", "every", "one", "meanwhile", "however", "yet", "still",
	"let", "do", "does", "did", "is", "are", "was", "were", "can", "will",
	"would", "should", "could", "maybe", "perhaps", "just", "even", "only",
	"after", "before", "while", "since", "because", "although", "though",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
