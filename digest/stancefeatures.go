package digest

import (
	"math"
	"strings"
)

// Target kinds: what favor and against mean.
const (
	// kindEntity is a company, an agency, a person or a policy: saying bad
	// things of it is against it.
	kindEntity = iota
	// kindBelief is a claim about the world or a problem (climate change):
	// favor accepts it is real and serious, so alarm about it is favor and
	// denial against.
	kindBelief
)

// beliefHeads are words that make a target a claim or a problem rather than
// a thing one is for or against: "climate change", "man-made global
// warming", "evolution".
var beliefHeads = map[string]bool{
	"warming": true, "climate": true, "evolution": true, "crisis": true,
	"pandemic": true, "epidemic": true, "extinction": true, "emergency": true,
	"man-made": true, "human-caused": true, "anthropogenic": true,
}

// targetKind reads the kind of a target phrase.
func targetKind(display string) int {
	for _, w := range strings.FieldsFunc(strings.ToLower(display), func(r rune) bool {
		return r == ' ' || r == ',' || r == '\'' || r == '"'
	}) {
		if beliefHeads[w] {
			return kindBelief
		}
		for _, part := range strings.Split(w, "-") {
			if beliefHeads[part] {
				return kindBelief
			}
		}
	}
	return kindEntity
}

// Words that deny or doubt a belief, and words that affirm it or attack its
// doubters. They are the usual vocabulary of a debate over a claim of
// science, whatever the claim.
var (
	denialWords = map[string]float32{
		"hoax": 1, "scam": 1, "fraud": 1, "fraudulent": 1, "alarmist": 1, "alarmists": 1,
		"alarmism": 1, "warmist": 1, "warmists": 1, "warmism": 1, "propaganda": 0.7, "religion": 0.6,
		"cult": 0.6, "myth": 0.8, "exaggerated": 0.8, "exaggeration": 0.8, "hysteria": 1,
		"hype": 0.7, "scaremongering": 1, "fearmongering": 1, "junk": 0.7,
		"pause": 0.6, "hiatus": 0.6, "unproven": 0.8, "overestimated": 0.8, "agenda": 0.5,
		"grant": 0.4, "grants": 0.4,
	}
	affirmWords = map[string]float32{
		"denier": 1, "deniers": 1, "denial": 0.8, "denialism": 1, "denialist": 1, "denialists": 1,
		"crank": 0.7, "cranks": 0.7, "flat-earthers": 1, "contrarian": 0.5, "contrarians": 0.5,
		"consensus": 0.4, "overwhelming": 0.4, "tobacco": 0.5,
	}
	// criticWords name the article, its publisher and the press: what a
	// commenter attacks when attacking the coverage rather than its subject.
	criticWords = map[string]bool{
		"editorial": true, "editorials": true, "article": true, "author": true, "writer": true,
		"columnist": true, "board": true, "nyt": true, "times": true, "globe": true,
		"media": true, "press": true, "journalists": true, "journalism": true,
		"liberals": true, "liberal": true, "left": true, "democrats": true, "msm": true,
		"op-ed": true, "bashing": true, "coverage": true,
	}
	// personPronouns stand for a person named as the target.
	personPronouns = map[string]bool{"he": true, "him": true, "his": true, "himself": true}
)

// stanceFeatureNames name the columns of stanceFeatures, for the trained
// model's file.
var stanceFeatureNames = []string{
	"bias", "mention", "mentions", "neg_near", "pos_near", "neg_sent", "pos_sent",
	"neg_far", "pos_far", "local_pos", "local_neg", "question", "length", "topical",
	"denial", "affirm", "critic_neg", "belief", "belief_neg_near", "belief_pos_near",
	"quoted", "exclaim",
}

