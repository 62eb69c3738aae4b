package digest

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/digest/internal/relmodel"
	"github.com/threaddigest/threaddigest/internal/textproc"
)

//go:generate go run ./internal/relgen -out relations.model

// relationModelData holds the weights of the reply-relation model, written
// by internal/relgen from the labelled comment pairs in ../shared/data (see
// the README's "Data and credits").
//
//go:embed relations.model
var relationModelData []byte

// relationModel is the decoded model. The file is part of the build, so a
// file that does not decode is a broken build, which a test catches.
var relationModel = sync.OnceValue(func() *relmodel.Model {
	m, err := relmodel.Decode(relationModelData)
	if err != nil {
		panic("digest: embedded " + err.Error())
	}
	return m
})

// Probabilities are indexed by relmodel's classes.
const (
	probRebuttal  = relmodel.Rebuttal
	probAgreement = relmodel.Agreement
	probExtension = relmodel.Extension
)

// Replies scanned back through a branch for the comment a reply answers.
const siblingLookback = 50

// classifyRelations sets, for every reply, the comment it really answers
// (a.answers), how it relates to that comment (a.answerProb), how it
// relates to its stated parent (a.relProb, composed through the comment it
// answers) and the relation shown (a.relation, the most probable).
//
// A reply under one's own comment is an extension: the author goes on with
// their own point (or, when it rebuts the one who rebutted that comment,
// defends it: statedThrough). A reply whose parent is not in the input (deleted
// upstream, or not fetched) is still a reply, read from its own words.
func (a *analysis) classifyRelations() { a.classifyRelationsWith(relationModel()) }

// classifyRelationsWith is classifyRelations with model m.
func (a *analysis) classifyRelationsWith(m *relmodel.Model) {
	a.relProb = make([][3]float32, a.n)
	a.answerProb = make([][3]float32, a.n)
	a.answers = make([]int32, a.n)
	kids := make([][]int32, a.n)
	for i := 0; i < a.n; i++ {
		a.answers[i] = -1
		if p := a.parent[i]; p >= 0 {
			kids[p] = append(kids[p], int32(i))
		}
	}
	names := a.newNameIndex()
	words := a.relWords()
	pos := make([]int32, a.n) // position of each reply among its parent's replies
	for _, ks := range kids {
		for k, i := range ks {
			pos[i] = int32(k)
		}
	}
	// Each reply is read on its own, in parallel chunks (the model's
	// probabilities toward the comment it answers); its relation to the
	// stated parent is then composed in order, since that reads the
	// relation of the sibling it answers, an earlier reply.
	const (
		relTop      = iota // not a reply
		relAsRead          // stated relation as read
		relOwn             // under one's own comment, answering someone else: composed, never a rebuttal
		relComposed        // answers a sibling: composed through it
	)
	kind := make([]uint8, a.n)
	answer := make([][3]float64, a.n)
	forChunks(a.n, parallelRelationsFrom, func(lo, hi int) {
		x := relmodel.NewExtractor(m.Bits)
		var rc, pc relmodel.Comment
		var runs []uint64
		for i := lo; i < hi; i++ {
			if !a.live(i) {
				continue
			}
			p := int(a.parent[i])
			if p < 0 {
				if c := &a.t.Comments[i]; c.ParentID == "" || c.ParentID == c.ID {
					continue // top-level (a comment is never its own parent)
				}
			}
			if a.sentStart[i] == a.sentEnd[i] {
				// No words (emoji, punctuation): nothing said against anyone.
				a.answers[i], answer[i], kind[i] = int32(p), extensionOnly, relAsRead
				continue
			}
			if p < 0 {
				// The parent is not in the input.
				a.readComment(i, &rc, words)
				rc.Lead = relmodel.LeadingHandles(a.t.Comments[i].Body)
				pc.Reset()
				a.answers[i], answer[i], kind[i] = -1, m.Probs(x.Features(&rc, &pc), x.Cues()), relAsRead
				continue
			}
			// Under one's own comment a reply goes on with one's own point:
			// an extension, whatever else it answers.
			self := a.commenter[i] == a.commenter[p]
			t, lead := a.answered(i, p, kids[p][:pos[i]], names, &runs)
			if self && t == p {
				a.answers[i], answer[i], kind[i] = int32(p), extensionOnly, relAsRead
				continue
			}
			a.readComment(i, &rc, words)
			rc.Lead = lead
			a.readComment(t, &pc, words)
			rc.Relays = a.relays(i, t, &runs)
			a.answers[i], answer[i] = int32(t), m.Probs(x.Features(&rc, &pc), x.Cues())
			switch {
			case self:
				kind[i] = relOwn
			case t != p:
				kind[i] = relComposed
			default:
				kind[i] = relAsRead
			}
		}
	})
	for i := 0; i < a.n; i++ {
		pr, t := answer[i], a.answers[i]
		switch kind[i] {
		case relAsRead:
			a.setRelation(i, t, pr, pr)
		case relOwn, relComposed:
			a.setRelation(i, t, pr, a.statedThrough(i, int(t), pr))
		}
	}
	a.textRelation = slices.Clone(a.relation)
}

