package digest

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/internal/textproc"
)

// Key point analysis (after IBM's KPA, Bar-Haim et al. 2020): the arguments
// of a thread are short, self-contained claims taken verbatim from its
// comments, ranked by how many other commenters plainly make the same claim;
// then every comment is matched to each claim it makes.
//
// Stability as the thread grows is built in: a word's weight is fixed
// (backgroundDF, learned once from other comments and arguments), never
// counted over the thread; a candidate's coverage, the choice of key points
// and each key point's centre depend only on the comments that plainly make
// it; and whether a comment makes a key point depends only on that comment
// and the key point. So comments that make none of the arguments change
// nothing that was there.

// Parameters of key point analysis.
const (
	kpMinWords   = 5  // a key point has at least this many words
	kpMaxWords   = 25 // and at most this many
	kpMinContent = 3  // and this many content words
	kpMaxPoints  = 12 // key points chosen at most
	// A key point is plainly made by at least kpMinCover other commenters,
	// or by one in a thread where no claim is made by more than three: a
	// floor that depends on the claims alone, not on counting the thread's
	// comments, so that comments making none of the claims do not move it.
	kpMinCover = 2
	// kpRedundant: a candidate more than this share of whose comments make
	// one chosen key point adds nothing to it.
	kpRedundant = 0.5
	// kpSubjectWeight is the weight of the title's and target's own words,
	// which every comment may use.
	kpSubjectWeight = 0.35
	// kpMatchShare is the share of a key point's weight that one sentence
	// of a comment, or two adjacent ones, must hold (in at least two
	// stems) for the comment to plainly make it.
	kpMatchShare = 0.35
	// A comment that does not plainly make a key point still makes it when
	// it holds kpNearShare of the key point's weight and its words are at
	// least kpNearCosine alike with the key point's centre (see centre).
	kpNearShare  = 0.15
	kpNearCosine = 0.06
	// kpTopicComments is how many of the thread's comments use a stem when
	// its weight is halved as the thread's topic. It is a count, not a
	// share of the thread, so that comments that do not use a stem leave
	// its weight alone.
	kpTopicComments = 40
	// kpCentreStems is the number of stems a centre keeps.
	kpCentreStems = 30
	// kpSampleFrom is the number of comments above which key points are
	// drawn from a sample of the comments (chosen by a hash of each
	// comment's ID, so that a comment is in or out whatever else the
	// thread holds); every comment is still matched to them.
	kpSampleFrom = 2000
)

// keyCandidate is a clause that could be a key point.
type keyCandidate struct {
	sent       int32 // sentence it is taken from
	comment    int32
	start, end int32   // byte range of the clause in the comment's body
	stems      []int32 // its content stems, sorted, distinct
	total      float32 // the sum of their weights
	quality    float32 // how well it reads as a claim on its own, up to 1
}

// kpIndex holds what matching reads: each live sentence's and comment's
// distinct stems and the comments holding each stem.
type kpIndex struct {
	weight   []float32 // per stem
	sentOff  []int32   // sentence s's stems are sentStem[sentOff[s]:sentOff[s+1]]
	sentStem []int32
	comOff   []int32 // comment i's stems are comStem[comOff[i]:comOff[i+1]]
	comStem  []int32
	comNorm  []float32 // the L2 norm of each comment's stem weights
	postings [][]int32 // stem -> comments holding it, ascending
	// sampled[i] is set when comment i is in the sample key points are
	// drawn and ranked from (every live comment below kpSampleFrom), and
	// sampledPostings are postings restricted to them.
	sampled         []bool
	sampledPostings [][]int32
}