// stanceFeatures describes comment i for the stance model. Every feature is
// read from the comment's own words and the target, so that the same
// comment gets the same features whatever else the thread holds, apart from
// topical, which weighs the comment against the thread's common words.
func (a *analysis) stanceFeatures(i int, topical []bool) []float64 {
	f := make([]float64, len(stanceFeatureNames))
	f[0] = 1
	kind := targetKind(a.target.display)
	person := a.target.person
	var buf []int32
	nTok := 0
	nQuestion := 0
	nSent := 0
	topicalHits, content := 0, 0
	for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
		sn := a.sents[s]
		nSent++
		nTok += int(sn.tok1 - sn.tok0)
		buf = a.mentions(int(s), buf)
		ment := append([]int32(nil), buf...)
		if person {
			for t := sn.tok0; t < sn.tok1; t++ {
				if personPronouns[a.vocab.words[a.toks[t]>>1].text] {
					ment = append(ment, t)
				}
			}
		}
		if len(ment) > 0 {
			f[1] = 1
			f[2] += float64(len(ment))
		}
		if a.isQuestion(int(s)) {
			nQuestion++
		}
		critic := int32(-100)
		for t := sn.tok0; t < sn.tok1; t++ {
			w := &a.vocab.words[a.toks[t]>>1]
			if w.stem >= 0 {
				content++
				if topical[w.stem] {
					topicalHits++
				}
			}
			if criticWords[w.text] {
				critic = t
			}
			if kind == kindBelief {
				f[14] += float64(denialWords[w.text])
				f[15] += float64(affirmWords[w.text])
			}
			if w.valence == 0 {
				continue
			}
			v := a.polarity(t, sn.tok0, sn.tok1)
			if t-critic <= 4 && v < 0 {
				f[16] += -v
			}
			near := false
			for _, m := range ment {
				if m != t && (m-t <= nearTarget && t-m <= nearTarget) {
					near = true
				}
			}
			switch {
			case near && v < 0:
				f[3] += -v
			case near:
				f[4] += v
			case len(ment) > 0 && v < 0:
				f[5] += -v
			case len(ment) > 0:
				f[6] += v
			case v < 0:
				f[7] += -v
			default:
				f[8] += v
			}
		}
	}
	f[2] = math.Log1p(f[2])
	f[9] = math.Max(0, math.Tanh(a.local[i]/localScale))
	f[10] = math.Max(0, -math.Tanh(a.local[i]/localScale))
	if nSent > 0 {
		f[11] = float64(nQuestion) / float64(nSent)
	}
	f[12] = math.Log1p(float64(nTok))
	if content > 0 {
		f[13] = float64(topicalHits) / float64(content)
	}
	if kind == kindBelief {
		f[17] = 1
		f[18], f[19] = f[3], f[4]
	}
	body := a.t.Comments[i].Body
	quoted := 0
	in := false
	for _, r := range body {
		if r == '"' || r == '“' || r == '”' {
			in = !in
			continue
		}
		if in {
			quoted++
		}
	}
	if len(body) > 0 {
		f[20] = float64(quoted) / float64(len(body))
	}
	f[21] = float64(strings.Count(body, "!"))
	for k := 3; k <= 10; k++ {
		f[k] = math.Log1p(f[k])
	}
	f[14], f[15], f[16] = math.Log1p(f[14]), math.Log1p(f[15]), math.Log1p(f[16])
	f[21] = math.Log1p(f[21])
	return f
}

// topicalStems marks the stems that at least a tenth of the thread's
// comments use: what the thread is talking about.
func (a *analysis) topicalStems() []bool {
	df := make([]int32, len(a.vocab.stemText))
	last := make([]int32, len(a.vocab.stemText))
	for k := range last {
		last[k] = -1
	}
	live := 0
	for i := 0; i < a.n; i++ {
		if !a.live(i) {
			continue
		}
		live++
		for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
			sn := a.sents[s]
			for t := sn.tok0; t < sn.tok1; t++ {
				st := a.vocab.words[a.toks[t]>>1].stem
				if st >= 0 && last[st] != int32(i) {
					last[st] = int32(i)
					df[st]++
				}
			}
		}
	}
	out := make([]bool, len(df))
	for k, d := range df {
		out[k] = int(d)*20 >= live && d >= 3
	}
	return out
}
