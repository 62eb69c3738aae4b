package relmodel

import (
	"slices"
	"strings"
)

// quoteRun consecutive words of the parent in the reply make a quote.
const quoteRun = 5

// Feature groups, the first byte hashed into every feature.
const (
	tagOpen1 byte = iota + 1
	tagOpen2
	tagOpen3
	tagFirst
	tagWord
	tagParent
	tagFlag
)

// Flags: what the features say beyond the words themselves.
const (
	flagEmpty = iota
	flagAddress
	flagAgreeOpener
	flagRebutOpener
	flagRebutMark
	flagContrast
	flagNegFirst
	flagAsksFirst
	flagAsksLater
	flagYouFirst
	flagIFirst
	flagQuote
	flagQuoteOpen
	flagParentAsks
	flagNegShared
	flagYouAsks
	flagSharedFirst
	flagGoesOn
	flagLen     // + length bin
	flagOverlap = flagLen + lenBins
	flagPLen    = flagOverlap + overlapBins
	flagCount   = flagPLen + lenBins
)

const (
	lenBins     = 5
	overlapBins = 5
)

// Extractor turns a (reply, parent) pair into the sorted, distinct feature
// indices of a model with 1<<bits buckets. It keeps scratch space between
// calls; one Extractor serves one goroutine.
type Extractor struct {
	bits   uint
	cues   uint8
	out    []uint32
	seen   []uint32 // seen[f] == stamp: feature f is in out
	stamp  uint32
	rh, ph []uint64 // word hashes of reply and parent (views, not owned)
	runs   hashSet  // runs of quoteRun words of the parent
	pset   hashSet  // the parent's content words
}

// NewExtractor returns an extractor for a model of 1<<bits buckets.
func NewExtractor(bits uint) *Extractor { return &Extractor{bits: bits, seen: make([]uint32, 1<<bits)} }

// Evidence cues: explicit signs of how a reply relates that the model's
// word features weigh too lightly (their credit is shared with every word
// of the reply, and the comment-section prior outweighs it). relgen fits a
// weight per cue and class on out-of-fold predictions (Model.Cue).
const (
	// CueAgrees: the reply agrees outright ("I agree", "Well said",
	// "Exactly.", "You make a good point"), with no turn, pushback or
	// question after it.
	CueAgrees uint8 = 1 << iota
	// CueSame: it speaks of "the same" without negation ("Same here", "I
	// was thinking the same").
	CueSame
	// CueGoesOn: it opens by going on with the parent ("Also, …", "And the
	// same goes for …", "In addition …"), with no pushback.
	CueGoesOn
	// CueRelays: it opens with "+1" or passes the parent on as a retweet
	// does ("“@News: Flights grounded …”"), with no pushback.
	CueRelays
	// NumCues is the number of cues.
	NumCues = 4
)

// Cues returns the evidence cues of the pair last given to Features.
func (x *Extractor) Cues() uint8 { return x.cues }

// strictAgree reports whether a first sentence opens by agreeing outright
// (agreeLen words of an agreement opener), not with a word that as often
// opens sarcasm ("Right.", "Yes, and …", "Sure").
func strictAgree(fw []string, agreeLen int) bool {
	return agreeLen > 0 && startsWithAny(fw, outrightAgreement) > 0
}

