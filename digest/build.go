package digest

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/geo"
)

// Lengths of the verbatim excerpts, in characters.
const (
	excerptRunes = 200
	quoteRunes   = 200
)

// build assembles the Digest of the comments in scope.
func (a *analysis) build() Digest { return a.assembly().assemble() }

// assembly hands the analysis's labels to the code that counts and quotes,
// with the analysis itself as the evidence of what to quote.
func (a *analysis) assembly() *assembly {
	as := &assembly{
		t:          a.t,
		opt:        a.opt,
		n:          a.n,
		target:     a.target.display,
		commenter:  a.commenter,
		commenters: len(a.commenters),
		rank:       a.rank,
		parent:     a.parent,
		replies:    a.replies,
		relation:   a.relation,
		label:      a.label,
		argLabels:  make([]string, len(a.args)),
		argsOf:     make([][]int32, a.n),
		ev:         a,
	}
	for k := range a.args {
		as.argLabels[k] = a.args[k].label
	}
	for i := 0; i < a.n; i++ {
		gs := slices.Clone(a.commentArgs[i])
		slices.Sort(gs)
		as.argsOf[i] = gs
	}
	return as
}

// assembly is what counting, ranking and quoting need to know about a thread
// once an engine has labelled its comments: who wrote each, what it answers
// and how, its stance, the arguments it makes. The offline analysis fills it
// (analysis.build), and so does Assemble from another engine's Labels: both
// digests are counted, ranked and quoted by the same code. Comments are
// addressed by their index in the thread, deleted ones included.
type assembly struct {
	t   threaddigest.Thread
	opt Options
	n   int

	target string
	// commenter[i] numbers comment i's commenter; commenters counts them.
	commenter  []int32
	commenters int
	// rank[i] is comment i's place in reading order (readingOrder): ties
	// are broken by it, so that a shuffled or renamed thread digests the
	// same.
	rank []int32

	parent   []int32 // index of the comment replied to, or -1
	replies  []int32 // number of direct replies each comment received
	relation []int8  // relRebuttal, … of each reply
	label    []int8  // stance: labelNone, labelFavor, labelAgainst

	// argLabels names each argument the engine found, in no particular
	// order; argsOf[i] lists those comment i makes, ascending.
	argLabels []string
	argsOf    [][]int32
	// argCommenters counts each argument's distinct commenters in the
	// whole thread (set by assemble).
	argCommenters []int

	ev evidence
}

// evidence is what an engine knows about where a comment says what its
// labels say: the assembly asks it what to quote.
type evidence interface {
	// statement picks the passage that best states argument k among the
	// comments in scope that make it: comment index and byte range.
	statement(k int, inScope []bool) (comment, start, end int)
	// clearerSide reports whether comment i is a clearer example of the
	// side sign (+1 favor, -1 against) than comment j (-1: none yet).
	clearerSide(i, j int, sign float64) bool
	// stanceQuote quotes comment i where it takes the side sign.
	stanceQuote(i int, sign float64) *Quote
	// substance is how much comment i says, from 0 to 1.
	substance(i int) float64
	// rebuttalExcerpts quote rebuttal i and the parent p it answers.
	rebuttalExcerpts(i, p int) (reply, parent string)
}

// assemble builds the Digest of the comments in scope: all live comments, or
// the new ones when Options.New is set.
func (as *assembly) assemble() Digest {
	d := Digest{
		ThreadID:  as.t.ID,
		Title:     as.t.Title,
		Target:    as.target,
		Arguments: []Argument{},
		Rebuttals: []Rebuttal{},
		Regions:   []Region{},
		Comments:  []CommentResult{},
	}
	inScope := make([]bool, as.n)
	for i, c := range as.t.Comments {
		inScope[i] = !c.Deleted && (as.opt.New == nil || as.opt.New[c.ID])
	}
	as.argCommenters = make([]int, len(as.argLabels))
	seen := make(map[[2]int32]bool)
	for i, gs := range as.argsOf {
		if as.t.Comments[i].Deleted {
			continue
		}
		for _, g := range gs {
			if key := [2]int32{g, as.commenter[i]}; !seen[key] {
				seen[key] = true
				as.argCommenters[g]++
			}
		}
	}
	d.CommentCount, d.CommenterCount = as.count(inScope)
	d.Comments = make([]CommentResult, 0, d.CommentCount)
	d.Span = as.span(inScope)

	argIDs := as.rankArguments(inScope, &d)
	d.Rebuttals = as.rebuttals(inScope, argIDs, d.CommenterCount)
	d.Stance = as.stanceOf(inScope, true)
	places := as.places()
	d.Regions = as.regions(inScope, places, argIDs)

	for i, c := range as.t.Comments {
		if !inScope[i] {
			continue
		}
		place := places.ofComment[i]
		cr := CommentResult{
			ID:        c.ID,
			Author:    c.Author,
			Location:  c.Location,
			Country:   place.Country,
			Admin1:    postalAdmin1(place),
			Region:    place.Region,
			Stance:    stanceName(as.label[i]),
			Arguments: as.argumentsOfComment(i, argIDs),
		}
		if p := as.parent[i]; p >= 0 {
			id := as.t.Comments[p].ID
			cr.ReplyTo = &id
			rel := relationName(as.relation[i])
			cr.Relation = &rel
		} else if as.relation[i] != relNone {
			// A reply to a comment the input does not hold.
			id := c.ParentID
			cr.ReplyTo = &id
			rel := relationName(as.relation[i])
			cr.Relation = &rel
		}
		d.Comments = append(d.Comments, cr)
	}
	if as.opt.New != nil {
		d.Context = as.context(inScope, d)
	}
	addRefs(as.t, &d)
	return d
}

