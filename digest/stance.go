package digest

import (
	"slices"
	"strings"

	"github.com/threaddigest/threaddigest/internal/textproc"
)

// Weights of the stance model.
const (
	negationFlip      = -0.74 // a negated evaluative word counts this much, reversed
	negationScope     = 3     // tokens after a negator that it reaches
	reverseScope      = 3     // tokens after a reverser that it reaches (4 to 6 read no better)
	reverseFlip       = -0.8  // an evaluative word after a reverser counts this much, reversed
	tooFlip           = 0.8   // a good word after "too" counts this much, as a fault
	nearTarget        = 5     // tokens from a mention within which a cue is "near"
	farWeight         = 0.6   // a cue in a mentioning sentence but not near it
	noMentionWeight   = 0.35  // a cue in a sentence that does not mention the target
	questionWeight    = 0.6   // a question asserts less than a statement
	conditionalWeight = 0.3   // an evaluative word in an if- or whether-clause
	localScale        = 2.0   // local evidence e counts as tanh(e/localScale)
	subjectShare      = 0.15  // share of a thread's comments naming a target that makes it the thread's subject
	beliefCueWeight   = 1.0   // a word of a belief's debate ("hoax", "deniers")
	beliefLightWeight = 0.3   // a good word next to a problem makes light of it
)

// scoreLocalStance sets a.local: each comment's evidence for (positive) or
// against (negative) the target from its own words.
func (a *analysis) scoreLocalStance() {
	a.local = make([]float64, a.n)
	a.sentScore = make([]float64, len(a.sents))
	a.quoted = make([]uint64, (len(a.toks)+63)/64)
	a.direct = make([]float64, a.n)
	a.target.roles = make([]uint16, len(a.vocab.words))
	for id, w := range a.vocab.words {
		a.target.roles[id] = stanceRole(w.text)
	}
	if a.target.kind == kindBelief {
		a.target.cue = make([]float32, len(a.vocab.words))
		for id, w := range a.vocab.words {
			a.target.cue[id] = affirmWords[w.text] - denialWords[w.text]
		}
	}
	a.target.mentionedIn = make([]bool, a.n)
	a.target.clearest = make([]sides, a.n)
	if a.target.display == "" {
		return
	}
	var buf []int32
	var quoted []textproc.Span
	live, mentioning := 0, 0
	for i := 0; i < a.n; i++ {
		if !a.live(i) {
			continue
		}
		live++
		for s := a.sentStart[i]; s < a.sentEnd[i] && !a.target.mentionedIn[i]; s++ {
			buf = a.mentions(int(s), buf)
			a.target.mentionedIn[i] = len(buf) > 0
		}
		if a.target.mentionedIn[i] {
			mentioning++
		}
		// Marked here, one comment after another: neighbouring comments
		// share words of the bitset.
		quoted = a.markQuoted(i, quoted)
	}
	// A thread is about a target that many of its comments name, whether
	// or not its title does ("6 Million Riders a Day, 1930s Technology" is
	// about the MTA).
	if live > 0 && float64(mentioning) >= subjectShare*float64(live) {
		a.target.subject = true
	}
	// Each comment's sentences are scored on their own: in parallel
	// chunks, each writing only its comments' entries.
	forChunks(a.n, parallelStanceFrom, func(lo, hi int) {
		var buf []int32
		for i := lo; i < hi; i++ {
			if !a.live(i) {
				continue
			}
			total, near := 0.0, 0.0
			for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
				var v, vn float64
				v, vn, buf = a.sentenceStance(int(s), buf)
				a.sentScore[s] = v
				total += v
				near += vn
				c := &a.target.clearest[i]
				c.favor, c.against = max(c.favor, v), max(c.against, -v)
			}
			a.local[i] = total
			a.direct[i] = near
		}
	})
}

// parallelStanceFrom is the thread size from which comments are scored by
// several goroutines.
const parallelStanceFrom = 2000

