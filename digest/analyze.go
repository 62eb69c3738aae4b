package digest

import (
	"cmp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/textproc"
)

// Defaults for the caps in Options.
const (
	defaultMaxArguments = 8
	defaultMaxRebuttals = 5
)

// Analyze digests a thread. It never fails: a thread with no comments gives
// a digest with zero counts, and text it cannot read counts as saying nothing.
// With opt.New set, the whole thread is analysed and the digest describes the
// new comments, placed in the thread by Digest.Context.
func Analyze(t threaddigest.Thread, opt Options) Digest {
	return analyze(t, opt).build()
}

// analyze runs every step of the offline analysis.
func analyze(t threaddigest.Thread, opt Options) *analysis {
	a := newAnalysis(t, opt)
	a.tokenize()
	a.linkReplies()
	a.findTarget()
	a.scoreLocalStance()
	a.findActors()
	a.classifyRelations()
	a.clusterArguments()
	a.propagateStance()
	return a
}

// analysis is the state of one Analyze call. Comments are addressed by their
// index in the thread; every per-comment slice has one entry per comment,
// deleted ones included (they keep the reply structure but are not digested).
type analysis struct {
	t   threaddigest.Thread
	opt Options
	n   int

	// seed makes every pseudo-random choice a function of the input.
	seed uint64

	// order lists the comments in reading order (readingOrder: by content,
	// then id), and rank[i] is comment i's place in it. Steps where input order should not matter
	// walk comments in this order and break ties by rank, so that a
	// shuffled thread digests the same.
	order []int32
	rank  []int32

	commenter  []int32  // commenter index of each comment
	commenters []string // commenter keys, in order of first comment

	parent   []int32 // index of the comment replied to, or -1
	replies  []int32 // number of direct replies each comment received
	relation []int8  // relNone, relRebuttal, …
	// relProb[i] is how likely reply i is a rebuttal, agreement or
	// extension of its stated parent (indexed by probRebuttal, …);
	// answers[i] is the comment it really answers (its parent, a sibling
	// it names or quotes, or -1 when the parent is not in the input) and
	// answerProb[i] its relation to that comment.
	relProb [][3]float32
	// textRelation is relation as the replies' words alone read it, before
	// the thread's camps settle it.
	textRelation []int8
	answers      []int32
	answerProb   [][3]float32

	vocab *vocabulary
	// Tokens of every live comment, flat: word id << 1 | capital bit.
	toks  []int32
	sents []sentence
	// Comment i's sentences are sents[sentStart[i]:sentEnd[i]]. Comments
	// are read in reading order, so that numbering words and sentences
	// depends neither on input order nor on ids.
	sentStart, sentEnd []int32

	target target

	local []float64 // stance evidence of each comment from its own words
	// actorOf[i] is what comment i says of each actor of the thread
	// (actorStems[k] is actor k's stem).
	actorOf    [][]actorAttitude
	actorStems []int32
	// direct is the part of local said of the target itself: words next to
	// a mention, actions on it, the vocabulary of its debate.
	direct []float64
	// sentScore is the stance evidence of each sentence (its share of local).
	sentScore []float64
	// quoted has a bit set for each token that stands in quotation marks
	// (scoreLocalStance sets it).
	quoted []uint64
	stance []float64 // after propagation
	label  []int8    // final stance: stanceFavor, …

	args []argumentCluster
	// argOf[s] is the argument sentence s states best, or -1.
	argOf []int32
	// commentArgs[i] lists the arguments comment i makes, the one it states
	// most fully first.
	commentArgs [][]int32
	// plainArg[i] is set when comment i plainly makes its first argument.
	plainArg []bool
}

// sentence is one sentence of a comment: its byte range in the body and its
// tokens in analysis.toks.
type sentence struct {
	comment    int32
	start, end int32
	tok0, tok1 int32
}

const (
	relNone int8 = iota
	relRebuttal
	relAgreement
	relExtension
)

