package digest

import (
	"slices"
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
		"rt", "confirmed", "confirms",
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
		"well", "by that logic", "the point is", "that's a bit",
		"that's a stretch", "not quite", "only if", "the problem is",
	)
	// Pushback anywhere in the first sentence.
	rebuttalMarks = phrases(
		"disagree", "you're wrong", "you are wrong", "not true", "nonsense",
		"you're missing", "you are missing", "you miss the point",
		"missed the point", "misses the point", "you forget", "not the case",
		"that's not", "that is not", "simply wrong", "just wrong",
		"dead wrong", "wrong about", "straw man", "strawman", "false",
		"factually", "not so", "you ignore", "ignoring", "no evidence",
		"myth", "fallacy", "actually", "a stretch", "lazy", "by that logic",
		"generous", "don't pretend", "on paper", "you would say that",
		"fake", "hoax", "false flag", "lies", "lying", "speculation",
		"rumour", "rumor", "debunked", "misinformation", "propaganda",
		"don't believe", "do not believe", "doubt", "not the same",
		"missing the point", "that's rich", "cherry picking", "so you",
		"wrong", "misleading", "irrelevant", "not believable", "not credible",
		"unconfirmed", "not confirmed", "contradicts", "otherwise",
		"check your facts", "get your facts", "get it right", "your source",
		"out of date", "jumping to conclusions", "shame on you", "bs",
		"bullshit", "bollocks", "nonsense", "ridiculous", "not what",
		"didn't happen", "did not happen", "never happened", "isn't true",
		"is not true", "wasn't", "debunk", "debunks",
	)
)

// phraseSet holds phrases by their first word.
type phraseSet map[string][][]string

// phrases reads each phrase into its words.
func phrases(list ...string) phraseSet {
	out := phraseSet{}
	for _, p := range list {
		w := strings.Fields(p)
		out[w[0]] = append(out[w[0]], w)
	}
	return out
}

// Cue weights of the relation classifier. A reply is a rebuttal when its
// pushback evidence reaches rebuttalBar, an agreement when its agreement
// evidence reaches agreementBar and outweighs the pushback, an extension
// otherwise.
const (
	cueOpener      = 2.0 // "No,", "Actually", "I disagree"
	cueMark        = 1.5 // "you're wrong", "by that logic" in the first sentences
	cueContrast    = 1.5 // "…, but …" early in the reply: a concession, then pushback
	cueNegation    = 1.5 // a negated first sentence contradicts more often than not
	cueQuestion    = 1.0 // a first sentence asking the parent back
	cueOpposed     = 1.5 // clear opposite stances of reply and parent
	cueAgreeOpener = 2.5 // "Exactly.", "Well said", "+1"
	cueSameStance  = 1.0 // clear same stance, in a short reply
	cueQuoteShare  = 2.0 // the reply passes its parent's words on, unopposed
	quoteRun       = 6   // consecutive words of the parent that make a quote
	rebuttalBar    = 1.5
	agreementBar   = 2.0
)

// classifyRelations sets a.relation for every reply: rebuttal, agreement or
// extension, from cues at the opening of the reply and the stances of reply
// and parent.
func (a *analysis) classifyRelations() {
	var runs []uint64
	for i := 0; i < a.n; i++ {
		p := a.parent[i]
		if p < 0 || !a.live(i) {
			continue
		}
		a.relation[i] = a.relationOf(i, int(p), &runs)
	}
}

// relationOf classes reply i to parent p; runs is scratch space reused
// between replies.
func (a *analysis) relationOf(i, p int, runs *[]uint64) int8 {
	if a.commenter[i] == a.commenter[p] {
		return relExtension // a commenter continuing their own comment
	}
	op := a.readOpening(i, p)
	rebut, agree := 0.0, 0.0
	agreeLen := startsWithAny(op.first, agreementOpeners)
	if agreeLen > 0 {
		// A lone "this" or "right" agrees only when it is all there is.
		if w := op.first[0]; (w == "this" || w == "right" || w == "true") && len(op.first) > agreeLen {
			agreeLen = 0
		}
	}
	if agreeLen > 0 {
		agree += cueAgreeOpener
	}
	if startsWithAny(op.first, rebuttalOpeners) > 0 {
		rebut += cueOpener
	}
	if containsAny(op.early, rebuttalMarks) {
		rebut += cueMark
	}
	for _, w := range op.early[agreeLen:] {
		if w == "but" || w == "however" || w == "although" || w == "though" || w == "except" || w == "yet" {
			rebut += cueContrast
			break
		}
	}
	for _, w := range op.first {
		if textproc.IsNegator(w) {
			rebut += cueNegation
			break
		}
	}
	if op.question {
		rebut += cueQuestion
	}
	li, lp := a.local[i], a.local[p]
	if abs(li) >= 1 && abs(lp) >= 1 {
		if li*lp < 0 {
			rebut += cueOpposed
		} else if a.sentEnd[i]-a.sentStart[i] <= 2 {
			agree += cueSameStance
		}
	}
	if rebut < rebuttalBar && a.quotes(i, p, runs) {
		agree += cueQuoteShare
	}
	switch {
	case agree >= agreementBar && agree > rebut:
		return relAgreement
	case rebut >= rebuttalBar:
		return relRebuttal
	}
	return relExtension
}