// keyPoints finds the key points and matches every comment to them; it
// fills a.args (one per key point), a.argOf and a.commentArgs.
func (a *analysis) keyPoints() {
	a.argOf = make([]int32, len(a.sents))
	for i := range a.argOf {
		a.argOf[i] = -1
	}
	a.commentArgs = make([][]int32, a.n)
	a.plainArg = make([]bool, a.n)
	ix := a.buildKPIndex()
	cands := a.keyCandidates(ix)
	if len(cands) == 0 {
		return
	}
	acc := newMatchAcc(a.n)
	chosen := a.chooseKeyPoints(ix, cands, acc)
	if len(chosen) == 0 {
		return
	}
	// Each comment makes the key points it plainly makes, and those whose
	// words it holds in part and whose centre it is near.
	type made struct {
		g     int32
		score float32
	}
	byComment := make([][]made, a.n)
	var plain []int32
	for g, k := range chosen {
		c := &cands[k]
		plain = plain[:0]
		a.plainlyMade(ix, ix.postings, c, acc, &plain)
		ce := ix.centre(c, insertSorted(plain, c.comment))
		ix.shares(ix.postings, c, acc)
		for _, i := range acc.touched {
			share := acc.sum[i] / c.total
			v := float32(0)
			if acc.n[i] >= 2 && share >= kpMatchShare && a.plainly(ix, c, i) {
				v = 1 + share
			} else if share >= kpNearShare {
				if sc, n := ix.score(&ce, i); sc >= kpNearCosine && n >= 2 {
					v = sc
					if acc.n[i] < 2 {
						v = -sc // weak: only for comments that plainly make no key point
					}
				}
			}
			if v != 0 {
				byComment[i] = append(byComment[i], made{int32(g), v})
			}
		}
		acc.reset()
	}
	a.args = make([]argumentCluster, len(chosen))
	for g, k := range chosen {
		c := &cands[k]
		a.args[g] = argumentCluster{statement: c.sent, label: a.t.Comments[c.comment].Body[c.start:c.end]}
	}
	sentBest := make([]float32, len(a.sents))
	seen := make([]map[int32]bool, len(chosen))
	for i, ms := range byComment {
		plainly := false
		for _, m := range ms {
			plainly = plainly || m.score > 1
		}
		kept := ms[:0]
		for _, m := range ms {
			if m.score < 0 && plainly {
				continue
			}
			m.score = float32(math.Abs(float64(m.score)))
			kept = append(kept, m)
		}
		ms = kept
		slices.SortStableFunc(ms, func(x, y made) int {
			switch {
			case x.score > y.score:
				return -1
			case x.score < y.score:
				return 1
			}
			return int(x.g - y.g)
		})
		for _, m := range ms {
			cl := &a.args[m.g]
			a.commentArgs[i] = append(a.commentArgs[i], m.g)
			if len(a.commentArgs[i]) == 1 && m.score > 1 {
				a.plainArg[i] = true
			}
			cl.comments = append(cl.comments, int32(i))
			if seen[m.g] == nil {
				seen[m.g] = map[int32]bool{}
			}
			seen[m.g][a.commenter[i]] = true
			// The sentence of the comment that states the key point best.
			c := &cands[chosen[m.g]]
			best, bestShare := a.sentStart[i], float32(0)
			for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
				if v := ix.shared(c, s) / c.total; v > bestShare {
					best, bestShare = s, v
				}
			}
			cl.units = append(cl.units, best)
			if a.argOf[best] < 0 || bestShare > sentBest[best] {
				a.argOf[best] = m.g
				sentBest[best] = bestShare
			}
		}
	}
	for g := range a.args {
		a.args[g].commenters = len(seen[g])
	}
}