// parallelRelationsFrom is the thread size from which replies are read by
// several goroutines.
const parallelRelationsFrom = 2000

// extensionOnly is the relation of a reply under its author's own comment,
// or of one with no words.
var extensionOnly = [3]float64{probExtension: 1}

// setRelation records reply i's relation to the comment it answers (t, -1
// when unknown) and to its stated parent.
func (a *analysis) setRelation(i int, t int32, answer, stated [3]float64) {
	a.answers[i] = t
	for c := range stated {
		a.answerProb[i][c] = float32(answer[c])
		a.relProb[i][c] = float32(stated[c])
	}
	best := probRebuttal
	for c := range stated {
		if stated[c] > stated[best] {
			best = c
		}
	}
	switch best {
	case probRebuttal:
		a.relation[i] = relRebuttal
	case probAgreement:
		a.relation[i] = relAgreement
	default:
		a.relation[i] = relExtension
	}
}

// signToward is how comment t stands toward p, the parent it was written
// under, for composing a sibling's relation: an author stands with their
// own comment.
func (a *analysis) signToward(t, p int) [3]float64 {
	if a.commenter[t] == a.commenter[p] {
		return [3]float64{probAgreement: 1}
	}
	var s [3]float64
	for c := range s {
		s[c] = float64(a.relProb[t][c])
	}
	return s
}

// composeTable[x][y] is the relation to p of a reply that relates by x to a
// comment that relates by y to p: rebutting a rebuttal agrees with p,
// agreeing with a rebuttal rebuts p, going on with a rebuttal rebuts p.
var composeTable = [3][3]int{
	probRebuttal:  {probRebuttal: probAgreement, probAgreement: probRebuttal, probExtension: probRebuttal},
	probAgreement: {probRebuttal: probRebuttal, probAgreement: probAgreement, probExtension: probExtension},
	probExtension: {probRebuttal: probRebuttal, probAgreement: probExtension, probExtension: probExtension},
}

// statedThrough is reply i's relation to its stated parent p when it
// answers another comment t of p's branch by x: composed through t's
// relation to p. Under one's own comment there is no rebutting oneself:
// an author who rebuts the one who rebutted them defends their comment
// (agreement), and one who thanks, asks or goes on with someone goes on
// with their own point (extension).
func (a *analysis) statedThrough(i, t int, x [3]float64) [3]float64 {
	p := int(a.parent[i])
	if p < 0 || p == t {
		return x
	}
	s := compose(x, a.signToward(t, p))
	if a.commenter[p] == a.commenter[i] {
		s[probExtension] += s[probRebuttal]
		s[probRebuttal] = 0
	}
	return s
}

// compose gives the distribution of a reply's relation to p from its
// relation to the comment it answers (x) and that comment's to p (y).
func compose(x, y [3]float64) [3]float64 {
	var out [3]float64
	for i := range x {
		for j := range y {
			out[composeTable[i][j]] += x[i] * y[j]
		}
	}
	return out
}

// readComment fills c with comment i's words from the token stream, as
// relmodel.Comment.Read would read its body (but for the address, Lead,
// which the caller sets); words[id] holds each word's hash and kind.
func (a *analysis) readComment(i int, c *relmodel.Comment, words []relWord) {
	c.Reset()
	for s := a.sentStart[i]; s < a.sentEnd[i] && !c.Full(); s++ {
		st := a.sents[s]
		for t := st.tok0; t < st.tok1; t++ {
			id := a.toks[t] >> 1
			if !c.Add(a.vocab.words[id].text, words[id].hash, words[id].kind) {
				break
			}
		}
		c.EndSentence(relmodel.Asks(a.sentenceText(int(s))))
	}
	c.PlusOne = relmodel.OpensPlusOne(a.t.Comments[i].Body)
}

