package digest

import (
	"math"
	"slices"
)

// A comment's own words are weak evidence of its side. The thread adds
// context, read as a comment section's reader reads it: most sections split
// into two camps, commenters rarely change sides, a reply that pushes back
// comes from the other camp and one that agrees from the same. So stance is
// inferred in two camps over commenters (an Ising model solved by mean
// field): each commenter's field is the evidence of all their comments, and
// each pair of commenters who answer each other is coupled by the relation
// of their replies. A comment then reads as its own words, plus what its
// author's other comments and their exchanges say (never its own words a
// second time), plus what it says of the thread's other actors, each by the
// side that praising it takes elsewhere in the thread.
type stanceParams struct {
	own          float64 // log-odds of a comment's own evidence at full strength
	praise       float64 // how much good words not said of an entity target count beside bad ones
	actor        float64 // weight of what a comment says of the thread's other actors
	author       float64 // how much of its author's camp a comment takes
	reply        float64 // coupling of two commenters per reply between them (log-odds)
	campRelation float64 // how much the two commenters' camps weigh in a reply's relation (log-odds)
	argument     float64 // weight of the side of the arguments a comment makes
	argShrink    float64 // pseudo-members of no side, so a small argument says little
	prior        float64 // weight of the thread's lean, as log-odds
	critical     float64 // log-odds toward against an entity: comment sections run critical of whom they discuss
	barMention   float64 // |evidence| from which a comment naming the target takes a side
	barSubject   float64 // the same for one that does not, in a thread about the target
	rounds       int     // rounds of the mean-field update
}

// defaultStance are the weights the analysis uses, chosen by TestTuneStance.
var defaultStance = stanceParams{
	own: 2, praise: 1, actor: 0.5, author: 1, reply: 2.4, campRelation: 1, argument: 0, argShrink: 2,
	prior: 0.6, barMention: 0.05, barSubject: 0.25, rounds: 30,
}

const (
	leanBar     = 0.3  // |direct evidence| from which a comment counts toward the thread's lean
	leanFloor   = 0.05 // |evidence| below which the lean does not apply
	offTopicBar = 0.9  // |evidence| from which a comment off the thread's subject, not naming the target, takes a side
	maxCoupling = 1.5  // |coupling| of two commenters however many replies they exchange
)

// propagateStance decides each comment's stance from its own words and
// the thread around it.
func (a *analysis) propagateStance() { a.inferStance(defaultStance) }

// inferStance is propagateStance with the given weights.
func (a *analysis) inferStance(p stanceParams) {
	a.stance = make([]float64, a.n)
	a.label = make([]int8, a.n)
	if a.target.display == "" {
		return
	}
	// Each comment's evidence from its own words, in log-odds.
	own := make([]float64, a.n)
	seed := make([]float64, a.n)
	for i := range own {
		if !a.live(i) {
			continue
		}
		// Good words not said of the target itself are mostly said of
		// someone else, or in irony ("our favorite stable genius"):
		// they may count for less than bad ones.
		rest := a.local[i] - a.direct[i]
		if rest > 0 && a.target.kind == kindEntity {
			rest *= p.praise
		}
		own[i] = p.own * math.Tanh((a.direct[i]+rest)/localScale)
		// The actors' alignment is learned from what comments say of
		// the target itself, never from their words about the actors,
		// which would confirm whatever a first reading said of them.
		seed[i] = math.Tanh(a.direct[i] / localScale)
	}
	a.addActorEvidence(own, seed, p.actor)
	a.addArgumentEvidence(own, p)
	// Commenters' fields and couplings.
	nc := len(a.commenters)
	field := make([]float64, nc)
	for i := range own {
		field[a.commenter[i]] += own[i]
	}
	type coupling struct {
		to int32
		j  float64
	}
	pairs := map[[2]int32]float64{}
	for i := 0; i < a.n; i++ {
		t := a.answers[i]
		if t < 0 || !a.live(i) || !a.live(int(t)) {
			continue
		}
		x, y := a.commenter[i], a.commenter[t]
		if x == y {
			continue
		}
		// A reply couples its author with the author of the comment it
		// answers: apart as far as it likely rebuts, together as far as
		// it likely agrees.
		pr := a.answerProb[i]
		w := p.reply * float64(pr[probAgreement]-pr[probRebuttal])
		if x > y {
			x, y = y, x
		}
		pairs[[2]int32{x, y}] += w
	}
	adj := make([][]coupling, nc)
	for k, w := range sortedPairs(pairs) {
		j := maxCoupling * math.Tanh(w/maxCoupling)
		adj[k[0]] = append(adj[k[0]], coupling{k[1], j})
		adj[k[1]] = append(adj[k[1]], coupling{k[0], j})
	}
	// The thread's lean: of the comments that say something of the target
	// itself, how many more take one side than the other.
	nf, na := 0.0, 0.0
	for i := range seed {
		switch {
		case seed[i] >= leanBar:
			nf++
		case seed[i] <= -leanBar:
			na++
		}
	}
	lean := p.prior * math.Log((nf+1)/(na+1))
	if a.target.kind == kindEntity {
		lean -= p.critical
	}
	// Mean field over commenters, damped.
	m := make([]float64, nc)
	for c := range m {
		m[c] = math.Tanh(field[c])
	}
	for round := 0; round < p.rounds; round++ {
		for c := range m {
			h := field[c]
			for _, e := range adj[c] {
				h += e.j * confident(m[e.to])
			}
			m[c] = 0.5*m[c] + 0.5*math.Tanh(h)
		}
	}
	a.relation = append(a.relation[:0], a.textRelation...)
	if p.campRelation != 0 {
		a.settleRelations(m, p.campRelation)
	}
	for i := 0; i < a.n; i++ {
		if !a.live(i) {
			continue
		}
		c := a.commenter[i]
		// What the rest of the thread says of this comment's author,
		// without the comment's own words.
		h := field[c] - own[i]
		for _, e := range adj[c] {
			h += e.j * confident(m[e.to])
		}
		z := own[i] + p.author*h
		// The lean weighs evidence; it is none itself: a comment with
		// nothing to read stays unplaced.
		if math.Abs(z) >= leanFloor*p.own {
			z += lean
		}
		x := math.Tanh(z / p.own)
		a.stance[i] = x
		bar := a.sideBar(i, p)
		switch {
		case x >= bar:
			a.label[i] = labelFavor
		case x <= -bar:
			a.label[i] = labelAgainst
		}
	}
}