// chooseKeyPoints ranks the candidates by coverage (the distinct other
// commenters of the sample who plainly make each) and picks, best first,
// those that say something the ones already picked do not.
func (a *analysis) chooseKeyPoints(ix *kpIndex, cands []keyCandidate, acc *matchAcc) []int32 {
	cover := make([]int32, len(cands))
	for k := range cands {
		cover[k] = int32(a.plainlyMade(ix, ix.sampledPostings, &cands[k], acc, nil))
	}
	top := slices.Max(cover)
	floor := int32(kpMinCover)
	if top < 2*kpMinCover {
		floor = 1
	}
	order := make([]int32, 0, len(cands))
	for k := range cands {
		if cover[k] >= floor {
			order = append(order, int32(k))
		}
	}
	// Ties: the better-reading claim, then the earlier comment (by ID, so
	// that input order does not matter), then the earlier clause.
	slices.SortStableFunc(order, func(x, y int32) int {
		if cover[x] != cover[y] {
			return int(cover[y] - cover[x])
		}
		if qx, qy := cands[x].quality, cands[y].quality; qx != qy {
			if qx > qy {
				return -1
			}
			return 1
		}
		if rx, ry := a.rank[cands[x].comment], a.rank[cands[y].comment]; rx != ry {
			return int(rx - ry)
		}
		return int(cands[x].start - cands[y].start)
	})
	var chosen []int32
	var plain [][]int32
	var m []int32
	for _, k := range order {
		if len(chosen) == kpMaxPoints {
			break
		}
		c := &cands[k]
		m = m[:0]
		a.plainlyMade(ix, ix.sampledPostings, c, acc, &m)
		m = insertSorted(m, c.comment)
		// A candidate most of whose comments already make one chosen key
		// point, or whose words and a chosen one's mostly coincide, says
		// the same thing.
		redundant := false
		for j, cj := range chosen {
			if overlap(m, plain[j]) > kpRedundant*float64(len(m)) || ix.alike(&cands[cj], c) {
				redundant = true
				break
			}
		}
		if !redundant {
			chosen = append(chosen, k)
			plain = append(plain, slices.Clone(m))
		}
	}
	return chosen
}

func insertSorted(s []int32, v int32) []int32 {
	i, found := slices.BinarySearch(s, v)
	if found {
		return s
	}
	return slices.Insert(s, i, v)
}

// overlap counts the values two ascending lists share.
func overlap(x, y []int32) float64 {
	n, i, j := 0, 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return float64(n)
}

// sharedWeight is the weight of the stems two ascending stem lists share.
func (ix *kpIndex) sharedWeight(x, y []int32) float32 {
	var v float32
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			v += ix.weight[x[i]]
			i++
			j++
		}
	}
	return v
}

// shared is the weight of key point c's stems that sentence s holds.
func (ix *kpIndex) shared(c *keyCandidate, s int32) float32 {
	return ix.sharedWeight(c.stems, ix.sentStem[ix.sentOff[s]:ix.sentOff[s+1]])
}

// alike reports whether two key points hold most of each other's weight.
func (ix *kpIndex) alike(x, y *keyCandidate) bool {
	v := ix.sharedWeight(x.stems, y.stems)
	return v >= kpMatchShare*x.total && v >= kpMatchShare*y.total
}

// matchAcc accumulates, per comment, the weight of a key point's stems the
// comment holds (sum) and how many of them (n); touched lists the comments
// with any, ascending once shares returns.
type matchAcc struct {
	sum     []float32
	n       []int32
	touched []int32
}

func newMatchAcc(n int) *matchAcc {
	return &matchAcc{sum: make([]float32, n), n: make([]int32, n)}
}

func (acc *matchAcc) reset() {
	for _, i := range acc.touched {
		acc.sum[i], acc.n[i] = 0, 0
	}
	acc.touched = acc.touched[:0]
}

// shares fills acc for key point c over the comments of postings.
func (ix *kpIndex) shares(postings [][]int32, c *keyCandidate, acc *matchAcc) {
	for _, st := range c.stems {
		w := ix.weight[st]
		for _, i := range postings[st] {
			if acc.n[i] == 0 {
				acc.touched = append(acc.touched, i)
			}
			acc.sum[i] += w
			acc.n[i]++
		}
	}
	slices.Sort(acc.touched)
}

// plainlyMade counts the distinct commenters other than c's own whose
// comments (among those of postings) plainly make key point c (see
// plainly); with members non-nil it appends those comments to it,
// ascending.
func (a *analysis) plainlyMade(ix *kpIndex, postings [][]int32, c *keyCandidate, acc *matchAcc, members *[]int32) int {
	ix.shares(postings, c, acc)
	own := a.commenter[c.comment]
	var seen []int32 // commenters, few: a list beats a map
	for _, i := range acc.touched {
		if a.commenter[i] == own || acc.n[i] < 2 || acc.sum[i] < kpMatchShare*c.total || !a.plainly(ix, c, i) {
			continue
		}
		if members != nil {
			*members = append(*members, i)
		}
		if !slices.Contains(seen, a.commenter[i]) {
			seen = append(seen, a.commenter[i])
		}
	}
	acc.reset()
	return len(seen)
}