const (
	labelNone int8 = iota
	labelFavor
	labelAgainst
)

func newAnalysis(t threaddigest.Thread, opt Options) *analysis {
	n := len(t.Comments)
	a := &analysis{
		t:         t,
		opt:       opt,
		n:         n,
		commenter: make([]int32, n),
		parent:    make([]int32, n),
		replies:   make([]int32, n),
		relation:  make([]int8, n),
		vocab:     newVocabulary(),
	}
	a.commenters = numberCommenters(t, a.commenter)
	a.order, a.rank = readingOrder(t)
	h := newFNV64a()
	for _, i := range a.order {
		c := &t.Comments[i]
		h = h.add(c.CommenterKey()).addByte(0).add(c.Body).addByte(0)
	}
	a.seed = uint64(h) | 1
	return a
}

// numberCommenters sets commenter[i] to the number of comment i's commenter,
// in order of first comment, and returns the commenters' keys.
func numberCommenters(t threaddigest.Thread, commenter []int32) []string {
	var keys []string
	index := make(map[string]int32)
	for i, c := range t.Comments {
		key := c.CommenterKey()
		k, ok := index[key]
		if !ok {
			k = int32(len(keys))
			index[key] = k
			keys = append(keys, key)
		}
		commenter[i] = k
	}
	return keys
}

// readingOrder lists the comments in the order the analysis reads them
// (order) and each comment's place in it (rank), which breaks every tie:
// by what a comment says and who says it, then by id. Neither the order
// of the input nor the ids decide what a thread digests to — a page's ids
// are hashes of its text, a source's are arbitrary — only the comments.
func readingOrder(t threaddigest.Thread) (order, rank []int32) {
	key := make([]uint64, len(t.Comments))
	order = make([]int32, len(t.Comments))
	for i := range order {
		order[i] = int32(i)
		c := &t.Comments[i]
		key[i] = uint64(newFNV64a().add(c.CommenterKey()).addByte(0).add(c.Body))
	}
	slices.SortStableFunc(order, func(x, y int32) int {
		if kx, ky := key[x], key[y]; kx != ky {
			return cmp.Compare(kx, ky)
		}
		return strings.Compare(t.Comments[x].ID, t.Comments[y].ID)
	})
	rank = make([]int32, len(order))
	for r, i := range order {
		rank[i] = int32(r)
	}
	return order, rank
}

// fnv64a is the 64-bit FNV-1a hash (hash/fnv's New64a), taking strings
// without copying them into byte slices: the hash reads every body.
type fnv64a uint64

func newFNV64a() fnv64a { return 14695981039346656037 }

func (h fnv64a) add(s string) fnv64a {
	for i := 0; i < len(s); i++ {
		h = (h ^ fnv64a(s[i])) * 1099511628211
	}
	return h
}

func (h fnv64a) addByte(b byte) fnv64a { return (h ^ fnv64a(b)) * 1099511628211 }

// live reports whether comment i is digested at all (not deleted).
func (a *analysis) live(i int) bool { return !a.t.Comments[i].Deleted }