// confident is a commenter's camp as it passes to others: in full when
// it is sure, hardly at all when it is a guess, so that a misread comment
// does not carry its error to everyone who answers it.
func confident(m float64) float64 { return m * math.Abs(m) }

// settleRelations decides each reply's relation from what its words say
// (a.answerProb) and where the two commenters stand: a reply between the
// two camps is likely a rebuttal, one within a camp an agreement. Each
// commenter's camp counts only as far as it is sure (m), so a reply to a
// misread comment is not misread with it.
func (a *analysis) settleRelations(m []float64, weight float64) {
	for i := 0; i < a.n; i++ {
		t := int(a.answers[i])
		if t < 0 || !a.live(i) || a.relation[i] == relNone {
			continue
		}
		ci, ct := a.commenter[i], a.commenter[t]
		if ci == ct || !a.live(t) {
			continue
		}
		same := weight * m[ci] * math.Abs(m[ci]) * m[ct] * math.Abs(m[ct])
		// The camps tell a rebuttal from an agreement, not either from an
		// extension (going on with the point): they move mass between the
		// first two only.
		var post [3]float64
		for c := range post {
			post[c] = float64(a.answerProb[i][c])
		}
		r, g := post[probRebuttal]*math.Exp(-same), post[probAgreement]*math.Exp(same)
		if r+g == 0 {
			continue
		}
		both := post[probRebuttal] + post[probAgreement]
		post[probRebuttal], post[probAgreement] = both*r/(r+g), both*g/(r+g)
		stated := a.statedThrough(i, t, post)
		best := probRebuttal
		for c := range stated {
			if stated[c] > stated[best] {
				best = c
			}
		}
		a.relation[i] = [3]int8{probRebuttal: relRebuttal, probAgreement: relAgreement, probExtension: relExtension}[best]
	}
}

// addActorEvidence adds to each comment's evidence what it says of the
// thread's actors, each read by its alignment: the side that the comments
// praising it take toward the target itself (seed), learned without the
// comment.
func (a *analysis) addActorEvidence(own, seed []float64, weight float64) {
	if weight == 0 || len(a.actorStems) == 0 {
		return
	}
	num := make([]float64, len(a.actorStems))
	den := make([]float64, len(a.actorStems))
	for i := 0; i < a.n; i++ {
		for _, at := range a.actorOf[i] {
			num[at.actor] += float64(at.att) * seed[i]
			den[at.actor] += math.Abs(float64(at.att))
		}
	}
	for i := 0; i < a.n; i++ {
		ind := 0.0
		for _, at := range a.actorOf[i] {
			v := float64(at.att)
			ind += v * (num[at.actor] - v*seed[i]) / (den[at.actor] - math.Abs(v) + actorAlignBase)
		}
		own[i] += weight * math.Tanh(ind)
	}
}

// addArgumentEvidence adds to each comment's evidence the side of the
// arguments it makes: the mean of their other members' own evidence.
func (a *analysis) addArgumentEvidence(own []float64, p stanceParams) {
	if p.argument == 0 || len(a.args) == 0 {
		return
	}
	// An argument's side is read from the comments that plainly make it;
	// every comment that makes it, in whatever words, takes that side in
	// part.
	args := a.commentArgs
	sum := make([]float64, len(a.args))
	abs := make([]float64, len(a.args))
	base := append([]float64(nil), own...)
	for i := range base {
		if !a.plainArg[i] {
			continue
		}
		for _, g := range args[i] {
			sum[g] += base[i]
			abs[g] += math.Abs(base[i])
		}
	}
	for i := range base {
		if len(args[i]) == 0 {
			continue
		}
		v := 0.0
		for _, g := range args[i] {
			s, ab := sum[g], abs[g]
			if a.plainArg[i] {
				s, ab = s-base[i], ab-math.Abs(base[i])
			}
			v += s / (ab + p.argShrink)
		}
		own[i] += p.argument * v / float64(len(args[i]))
	}
}

// sortedPairs returns the pairs of a map in order, so that the couplings
// are built the same way every run.
func sortedPairs(m map[[2]int32]float64) func(func([2]int32, float64) bool) {
	keys := make([][2]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y [2]int32) int {
		if x[0] != y[0] {
			return int(x[0] - y[0])
		}
		return int(x[1] - y[1])
	})
	return func(yield func([2]int32, float64) bool) {
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// sideBar is how clear comment i's stance must be for it to take a side:
// a comment that never mentions the target, in a thread that is not about
// it, speaks of something else unless its own words say clearly otherwise.
func (a *analysis) sideBar(i int, p stanceParams) float64 {
	switch {
	case a.target.mentionedIn[i]:
		return p.barMention
	case a.target.subject:
		return p.barSubject
	}
	return offTopicBar
}