// postalAdmin1 is the place's state or province as the digest reports it:
// the two-letter postal code for the US and Canada, "" elsewhere (the
// resolver's GeoNames codes for other countries mean nothing to readers).
func postalAdmin1(p geo.Place) string {
	if (p.Country == "US" || p.Country == "CA") && len(p.Admin1) == 2 {
		return p.Admin1
	}
	return ""
}

func (as *assembly) count(inScope []bool) (comments, commenters int) {
	seen := make([]bool, as.commenters)
	for i, ok := range inScope {
		if !ok {
			continue
		}
		comments++
		if k := as.commenter[i]; !seen[k] {
			seen[k] = true
			commenters++
		}
	}
	return comments, commenters
}

func (as *assembly) span(inScope []bool) *Span {
	var sp *Span
	for i, ok := range inScope {
		at := as.t.Comments[i].CreatedAt
		if !ok || at.IsZero() {
			continue
		}
		if sp == nil {
			sp = &Span{First: at, Last: at}
			continue
		}
		if at.Before(sp.First) {
			sp.First = at
		}
		if at.After(sp.Last) {
			sp.Last = at
		}
	}
	return sp
}

func relationName(r int8) string {
	switch r {
	case relRebuttal:
		return RelationRebuttal
	case relAgreement:
		return RelationAgreement
	}
	return RelationExtension
}

// rankArguments fills d.Arguments with the arguments the comments in scope
// make, most commenters first, and returns the reported id of each argument
// (0 when not reported).
func (as *assembly) rankArguments(inScope []bool, d *Digest) []int {
	type ranked struct {
		k          int
		comments   []int
		commenters int
		first      int
	}
	members := make([][]int, len(as.argLabels))
	for i, ok := range inScope {
		if !ok {
			continue
		}
		for _, g := range as.argsOf[i] {
			members[g] = append(members[g], i)
		}
	}
	var list []ranked
	for k, comments := range members {
		if len(comments) == 0 {
			continue
		}
		seen := map[int32]bool{}
		first := as.rank[comments[0]]
		for _, i := range comments {
			seen[as.commenter[i]] = true
			first = min(first, as.rank[i])
		}
		list = append(list, ranked{k: k, comments: comments, commenters: len(seen), first: int(first)})
	}
	sort.Slice(list, func(i, j int) bool {
		x, y := list[i], list[j]
		if x.commenters != y.commenters {
			return x.commenters > y.commenters
		}
		if len(x.comments) != len(y.comments) {
			return len(x.comments) > len(y.comments)
		}
		return x.first < y.first
	})
	maxArgs := as.opt.MaxArguments
	if maxArgs <= 0 {
		maxArgs = defaultMaxArguments
	}
	ids := make([]int, len(as.argLabels))
	for r, it := range list {
		if r == maxArgs {
			break
		}
		id := r + 1
		ids[it.k] = id
		ci, start, end := as.ev.statement(it.k, inScope)
		c := as.t.Comments[ci]
		text := c.Body[start:end]
		arg := Argument{
			ID:         id,
			Label:      as.argLabels[it.k],
			Statement:  text,
			Commenters: it.commenters,
			Share:      share(it.commenters, d.CommenterCount),
			CommentIDs: make([]string, len(it.comments)),
			Quote:      Quote{CommentID: c.ID, Author: c.Author, Text: text},
		}
		for j, i := range it.comments {
			arg.CommentIDs[j] = as.t.Comments[i].ID
		}
		d.Arguments = append(d.Arguments, arg)
	}
	return ids
}

func dedupInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(total)*10000) / 10000
}

// argumentsOfComment lists the reported arguments comment i makes.
func (as *assembly) argumentsOfComment(i int, argIDs []int) []int {
	out := []int{}
	for _, g := range as.argsOf[i] {
		if argIDs[g] > 0 {
			out = append(out, argIDs[g])
		}
	}
	sort.Ints(out)
	return dedupInts(out)
}

