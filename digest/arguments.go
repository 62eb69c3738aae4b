package digest

import (
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Parameters of argument finding.
const (
	minUnitContentWords = 3     // a sentence needs this many content words to argue
	subjectWeight       = 0.3   // weight of the target's and title's own words
	sampleSize          = 1000  // sentences the number of clusters is chosen on
	maxClusters         = 24    // most clusters tried
	memberSimilarity    = 0.2   // a sentence makes an argument when this near its centre
	refineRounds        = 2     // k-means rounds over all sentences after the sample
	sampleRounds        = 25    // k-means rounds on the sample
	kmeansRestarts      = 3     // k-means runs per k, the best kept
	giveUpAfter         = 6     // k values tried past the best before stopping
	unitsPerMinCluster  = 30    // a thread of n sentences gets at least n/30 clusters, up to maxClusters
	mergeSimilarity     = 0.3   // centres at least this similar are merged
	labelTerms          = 3     // terms in a label
	maxStatementRunes   = 300   // longer sentences are poor statements
	commonFeature       = 0.5   // features in more than this share of units are dropped
	silhouettePenalty   = 0.008 // per cluster, so that k does not grow for noise
)

// argumentCluster is one group of sentences arguing the same thing.
type argumentCluster struct {
	units      []int32 // indices into the unit list, ascending
	centroid   []float32
	label      string
	statement  int32 // sentence index
	commenters int   // distinct commenters in the whole thread
}

// features holds the TF-IDF vectors of the argumentative sentences ("units"),
// as sorted sparse rows.
type features struct {
	sent   []int32   // unit -> sentence index
	off    []int32   // unit u's row is idx/val[off[u]:off[u+1]]
	idx    []int32   // feature ids
	val    []float32 // weights, rows L2-normalised
	nFeat  int
	names  []featureName
	counts []int32 // units holding each feature
}

// featureName is a unigram (b == -1) or bigram of stems.
type featureName struct{ a, b int32 }

func (f *features) row(u int) ([]int32, []float32) {
	return f.idx[f.off[u]:f.off[u+1]], f.val[f.off[u]:f.off[u+1]]
}

// buildFeatures turns every live sentence with enough content words into a
// TF-IDF vector: sublinear term frequency over stemmed unigrams and bigrams,
// function words removed, the subject's words down-weighted, features seen in
// one sentence only or in most sentences dropped.
func (a *analysis) buildFeatures() *features {
	subject := a.subjectStems()
	nStems := int32(len(a.vocab.stemText))
	bigrams := map[uint64]int32{}
	// A sentence has about as many features (stems and pairs of stems) as
	// words, so sizing the rows by the words saves growing them.
	f := &features{sent: make([]int32, 0, len(a.sents))}
	rowIDs := make([]int32, 0, len(a.toks)) // flat feature ids, before weighting
	rowOff := make([]int32, 0, len(a.sents)+1)
	var counts []int32
	featureOf := func(x, y int32) int32 {
		if y < 0 {
			return x
		}
		key := uint64(x)<<32 | uint64(uint32(y))
		id, ok := bigrams[key]
		if !ok {
			id = nStems + int32(len(bigrams))
			bigrams[key] = id
		}
		return id
	}
	var content []int32
	var ids []int32
	lastUnit := []int32{}
	for _, ci := range a.order {
		if !a.live(int(ci)) {
			continue
		}
		for s := int(a.sentStart[ci]); s < int(a.sentEnd[ci]); s++ {
			sn := a.sents[s]
			content = content[:0]
			for t := sn.tok0; t < sn.tok1; t++ {
				if st := a.vocab.words[a.toks[t]>>1].stem; st >= 0 {
					content = append(content, st)
				}
			}
			if len(content) < minUnitContentWords {
				continue
			}
			ids = ids[:0]
			for i, st := range content {
				ids = append(ids, st)
				if i+1 < len(content) && content[i+1] != st {
					ids = append(ids, featureOf(st, content[i+1]))
				}
			}
			slices.Sort(ids)
			u := int32(len(f.sent))
			f.sent = append(f.sent, int32(s))
			rowOff = append(rowOff, int32(len(rowIDs)))
			rowIDs = append(rowIDs, ids...)
			for i, id := range ids {
				if i > 0 && ids[i-1] == id {
					continue
				}
				for int(id) >= len(counts) {
					counts = append(counts, 0)
					lastUnit = append(lastUnit, -1)
				}
				if lastUnit[id] != u {
					lastUnit[id] = u
					counts[id]++
				}
			}
		}
	}
	rowOff = append(rowOff, int32(len(rowIDs)))
	nUnits := len(f.sent)
	f.nFeat = len(counts)
	f.counts = counts
	f.names = make([]featureName, f.nFeat)
	for i := int32(0); i < nStems && int(i) < f.nFeat; i++ {
		f.names[i] = featureName{i, -1}
	}
	for key, id := range bigrams {
		if int(id) < f.nFeat {
			f.names[id] = featureName{int32(key >> 32), int32(uint32(key))}
		}
	}
	// Weigh and normalise.
	idf := make([]float32, f.nFeat)
	maxDF := int32(float64(nUnits) * commonFeature)
	for id, c := range counts {
		if c < 2 || (c > maxDF && nUnits >= 20) {
			continue
		}
		w := math.Log(float64(1+nUnits)/float64(1+c)) + 1
		n := f.names[id]
		if subject[n.a] || (n.b >= 0 && subject[n.b]) {
			w *= subjectWeight
		}
		idf[id] = float32(w)
	}
	// The features no sentence keeps (seen once, or nearly everywhere) are
	// numbered out, the others keeping their order: centres are dense over
	// the features, and most pairs of stems occur once.
	newID := make([]int32, len(idf))
	nKept := int32(0)
	for id, w := range idf {
		newID[id] = -1
		if w > 0 {
			newID[id] = nKept
			f.names[nKept] = f.names[id]
			f.counts[nKept] = f.counts[id]
			nKept++
		}
	}
	f.names = slices.Clip(f.names[:nKept])
	f.counts = slices.Clip(f.counts[:nKept])
	f.nFeat = int(nKept)
	// The weighted rows are kept for the whole analysis: counted first, so
	// that they are allocated once at their size.
	kept, keptUnits := 0, 0
	for u := 0; u < nUnits; u++ {
		row := rowIDs[rowOff[u]:rowOff[u+1]]
		n := 0
		for i := 0; i < len(row); {
			j := i + 1
			for j < len(row) && row[j] == row[i] {
				j++
			}
			if idf[row[i]] > 0 {
				n++
			}
			i = j
		}
		if n >= 2 {
			kept += n
			keptUnits++
		}
	}
	f.idx = make([]int32, 0, kept)
	f.val = make([]float32, 0, kept)
	f.off = make([]int32, 0, keptUnits+1)
	keep := make([]int32, 0, keptUnits)
	for u := 0; u < nUnits; u++ {
		row := rowIDs[rowOff[u]:rowOff[u+1]]
		start := len(f.idx)
		norm := 0.0
		for i := 0; i < len(row); {
			j := i + 1
			for j < len(row) && row[j] == row[i] {
				j++
			}
			if w := idf[row[i]]; w > 0 {
				v := float64(w) // a feature once in the sentence: 1 + log 1 = 1
				if j-i > 1 {
					v = (1 + math.Log(float64(j-i))) * float64(w)
				}
				f.idx = append(f.idx, newID[row[i]])
				f.val = append(f.val, float32(v))
				norm += v * v
			}
			i = j
		}
		if len(f.idx)-start < 2 {
			f.idx = f.idx[:start]
			f.val = f.val[:start]
			continue
		}
		inv := float32(1 / math.Sqrt(norm))
		for k := start; k < len(f.val); k++ {
			f.val[k] *= inv
		}
		f.off = append(f.off, int32(start))
		keep = append(keep, f.sent[u])
	}
	f.off = append(f.off, int32(len(f.idx)))
	f.sent = keep
	return f
}

// subjectStems are the stems of the target and the title: the thread's own
// subject, present everywhere and so separating nothing.
func (a *analysis) subjectStems() map[int32]bool {
	subject := map[int32]bool{}
	for _, s := range a.target.stems {
		subject[s] = true
	}
	for _, w := range a.readPhrase(a.t.Title) {
		if w.stem >= 0 {
			subject[w.stem] = true
		}
	}
	return subject
}

// clusterArguments finds the arguments: spherical k-means over the sentence
// vectors, with the number of clusters chosen by silhouette on a sample,
// refined over all sentences, sentences far from every centre left out, and
// clusters too few commenters make dropped. a.args holds the clusters in no
// particular order; build ranks them.
func (a *analysis) clusterArguments() {
	a.argOf = make([]int32, len(a.sents))
	for i := range a.argOf {
		a.argOf[i] = -1
	}
	f := a.buildFeatures()
	a.feat = f
	nUnits := len(f.sent)
	if nUnits < 6 {
		return
	}
	r := &rng{state: a.seed}
	sample := sampleUnits(nUnits, sampleSize, r)
	// The sample's rows on the features they use: the similarity matrix is
	// computed there, where the dense scratch row fits in cache (the sums
	// are the same, term for term, as over the whole feature space).
	sub := f.restrict(sample)
	sim := sub.similarities()
	space := f
	a.space = space
	clusters, centroids := space.kmeansClusters(sample, sub, sim, a.seed)
	minCommenters := 3
	if len(a.commenters) < 20 {
		minCommenters = 2
	}
	for k := range clusters {
		c := &clusters[k]
		if len(c.units) == 0 {
			continue
		}
		c.commenters = a.distinctCommenters(f, c.units)
		if c.commenters < minCommenters {
			continue
		}
		c.centroid = centroids[k]
		c.statement = a.pickStatement(space, c)
		a.args = append(a.args, *c)
	}
	for k := range a.args {
		for _, u := range a.args[k].units {
			a.argOf[f.sent[u]] = int32(k)
		}
	}
	a.labelArguments(f)
}

// kmeansClusters runs spherical k-means on the sample (sub, its rows, and
// sim, their similarities) for each k, keeps the k of best silhouette,
// refines the centres over every unit and keeps the units near enough to
// their centre.
func (f *features) kmeansClusters(sample []int32, sub *features, sim [][]float32, seed uint64) ([]argumentCluster, [][]float32) {
	nUnits := len(f.sent)
	bestK, bestAssign := chooseK(sub, sim, seed)
	if bestK == 0 {
		return nil, nil
	}
	bestK = mergeAlike(sub, bestAssign, bestK)
	// Centres in the full feature space, refined over every unit.
	all := make([]int32, nUnits)
	for u := range all {
		all[u] = int32(u)
	}
	centroids := make([][]float32, bestK)
	for k := range centroids {
		centroids[k] = make([]float32, f.nFeat)
	}
	f.centroidsInto(centroids, sample, bestAssign)
	assign := make([]int32, nUnits)
	sims := make([]float32, nUnits)
	var scratch []float32
	for round := 0; round < refineRounds; round++ {
		scratch = f.assign(all, centroids, assign, sims, scratch)
		f.centroidsInto(centroids, all, assign)
	}
	scratch = f.assign(all, centroids, assign, sims, scratch)
	clusters := make([]argumentCluster, len(centroids))
	for u := 0; u < nUnits; u++ {
		if sims[u] >= memberSimilarity {
			clusters[assign[u]].units = append(clusters[assign[u]].units, int32(u))
		}
	}
	return clusters, centroids
}

// chooseK clusters the sample for k = 2, 3, … and returns the k of best
// silhouette (less a small cost per cluster) and its groups, stopping
// giveUpAfter values of k past the best. Values of k run in parallel, each
// with its own generator seeded from the input and k, so the result does not
// depend on scheduling.
func chooseK(sub *features, sim [][]float32, seed uint64) (int, []int32) {
	n := len(sub.off) - 1
	kmax := min(maxClusters, n/4)
	kmin := max(2, min(kmax, n/unitsPerMinCluster))
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	type result struct {
		score  float64
		assign []int32
	}
	pool := make([]*kmeans, workers)
	for w := range pool {
		pool[w] = newKmeans(sub, maxClusters)
	}
	bestK, bestScore, worse := 0, math.Inf(-1), 0
	var bestAssign []int32
	for k0 := kmin; k0 <= kmax && worse < giveUpAfter; k0 += workers {
		results := make([]result, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers && k0+w <= kmax; w++ {
			wg.Add(1)
			go func(w, k int) {
				defer wg.Done()
				r := &rng{state: seed ^ uint64(k)*0x9e3779b97f4a7c15}
				assign := pool[w].best(k, sim, r)
				results[w] = result{silhouette(sim, assign, k) - silhouettePenalty*float64(k), assign}
			}(w, k0+w)
		}
		wg.Wait()
		for w := 0; w < workers && k0+w <= kmax && worse < giveUpAfter; w++ {
			if res := results[w]; res.score > bestScore {
				bestK, bestScore, bestAssign = k0+w, res.score, res.assign
				worse = 0
			} else {
				worse++
			}
		}
	}
	return bestK, bestAssign
}

// mergeAlike merges groups whose centres are at least mergeSimilarity alike
// (they argue the same thing), most alike first, renumbering assign in
// place; it returns the number of groups left.
func mergeAlike(f *features, assign []int32, k int) int {
	units := make([]int32, len(assign))
	for i := range units {
		units[i] = int32(i)
	}
	flat := make([]float32, k*f.nFeat)
	cs := make([][]float32, k)
	for g := range cs {
		cs[g] = flat[g*f.nFeat : (g+1)*f.nFeat]
	}
	for {
		f.centroidsInto(cs, units, assign)
		bi, bj, best := -1, -1, float32(mergeSimilarity)
		for i := range cs {
			for j := i + 1; j < len(cs); j++ {
				var d float32
				for x, v := range cs[i] {
					d += v * cs[j][x]
				}
				if d >= best {
					bi, bj, best = i, j, d
				}
			}
		}
		if bi < 0 {
			return len(cs)
		}
		for u := range assign {
			switch {
			case assign[u] == int32(bj):
				assign[u] = int32(bi)
			case assign[u] > int32(bj):
				assign[u]--
			}
		}
		cs = cs[:len(cs)-1]
	}
}

// restrict returns the rows of the given units on the features they use,
// renumbered densely: unit i of the result is units[i].
func (f *features) restrict(units []int32) *features {
	remap := map[int32]int32{}
	sub := &features{off: make([]int32, 0, len(units)+1)}
	for _, u := range units {
		idx, val := f.row(int(u))
		sub.off = append(sub.off, int32(len(sub.idx)))
		for j, id := range idx {
			c, ok := remap[id]
			if !ok {
				c = int32(len(remap))
				remap[id] = c
			}
			sub.idx = append(sub.idx, c)
			sub.val = append(sub.val, val[j])
		}
	}
	sub.off = append(sub.off, int32(len(sub.idx)))
	sub.nFeat = len(remap)
	return sub
}

// kmeans runs spherical k-means over every unit of a (small) feature set,
// reusing its buffers across runs.
type kmeans struct {
	f       *features
	units   []int32
	cent    [][]float32
	assign  []int32
	prev    []int32
	sims    []float32
	near    []float32 // k-means++: highest similarity to a chosen seed
	scratch []float32 // reused by assign
}

func newKmeans(f *features, maxK int) *kmeans {
	n := len(f.off) - 1
	km := &kmeans{f: f, units: make([]int32, n), assign: make([]int32, n), prev: make([]int32, n), sims: make([]float32, n), near: make([]float32, n)}
	for i := range km.units {
		km.units[i] = int32(i)
	}
	flat := make([]float32, maxK*f.nFeat)
	for k := 0; k < maxK; k++ {
		km.cent = append(km.cent, flat[k*f.nFeat:(k+1)*f.nFeat])
	}
	return km
}

// best returns the groups of the best of kmeansRestarts runs by total
// similarity of units to their centres; the slice is reused by later calls.
func (km *kmeans) best(k int, sim [][]float32, r *rng) []int32 {
	var best []int32
	bestFit := math.Inf(-1)
	for try := 0; try < kmeansRestarts; try++ {
		fit := km.run(k, sim, r)
		if fit > bestFit {
			bestFit = fit
			best = append(best[:0], km.assign...)
		}
	}
	return best
}

// run is one run of spherical k-means from k-means++ seeds (chosen with the
// similarity matrix); it returns the total similarity of units to centres.
func (km *kmeans) run(k int, sim [][]float32, r *rng) float64 {
	f, n := km.f, len(km.units)
	cent := km.cent[:k]
	for i := range km.near {
		km.near[i] = -1
	}
	seed := r.intn(n)
	for c := 0; c < k; c++ {
		clear(cent[c])
		idx, val := f.row(seed)
		for j, id := range idx {
			cent[c][id] = val[j]
		}
		total := 0.0
		for i := 0; i < n; i++ {
			if s := sim[i][seed]; s > km.near[i] {
				km.near[i] = s
			}
			d := float64(1 - km.near[i])
			total += d * d
		}
		if total <= 0 {
			seed = r.intn(n)
			continue
		}
		x := r.float() * total
		seed = n - 1
		for i := 0; i < n; i++ {
			d := float64(1 - km.near[i])
			x -= d * d
			if x <= 0 {
				seed = i
				break
			}
		}
	}
	for i := range km.assign {
		km.assign[i] = -1
	}
	for round := 0; round < sampleRounds; round++ {
		copy(km.prev, km.assign)
		km.scratch = f.assign(km.units, cent, km.assign, km.sims, km.scratch)
		if round > 0 && equalInt32(km.prev, km.assign) {
			break
		}
		f.centroidsInto(cent, km.units, km.assign)
	}
	km.scratch = f.assign(km.units, cent, km.assign, km.sims, km.scratch)
	fit := 0.0
	for _, v := range km.sims {
		fit += float64(v)
	}
	return fit
}

func equalInt32(a, b []int32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (f *features) dot(u int, c []float32) float32 {
	idx, val := f.row(u)
	var d float32
	for i, id := range idx {
		d += c[id] * val[i]
	}
	return d
}

// assign puts each unit in its most similar centre (ties: lowest index).
// The centres are read feature by feature (all k weights of a feature side
// by side), so that scoring a unit touches one cache line per feature
// rather than one per feature and centre. Large sets of units are scored
// by several goroutines, each over its own range: a unit's score depends on
// nothing else, so the result does not depend on the split.
//
// scratch is reused when large enough and returned for the next call.
func (f *features) assign(units []int32, centroids [][]float32, assign []int32, sims []float32, scratch []float32) []float32 {
	k := len(centroids)
	need := f.nFeat * k
	if cap(scratch) < need {
		scratch = make([]float32, need)
	}
	byFeature := scratch[:need]
	clear(byFeature)
	for c, cent := range centroids {
		for x, v := range cent {
			if v != 0 {
				byFeature[x*k+c] = v
			}
		}
	}
	workers := 1
	if len(units) >= parallelAssignFrom {
		workers = max(1, min(runtime.GOMAXPROCS(0), 4))
	}
	if workers == 1 {
		f.assignRange(units, byFeature, k, assign, sims)
		return scratch
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := len(units)*w/workers, len(units)*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.assignRange(units[lo:hi], byFeature, k, assign[lo:hi], sims[lo:hi])
		}()
	}
	wg.Wait()
	return scratch
}

// parallelAssignFrom is the number of units from which assign uses several
// goroutines.
const parallelAssignFrom = 8192

func (f *features) assignRange(units []int32, byFeature []float32, k int, assign []int32, sims []float32) {
	score := make([]float32, k)
	for i, u := range units {
		clear(score)
		idx, val := f.row(int(u))
		val = val[:len(idx)]
		for j, id := range idx {
			w := val[j]
			col := byFeature[int(id)*k : int(id)*k+k]
			sc := score[:len(col)] // same length: no bounds checks in the loop
			for c, v := range col {
				sc[c] += v * w
			}
		}
		best, bestSim := int32(0), float32(math.Inf(-1))
		for c, sc := range score {
			if sc > bestSim {
				best, bestSim = int32(c), sc
			}
		}
		assign[i] = best
		sims[i] = bestSim
	}
}

// centroidsInto sets each centre to the normalised mean of its group; an
// empty group gets a zero centre, which nothing is nearer to than a real one.
func (f *features) centroidsInto(cs [][]float32, units []int32, assign []int32) {
	workers := 1
	if len(units) >= parallelAssignFrom {
		workers = max(1, min(runtime.GOMAXPROCS(0), len(cs), 4))
	}
	if workers == 1 {
		f.centroidsOf(cs, 0, 1, units, assign)
		return
	}
	// Each goroutine makes every workers-th centre, reading the units in
	// order: each centre is summed exactly as one goroutine would.
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.centroidsOf(cs, w, workers, units, assign)
		}()
	}
	wg.Wait()
}