// Features returns the distinct features of reply r answering parent p
// (nil when the parent is unknown), in the order found. The slice is
// reused by the next call.
func (x *Extractor) Features(r, p *Comment) []uint32 {
	x.out = x.out[:0]
	x.stamp++
	if x.stamp == 0 { // wrapped: forget every stamp
		clear(x.seen)
		x.stamp = 1
	}
	lead := min(r.Lead, len(r.Words))
	words := r.Words[lead:]
	x.rh = r.Hashes[lead:]
	kinds := r.Kinds[lead:]
	if r.Lead > 0 {
		x.flag(flagAddress)
	}
	if len(words) == 0 {
		x.flag(flagEmpty)
	}
	// The first sentence after the address, and the second.
	first, early := len(words), len(words)
	asksFirst, asksLater := false, false
	k := 0
	for k < len(r.Ends) && int(r.Ends[k]) <= r.Lead {
		k++ // sentences that were only the address
	}
	if k < len(r.Ends) {
		first = min(int(r.Ends[k])-r.Lead, len(words))
		asksFirst = r.Asks[k]
		early = first
		if k+1 < len(r.Ends) {
			early = min(int(r.Ends[k+1])-r.Lead, len(words))
		}
		for _, a := range r.Asks[k+1:] {
			asksLater = asksLater || a
		}
	}
	h := x.rh
	if len(h) > 0 {
		x.add(mix(tagOpen1, h[0]))
	}
	if len(h) > 1 && first > 1 {
		x.add(mix(tagOpen2, h[0], h[1]))
	}
	if len(h) > 2 && first > 2 {
		x.add(mix(tagOpen3, h[0], h[1], h[2]))
	}
	for i := 0; i < first; i++ {
		x.add(mix(tagFirst, h[i]))
	}
	for i := range h {
		x.add(mix(tagWord, h[i]))
	}
	// Cues written by hand: openers that agree or push back, pushback in
	// the first two sentences, a turn ("but") early on, negation, questions.
	fw := words[:first]
	agreeLen := startsWithAny(fw, agreementOpeners)
	if agreeLen > 0 && (fw[0] == "this" || fw[0] == "right" || fw[0] == "true") && len(fw) > agreeLen {
		agreeLen = 0 // a lone "This." agrees; "This is wrong" does not
	}
	if agreeLen > 0 || r.PlusOne {
		x.flag(flagAgreeOpener)
	}
	goesOn := startsWithAny(fw, continuationOpeners)
	if goesOn > 0 {
		x.flag(flagGoesOn)
	}
	pushback := false
	if startsWithAny(fw, rebuttalOpeners) > 0 {
		x.flag(flagRebutOpener)
		pushback = true
	}
	if containsAny(words[:early], kinds, rebuttalMarks) {
		x.flag(flagRebutMark)
		pushback = true
	}
	for _, k := range kinds[agreeLen:early] {
		if k&Contrast != 0 {
			x.flag(flagContrast)
			pushback = true
			break
		}
	}
	you, me, neg, same := false, false, false, false
	for i, w := range fw {
		if kinds[i]&Negator != 0 && i >= agreeLen { // "I couldn't agree more" is no negation
			neg = true
		}
		you = you || kinds[i]&You != 0
		me = me || w == "i" || w == "i'm" || w == "i've" || w == "i'd" || w == "me" || w == "my"
		same = same || w == "same"
	}
	if neg {
		x.flag(flagNegFirst)
	}
	if you {
		x.flag(flagYouFirst)
	}
	if me {
		x.flag(flagIFirst)
	}
	// Evidence: agreement said outright, with no turn, pushback or question
	// after it ("Agree completely, go after the law and not the man"), nor
	// a negation before it ("That's not a good point").
	x.cues = 0
	pushback = pushback || asksFirst
	if !pushback {
		agrees := strictAgree(fw, agreeLen)
		if at := indexAny(fw, kinds, agreementMarks); at >= 0 && !agrees {
			agrees = true
			for _, k := range kinds[:at] {
				if k&Negator != 0 {
					agrees = false
				}
			}
		}
		switch {
		case r.PlusOne || r.Relays:
			x.cues |= CueRelays
		case agrees:
			x.cues |= CueAgrees
		case neg:
		case goesOn > 0:
			x.cues |= CueGoesOn
		case same:
			x.cues |= CueSame
		}
	}
	if asksFirst {
		x.flag(flagAsksFirst)
	}
	if asksLater {
		x.flag(flagAsksLater)
	}
	// A question put to the parent ("Do you even know …?").
	for k2, end := k, 0; k2 < len(r.Ends); k2++ {
		start := end
		end = int(r.Ends[k2]) - r.Lead
		if start >= len(words) {
			break
		}
		if !r.Asks[k2] || end <= 0 {
			continue
		}
		for _, k := range kinds[max(start, 0):min(end, len(words))] {
			if k&You != 0 {
				x.flag(flagYouAsks)
				break
			}
		}
	}
	x.flag(flagLen + lengthBin(len(words)))
	if p != nil {
		x.parent(p, words, kinds, first)
	}
	return x.out
}

