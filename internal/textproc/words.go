package textproc

import (
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// Word is one word of a text: its byte range in the text and whether it was
// written with a leading capital.
type Word struct {
	Start, End int
	Capital    bool
}

// Words calls fn for each word of s, in order, with the word lower-cased into
// a buffer that is reused between calls (copy it to keep it). A word is a run
// of letters and digits, with inner apostrophes kept ("don't") and written as
// "'"; a trailing possessive "'s" is dropped ("Trump's" gives "trump").
// Everything else (punctuation, symbols, emoji) separates words.
func Words(s string, fn func(lower []byte, w Word)) {
	var buf []byte
	var stack [64]byte
	buf = stack[:0]
	i := 0
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !(r < utf8.RuneSelf && isASCIIWordByte(byte(r)) || r >= utf8.RuneSelf && isWordRune(r)) {
			i += size
			continue
		}
		start := i
		capital := 'A' <= r && r <= 'Z' || r >= utf8.RuneSelf && unicode.IsUpper(r)
		buf = buf[:0]
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf && isASCIIWordByte(c) {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf = append(buf, c)
				i++
				continue
			}
			r, size = rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			if isWordRune(r) {
				buf = appendLower(buf, r)
				i += size
				continue
			}
			if isApostrophe(r) && i+size < len(s) {
				r2, _ := utf8.DecodeRuneInString(s[i+size:])
				if unicode.IsLetter(r2) {
					buf = append(buf, '\'')
					i += size
					continue
				}
			}
			break
		}
		end := i
		if n := len(buf); n > 2 && buf[n-1] == 's' && buf[n-2] == '\'' {
			buf = buf[:n-2]
		}
		fn(buf, Word{Start: start, End: end, Capital: capital})
	}
}

// isASCIIWordByte is isWordRune for an ASCII byte, small enough to inline
// in the loops that read every byte.
func isASCIIWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

func appendLower(buf []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(buf, byte(r))
	}
	return utf8.AppendRune(buf, unicode.ToLower(r))
}

// Stem returns the Snowball (Porter2) English stem of a lower-case word.
func Stem(word string) string { return english.Stem(word, true) }

// IsStopWord reports whether a lower-case word is a function word that says
// nothing about what a sentence argues.
func IsStopWord(word string) bool { return stopWords[word] }

// IsNegator reports whether a lower-case word negates what follows it.
func IsNegator(word string) bool {
	if negators[word] {
		return true
	}
	n := len(word)
	return n > 3 && word[n-3:] == "n't"
}

var negators = setOf(
	"not", "no", "never", "nothing", "nobody", "none", "neither", "nor",
	"nowhere", "without", "hardly", "barely", "scarcely", "cannot", "cant",
	"dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont",
	"wouldnt", "shouldnt", "couldnt", "aint", "lack", "lacks", "lacking",
)

// stopWords are English function words and the filler of online comments.
var stopWords = setOf(
	"a", "about", "above", "after", "again", "against", "all", "almost",
	"also", "although", "always", "am", "among", "an", "and", "another",
	"any", "anybody", "anyone", "anything", "anyway", "are", "aren't",
	"around", "as", "at", "away", "back", "be", "became", "because",
	"become", "been", "before", "being", "below", "between", "both", "but",
	"by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't",
	"do", "does", "doesn't", "doing", "don't", "done", "down", "during",
	"each", "either", "else", "enough", "etc", "even", "ever", "every",
	"everyone", "everything", "few", "for", "from", "further", "get",
	"gets", "getting", "go", "goes", "going", "gone", "got", "had",
	"hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd",
	"he'll", "her", "here", "hers", "herself", "him", "himself", "his",
	"how", "however", "i", "i'd", "i'll", "i'm", "i've", "if", "in",
	"into", "is", "isn't", "it", "it'd", "it'll", "it's", "its", "itself",
	"just", "let", "let's", "like", "likely", "lot", "lots", "made", "make",
	"makes", "many", "may", "maybe", "me", "might", "mine", "more", "most",
	"much", "must", "mustn't", "my", "myself", "neither", "no", "nor",
	"not", "now", "of", "off", "often", "oh", "ok", "okay", "on", "once",
	"one", "only", "or", "other", "others", "otherwise", "ought", "our",
	"ours", "ourselves", "out", "over", "own", "per", "perhaps", "quite",
	"rather", "really", "same", "say", "said", "says", "see", "seem",
	"seems", "shall", "she", "she'd", "she'll", "should", "shouldn't",
	"since", "so", "some", "somebody", "someone", "something", "sometimes",
	"still", "such", "sure", "take", "than", "that", "that's", "the",
	"their", "theirs", "them", "themselves", "then", "there", "there's",
	"these", "they", "they'd", "they'll", "they're", "they've", "thing",
	"things", "think", "this", "those", "though", "through", "thus", "to",
	"too", "toward", "towards", "under", "until", "up", "upon", "us",
	"use", "used", "very", "via", "want", "was", "wasn't", "way", "we",
	"we'd", "we'll", "we're", "we've", "well", "were", "weren't", "what",
	"what's", "whatever", "when", "where", "whether", "which", "while",
	"who", "who's", "whom", "whose", "why", "will", "with", "within",
	"without", "won't", "would", "wouldn't", "yes", "yet", "you", "you'd",
	"you'll", "you're", "you've", "your", "yours", "yourself",
	"yourselves", "also", "actually", "anyway", "im", "dont", "doesnt",
	"didnt", "isnt", "cant", "wont", "thats", "youre", "ive", "lol", "re",
	"s", "t", "d", "ll", "m", "ve", "de", "amp", "http", "https", "www",
	"com", "two", "three", "first", "new", "year", "years", "time", "times",
	"people", "know", "need", "good", "great", "article", "author",
	"nobody", "already", "anybody", "everybody", "somebody", "simply",
	"etc", "indeed", "ago", "via", "yeah", "yep", "ya", "gonna", "wanna",
)