// centroidsOf makes centres first, first+step, … of centroidsInto.
func (f *features) centroidsOf(cs [][]float32, first, step int, units []int32, assign []int32) {
	for k := first; k < len(cs); k += step {
		clear(cs[k])
	}
	for i, u := range units {
		k := int(assign[i])
		if k%step != first {
			continue
		}
		c := cs[k]
		idx, val := f.row(int(u))
		for j, id := range idx {
			c[id] += val[j]
		}
	}
	for k := first; k < len(cs); k += step {
		c := cs[k]
		norm := 0.0
		for _, v := range c {
			norm += float64(v) * float64(v)
		}
		if norm == 0 {
			continue
		}
		inv := float32(1 / math.Sqrt(norm))
		for j := range c {
			c[j] *= inv
		}
	}
}

func (a *analysis) distinctCommenters(f *features, units []int32) int {
	seen := map[int32]bool{}
	for _, u := range units {
		seen[a.commenter[a.sents[f.sent[u]].comment]] = true
	}
	return len(seen)
}

// sampleUnits picks up to size units at random (seeded), in order.
func sampleUnits(n, size int, r *rng) []int32 {
	all := make([]int32, n)
	for i := range all {
		all[i] = int32(i)
	}
	if n <= size {
		return all
	}
	for i := 0; i < size; i++ {
		j := i + r.intn(n-i)
		all[i], all[j] = all[j], all[i]
	}
	s := all[:size]
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

// similarities returns the cosine similarities between all units of f, as
// a dense symmetric matrix: f is a sample's rows (restrict), so that the
// matrix is bounded.
func (f *features) similarities() [][]float32 {
	n := len(f.off) - 1
	sim := make([][]float32, n)
	flat := make([]float32, n*n)
	for i := range sim {
		sim[i] = flat[i*n : (i+1)*n]
	}
	// Row i computes the pairs (i, j > i), so later rows are shorter: the
	// goroutines take rows in turn, and each pair is computed once, the
	// same way whatever the number of goroutines.
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dense := make([]float32, f.nFeat)
			for i := w; i < n; i += workers {
				idx, val := f.row(i)
				for k, id := range idx {
					dense[id] = val[k]
				}
				sim[i][i] = 1
				for j := i + 1; j < n; j++ {
					jdx, jval := f.row(j)
					var d float32
					for k, id := range jdx {
						d += dense[id] * jval[k]
					}
					sim[i][j] = d
					sim[j][i] = d
				}
				for _, id := range idx {
					dense[id] = 0
				}
			}
		}()
	}
	wg.Wait()
	return sim
}