// parent adds the parent's features and those of the pair.
func (x *Extractor) parent(p *Comment, words []string, kinds []Kind, first int) {
	lead := min(p.Lead, len(p.Words))
	pw := p.Words[lead:]
	x.ph = p.Hashes[lead:]
	pk := p.Kinds[lead:]
	for _, h := range x.ph {
		x.add(mix(tagParent, h))
	}
	for _, a := range p.Asks {
		if a {
			x.flag(flagParentAsks)
			break
		}
	}
	x.flag(flagPLen + lengthBin(len(pw)))
	// Overlap: the share of the reply's content words found in the parent.
	x.pset.reset(len(pw))
	for i := range pw {
		if pk[i]&Content != 0 {
			x.pset.add(x.ph[i])
		}
	}
	shared, contentWords := 0, 0
	negAt := -10 // position of the last negator
	for i := range words {
		if kinds[i]&Negator != 0 {
			negAt = i
		}
		if kinds[i]&Content == 0 {
			continue
		}
		contentWords++
		if x.pset.has(x.rh[i]) {
			shared++
			if i < first {
				x.flag(flagSharedFirst)
			}
			if i-negAt <= 3 {
				x.flag(flagNegShared) // "it's not about tenure" to a comment about tenure
			}
		}
	}
	bin := 0
	if contentWords > 0 {
		switch f := float64(shared) / float64(contentWords); {
		case f == 0:
			bin = 0
		case f < 0.1:
			bin = 1
		case f < 0.2:
			bin = 2
		case f < 0.35:
			bin = 3
		default:
			bin = 4
		}
	}
	x.flag(flagOverlap + bin)
	// A quote: quoteRun consecutive words of the parent.
	if len(x.ph) >= quoteRun && len(x.rh) >= quoteRun {
		x.runs.reset(len(x.ph))
		for k := 0; k+quoteRun <= len(x.ph); k++ {
			x.runs.add(runHash(x.ph[k : k+quoteRun]))
		}
		for k := 0; k+quoteRun <= len(x.rh); k++ {
			if x.runs.has(runHash(x.rh[k : k+quoteRun])) {
				x.flag(flagQuote)
				if k < max(first, quoteRun) {
					x.flag(flagQuoteOpen)
				}
				break
			}
		}
	}
}

// add adds a feature once: a stamp per bucket says whether this pair has
// it already, so that features need no sorting.
func (x *Extractor) add(h uint64) {
	f := uint32(h >> (64 - x.bits))
	if x.seen[f] == x.stamp {
		return
	}
	x.seen[f] = x.stamp
	x.out = append(x.out, f)
}

func (x *Extractor) flag(f int) { x.add(mix(tagFlag, uint64(f)*0x9e3779b97f4a7c15)) }

func lengthBin(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 8:
		return 1
	case n <= 20:
		return 2
	case n <= 50:
		return 3
	}
	return 4
}

// mix hashes a feature group and up to three word hashes into one
// well-spread value (the SplitMix64 finaliser after each step).
func mix(tag byte, hs ...uint64) uint64 {
	h := uint64(tag) * 0xbf58476d1ce4e5b9
	for _, v := range hs {
		h = fmix(h ^ v)
	}
	return fmix(h)
}

func fmix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// runHash hashes a run of word hashes, in order.
func runHash(hs []uint64) uint64 {
	h := uint64(0)
	for _, v := range hs {
		h = (h ^ v) * 0x9e3779b97f4a7c15
	}
	return h
}

// hashSet is a set of 64-bit hashes by open addressing, emptied in O(1)
// by a stamp, so that a set per pair costs no allocation and no sorting.
type hashSet struct {
	keys  []uint64
	stamp []uint32
	cur   uint32
	mask  uint64
}