// plainly reports whether comment i plainly makes key point c: one of its
// sentences, alone or with the next, holds kpMatchShare of the key point's
// weight in at least two of its stems.
func (a *analysis) plainly(ix *kpIndex, c *keyCandidate, i int32) bool {
	need := kpMatchShare * c.total
	prev := float32(0)
	for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
		v := ix.shared(c, s)
		if v >= need || prev+v >= need {
			return true
		}
		prev = v
	}
	return false
}

// kpCentre is the centre of a key point: the weights of its stems, sorted
// by stem, of unit length.
type kpCentre struct {
	stems []int32
	w     []float32
}

// centre makes key point c's centre from its own words and those of the
// comments that plainly make it (members), so that a comment can make it in
// other words the thread uses for it. It keeps the kpCentreStems heaviest
// stems.
func (ix *kpIndex) centre(c *keyCandidate, members []int32) kpCentre {
	m := map[int32]float32{}
	scale := float32(len(c.stems)) / float32(math.Sqrt(float64(len(c.stems))))
	for _, st := range c.stems {
		m[st] += ix.weight[st] / c.total * scale
	}
	for _, i := range members {
		if ix.comNorm[i] == 0 {
			continue
		}
		for _, st := range ix.comStem[ix.comOff[i]:ix.comOff[i+1]] {
			m[st] += ix.weight[st] / ix.comNorm[i] / float32(len(members))
		}
	}
	stems := make([]int32, 0, len(m))
	for st := range m {
		stems = append(stems, st)
	}
	slices.SortFunc(stems, func(x, y int32) int {
		if m[x] != m[y] {
			if m[x] > m[y] {
				return -1
			}
			return 1
		}
		return int(x - y)
	})
	if len(stems) > kpCentreStems {
		stems = stems[:kpCentreStems]
	}
	slices.Sort(stems)
	w := make([]float32, len(stems))
	norm := 0.0
	for j, st := range stems {
		w[j] = m[st]
		norm += float64(w[j]) * float64(w[j])
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for j := range w {
			w[j] *= inv
		}
	}
	return kpCentre{stems: stems, w: w}
}

// score is the cosine of comment i's stem weights and a centre, and the
// number of stems they share.
func (ix *kpIndex) score(ce *kpCentre, i int32) (float32, int) {
	if ix.comNorm[i] == 0 {
		return 0, 0
	}
	n := 0
	cs := ix.comStem[ix.comOff[i]:ix.comOff[i+1]]
	var d float32
	p, q := 0, 0
	for p < len(ce.stems) && q < len(cs) {
		switch {
		case ce.stems[p] < cs[q]:
			p++
		case ce.stems[p] > cs[q]:
			q++
		default:
			d += ce.w[p] * ix.weight[cs[q]]
			n++
			p++
			q++
		}
	}
	return d / ix.comNorm[i], n
}

// buildKPIndex lists each live sentence's and comment's distinct content
// stems and the comments holding each stem.
func (a *analysis) buildKPIndex() *kpIndex {
	nStems := len(a.vocab.stemText)
	ix := &kpIndex{
		sentOff:  make([]int32, len(a.sents)+1),
		sentStem: make([]int32, 0, len(a.toks)/2),
		comOff:   make([]int32, a.n+1),
		comNorm:  make([]float32, a.n),
		postings: make([][]int32, nStems),
	}
	var buf []int32
	for s := range a.sents {
		ix.sentOff[s] = int32(len(ix.sentStem))
		sn := a.sents[s]
		buf = buf[:0]
		for t := sn.tok0; t < sn.tok1; t++ {
			if st := a.vocab.words[a.toks[t]>>1].stem; st >= 0 {
				buf = append(buf, st)
			}
		}
		slices.Sort(buf)
		ix.sentStem = append(ix.sentStem, slices.Compact(buf)...)
	}
	ix.sentOff[len(a.sents)] = int32(len(ix.sentStem))
	ix.comStem = make([]int32, 0, len(ix.sentStem))
	for i := 0; i < a.n; i++ {
		ix.comOff[i] = int32(len(ix.comStem))
		if !a.live(i) {
			continue
		}
		buf = buf[:0]
		for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
			buf = append(buf, ix.sentStem[ix.sentOff[s]:ix.sentOff[s+1]]...)
		}
		slices.Sort(buf)
		buf = slices.Compact(buf)
		for _, st := range buf {
			ix.postings[st] = append(ix.postings[st], int32(i))
		}
		ix.comStem = append(ix.comStem, buf...)
	}
	ix.comOff[a.n] = int32(len(ix.comStem))
	ix.weight = a.stemWeights(ix.postings)
	ix.sample(a)
	for i := 0; i < a.n; i++ {
		norm := 0.0
		for _, st := range ix.comStem[ix.comOff[i]:ix.comOff[i+1]] {
			norm += float64(ix.weight[st]) * float64(ix.weight[st])
		}
		ix.comNorm[i] = float32(math.Sqrt(norm))
	}
	return ix
}