// tokenize splits every live comment into sentences and words, once; every
// later step reads the token stream.
func (a *analysis) tokenize() {
	a.sentStart = make([]int32, a.n)
	a.sentEnd = make([]int32, a.n)
	// Comments are read in reading order, in contiguous chunks read in parallel,
	// each with its own word numbering; the chunks are then joined in order,
	// which numbers words exactly as one reader would have.
	workers := 1
	if a.n >= parallelTokenizeFrom {
		workers = max(1, min(runtime.GOMAXPROCS(0), 4))
	}
	chunks := make([]tokenChunk, workers)
	var wg sync.WaitGroup
	for w := range chunks {
		lo, hi := len(a.order)*w/workers, len(a.order)*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunks[w].read(a.t.Comments, a.order[lo:hi])
		}()
	}
	wg.Wait()
	// The token stream is the largest thing the analysis keeps (a word is 4
	// bytes, a million comments some 70 million words): allocated once at
	// its exact size, not grown, and each chunk's copy let go once joined.
	nToks, nSents := 0, 0
	for w := range chunks {
		nToks += len(chunks[w].toks)
		nSents += len(chunks[w].sents)
	}
	a.toks = make([]int32, 0, nToks)
	a.sents = make([]sentence, 0, nSents)
	a.vocab.reserve(len(chunks[0].words))
	remap := []int32{}
	for w := range chunks {
		ch := &chunks[w]
		remap = remap[:0]
		for j, word := range ch.words {
			remap = append(remap, a.vocab.addUnstemmed(word, ch.count[j]))
		}
		tokBase, sentBase := int32(len(a.toks)), int32(len(a.sents))
		for _, t := range ch.toks {
			a.toks = append(a.toks, remap[t>>1]<<1|t&1)
		}
		for _, st := range ch.sents {
			st.tok0 += tokBase
			st.tok1 += tokBase
			a.sents = append(a.sents, st)
		}
		for k, i := range ch.comments {
			a.sentStart[i] = sentBase + ch.sentStart[k]
			a.sentEnd[i] = sentBase + ch.sentEnd[k]
		}
		*ch = tokenChunk{}
	}
	a.vocab.stemPending()
}