// reset empties the set and makes room for n keys.
func (s *hashSet) reset(n int) {
	size := 64
	for size < 2*n {
		size *= 2
	}
	if size > len(s.keys) {
		s.keys = make([]uint64, size)
		s.stamp = make([]uint32, size)
		s.cur = 0
	}
	s.mask = uint64(len(s.keys) - 1)
	s.cur++
	if s.cur == 0 {
		clear(s.stamp)
		s.cur = 1
	}
}

func (s *hashSet) add(k uint64) {
	for i := fmix(k) & s.mask; ; i = (i + 1) & s.mask {
		if s.stamp[i] != s.cur {
			s.stamp[i], s.keys[i] = s.cur, k
			return
		}
		if s.keys[i] == k {
			return
		}
	}
}

func (s *hashSet) has(k uint64) bool {
	for i := fmix(k) & s.mask; ; i = (i + 1) & s.mask {
		if s.stamp[i] != s.cur {
			return false
		}
		if s.keys[i] == k {
			return true
		}
	}
}

var contrastWords = map[string]bool{"but": true, "however": true, "although": true, "though": true, "except": true, "yet": true}

var secondPerson = map[string]bool{"you": true, "your": true, "you're": true, "yours": true, "yourself": true, "you've": true, "you'd": true, "you'll": true, "ur": true, "u": true}

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

// startsWithAny returns the length of the longest phrase words starts with,
// or 0.
func startsWithAny(words []string, list phraseSet) int {
	if len(words) == 0 {
		return 0
	}
	best := 0
	for _, p := range list[words[0]] {
		if len(p) <= len(words) && len(p) > best && slices.Equal(words[:len(p)], p) {
			best = len(p)
		}
	}
	return best
}

// containsAny reports whether words hold a phrase of list.
func containsAny(words []string, kinds []Kind, list phraseSet) bool {
	return indexAny(words, kinds, list) >= 0
}

// indexAny returns where the first phrase of list in words starts, or -1;
// only words of kind MarkStart can start one.
func indexAny(words []string, kinds []Kind, list phraseSet) int {
	for i, w := range words {
		if kinds[i]&MarkStart == 0 {
			continue
		}
		for _, p := range list[w] {
			if i+len(p) <= len(words) && slices.Equal(words[i:i+len(p)], p) {
				return i
			}
		}
	}
	return -1
}

// Openings that mark a reply as agreeing with, or pushing back on, its
// parent, and pushback anywhere in the first two sentences: the model
// learns how much each says.
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
		"not quite", "only if", "the problem is",
	)
	// Openings that agree outright: the subset of agreementOpeners that
	// comment sections rarely use in sarcasm.
	outrightAgreement = phrases(
		"exactly", "agree", "agreed", "i agree", "i totally agree",
		"i completely agree", "i fully agree", "i couldn't agree more",
		"couldn't agree more", "i also agree", "well said", "well put",
		"so true", "very true", "spot on", "hear hear", "thank you", "thanks",
		"good point", "great point", "excellent point", "you're right",
		"you are right", "you are so right", "same here", "me too",
		"precisely", "ditto", "this", "bravo", "amen",
	)
	// Agreement said outright anywhere in the first sentence ("You make a
	// good point.", "Shiftless is right.").
	agreementMarks = phrases(
		"good point", "fair point", "great point", "valid point",
		"excellent point", "good question", "great question", "i agree",
		"i totally agree", "i completely agree", "i fully agree",
		"agree with you", "you're right", "you are right", "is right",
		"are right", "well said", "well put", "so true", "very true",
		"spot on", "couldn't agree more", "exactly right", "for sure",
	)
	// Openings that go on with the parent's point.
	continuationOpeners = phrases(
		"also", "and also", "and the same", "the same goes", "same goes",
		"same with", "similarly", "likewise", "in addition",
		"moreover", "furthermore", "not to mention", "what's more",
		"on top of that", "and another",
	)
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
		"bullshit", "bollocks", "ridiculous", "not what",
		"didn't happen", "did not happen", "never happened", "isn't true",
		"is not true", "wasn't", "debunk", "debunks",
	)
)