// sample chooses the comments key points are drawn and ranked from: every
// live comment up to kpSampleFrom of them, else those whose ID hashes below
// the share kpSampleFrom / comments (so that a comment is in or out whatever
// else the thread holds, for threads of that size).
func (ix *kpIndex) sample(a *analysis) {
	live := 0
	for i := 0; i < a.n; i++ {
		if a.live(i) {
			live++
		}
	}
	ix.sampled = make([]bool, a.n)
	keep := uint64(math.MaxUint64)
	if live > kpSampleFrom {
		keep = uint64(float64(math.MaxUint64) * float64(kpSampleFrom) / float64(live))
	}
	for i := 0; i < a.n; i++ {
		ix.sampled[i] = a.live(i) && (keep == math.MaxUint64 || uint64(newFNV64a().add(a.t.Comments[i].ID)) <= keep)
	}
	if keep == math.MaxUint64 {
		ix.sampledPostings = ix.postings
		return
	}
	ix.sampledPostings = make([][]int32, len(ix.postings))
	for st, ps := range ix.postings {
		for _, i := range ps {
			if ix.sampled[i] {
				ix.sampledPostings[st] = append(ix.sampledPostings[st], i)
			}
		}
	}
}

// stemWeights weighs each stem by how rare it is in the background
// (backgroundDF), less when many of the thread's comments use it (the
// thread's topic, not a claim about it: kpTopicComments / (kpTopicComments
// + comments using it)), and the subject's own words less.
func (a *analysis) stemWeights(postings [][]int32) []float32 {
	bg := loadBackgroundDF()
	w := make([]float32, len(a.vocab.stemText))
	for s, text := range a.vocab.stemText {
		w[s] = float32(bg.idf(text) * kpTopicComments / (kpTopicComments + float64(len(postings[s]))))
	}
	for s := range a.subjectStems() {
		if int(s) < len(w) {
			w[s] *= kpSubjectWeight
		}
	}
	return w
}