// silhouette is the mean silhouette of a clustering under cosine distance.
func silhouette(sim [][]float32, assign []int32, k int) float64 {
	n := len(assign)
	size := make([]int, k)
	for _, g := range assign {
		size[g]++
	}
	sums := make([]float64, k)
	total := 0.0
	for i := 0; i < n; i++ {
		for g := range sums {
			sums[g] = 0
		}
		row := sim[i]
		for j := 0; j < n; j++ {
			if j != i {
				sums[assign[j]] += 1 - float64(row[j])
			}
		}
		own := assign[i]
		if size[own] <= 1 {
			continue // a singleton scores 0
		}
		ai := sums[own] / float64(size[own]-1)
		bi := math.Inf(1)
		for g := 0; g < k; g++ {
			if int32(g) != own && size[g] > 0 {
				bi = math.Min(bi, sums[g]/float64(size[g]))
			}
		}
		if math.IsInf(bi, 1) {
			continue
		}
		total += (bi - ai) / math.Max(ai, bi)
	}
	return total / float64(n)
}

// pickStatement returns the most central sentence of a cluster: the one most
// similar to its centre, preferring sentences of readable length.
func (a *analysis) pickStatement(f *features, c *argumentCluster) int32 {
	best, bestScore := int32(-1), float32(math.Inf(-1))
	for _, u := range c.units {
		s := f.dot(int(u), c.centroid)
		sent := f.sent[u]
		words := a.sents[sent].tok1 - a.sents[sent].tok0
		runes := len([]rune(a.sentenceText(int(sent))))
		if words < 6 || runes > maxStatementRunes {
			s *= 0.7
		}
		if s > bestScore {
			best, bestScore = sent, s
		}
	}
	return best
}