// sentenceStance scores one sentence: evaluative words, reversed under
// negation, strengthened by intensifiers, shifted by contrast ("…, but …"),
// weighted by how near they stand to a mention of the target. near is the
// part of the score said of the target itself (a.direct).
func (a *analysis) sentenceStance(s int, buf []int32) (score, near float64, _ []int32) {
	sn := a.sents[s]
	buf = a.mentions(s, buf)
	mention := buf
	hyp := a.conditionalSpan(s)
	if v, ok := a.actionStance(s, mention, hyp); ok {
		return v, v, buf
	}
	if v, ok := a.demandStance(s, mention, hyp); ok {
		return v, v, buf
	}
	// "Ericsson is better than Huawei": what is said of the one before
	// "than" is denied of the target after it.
	than := int32(-1)
	for t := sn.tok0; t < sn.tok1; t++ {
		if a.role(t)&roleThan != 0 {
			than = t
			break
		}
	}
	compared := than >= 0 && len(mention) > 0 && mention[0] > than
	before, after := 0.0, 0.0
	nearBefore, nearAfter := 0.0, 0.0
	contrasted := false
	belief := a.target.kind == kindBelief
	for t := sn.tok0; t < sn.tok1; t++ {
		w := &a.vocab.words[a.toks[t]>>1]
		if w.contrast && t > sn.tok0 {
			contrasted = true
			continue
		}
		if belief {
			// A claim is argued with the vocabulary of its debate: its
			// doubters' words are against it, its defenders' for it,
			// whoever is being spoken of.
			if cue := a.target.cue[a.toks[t]>>1]; cue != 0 && !holds(mention, t) && !a.inQuote(t) {
				v := float64(cue) * beliefCueWeight
				if a.negated(t, sn.tok0) {
					v = -v
				}
				if contrasted {
					after += v
					nearAfter += v
				} else {
					before += v
					nearBefore += v
				}
				continue
			}
		}
		if w.valence == 0 || holds(mention, t) || a.inQuote(t) {
			continue
		}
		v := a.polarity(t, sn.tok0, sn.tok1)
		if hyp.holds(t) {
			v *= conditionalWeight
		}
		if compared && t < than {
			v = -v
		}
		weight := noMentionWeight
		near := false
		if len(mention) > 0 {
			weight = farWeight
			// mention is sorted: only the mentions either side of t matter.
			k, _ := slices.BinarySearch(mention, t)
			if k < len(mention) && mention[k]-t <= nearTarget || k > 0 && t-mention[k-1] <= nearTarget {
				weight = 1
				near = true
			}
		}
		if belief {
			// Alarm about a problem accepts it ("catastrophic warming");
			// making light of it doubts it. Elsewhere good and bad words
			// judge the people arguing, not the claim.
			switch {
			case !near:
				weight = 0
			case v < 0:
				v = -v
			default:
				v = -v * beliefLightWeight
			}
		}
		if contrasted {
			after += v * weight
		} else {
			before += v * weight
		}
		// What a sentence naming an entity says is said of it; of a
		// belief, only what stands next to it.
		if near || len(mention) > 0 && !belief {
			if contrasted {
				nearAfter += v * weight
			} else {
				nearBefore += v * weight
			}
		}
	}
	score, near = before+after, nearBefore+nearAfter
	if contrasted {
		score = 0.5*before + 1.5*after
		near = 0.5*nearBefore + 1.5*nearAfter
	}
	if a.isQuestion(s) {
		score *= questionWeight
		near *= questionWeight
	}
	return score, near, buf
}

// actionStance reads a sentence that names an action on the target ("ban
// Huawei", "repeal the law", "rip it out"): it takes the action's side,
// reversed when the action is negated ("we should not ban them") or judged
// badly ("banning them would be a mistake"); other evaluative words of the
// sentence judge the action, not the target. In a thread about the target a
// bare "ban" is a ban of the target, judged by the rest of the sentence. An
// action in an if-clause is only weighed by its consequences ("if France
// bans Huawei, China will retaliate").
func (a *analysis) actionStance(s int, mention []int32, hyp span) (float64, bool) {
	sn := a.sents[s]
	act, object := int32(-1), int32(-1)
	for _, m := range a.actionObjects(s, mention) {
		for t := max(sn.tok0, m-actionReach); t < m; t++ {
			if a.vocab.words[a.toks[t]>>1].action != 0 && !a.isTargetWord(t) {
				act, object = t, m
				break
			}
		}
		if act >= 0 {
			break
		}
	}
	bare := false
	if act < 0 && len(mention) == 0 && a.target.subject {
		for t := sn.tok0; t < sn.tok1; t++ {
			if a.role(t)&roleBare != 0 {
				act, object, bare = t, t, true
				break
			}
		}
	}
	if act < 0 {
		return 0, false
	}
	side := float64(a.vocab.words[a.toks[act]>>1].action)
	// "keep them out", "phase Huawei out": the particle makes it exclusion.
	for t := object + 1; t < sn.tok1 && t <= object+3; t++ {
		if a.role(t)&roleOut != 0 {
			side = -1
			break
		}
	}
	for b := act - 1; b >= sn.tok0 && b >= act-negationScope; b-- {
		if a.vocab.words[a.toks[b]>>1].negator {
			side = -side
			break
		}
	}
	if bare && side > 0 {
		return 0, true // "it is not a ban": a description, not a side
	}
	// What follows the action judges it or tells its consequences
	// ("banning them would be a mistake", "… and nothing terrible
	// happened"); what precedes it judges it only in "a mistake to ban
	// them". Elsewhere words before it are the commenter's reasons.
	from := object + 1
	if act > sn.tok0 && a.role(act-1)&roleTo != 0 {
		from = sn.tok0
	}
	judged := 0.0
	for t := from; t < sn.tok1; t++ {
		w := &a.vocab.words[a.toks[t]>>1]
		if t == act || w.valence == 0 || w.action != 0 || holds(mention, t) {
			continue
		}
		judged += a.polarity(t, sn.tok0, sn.tok1)
	}
	hypothetical := hyp.holds(act)
	switch {
	case judged >= 1 || judged <= -1:
		return side * judged, true
	case bare && (judged >= 0.5 || judged <= -0.5):
		return side * judged, true
	case bare:
		return 0, true // a ban talked about, not called for
	case hypothetical:
		return side * judged, true
	}
	return 1.5 * side, true
}

