package digest

import (
	"slices"
)

// Actors are the people, groups and institutions a thread argues about
// besides its target: the judge a president attacked, the scientists of a
// climate report, the union of a transit agency. Which side praising or
// attacking each one signals is learned from the thread itself: from the
// comments whose side is clear, an actor attacked mostly by the target's
// critics is an ally of the target, one attacked by its defenders an
// opponent. Then "kudos to Curiel" reads as against Trump, and "the IPCC is
// corrupt" as against climate change, with no word list knowing either.

// actorNouns are common nouns that name actors in comment threads, kept as
// actors even when written without a capital.
var actorNouns = map[string]bool{
	"scientists": true, "scientist": true, "experts": true, "media": true, "press": true,
	"politicians": true, "government": true, "congress": true, "republicans": true,
	"democrats": true, "liberals": true, "conservatives": true,
	"union": true, "unions": true, "workers": true, "management": true, "judge": true,
	"judges": true, "court": true, "courts": true, "deniers": true, "denier": true,
	"skeptics": true, "sceptics": true, "alarmists": true, "activists": true,
	"environmentalists": true, "editorial": true, "author": true, "writer": true,
	"administration": true, "president": true, "critics": true, "supporters": true,
	"officials": true, "board": true, "company": true, "companies": true, "industry": true,
	"models": true, "taxpayers": true, "voters": true, "rich": true, "elites": true,
}

const (
	actorWindow    = 4 // tokens either side of an actor within which a word judges it
	actorMinShare  = 0.005
	actorMinCount  = 3
	actorMaxCount  = 200
	actorCapShare  = 0.6 // share of mid-sentence uses with a capital that makes a proper name
	actorAlignBase = 4.0 // pseudo-comments of no side in an actor's alignment
)

// actorAttitude is what one comment says of one actor: the sum of the
// evaluative words around its mentions (negative: attacked).
type actorAttitude struct {
	actor int32
	att   float32
}

// findActors sets a.actorOf (comment → attitudes toward actors). It runs
// after scoreLocalStance, whose roles and target it reads.
func (a *analysis) findActors() {
	a.actorOf = make([][]actorAttitude, a.n)
	if a.target.display == "" {
		return
	}
	u := a.stemUsage()
	nStems := len(u.df)
	df, capital, nonFirst, live := u.df, u.capital, u.nonFirst, u.live
	isTarget := map[int32]bool{}
	for _, st := range a.target.stems {
		isTarget[st] = true
	}
	var cand []int32
	for st := int32(0); st < int32(nStems); st++ {
		if isTarget[st] || df[st] < actorMinCount || float64(df[st]) < actorMinShare*float64(live) {
			continue
		}
		if nonFirst[st] > 0 && float64(capital[st]) >= actorCapShare*float64(nonFirst[st]) {
			cand = append(cand, st)
		}
	}
	for id, w := range a.vocab.words {
		if actorNouns[w.text] && w.stem >= 0 && !isTarget[w.stem] && df[w.stem] >= actorMinCount {
			cand = append(cand, a.vocab.words[id].stem)
		}
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	slices.SortStableFunc(cand, func(x, y int32) int { return int(df[y]) - int(df[x]) })
	if len(cand) > actorMaxCount {
		cand = cand[:actorMaxCount]
	}
	slices.Sort(cand)
	// actorIdx[stem] is the stem's actor, or -1: a slice, since every
	// token of the thread is looked up.
	actorIdx := make([]int32, nStems)
	for k := range actorIdx {
		actorIdx[k] = -1
	}
	for k, st := range cand {
		actorIdx[st] = int32(k)
	}
	a.actorStems = cand
	forChunks(a.n, parallelStanceFrom, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if !a.live(i) {
				continue
			}
			var out []actorAttitude
			for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
				sn := a.sents[s]
				for t := sn.tok0; t < sn.tok1; t++ {
					st := a.vocab.words[a.toks[t]>>1].stem
					if st < 0 || actorIdx[st] < 0 || a.inQuote(t) {
						continue
					}
					k := actorIdx[st]
					att := 0.0
					for u := max(sn.tok0, t-actorWindow); u < sn.tok1 && u <= t+actorWindow; u++ {
						w := &a.vocab.words[a.toks[u]>>1]
						if w.valence == 0 || a.inQuote(u) {
							continue
						}
						if w.stem >= 0 && actorIdx[w.stem] >= 0 && u != t {
							continue
						}
						att += a.polarity(u, sn.tok0, sn.tok1)
					}
					if att != 0 {
						out = append(out, actorAttitude{k, float32(att)})
					}
				}
			}
			a.actorOf[i] = mergeAttitudes(out)
		}
	})
}

// mergeAttitudes sums the attitudes toward each actor, sorted by actor.
func mergeAttitudes(in []actorAttitude) []actorAttitude {
	if len(in) < 2 {
		return in
	}
	slices.SortStableFunc(in, func(x, y actorAttitude) int { return int(x.actor - y.actor) })
	out := in[:1]
	for _, v := range in[1:] {
		if v.actor == out[len(out)-1].actor {
			out[len(out)-1].att += v.att
		} else {
			out = append(out, v)
		}
	}
	return out
}