// relWord is what the relation model needs of a vocabulary word.
type relWord struct {
	hash uint64
	kind relmodel.Kind
}

// relWords hashes and kinds every word of the vocabulary once.
func (a *analysis) relWords() []relWord {
	out := make([]relWord, len(a.vocab.words))
	for id, w := range a.vocab.words {
		out[id] = relWord{relmodel.HashWord(w.text), relmodel.KindOf(w.text)}
	}
	return out
}

// relays reports whether reply i passes comment p on as a retweet does:
// "RT @Name" or "“@Name: …”" with p's words.
func (a *analysis) relays(i, p int, runs *[]uint64) bool {
	body, name := a.t.Comments[i].Body, a.t.Comments[p].Author
	if name == "" {
		return false
	}
	at := strings.Index(body, "@"+name)
	if at < 0 {
		return false
	}
	rest := body[at+1+len(name):]
	before := strings.TrimRightFunc(body[:at], unicode.IsSpace)
	if !strings.HasPrefix(rest, ":") && !strings.HasSuffix(before, "RT") {
		return false
	}
	return a.quotes(i, p, runs)
}

// answered finds the comment reply i answers among its stated parent p and
// the earlier replies to p (siblings, oldest first), and how many of its
// first words address that comment's author. Globe and Mail style trees are
// flat: a reply under the branch's first comment often answers a sibling,
// which it names ("Lamont, …", "@Lamont", "Mr. Cranston") or quotes.
func (a *analysis) answered(i, p int, siblings []int32, names *nameIndex, runs *[]uint64) (int, int) {
	lead := a.mentionLead(i, p, names)
	// latest is commenter k's latest comment in the branch, or -1.
	latest := func(k int32) int {
		if a.commenter[p] == k {
			return p
		}
		for s := len(siblings) - 1; s >= 0 && s >= len(siblings)-siblingLookback; s-- {
			if j := siblings[s]; a.commenter[j] == k && a.live(int(j)) {
				return int(j)
			}
		}
		return -1
	}
	self := a.commenter[i]
	// The commenters it may name: those of the branch (the parent's and
	// the recent siblings'), in commenter order, which is the order the
	// name index lists them in. Matching against the branch rather than
	// every namesake keeps a thread of a million comments linear.
	var arr [siblingLookback + 1]int32
	cands := arr[:0]
	if k := a.commenter[p]; k != self {
		cands = append(cands, k)
	}
	for s := len(siblings) - 1; s >= 0 && s >= len(siblings)-siblingLookback; s-- {
		if j := siblings[s]; a.commenter[j] != self && a.live(int(j)) {
			cands = append(cands, a.commenter[j])
		}
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)
	toks := a.commentTokens(i)
	toks = toks[:min(len(toks), nameWindow)]
	for n := range toks {
		k, length := names.match(toks[n:], cands)
		if k < 0 {
			continue
		}
		if n == lead {
			// The reply opens with the name: an address, not words of it.
			lead += length
		}
		return latest(k), lead
	}
	// A quote of a sibling it does not take from the parent.
	for s := len(siblings) - 1; s >= 0 && s >= len(siblings)-quoteLookback; s-- {
		j := int(siblings[s])
		if a.commenter[j] == self || !a.live(j) {
			continue
		}
		if a.quotes(i, j, runs) && !a.quotes(i, p, runs) {
			return j, lead
		}
	}
	return p, lead
}

// Bounds of the search for the comment a reply answers: the words read for
// names, the siblings checked for quotes.
const (
	nameWindow    = 25
	quoteLookback = 10
)

// nameIndex finds commenters' names in comments. A name is matched whole
// ("g.d.", "Lamont Cranston", "shiftless2", or a one-word name without its
// digits, "shiftless"), or by one of its words of three letters or more
// that is not a common word, written with a capital ("Lamont", "Cranston",
// "Shore", but not "right" of "AB Right Winger").
type nameIndex struct {
	// mark[id] says whether word id may name someone alone (1) or opens a
	// whole name (2): most words name nobody, and a slice answers that
	// faster than a map.
	mark    []uint8
	wordsOf [][]int32         // commenter -> the words of their name a mention may be by alone
	name    [][]int32         // word ids of each commenter's name (-1: a word no comment uses)
	whole   map[[2]int32]bool // (word id, commenter): the word is the whole name, or it without digits
}