// demandWeight is the evidence of a sentence that tells an entity what it
// must do.
const demandWeight = 1.2

// modals tell someone what they must do; granted are what a demand may
// grant instead ("Huawei should be allowed to bid").
var (
	modals  = map[string]bool{"should": true, "must": true, "needs": true, "need": true, "ought": true, "shouldn't": true, "mustn't": true}
	granted = map[string]bool{"allowed": true, "given": true, "trusted": true, "praised": true, "credited": true, "thanked": true, "supported": true, "applauded": true, "commended": true, "left": true, "free": true}
)

// demandStance reads a sentence that tells an entity target what it must
// do ("Trump needs to learn…", "the MTA should stop…"): a commenter
// demanding that someone change is criticising them, however kind the
// words that follow, unless the demand grants something ("should be
// allowed"). A demand in an if-clause, or of a belief, says nothing here.
func (a *analysis) demandStance(s int, mention []int32, hyp span) (float64, bool) {
	if a.target.kind != kindEntity || len(mention) == 0 {
		return 0, false
	}
	sn := a.sents[s]
	for _, m := range mention {
		for t := m + 1; t < sn.tok1 && t <= m+2; t++ {
			if a.role(t)&roleModal == 0 || hyp.holds(t) {
				continue
			}
			for u := t + 1; u < sn.tok1 && u <= t+3; u++ {
				if a.role(u)&roleGranted != 0 || a.vocab.words[a.toks[u]>>1].action > 0 {
					return demandWeight, true
				}
			}
			return -demandWeight, true
		}
	}
	return 0, false
}

// actionObjects are the tokens an action of sentence s may act on: the
// mentions of the target, and the pronouns "it" and "them" when the target
// is the thread's subject or the comment names it.
func (a *analysis) actionObjects(s int, mention []int32) []int32 {
	sn := a.sents[s]
	if !a.target.subject && !a.target.mentionedIn[sn.comment] {
		return mention
	}
	out := mention
	copied := false // mention is the caller's buffer: copy it before the first append
	for t := sn.tok0; t < sn.tok1; t++ {
		if a.role(t)&rolePronoun != 0 {
			if !copied {
				out, copied = append([]int32(nil), mention...), true
			}
			out = append(out, t)
		}
	}
	return out
}

// span is a range of tokens [from, to); the zero span holds nothing.
type span struct{ from, to int32 }

func (sp span) holds(t int32) bool { return t >= sp.from && t < sp.to }

// conditionalSpan returns the tokens of sentence s that stand in an if- or
// whether-clause: from the conjunction to the next comma, colon, semicolon
// or dash (or "then"), else to the end of the sentence. What a clause
// supposes is not what the commenter asserts.
func (a *analysis) conditionalSpan(s int) span {
	sn := a.sents[s]
	c := int32(-1)
	for t := sn.tok0; t < sn.tok1; t++ {
		if a.role(t)&roleConditional != 0 {
			c = t
			break
		}
	}
	if c < 0 {
		return span{}
	}
	end := sn.tok1
	text := a.sentenceText(s)
	k := sn.tok0
	after := -1 // byte offset past the conjunction
	textproc.Words(text, func(_ []byte, w textproc.Word) {
		defer func() { k++ }()
		if end != sn.tok1 {
			return
		}
		if k == c {
			after = w.End
			return
		}
		if after < 0 {
			return
		}
		if a.role(k)&roleThen != 0 || strings.ContainsAny(text[after:w.Start], ",;:—–") {
			end = k
		}
		after = w.End
	})
	return span{c, end}
}