// keyCandidates lists the clauses that could be key points: short,
// self-contained claims. Above kpSampleFrom live comments, only those of a
// sample of the comments are listed.
func (a *analysis) keyCandidates(ix *kpIndex) []keyCandidate {
	names := a.commenterWords()
	var out []keyCandidate
	var words []textproc.Word
	var lowers []string
	for _, ci := range a.order {
		i := int(ci)
		if !ix.sampled[i] {
			continue
		}
		body := a.t.Comments[i].Body
		for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
			sn := a.sents[s]
			text := body[sn.start:sn.end]
			if strings.ContainsAny(text, "@?{}") || strings.Contains(text, "://") {
				continue
			}
			words, lowers = words[:0], lowers[:0]
			textproc.Words(text, func(lower []byte, w textproc.Word) {
				words = append(words, w)
				lowers = append(lowers, string(lower))
			})
			for _, cl := range clauses(text, words) {
				if c, ok := a.candidate(ix, int32(s), cl, words, lowers, names); ok {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// clause is a range of a sentence's words, [w0, w1).
type clause struct{ w0, w1 int }

// clauses splits a sentence at semicolons, colons and dashes into clauses,
// and drops a leading connective ("But", "And so", "Frankly,") from each.
func clauses(text string, words []textproc.Word) []clause {
	var out []clause
	w0 := 0
	for k := 1; k <= len(words); k++ {
		if k < len(words) && !splitsClause(text[words[k-1].End:words[k].Start]) {
			continue
		}
		out = append(out, clause{w0, k})
		w0 = k
	}
	for j := range out {
		cl := &out[j]
		for cl.w1-cl.w0 > 1 && connectives[strings.ToLower(text[words[cl.w0].Start:words[cl.w0].End])] {
			cl.w0++
		}
	}
	return out
}

// splitsClause reports whether the text between two words ends a clause.
func splitsClause(gap string) bool {
	return strings.ContainsAny(gap, ";:—–") || strings.Contains(gap, " - ")
}

// connectives open a clause without being part of its claim.
var connectives = map[string]bool{
	"but": true, "and": true, "so": true, "yet": true, "or": true, "also": true, "still": true,
	"well": true, "frankly": true, "honestly": true, "clearly": true, "obviously": true, "basically": true,
	"besides": true, "however": true, "therefore": true, "thus": true, "hence": true, "indeed": true,
	"again": true, "now": true, "anyway": true, "plus": true, "then": true, "sadly": true, "unfortunately": true,
}

// dependentOpeners make a clause that opens with them depend on what came
// before it, or on the writer: pronouns and other anaphora, replies
// ("Exactly", "Agreed"), subordinating words, prepositions.
var dependentOpeners = map[string]bool{
	"it": true, "this": true, "that": true, "these": true, "those": true, "he": true, "she": true,
	"they": true, "them": true, "him": true, "his": true, "her": true, "its": true, "their": true,
	"such": true, "which": true, "who": true, "here": true, "there's": true, "it's": true, "that's": true,
	"he's": true, "she's": true, "they're": true, "same": true, "both": true, "some": true,
	"exactly": true, "agreed": true, "agree": true, "yes": true, "no": true, "nope": true, "right": true,
	"true": true, "thanks": true, "thank": true, "lol": true, "wow": true, "oh": true, "ah": true,
	"hmm": true, "what": true, "why": true, "how": true, "if": true, "when": true, "as": true,
	"because": true, "since": true, "unless": true, "although": true, "though": true, "whereas": true,
	"while": true, "after": true, "before": true, "until": true, "hopefully": true, "maybe": true,
	"perhaps": true, "one": true, "another": true, "other": true, "others": true, "said": true,
	"otherwise": true, "meanwhile": true, "please": true, "only": true, "where": true, "in": true,
	"on": true, "at": true, "for": true, "with": true, "by": true, "from": true, "of": true, "to": true,
	"during": true, "under": true, "over": true, "instead": true, "first": true, "second": true,
	"finally": true, "great": true, "ok": true, "okay": true, "sure": true, "even": true, "just": true,
	"not": true, "like": true, "unlike": true, "our": true, "ours": true, "us": true,
}

// personal words make a clause about the writer or the reader rather than a
// claim about the subject.
var personal = map[string]bool{
	"i": true, "i'm": true, "i've": true, "i'd": true, "i'll": true, "me": true, "my": true, "mine": true,
	"myself": true, "you": true, "your": true, "you're": true, "you've": true, "you'd": true, "you'll": true,
	"yours": true, "yourself": true, "im": true, "ive": true, "youre": true,
}

// thirdPerson pronouns point at someone the clause must name first.
var thirdPerson = map[string]bool{
	"he": true, "him": true, "his": true, "she": true, "her": true, "hers": true, "they": true,
	"them": true, "their": true, "theirs": true, "he's": true, "she's": true, "they're": true,
}

// verbWords give a clause its verb: auxiliaries, modals and common verbs;
// other verbs are told by their endings (see candidate).
var verbWords = map[string]bool{
	"is": true, "are": true, "was": true, "were": true, "be": true, "been": true, "being": true,
	"has": true, "have": true, "had": true, "do": true, "does": true, "did": true, "can": true,
	"could": true, "should": true, "would": true, "will": true, "must": true, "may": true, "might": true,
	"shall": true, "cannot": true, "need": true, "needs": true, "want": true, "wants": true, "make": true,
	"makes": true, "know": true, "knows": true, "think": true, "get": true, "gets": true, "go": true, "goes": true,
	"take": true, "takes": true, "keep": true, "keeps": true, "pay": true, "pays": true, "give": true, "gives": true,
}

// candidate makes a key point candidate of a clause, or reports false when
// the clause does not read as a claim on its own: too short or long, opening
// with a word that leans on what came before, about the writer or the
// reader, naming a commenter, quoting, shouting, without a verb.
func (a *analysis) candidate(ix *kpIndex, s int32, cl clause, words []textproc.Word, lowers []string, names map[string]bool) (keyCandidate, bool) {
	n := cl.w1 - cl.w0
	if n < kpMinWords || n > kpMaxWords || dependentOpeners[lowers[cl.w0]] {
		return keyCandidate{}, false
	}
	sn := a.sents[s]
	text := a.t.Comments[sn.comment].Body[sn.start:sn.end]
	start, end := words[cl.w0].Start, words[cl.w1-1].End
	if cl.w0 == 0 {
		start = 0 // what opens the sentence belongs to its claim
	}
	if cl.w1 == len(words) {
		end = len(text) // the sentence's closing punctuation
	}
	claim := text[start:end]
	// A clause that opens in lower case is a fragment.
	if r, _ := utf8.DecodeRuneInString(claim); !unicode.IsUpper(r) && !unicode.IsDigit(r) {
		return keyCandidate{}, false
	}
	if strings.HasSuffix(claim, "..") || strings.HasSuffix(claim, "…") || strings.ContainsAny(claim, "\"“”‘") ||
		strings.Contains(claim, " '") || claim[0] == '\'' || unbalanced(claim) || hidden(claim) {
		return keyCandidate{}, false
	}
	verb, shouting, named := false, 0, false
	var stems []int32
	for k := cl.w0; k < cl.w1; k++ {
		w := lowers[k]
		if personal[w] || names[w] && words[k].Capital {
			return keyCandidate{}, false
		}
		// "he", "their" and the like need someone named before them in the
		// clause, or they point outside it.
		if thirdPerson[w] && !named {
			return keyCandidate{}, false
		}
		named = named || words[k].Capital && !textproc.IsStopWord(w)
		if verbWords[w] || strings.HasSuffix(w, "n't") || k > cl.w0 && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "es")) {
			verb = true
		}
		if wt := text[words[k].Start:words[k].End]; len(wt) > 3 && strings.ToUpper(wt) == wt && strings.ToLower(wt) != wt {
			shouting++
		}
		if id := a.vocab.lookup(w); id >= 0 {
			if st := a.vocab.words[id].stem; st >= 0 {
				stems = append(stems, st)
			}
		}
	}
	if !verb || shouting > 1 {
		return keyCandidate{}, false
	}
	slices.Sort(stems)
	stems = slices.Compact(stems)
	if len(stems) < kpMinContent {
		return keyCandidate{}, false
	}
	var total float32
	for _, st := range stems {
		total += ix.weight[st]
	}
	// Claims of 7 to 18 words read best.
	q := float32(1)
	if n > 18 {
		q -= float32(n-18) * 0.04
	}
	if n < 7 {
		q -= 0.1
	}
	return keyCandidate{
		sent: s, comment: sn.comment,
		start: sn.start + int32(start), end: sn.start + int32(end),
		stems: stems, total: total, quality: q,
	}, true
}

// hidden reports whether a clause holds characters a reader does not see
// (controls, format characters such as zero-width joiners, direction marks
// and interlinear annotations): what it says is not what it shows.
func hidden(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r != ' ' && (unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r >= 0xfff9 && r <= 0xfffb)
	}) >= 0
}

// unbalanced reports whether a clause opens a bracket it does not close or
// closes one it did not open.
func unbalanced(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return true
			}
		}
	}
	return depth != 0
}

// commenterWords are the lower-cased words of the commenters' names: a
// clause naming a commenter talks to the thread, not about the subject.
func (a *analysis) commenterWords() map[string]bool {
	out := map[string]bool{}
	for i, c := range a.t.Comments {
		if !a.live(i) {
			continue
		}
		textproc.Words(c.Author, func(lower []byte, w textproc.Word) {
			if len(lower) > 2 && !textproc.IsStopWord(string(lower)) {
				out[string(lower)] = true
			}
		})
	}
	return out
}
