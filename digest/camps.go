package digest

import "math"

// Weights of the thread-level stance inference. A comment's own words are
// weak evidence of its side; the thread adds three kinds of context, each
// read from the other comments only (leave-one-out), so that a comment never
// confirms itself:
//   - the arguments it makes, each with the side its members lean to;
//   - its author's other comments (commenters rarely change sides);
//   - the comment it replies to and the replies it gets, through the
//     relation (a rebuttal takes the other side, an agreement the same).
type stanceParams struct {
	argument     float64 // weight of the mean side of the arguments a comment makes
	argShrink    float64 // pseudo-members of no side, so a small argument says little
	author       float64 // weight of its author's other comments
	authorShrink float64 // the same for authors of few comments
	reply        float64 // weight of each reply edge
	context      float64 // how far context can move a comment with no words of its own
	actor        float64 // weight of what a comment says of the thread's other actors, by their learned alignment
	praise       float64 // how much a comment's good words about an entity count beside its bad ones
	prior        float64 // weight of the thread's lean, as log-odds, on every comment
	barMention   float64 // |evidence| from which a comment naming the target takes a side
	barSubject   float64 // the same for one that does not, in a thread about the target
	rounds       int     // rounds of the mean-field update
}

// defaultStance are the weights the analysis uses.
var defaultStance = stanceParams{
	argument: 0, argShrink: 2, author: 1.6, authorShrink: 1, reply: 0.7,
	context: 1.5, actor: 1, praise: 1, prior: 0.6, barMention: 0.05, barSubject: 0.1, rounds: 8,
}

const (
	leanBar   = 0.3  // |direct evidence| from which a comment counts toward the thread's lean
	leanFloor = 0.05 // |evidence| below which the lean does not apply
)

const offTopicBar = 0.9 // |evidence| from which a comment off the thread's subject, not naming the target, takes a side

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
	own := make([]float64, a.n)
	for i := range own {
		if a.live(i) {
			// Good words not said of the target itself are mostly said of
			// someone else, or in irony ("our favorite stable genius"):
			// they may count for less than bad ones.
			rest := a.local[i] - a.direct[i]
			if rest > 0 && a.target.kind == kindEntity {
				rest *= p.praise
			}
			own[i] = math.Tanh((a.direct[i] + rest) / localScale)
		}
	}
	args := a.commentArguments()
	// The actors' alignment is learned from what comments say of the
	// target itself, never from their words about the actors, which would
	// confirm whatever the first reading said of them.
	seed := make([]float64, a.n)
	for i := range seed {
		if a.live(i) {
			seed[i] = math.Tanh(a.direct[i] / localScale)
		}
	}
	// Reply edges, both directions, signed by relation.
	type edge struct {
		to int32
		w  float64
	}
	adj := make([][]edge, a.n)
	for i := 0; i < a.n; i++ {
		par := a.parent[i]
		if par < 0 || !a.live(i) || !a.live(int(par)) || a.commenter[par] == a.commenter[i] {
			continue
		}
		var w float64
		switch a.relation[i] {
		case relRebuttal:
			w = -p.reply
		case relAgreement:
			w = p.reply
		default:
			continue
		}
		adj[i] = append(adj[i], edge{par, w})
		adj[par] = append(adj[par], edge{int32(i), w})
	}
	x := append([]float64(nil), own...)
	next := make([]float64, a.n)
	argSum := make([]float64, len(a.args))
	argAbs := make([]float64, len(a.args))
	authSum := make([]float64, len(a.commenters))
	authN := make([]float64, len(a.commenters))
	alignNum := make([]float64, len(a.actorStems))
	alignDen := make([]float64, len(a.actorStems))
	for round := 0; round < p.rounds; round++ {
		clear(argSum)
		clear(argAbs)
		clear(authSum)
		clear(authN)
		clear(alignNum)
		clear(alignDen)
		for i := 0; i < a.n; i++ {
			if !a.live(i) {
				continue
			}
			for _, at := range a.actorOf[i] {
				alignNum[at.actor] += float64(at.att) * seed[i]
				alignDen[at.actor] += math.Abs(float64(at.att))
			}
			for _, g := range args[i] {
				argSum[g] += x[i]
				argAbs[g] += math.Abs(x[i])
			}
			authSum[a.commenter[i]] += x[i]
			authN[a.commenter[i]]++
		}
		for i := 0; i < a.n; i++ {
			if !a.live(i) {
				continue
			}
			ctx, norm := 0.0, 0.0
			if len(args[i]) > 0 {
				v := 0.0
				for _, g := range args[i] {
					v += (argSum[g] - x[i]) / (argAbs[g] - math.Abs(x[i]) + p.argShrink)
				}
				ctx += p.argument * v / float64(len(args[i]))
				norm += p.argument
			}
			if k := a.commenter[i]; authN[k] > 1 {
				ctx += p.author * (authSum[k] - x[i]) / (authN[k] - 1 + p.authorShrink)
				norm += p.author
			}
			for _, ed := range adj[i] {
				ctx += ed.w * x[ed.to]
				norm += math.Abs(ed.w)
			}
			// What the comment says of the thread's actors, each read by
			// the side that praising it takes in the other comments.
			ind := 0.0
			for _, at := range a.actorOf[i] {
				v := float64(at.att)
				ind += v * (alignNum[at.actor] - v*seed[i]) / (alignDen[at.actor] - math.Abs(v) + actorAlignBase)
			}
			o := max(-1, min(1, own[i]+p.actor*math.Tanh(ind)))
			// Context fills in what the comment's own words leave open.
			e := o
			if norm > 0 {
				e += (1 - math.Abs(o)) * p.context * ctx / norm
			}
			next[i] = max(-1, min(1, e))
		}
		x, next = next, x
	}
	// The thread's lean: of the comments that say something of the target
	// itself, how many more take one side than the other. A comment whose
	// own evidence is weak is read in its light, as a reader of the thread
	// would.
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
	for i := 0; i < a.n; i++ {
		// The lean weighs evidence; it is none itself: a comment with
		// nothing to read stays unplaced.
		if a.live(i) && lean != 0 && math.Abs(x[i]) >= leanFloor {
			v := max(-0.999, min(0.999, x[i]))
			x[i] = math.Tanh(math.Atanh(v) + lean)
		}
		a.stance[i] = x[i]
		bar := a.sideBar(i, p)
		switch {
		case !a.live(i):
		case x[i] >= bar:
			a.label[i] = labelFavor
		case x[i] <= -bar:
			a.label[i] = labelAgainst
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

// commentArguments lists, for each comment, the argument clusters its
// sentences make, each once.
func (a *analysis) commentArguments() [][]int32 {
	out := make([][]int32, a.n)
	for i := 0; i < a.n; i++ {
		for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
			g := a.argOf[s]
			if g < 0 {
				continue
			}
			dup := false
			for _, h := range out[i] {
				dup = dup || h == g
			}
			if !dup {
				out[i] = append(out[i], g)
			}
		}
	}
	return out
}