// stanceOf counts the comments in scope by stance and, when quotes is set,
// quotes the clearest comment on each side.
func (as *assembly) stanceOf(inScope []bool, quotes bool) Stance {
	st := Stance{Target: as.target}
	bestFavor, bestAgainst := -1, -1
	for i, ok := range inScope {
		if !ok {
			continue
		}
		switch as.label[i] {
		case labelFavor:
			st.Favor++
			if quotes && as.ev.clearerSide(i, bestFavor, 1) {
				bestFavor = i
			}
		case labelAgainst:
			st.Against++
			if quotes && as.ev.clearerSide(i, bestAgainst, -1) {
				bestAgainst = i
			}
		default:
			st.None++
		}
	}
	if quotes {
		if bestFavor >= 0 {
			st.FavorQuote = as.ev.stanceQuote(bestFavor, 1)
		}
		if bestAgainst >= 0 {
			st.AgainstQuote = as.ev.stanceQuote(bestAgainst, -1)
		}
	}
	return st
}

// stanceQuote quotes the sentence of comment i that most takes the side sign.
func (a *analysis) stanceQuote(i int, sign float64) *Quote {
	best := a.stanceSentence(i, sign)
	if best < 0 {
		return nil
	}
	c := a.t.Comments[i]
	st := a.sents[best]
	return &Quote{CommentID: c.ID, Author: c.Author, Text: excerpt(c.Body, int(st.start), int(st.end), quoteRunes)}
}

// stanceSentence returns the sentence of comment i that most takes the side
// sign, else its first substantive sentence, else -1.
func (a *analysis) stanceSentence(i int, sign float64) int {
	best, bestScore := -1, 0.0
	for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
		if v := a.sentScore[s]; v*sign > bestScore {
			best, bestScore = int(s), v*sign
		}
	}
	if best < 0 {
		best = a.firstSubstantive(i)
	}
	return best
}

// firstSubstantive returns comment i's first sentence with content words,
// else its first sentence, else -1.
func (a *analysis) firstSubstantive(i int) int {
	for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
		st := a.sents[s]
		content := 0
		for t := st.tok0; t < st.tok1; t++ {
			if a.vocab.words[a.toks[t]>>1].stem >= 0 {
				content++
			}
		}
		if content >= 2 && !a.onlyMention(int(s)) {
			return int(s)
		}
	}
	if a.sentStart[i] < a.sentEnd[i] {
		return int(a.sentStart[i])
	}
	return -1
}

// onlyMention reports whether sentence s is nothing but "@name" mentions
// and punctuation.
func (a *analysis) onlyMention(s int) bool {
	text := a.sentenceText(s)
	if !strings.HasPrefix(text, "@") {
		return false
	}
	only := true
	eachField(text, func(field string) bool {
		if !strings.HasPrefix(field, "@") && strings.IndexFunc(field, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			only = false
		}
		return only
	})
	return only
}

// eachField calls fn with each run of non-space characters of s, in order,
// until fn returns false; unlike strings.Fields it allocates nothing and
// stops early, which matters for hostile, very long comments.
func eachField(s string, fn func(string) bool) {
	for s != "" {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			return
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		if !fn(s[:end]) {
			return
		}
		s = s[end:]
	}
}

// excerpt returns body[start:end] cut to at most max characters at a word
// boundary: always a verbatim substring of body.
func excerpt(body string, start, end, max int) string {
	s := body[start:end]
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == max {
			cut = i
			break
		}
		n++
	}
	keep := s[:cut]
	// Back up to the last space, so words stay whole, unless that would
	// lose more than half (one very long word).
	if j := strings.LastIndexByte(keep, ' '); j > len(keep)/2 {
		keep = keep[:j]
	}
	for len(keep) > 0 {
		r, size := utf8.DecodeLastRuneInString(keep)
		if !unicode.IsSpace(r) && r != ',' && r != ';' && r != ':' && r != '-' {
			break
		}
		keep = keep[:len(keep)-size]
	}
	return keep
}

// places resolves each commenter's place once: their most frequent location
// that resolves to a region (ties: the earliest), else Unknown.
type placeTable struct {
	ofCommenter []geo.Place
	ofComment   []geo.Place
}