// labelArguments names each cluster by its distinguishing terms: class-based
// TF-IDF of the cluster against the rest of the thread.
func (a *analysis) labelArguments(f *features) {
	if len(a.args) == 0 {
		return
	}
	// The classes are the arguments and, last, every sentence in none.
	nClass := len(a.args) + 1
	freq := make([]int32, f.nFeat) // occurrences of each feature over all classes
	totalWords := 0.0
	for u := range f.sent {
		idx, _ := f.row(u)
		for _, id := range idx {
			freq[id]++
		}
		totalWords += float64(len(idx))
	}
	avg := totalWords / float64(nClass)
	tf := make(map[int32]float64)
	best := a.vocab.bestWords()
	subject := a.subjectStems()
	for k := range a.args {
		type scored struct {
			id int32
			w  float64
		}
		clear(tf)
		for _, u := range a.args[k].units {
			idx, _ := f.row(int(u))
			for _, id := range idx {
				tf[id]++
			}
		}
		terms := make([]scored, 0, len(tf))
		for id, c := range tf {
			terms = append(terms, scored{id, c * math.Log(1+avg/float64(freq[id]))})
		}
		sort.Slice(terms, func(i, j int) bool {
			if terms[i].w != terms[j].w {
				return terms[i].w > terms[j].w
			}
			return terms[i].id < terms[j].id
		})
		var parts []string
		used := map[int32]bool{}
		for _, t := range terms {
			if len(parts) == labelTerms {
				break
			}
			n := f.names[t.id]
			if used[n.a] && (n.b < 0 || used[n.b]) || subject[n.a] && (n.b < 0 || subject[n.b]) {
				continue
			}
			text := a.vocab.words[best[n.a]].text
			if n.b >= 0 {
				text += " " + a.vocab.words[best[n.b]].text
				used[n.b] = true
			}
			used[n.a] = true
			parts = append(parts, text)
		}
		a.args[k].label = strings.Join(parts, ", ")
	}
}

// bestWords returns, for each stem, the id of its most frequent word in the
// thread (ties: the earliest seen).
func (v *vocabulary) bestWords() []int32 {
	best := make([]int32, len(v.stemText))
	for i := range best {
		best[i] = -1
	}
	for id, w := range v.words {
		if w.stem < 0 {
			continue
		}
		if b := best[w.stem]; b < 0 || v.count[id] > v.count[b] {
			best[w.stem] = int32(id)
		}
	}
	return best
}

// mainArgumentOfComments returns for each comment the cluster most of its
// argumentative sentences fall in (ties: the earliest sentence's), or -1.
func (a *analysis) mainArgumentOfComments() []int32 {
	out := make([]int32, a.n)
	counts := map[int32]int{}
	for i := 0; i < a.n; i++ {
		out[i] = -1
		clear(counts)
		bestN := 0
		for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
			g := a.argOf[s]
			if g < 0 {
				continue
			}
			counts[g]++
			if counts[g] > bestN {
				bestN = counts[g]
				out[i] = g
			}
		}
	}
	return out
}