// forChunks calls fn on contiguous chunks [lo, hi) of 0..n, one per core
// (at most 4) on several goroutines once n reaches from, else once on the
// whole. fn must write only what belongs to its own indices.
func forChunks(n, from int, fn func(lo, hi int)) {
	workers := 1
	if n >= from {
		workers = max(1, min(runtime.GOMAXPROCS(0), 4))
	}
	if workers == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// parallelTokenizeFrom is the thread size from which comments are read by
// several goroutines.
const parallelTokenizeFrom = 2000

// tokenChunk is what one reader made of a run of comments: their sentences
// and tokens, numbered by its own vocabulary (words, in order of first use).
type tokenChunk struct {
	comments           []int32
	sentStart, sentEnd []int32
	sents              []sentence
	toks               []int32
	ids                map[string]int32
	words              []string
	count              []int32
}

func (ch *tokenChunk) read(comments []threaddigest.Comment, order []int32) {
	// Sized for about the distinct words a run of comments this long uses
	// (some 10,000 to 30,000 for 5,000 comments), so that the map is not
	// rebuilt as it grows, nor much larger than it needs to be: every word
	// of the thread is looked up in it.
	ch.ids = make(map[string]int32, min(4*len(order), 1<<15))
	ch.comments = order
	ch.sentStart = make([]int32, len(order))
	ch.sentEnd = make([]int32, len(order))
	var spans []textproc.Span
	for k, i := range order {
		c := comments[i]
		ch.sentStart[k] = int32(len(ch.sents))
		ch.sentEnd[k] = ch.sentStart[k]
		if c.Deleted {
			continue
		}
		spans = textproc.AppendSentences(spans[:0], c.Body)
		for _, sp := range spans {
			s := sentence{comment: i, start: int32(sp.Start), end: int32(sp.End), tok0: int32(len(ch.toks))}
			textproc.Words(c.Body[sp.Start:sp.End], func(lower []byte, w textproc.Word) {
				id, ok := ch.ids[string(lower)]
				if !ok {
					id = int32(len(ch.words))
					word := string(lower)
					ch.ids[word] = id
					ch.words = append(ch.words, word)
					ch.count = append(ch.count, 0)
				}
				ch.count[id]++
				tok := id << 1
				if w.Capital {
					tok |= 1
				}
				ch.toks = append(ch.toks, tok)
			})
			s.tok1 = int32(len(ch.toks))
			ch.sents = append(ch.sents, s)
		}
		ch.sentEnd[k] = int32(len(ch.sents))
	}
}

// sentenceText returns sentence s verbatim.
func (a *analysis) sentenceText(s int) string {
	st := a.sents[s]
	return a.t.Comments[st.comment].Body[st.start:st.end]
}

// vocabulary numbers the distinct lower-cased words of a thread and knows,
// for each, what every step needs: its stem, whether it is a function word,
// its valence.
type vocabulary struct {
	ids   map[string]int32
	words []wordInfo
	count []int32 // occurrences of each word
	stems map[string]int32
	// stemText[s] is stem s.
	stemText []string
	// pending lists the words added but not yet stemmed (addUnstemmed).
	pending []int32
}

type wordInfo struct {
	text      string
	stem      int32 // -1 for a function word
	negator   bool
	contrast  bool
	intensity float32
	valence   float32
	action    float32 // side of an action on the target: -1 against, +1 for
}

func newVocabulary() *vocabulary {
	return &vocabulary{ids: make(map[string]int32), stems: make(map[string]int32)}
}

// reserve makes room for n words, so that numbering them does not rebuild
// the maps as they grow.
func (v *vocabulary) reserve(n int) {
	if len(v.ids) == 0 && n > 0 {
		v.ids = make(map[string]int32, n)
		v.stems = make(map[string]int32, n/2)
		v.words = make([]wordInfo, 0, n)
		v.count = make([]int32, 0, n)
	}
}

func (v *vocabulary) id(lower []byte) int32 {
	if id, ok := v.ids[string(lower)]; ok {
		v.count[id]++
		return id
	}
	return v.add(string(lower), 1)
}

// add counts n more uses of word w and returns its id.
func (v *vocabulary) add(w string, n int32) int32 {
	id := v.addUnstemmed(w, n)
	v.stemPending()
	return id
}

// addUnstemmed is add without the stem of a new word, which stemPending
// finds later: stemming is most of the cost of a new word, and
// stemPending stems many words at once on several cores.
func (v *vocabulary) addUnstemmed(w string, n int32) int32 {
	if id, ok := v.ids[w]; ok {
		v.count[id] += n
		return id
	}
	id := int32(len(v.words))
	v.ids[w] = id
	info := wordInfo{text: w, stem: -1, negator: textproc.IsNegator(w), contrast: contrastWords[w], intensity: intensifiers[w], valence: wordValence(w), action: actions[w]}
	if !textproc.IsStopWord(w) && !isNumber(w) && len(w) > 1 {
		v.pending = append(v.pending, id)
	}
	v.words = append(v.words, info)
	v.count = append(v.count, n)
	return id
}

// stemPending gives every word added unstemmed its stem. Stems are
// numbered in the order their words were added, as if each had been
// stemmed when added, whatever the number of cores.
func (v *vocabulary) stemPending() {
	if len(v.pending) == 0 {
		return
	}
	stems := make([]string, len(v.pending))
	workers := 1
	if len(v.pending) >= parallelStemFrom {
		workers = max(1, min(runtime.GOMAXPROCS(0), 4))
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := len(stems)*w/workers, len(stems)*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				stems[i] = textproc.Stem(v.words[v.pending[i]].text)
			}
		}()
	}
	wg.Wait()
	for i, id := range v.pending {
		sid, ok := v.stems[stems[i]]
		if !ok {
			sid = int32(len(v.stemText))
			v.stems[stems[i]] = sid
			v.stemText = append(v.stemText, stems[i])
		}
		v.words[id].stem = sid
	}
	v.pending = v.pending[:0]
}

// parallelStemFrom is the number of new words from which stemPending uses
// several goroutines.
const parallelStemFrom = 2000

// lookup returns the id of a word already seen, or -1.
func (v *vocabulary) lookup(lower string) int32 {
	if id, ok := v.ids[lower]; ok {
		return id
	}
	return -1
}

func isNumber(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// rng is a small deterministic generator (SplitMix64) seeded from the input.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// sortedKeys returns the keys of a map in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