func (as *assembly) places() placeTable {
	unknown := geo.Place{Region: geo.Unknown}
	pt := placeTable{ofCommenter: make([]geo.Place, as.commenters), ofComment: make([]geo.Place, as.n)}
	for k := range pt.ofCommenter {
		pt.ofCommenter[k] = unknown
	}
	resolved := map[string]geo.Place{}
	resolve := func(loc string) geo.Place {
		if loc == "" || as.opt.Locator == nil {
			return unknown
		}
		if p, ok := resolved[loc]; ok {
			return p
		}
		p := as.opt.Locator.Resolve(loc)
		if p.Region == "" {
			p.Region = geo.Unknown
		}
		resolved[loc] = p
		return p
	}
	type tally struct {
		n     int
		first string // the least id of the comments written there
	}
	// A tie of places goes to the one written first, as far as ids tell
	// (sources number comments as they come).
	counts := make([]map[string]*tally, as.commenters)
	for i, c := range as.t.Comments {
		p := resolve(c.Location)
		pt.ofComment[i] = p
		if c.Deleted || p.Region == geo.Unknown {
			continue
		}
		k := as.commenter[i]
		if counts[k] == nil {
			counts[k] = map[string]*tally{}
		}
		t := counts[k][c.Location]
		if t == nil {
			t = &tally{first: c.ID}
			counts[k][c.Location] = t
		}
		t.n++
		if c.ID < t.first {
			t.first = c.ID
		}
	}
	for k, m := range counts {
		bestLoc, best := "", (*tally)(nil)
		for _, loc := range sortedKeys(m) {
			t := m[loc]
			if best == nil || t.n > best.n || (t.n == best.n && t.first < best.first) {
				bestLoc, best = loc, t
			}
		}
		if best != nil {
			pt.ofCommenter[k] = resolved[bestLoc]
		}
	}
	for i := range pt.ofComment {
		if pt.ofComment[i].Region == geo.Unknown {
			pt.ofComment[i] = pt.ofCommenter[as.commenter[i]]
		}
	}
	return pt
}

// regions splits the commenters in scope by region.
func (as *assembly) regions(inScope []bool, places placeTable, argIDs []int) []Region {
	type commenterView struct {
		favor, against int
		args           map[int]bool
		in             bool
	}
	views := make([]commenterView, as.commenters)
	for i, ok := range inScope {
		if !ok {
			continue
		}
		v := &views[as.commenter[i]]
		v.in = true
		switch as.label[i] {
		case labelFavor:
			v.favor++
		case labelAgainst:
			v.against++
		}
		for _, id := range as.argumentsOfComment(i, argIDs) {
			if v.args == nil {
				v.args = map[int]bool{}
			}
			v.args[id] = true
		}
	}
	rows := map[geo.Region]*Region{}
	argCount := map[geo.Region]map[int]int{}
	for k, v := range views {
		if !v.in {
			continue
		}
		reg := places.ofCommenter[k].Region
		row := rows[reg]
		if row == nil {
			row = &Region{Region: reg}
			rows[reg] = row
			argCount[reg] = map[int]int{}
		}
		row.Commenters++
		switch {
		case v.favor > v.against:
			row.Favor++
		case v.against > v.favor:
			row.Against++
		default:
			row.None++
		}
		for id := range v.args {
			argCount[reg][id]++
		}
	}
	out := []Region{}
	for _, reg := range geo.Regions() {
		row := rows[reg]
		if row == nil {
			continue
		}
		bestID, bestN := 0, 0
		for id, n := range argCount[reg] {
			if n > bestN || (n == bestN && id < bestID) {
				bestID, bestN = id, n
			}
		}
		if bestN > 0 {
			id := bestID
			row.TopArgument = &id
		}
		out = append(out, *row)
	}
	return out
}

// context places the new comments in the whole thread.
func (as *assembly) context(inScope []bool, d Digest) *Context {
	all := make([]bool, as.n)
	old := make([]bool, as.n)
	for i, c := range as.t.Comments {
		all[i] = !c.Deleted
		old[i] = all[i] && !inScope[i]
	}
	ctx := &Context{NewComments: d.CommentCount, NewCommenters: d.CommenterCount}
	ctx.TotalComments, ctx.TotalCommenters = as.count(all)
	ctx.ThreadStance = as.stanceOf(all, true)
	ctx.Lean = lean(d.Stance, as.stanceOf(old, false), as.target)
	return ctx
}

// lean says in words how the new comments' stance differs from the earlier
// comments'.
func lean(newer, older Stance, target string) string {
	switch {
	case newer.Total() == 0:
		return "there are no new comments"
	case target == "":
		return "no subject was found to measure stance toward"
	case older.Total() == 0:
		return "all comments are new; there is nothing earlier to compare with"
	}
	net := func(s Stance) float64 { return float64(s.Favor-s.Against) / float64(s.Total()) }
	diff := net(newer) - net(older)
	switch {
	case diff <= -0.1:
		return fmt.Sprintf("the new comments lean more against %s than the thread so far", target)
	case diff >= 0.1:
		return fmt.Sprintf("the new comments lean more in favor of %s than the thread so far", target)
	}
	return fmt.Sprintf("the new comments lean toward %s about as the thread so far does", target)
}