// polarity is the valence of token t in its context: none for a word that
// reverses an evaluative word after it ("prevent", "reduce"), reversed after such a word
// ("prevents disease" is good) or a negator ("not safe"), strengthened by an
// intensifier. from is the first token of the sentence.
func (a *analysis) polarity(t, from, to int32) float64 {
	w := &a.vocab.words[a.toks[t]>>1]
	if a.role(t)&roleReverser != 0 && (t+1 >= to || a.role(t+1)&roleUnbound == 0) {
		for f := t + 1; f < to && f <= t+reverseScope; f++ {
			if a.vocab.words[a.toks[f]>>1].valence != 0 && a.role(f)&roleReverser == 0 {
				return 0 // it reverses that word instead
			}
		}
	}
	v := float64(w.valence)
	for b := t - 1; b >= from && b >= t-reverseScope; b-- {
		pw := &a.vocab.words[a.toks[b]>>1]
		if pw.negator && b >= t-negationScope {
			v *= negationFlip
			break
		}
		if a.role(b)&roleReverser != 0 {
			if a.role(b+1)&roleUnbound == 0 {
				v *= reverseFlip
			}
			break
		}
		if pw.contrast {
			break
		}
	}
	if t > from {
		prev := &a.vocab.words[a.toks[t-1]>>1]
		if prev.text == "too" && v > 0 {
			// Too much of a good thing is a fault: "too cheap to
			// modernise", "too clever by half".
			return -v * tooFlip
		}
		if in := prev.intensity; in > 0 {
			v *= float64(in)
		}
	}
	return v
}

// Roles of words in reading stance, beyond their valence.
const (
	roleReverser    uint16 = 1 << iota // "prevent", "reduce": turns what follows around
	roleBare                           // "ban": an action on the subject even unnamed
	roleConditional                    // "if", "whether": opens a supposition
	roleThen                           // "then": closes one
	roleThan                           // "than": opens the foil of a comparison
	roleOut                            // "out": "keep them out"
	roleTo                             // "to": "a mistake to ban them"
	rolePronoun                        // "it", "them": may stand for the target
	roleUnbound                        // "with", "up": after a reverser, it has no object ("it ends with trust")
	roleReporting                      // "says", "suggestion": gives a that-clause to someone else
	roleFirstPerson                    // "I", "we": the commenter's own view
	roleModal                          // "should", "must": a demand
	roleGranted                        // "allowed", "trusted": what a demand may grant
)

func stanceRole(w string) uint16 {
	var r uint16
	if reversers[w] {
		r |= roleReverser
	}
	if bareActions[w] {
		r |= roleBare
	}
	if conditionals[w] {
		r |= roleConditional
	}
	switch w {
	case "then":
		r |= roleThen
	case "than":
		r |= roleThan
	case "out":
		r |= roleOut
	case "to":
		r |= roleTo
	case "it", "them":
		r |= rolePronoun
	case "with", "up", "in", "at", "on", "by", "as":
		r |= roleUnbound
	}
	if reporting[w] {
		r |= roleReporting
	}
	if firstPerson[w] {
		r |= roleFirstPerson
	}
	if modals[w] {
		r |= roleModal
	}
	if granted[w] {
		r |= roleGranted
	}
	return r
}

// role returns the stance roles of token t's word.
func (a *analysis) role(t int32) uint16 {
	id := a.toks[t] >> 1
	if int(id) < len(a.target.roles) {
		return a.target.roles[id]
	}
	return stanceRole(a.vocab.words[id].text)
}

// holds reports whether the sorted positions hold t.
func holds(positions []int32, t int32) bool {
	_, ok := slices.BinarySearch(positions, t)
	return ok
}

// markQuoted sets the bits of a.quoted for the tokens of comment i that
// stand inside one of the comment's quoted spans: what a commenter quotes
// is not what they say. quoted is scratch space, returned for reuse.
func (a *analysis) markQuoted(i int, quoted []textproc.Span) []textproc.Span {
	body := a.t.Comments[i].Body
	a.markAttributed(i)
	quoted = textproc.QuotedSpans(quoted[:0], body)
	if len(quoted) == 0 {
		return quoted
	}
	for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
		sn := a.sents[s]
		if int(sn.end) <= quoted[0].Start || int(sn.start) >= quoted[len(quoted)-1].End {
			continue
		}
		t := sn.tok0
		textproc.Words(body[sn.start:sn.end], func(_ []byte, w textproc.Word) {
			pos := int(sn.start) + w.Start
			for _, q := range quoted {
				if pos >= q.Start && pos < q.End {
					a.quoted[t>>6] |= 1 << (t & 63)
					break
				}
			}
			t++
		})
	}
	return quoted
}