// opening is what the relation classifier reads of a reply.
type opening struct {
	first    []string // words of the first sentence
	early    []string // words of the first two sentences
	question bool     // the first sentence is a short question
}

// readOpening reads the first two sentences of reply i from the token
// stream, after a leading "@Name" (the parent's author's name, or the one
// word after '@').
func (a *analysis) readOpening(i, p int) opening {
	body := strings.TrimLeftFunc(a.t.Comments[i].Body, unicode.IsSpace)
	skip := 0
	if r, _ := utf8.DecodeRuneInString(body); r == '@' || r == '＠' || r == '﹫' {
		skip = a.mentionTokens(i, a.t.Comments[p].Author)
		// Further handles addressed at once ("@cnnbrk @DamoSpin …").
		rest := stripMention(body, a.t.Comments[p].Author)
		for {
			r, _ := utf8.DecodeRuneInString(rest)
			if r != '@' && r != '＠' && r != '﹫' {
				break
			}
			next := stripMention(rest, "")
			textproc.Words(rest[:len(rest)-len(next)], func([]byte, textproc.Word) { skip++ })
			if len(next) == len(rest) {
				break
			}
			rest = next
		}
	}
	var op opening
	used := 0
	for s := a.sentStart[i]; s < a.sentEnd[i] && used < 2; s++ {
		st := a.sents[s]
		n := 0
		for t := st.tok0; t < st.tok1; t++ {
			if skip > 0 {
				skip--
				continue
			}
			w := a.vocab.words[a.toks[t]>>1].text
			op.early = append(op.early, w)
			if used == 0 {
				op.first = append(op.first, w)
			}
			n++
		}
		if n == 0 {
			continue // the sentence was only the mention
		}
		if used == 0 {
			op.question = n <= 12 && a.isQuestion(int(s))
		}
		used++
	}
	if strings.HasPrefix(stripMention(body, a.t.Comments[p].Author), "+1") {
		op.first = append([]string{"agree"}, op.first...)
	}
	return op
}

// mentionTokens returns how many of reply i's first tokens spell the name
// it opens with: the parent's author's name when they match it, else one.
func (a *analysis) mentionTokens(i int, name string) int {
	var want []string
	textproc.Words(name, func(lower []byte, _ textproc.Word) { want = append(want, string(lower)) })
	n := 0
	for s := a.sentStart[i]; s < a.sentEnd[i] && n < len(want); s++ {
		st := a.sents[s]
		for t := st.tok0; t < st.tok1 && n < len(want); t++ {
			if a.vocab.words[a.toks[t]>>1].text != want[n] {
				return 1
			}
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return n
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

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
func startsWithAny(words []string, list phraseSet) int {
	if len(words) == 0 {
		return 0
	}
	best := 0
	for _, p := range list[words[0]] {
		if len(p) <= len(words) && len(p) > best && equalWords(words[:len(p)], p) {
			best = len(p)
		}
	}
	return best
}

func containsAny(words []string, list phraseSet) bool {
	for i, w := range words {
		for _, p := range list[w] {
			if i+len(p) <= len(words) && equalWords(words[i:i+len(p)], p) {
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

// quotes reports whether reply i reproduces a run of quoteRun consecutive
// words of its parent p (all of them, when the parent is shorter): a reply
// that passes its parent's words on without pushing back endorses them.
func (a *analysis) quotes(i, p int, scratch *[]uint64) bool {
	pt := a.commentTokens(p)
	n := min(quoteRun, len(pt))
	if n < 3 {
		return false
	}
	runs := (*scratch)[:0]
	for k := 0; k+n <= len(pt); k++ {
		runs = append(runs, hashRun(pt[k:k+n]))
	}
	*scratch = runs
	slices.Sort(runs)
	rt := a.commentTokens(i)
	for k := 0; k+n <= len(rt); k++ {
		if _, ok := slices.BinarySearch(runs, hashRun(rt[k:k+n])); ok {
			return true
		}
	}
	return false
}

// commentTokens returns comment i's tokens (word ids with the capital bit),
// which are contiguous in the token stream.
func (a *analysis) commentTokens(i int) []int32 {
	s0, s1 := a.sentStart[i], a.sentEnd[i]
	if s0 >= s1 {
		return nil
	}
	return a.toks[a.sents[s0].tok0:a.sents[s1-1].tok1]
}

// hashRun hashes a run of word ids (FNV-1a), capitals ignored.
func hashRun(run []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, t := range run {
		h ^= uint64(uint32(t >> 1))
		h *= 1099511628211
	}
	return h
}
