package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/internal/textproc"
)

// Openings that mark a reply as agreeing with, or pushing back on, its parent.
// Each is a sequence of lower-case words at the start of the reply (after any
// "@Name").
var (
	agreementOpeners = phrases(
		"exactly", "agree", "agreed", "i agree", "i totally agree",
		"i completely agree", "i fully agree", "i couldn't agree more",
		"couldn't agree more", "i also agree", "well said", "well put",
		"so true", "very true", "true", "yes", "yep", "yup", "yeah",
		"absolutely", "indeed", "right on", "spot on", "amen", "bravo",
		"hear hear", "thank you", "thanks", "good point", "great point",
		"excellent point", "you're right", "you are right", "you are so right",
		"so right", "same here", "me too", "precisely", "correct",
		"totally", "this", "likewise", "ditto", "definitely", "right",
	)
	rebuttalOpeners = phrases(
		"no", "nope", "nah", "wrong", "nonsense", "not true", "not so",
		"not really", "but", "actually", "sorry", "really", "seriously",
		"disagree", "i disagree", "i strongly disagree", "i don't agree",
		"i do not agree", "that's not", "that is not", "that isn't",
		"you're wrong", "you are wrong", "you forget", "you forgot",
		"you miss", "you're missing", "you are missing", "you seem to",
		"you must be", "rubbish", "baloney", "false", "hardly",
		"on the contrary", "except", "how about", "what about", "so what",
		"ridiculous", "bs", "please", "funny", "wow", "huh", "um", "umm",
		"uh", "since when", "where is", "where's", "do you", "did you",
		"have you", "are you", "you do realize", "you realize", "tell that",
		"not at all", "not exactly", "that's rich", "that's a stretch",
		"nice try", "oh please", "give me a break", "speak for yourself",
		"what a", "are we", "this is false", "that's false", "incorrect",
	)
	// Pushback anywhere in the first sentence.
	rebuttalMarks = phrases(
		"disagree", "you're wrong", "you are wrong", "not true", "nonsense",
		"you're missing", "you are missing", "you miss the point",
		"missed the point", "misses the point", "you forget", "not the case",
		"that's not", "that is not", "simply wrong", "just wrong",
		"dead wrong", "wrong about", "straw man", "strawman", "false",
		"factually", "not so", "you ignore", "ignoring", "no evidence",
		"myth", "fallacy",
	)
)

// phrases reads each phrase into its words.
func phrases(list ...string) [][]string {
	out := make([][]string, len(list))
	for i, p := range list {
		out[i] = strings.Fields(p)
	}
	return out
}

// classifyRelations sets a.relation for every reply: rebuttal, agreement or
// extension. Cues at the opening of the reply decide first; without a cue, a
// clear opposite stance from its parent makes a rebuttal.
func (a *analysis) classifyRelations() {
	for i := 0; i < a.n; i++ {
		p := a.parent[i]
		if p < 0 || !a.live(i) {
			continue
		}
		a.relation[i] = a.relationOf(i, int(p))
	}
}

func (a *analysis) relationOf(i, p int) int8 {
	words, question := openingWords(a.t.Comments[i].Body, a.t.Comments[p].Author, 16)
	agree := startsWithAny(words, agreementOpeners)
	rebut := startsWithAny(words, rebuttalOpeners) > 0 || containsAny(words, rebuttalMarks)
	if agree > 0 && !rebut {
		// "Yes, but …" and "Right, except …" agree only to disagree.
		for _, w := range words[agree:] {
			if w == "but" || w == "however" || w == "except" || w == "although" {
				return relRebuttal
			}
		}
		// A lone "this" or "right" needs to be all there is to agree.
		if (words[0] == "this" || words[0] == "right") && len(words) > agree {
			return a.relationByStance(i, p, question)
		}
		return relAgreement
	}
	if rebut {
		return relRebuttal
	}
	return a.relationByStance(i, p, question)
}

// relationByStance classes a reply without an opening cue: opposite clear
// stances make a rebuttal, a question to the parent ("you") leans rebuttal,
// anything else extends the parent.
func (a *analysis) relationByStance(i, p int, question bool) int8 {
	li, lp := a.local[i], a.local[p]
	if li*lp < 0 && abs(li) >= 1 && abs(lp) >= 1 {
		return relRebuttal
	}
	if question {
		return relRebuttal
	}
	if li*lp > 0 && abs(li) >= 1 && abs(lp) >= 1 && a.sentOf[i+1]-a.sentOf[i] <= 1 {
		return relAgreement
	}
	return relExtension
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// openingWords returns up to max lower-case words of the reply's first
// sentence, after a leading "@Name" (the parent's author's name, or the first
// word after '@'), and whether that first sentence is a question addressed to
// "you".
func openingWords(body, parentAuthor string, max int) ([]string, bool) {
	body = strings.TrimLeftFunc(body, unicode.IsSpace)
	body = stripMention(body, parentAuthor)
	first := body
	if sp := textproc.Sentences(body); len(sp) > 0 {
		first = body[sp[0].Start:sp[0].End]
	}
	var words []string
	you := false
	textproc.Words(first, func(lower []byte, w textproc.Word) {
		if len(words) < max {
			words = append(words, normalizeApostrophe(string(lower)))
		}
		if string(lower) == "you" || string(lower) == "your" || string(lower) == "you're" {
			you = true
		}
	})
	if strings.HasPrefix(first, "+1") {
		words = append([]string{"agree"}, words...)
	}
	question := you && strings.HasSuffix(strings.TrimRight(first, " \"')"), "?")
	return words, question
}

func normalizeApostrophe(w string) string { return w }

// stripMention removes a leading "@Name" and the punctuation after it.
func stripMention(body, name string) string {
	r, size := utf8.DecodeRuneInString(body)
	if r != '@' && r != '＠' && r != '﹫' {
		return body
	}
	rest := body[size:]
	if name != "" && len(rest) >= len(name) && strings.EqualFold(rest[:len(name)], name) {
		rest = rest[len(name):]
	} else if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		rest = rest[i:]
	} else {
		rest = ""
	}
	return strings.TrimLeftFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ':' || r == '-' || r == '—' || r == '–'
	})
}

// startsWithAny returns the length of the longest phrase words starts with,
// or 0.
func startsWithAny(words []string, list [][]string) int {
	best := 0
	for _, p := range list {
		if len(p) <= len(words) && len(p) > best && equalWords(words[:len(p)], p) {
			best = len(p)
		}
	}
	return best
}

func containsAny(words []string, list [][]string) bool {
	for _, p := range list {
		for i := 0; i+len(p) <= len(words); i++ {
			if equalWords(words[i:i+len(p)], p) {
				return true
			}
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