// reporting are words that attribute the clause after "that" to someone
// else: "the article suggests that Trump won", "critics claim that…".
var reporting = map[string]bool{
	"said": true, "says": true, "saying": true, "suggests": true, "suggested": true, "suggestion": true,
	"claim": true, "claims": true, "claimed": true, "argues": true, "argued": true, "argument": true,
	"reports": true, "reported": true, "insists": true, "insisted": true, "alleges": true, "alleged": true,
	"tells": true, "told": true, "notion": true, "idea": true, "assertion": true, "asserts": true,
}

// markAttributed marks, like quotes, the clauses of comment i that a
// reporting word gives to someone other than the commenter ("the odd
// suggestion in the article that Trump was celebrating his victory"), up
// to a contrast or the end of the sentence. What the commenter says of
// their own belief ("I said that…", "we argued that…") is theirs.
func (a *analysis) markAttributed(i int) {
	for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
		sn := a.sents[s]
		for t := sn.tok0; t < sn.tok1; t++ {
			if a.role(t)&roleReporting == 0 || t > sn.tok0 && a.role(t-1)&roleFirstPerson != 0 {
				continue
			}
			that := int32(-1)
			for u := t + 1; u < sn.tok1 && u <= t+5; u++ {
				if a.vocab.words[a.toks[u]>>1].text == "that" {
					that = u
					break
				}
			}
			if that < 0 {
				continue
			}
			u := that + 1
			for ; u < sn.tok1 && !a.vocab.words[a.toks[u]>>1].contrast; u++ {
				a.quoted[u>>6] |= 1 << (u & 63)
			}
			t = u
		}
	}
}

// firstPerson are the subjects under which a reporting word reports the
// commenter's own view.
var firstPerson = map[string]bool{"i": true, "we": true, "i've": true, "we've": true}

// inQuote reports whether token t stands in quotes.
func (a *analysis) inQuote(t int32) bool { return a.quoted[t>>6]&(1<<(t&63)) != 0 }

// negated reports whether a negator stands within negationScope tokens
// before token t of a sentence starting at from.
func (a *analysis) negated(t, from int32) bool {
	for b := t - 1; b >= from && b >= t-negationScope; b-- {
		if a.vocab.words[a.toks[b]>>1].negator {
			return true
		}
	}
	return false
}

func (a *analysis) isTargetWord(t int32) bool {
	w := a.vocab.words[a.toks[t]>>1]
	for _, st := range a.target.stems {
		if w.stem == st {
			return true
		}
	}
	return false
}

func (a *analysis) isQuestion(s int) bool {
	st := a.sents[s]
	body := a.t.Comments[st.comment].Body
	for e := st.end - 1; e >= st.start; e-- {
		switch body[e] {
		case '?':
			return true
		case '"', '\'', ')', ' ', '!':
			continue
		}
		return false
	}
	return false
}

// clearerSide reports whether comment i is a clearer example of the side
// sign (+1 favor, -1 against) than comment j (-1: none yet), to be quoted
// for it: the comment whose own words lean that way and whose most
// stance-bearing sentence says it most strongly; then the surer stance;
// then the earlier comment.
func (a *analysis) clearerSide(i, j int, sign float64) bool {
	if j < 0 {
		return true
	}
	ci, cj := a.quotable(i, sign), a.quotable(j, sign)
	if ci != cj {
		return ci > cj
	}
	if si, sj := a.stance[i]*sign, a.stance[j]*sign; si != sj {
		return si > sj
	}
	return a.rank[i] < a.rank[j]
}

// quotable is how clearly comment i's own words take the side sign: its
// most stance-bearing sentence's score for that side, or 0 when the
// comment's words lean the other way on the whole.
func (a *analysis) quotable(i int, sign float64) float64 {
	if a.target.clearest == nil || a.local[i]*sign <= 0 {
		return 0
	}
	if sign > 0 {
		return a.target.clearest[i].favor
	}
	return a.target.clearest[i].against
}

func stanceName(l int8) string {
	switch l {
	case labelFavor:
		return StanceFavor
	case labelAgainst:
		return StanceAgainst
	}
	return StanceNone
}