func (a *analysis) newNameIndex() *nameIndex {
	x := &nameIndex{mark: make([]uint8, len(a.vocab.words)), wordsOf: make([][]int32, len(a.commenters)), name: make([][]int32, len(a.commenters)), whole: map[[2]int32]bool{}}
	done := make([]bool, len(a.commenters))
	var words []string
	for i, c := range a.t.Comments {
		k := a.commenter[i]
		if done[k] {
			continue
		}
		done[k] = true
		words = words[:0]
		textproc.Words(c.Author, func(lower []byte, _ textproc.Word) { words = append(words, string(lower)) })
		if len(words) == 0 {
			continue
		}
		ids := make([]int32, len(words))
		for n, w := range words {
			ids[n] = a.vocab.lookup(w)
		}
		x.name[k] = ids
		if ids[0] >= 0 {
			x.mark[ids[0]] |= 2
		}
		if len(words) == 1 {
			if t := strings.TrimRightFunc(words[0], unicode.IsDigit); t != words[0] && len(t) >= 3 && !commonNameWord(t) {
				if id := a.vocab.lookup(t); id >= 0 {
					x.whole[[2]int32{id, k}] = true
					x.wordsOf[k] = append(x.wordsOf[k], id)
					x.mark[id] |= 1
				}
			}
			continue
		}
		for n, w := range words {
			if len(w) >= 3 && !commonNameWord(w) && ids[n] >= 0 && !slices.Contains(ids[:n], ids[n]) {
				x.wordsOf[k] = append(x.wordsOf[k], ids[n])
				x.mark[ids[n]] |= 1
			}
		}
	}
	return x
}

// match returns the commenter (other than self) whose name toks start
// with, among those latest finds in the branch, and the name's length in
// words; -1 when none.
func (x *nameIndex) match(toks []int32, cands []int32) (int32, int) {
	id := toks[0] >> 1
	if x.mark[id] == 0 {
		return -1, 0
	}
	for _, k := range cands {
		name := x.name[k]
		if len(name) == 0 || name[0] != id || len(name) > len(toks) {
			continue
		}
		ok := true
		for n, w := range name {
			ok = ok && toks[n]>>1 == w
		}
		if ok {
			return k, len(name)
		}
	}
	for _, k := range cands {
		if slices.Contains(x.wordsOf[k], id) && (toks[0]&1 == 1 || x.whole[[2]int32{id, k}]) {
			return k, 1
		}
	}
	return -1, 0
}

// commonNameWord reports whether a word of a name is too common to say
// that the name is meant.
func commonNameWord(w string) bool {
	return textproc.IsStopWord(w) || commonWords[w]
}

var commonWords = map[string]bool{"right": true, "true": true, "well": true, "exactly": true, "yes": true, "good": true, "great": true, "sorry": true, "real": true, "truth": true, "canada": true, "canadian": true, "american": true, "old": true, "new": true, "man": true, "guy": true, "the": true}

// mentionLead returns how many of reply i's first words are a leading
// "@Name" run: the words of the parent's author's name when the reply
// opens with them, else one word per handle.
func (a *analysis) mentionLead(i, p int, names *nameIndex) int {
	body := strings.TrimLeftFunc(a.t.Comments[i].Body, unicode.IsSpace)
	if r, _ := utf8.DecodeRuneInString(body); r != '@' && r != '＠' && r != '﹫' {
		return 0
	}
	skip := 1
	if name, toks := names.name[a.commenter[p]], a.commentTokens(i); len(name) > 0 && len(name) <= len(toks) {
		whole := true
		for n, w := range name {
			whole = whole && toks[n]>>1 == w
		}
		if whole {
			skip = len(name)
		}
	}
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
	return skip
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

// quotes reports whether reply i reproduces a run of quoteRun consecutive
// words of comment p (all of them, when p is shorter).
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

// quoteRun consecutive words of a comment make a quote of it.
const quoteRun = 6

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
