package digest

import (
	"strings"
	"unicode"

	"github.com/threaddigest/threaddigest/internal/textproc"
)

// target is what stance is measured toward, as the analysis recognises it in
// text: a sentence mentions it when it holds at least need of its content
// stems, or one of its alias words (an acronym, the surname of a full name).
type target struct {
	display string
	stems   []int32
	need    int
	aliases []int32 // word ids
	// subject is set when the target is what the thread is about: found
	// from the thread, or named by its title. Every comment is then read as
	// speaking to it; otherwise only the comments that mention it are.
	subject bool
	// kind says what favor and against mean (kindEntity, kindBelief).
	kind int
	// cue[w] is how far vocabulary word w affirms (+) or doubts (−) a
	// belief target in its debate; nil for an entity.
	cue []float32
	// roles[w] are the stance roles of vocabulary word w (roleReverser, …).
	roles []uint16
	// mentionedIn[i] is set when comment i mentions the target.
	mentionedIn []bool
	// clearest[i] is how strongly comment i's most stance-bearing sentence
	// takes each side: what makes a comment quotable for that side.
	clearest []sides
}

// sides is evidence for each side.
type sides struct{ favor, against float64 }

// titleNoise are title words that name the kind of article, not its subject.
var titleNoise = map[string]bool{
	"opinion": true, "readers": true, "reader": true, "letters": true, "letter": true,
	"editorial": true, "review": true, "why": true, "how": true, "what": true,
	"news": true, "update": true, "live": true, "says": true,
	"said": true, "report": true, "reports": true, "analysis": true, "week": true,
	"today": true, "column": true, "breaking": true, "exclusive": true,
}

// findTarget sets a.target from Options.Target, or else from the title: the
// phrase of the title that most comments mention, preferring what comments
// write as a proper name; failing that, the proper name most comments use.
func (a *analysis) findTarget() {
	if t := strings.TrimSpace(a.opt.Target); t != "" {
		a.target = a.targetFrom(t, nil)
		a.target.subject = a.titleNames(&a.target)
	} else {
		if tg, ok := a.targetFromTitle(); ok {
			a.target = tg
		} else {
			a.target = a.targetFromComments()
		}
		a.target.subject = a.target.display != ""
	}
	a.target.kind = targetKind(a.target.display)
	if a.target.kind == kindBelief {
		a.beliefMentions()
	}
}

// beliefMentions makes a belief target mentioned by its head word alone:
// "climate" for "human-caused climate change", "warming" for "man-made
// global warming". Comments rarely repeat the whole claim.
func (a *analysis) beliefMentions() {
	var heads []int32
	for _, w := range a.readPhrase(a.target.display) {
		if beliefHeads[w.lower] && w.stem >= 0 && w.lower != "man-made" {
			heads = append(heads, w.stem)
		}
	}
	if len(heads) > 0 {
		a.target.stems = heads
		a.target.need = 1
	}
}

// titleNames reports whether the thread's title mentions tg: at least need
// of its stems, or one of its aliases.
func (a *analysis) titleNames(tg *target) bool {
	var found uint64
	for _, w := range a.readPhrase(a.t.Title) {
		for k, st := range tg.stems {
			if w.stem == st && st >= 0 {
				found |= 1 << uint(k%64)
			}
		}
		for _, al := range tg.aliases {
			if a.vocab.words[al].text == w.lower {
				return true
			}
		}
	}
	return len(tg.stems) > 0 && popcount(found) >= tg.need
}

type titleWord struct {
	text  string // as written, possessive removed
	lower string
	stem  int32
	start int // byte offset in the phrase
	// joined is set when a hyphen joins the word to the one before
	// ("fare-free"): a compound is one term, taken whole or not at all.
	joined bool
}

// targetFrom builds a target from a phrase. words, when given, are the
// phrase's words already read.
func (a *analysis) targetFrom(display string, words []titleWord) target {
	if words == nil {
		words = a.readPhrase(display)
	}
	tg := target{display: display}
	seen := map[int32]bool{}
	capitals := 0
	for _, w := range words {
		if w.stem >= 0 && !seen[w.stem] {
			seen[w.stem] = true
			tg.stems = append(tg.stems, w.stem)
		}
		if r := []rune(w.text); len(r) > 0 && unicode.IsUpper(r[0]) {
			capitals++
		}
	}
	tg.need = (len(tg.stems) + 1) / 2
	for _, w := range words {
		if w.joined {
			tg.need = len(tg.stems) // "fare-free" is not "free"
		}
	}
	if tg.need == 0 {
		tg.need = 1
	}
	// A proper name of several words: its acronym and its last word alone
	// ("European Union" → "EU"; "Theresa May" → "may" is too common a word
	// to take, so only a last word that is a content word counts).
	if len(words) >= 2 && capitals == len(words) {
		var acro []rune
		for _, w := range words {
			acro = append(acro, unicode.ToLower([]rune(w.lower)[0]))
		}
		if id := a.vocab.lookup(string(acro)); id >= 0 {
			tg.aliases = append(tg.aliases, id)
		}
	}
	return tg
}

// readPhrase reads a phrase into words, numbering them in the vocabulary.
func (a *analysis) readPhrase(s string) []titleWord {
	var words []titleWord
	prevEnd := -1
	textproc.Words(s, func(lower []byte, w textproc.Word) {
		id := a.vocab.id(lower)
		text := s[w.Start:w.End]
		if n := len(text); n > 2 && (strings.HasSuffix(text, "'s") || strings.HasSuffix(text, "’s")) {
			text = strings.TrimSuffix(strings.TrimSuffix(text, "'s"), "’s")
		}
		joined := prevEnd >= 0 && (s[prevEnd:w.Start] == "-" || s[prevEnd:w.Start] == "‐")
		words = append(words, titleWord{text: text, lower: string(lower), stem: a.vocab.words[id].stem, start: w.Start, joined: joined})
		prevEnd = w.End
	})
	return words
}

// stemStats counts, for a set of stems, how many live comments use each
// combination (as a bit mask) and how often each stem is written with a
// capital where a sentence does not begin.
type stemStats struct {
	masks     map[uint64]int
	capital   []int
	nonFirst  []int
	liveCount int
}

func (a *analysis) countStems(stems []int32) stemStats {
	bit := make(map[int32]int, len(stems))
	for i, s := range stems {
		bit[s] = i
	}
	st := stemStats{masks: map[uint64]int{}, capital: make([]int, len(stems)), nonFirst: make([]int, len(stems))}
	for i := 0; i < a.n; i++ {
		if !a.live(i) {
			continue
		}
		st.liveCount++
		var mask uint64
		for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
			sn := a.sents[s]
			for t := sn.tok0; t < sn.tok1; t++ {
				w := a.vocab.words[a.toks[t]>>1]
				if w.stem < 0 {
					continue
				}
				b, ok := bit[w.stem]
				if !ok {
					continue
				}
				mask |= 1 << uint(b)
				if t > sn.tok0 {
					st.nonFirst[b]++
					if a.toks[t]&1 == 1 {
						st.capital[b]++
					}
				}
			}
		}
		if mask != 0 {
			st.masks[mask]++
		}
	}
	return st
}

// commentsWith counts the comments whose stems include all of want.
func (st stemStats) commentsWith(want uint64) int {
	n := 0
	for m, c := range st.masks {
		if m&want == want {
			n += c
		}
	}
	return n
}

func (a *analysis) targetFromTitle() (target, bool) {
	words := a.readPhrase(a.t.Title)
	if len(words) == 0 {
		return target{}, false
	}
	// The distinct content stems of the title, at most 64.
	var stems []int32
	index := map[int32]int{}
	for _, w := range words {
		if w.stem < 0 || titleNoise[w.lower] {
			continue
		}
		if _, ok := index[w.stem]; !ok && len(stems) < 64 {
			index[w.stem] = len(stems)
			stems = append(stems, w.stem)
		}
	}
	if len(stems) == 0 {
		return target{}, false
	}
	st := a.countStems(stems)
	minComments := 2
	if f := st.liveCount / 20; f > minComments {
		minComments = f
	}
	bestScore := 0.0
	var best []titleWord
	// Candidates: runs of one to three consecutive content words.
	for i := range words {
		if words[i].joined {
			continue // a compound is taken from its first word
		}
		var mask uint64
		proper := 1.0
		compound := false
		for j := i; j < len(words) && j < i+3; j++ {
			w := words[j]
			b, ok := index[w.stem]
			if w.stem < 0 || !ok {
				break
			}
			mask |= 1 << uint(b)
			p := 0.0
			if st.nonFirst[b] > 0 {
				p = float64(st.capital[b]) / float64(st.nonFirst[b])
			}
			if p < 0.5 {
				p = 0 // mostly written small: part of other names ("Kansas City")
			}
			proper = min(proper, p)
			if w.joined {
				compound = true
			}
			df := st.commentsWith(mask)
			if df < minComments {
				break
			}
			score := float64(df) * (0.4 + proper) * (1 + 0.15*float64(j-i))
			if compound {
				score *= 1.5 // a headline's hyphenated coinage names its issue ("fare-free")
			}
			if j+1 < len(words) && words[j+1].joined {
				continue // the compound goes on
			}
			if score > bestScore {
				bestScore = score
				best = words[i : j+1]
			}
		}
	}
	if best == nil {
		return target{}, false
	}
	last := best[len(best)-1]
	display := a.t.Title[best[0].start : last.start+len(last.text)]
	return a.targetFrom(display, best), true
}

// stemUsage counts, for each stem, the live comments using it (df), its
// uses not opening a sentence (nonFirst) and how many of those are written
// with a capital: what tells a proper name.
type stemUsage struct {
	df, capital, nonFirst []int32
	live                  int
}

func (a *analysis) stemUsage() stemUsage {
	nStems := len(a.vocab.stemText)
	u := stemUsage{df: make([]int32, nStems), capital: make([]int32, nStems), nonFirst: make([]int32, nStems)}
	last := make([]int32, nStems)
	for i := range last {
		last[i] = -1
	}
	for i := 0; i < a.n; i++ {
		if !a.live(i) {
			continue
		}
		u.live++
		for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
			sn := a.sents[s]
			for t := sn.tok0; t < sn.tok1; t++ {
				stem := a.vocab.words[a.toks[t]>>1].stem
				if stem < 0 {
					continue
				}
				if last[stem] != int32(i) {
					last[stem] = int32(i)
					u.df[stem]++
				}
				if t > sn.tok0 {
					u.nonFirst[stem]++
					if a.toks[t]&1 == 1 {
						u.capital[stem]++
					}
				}
			}
		}
	}
	return u
}

// targetFromComments picks the proper name the most comments use, when one
// is used by at least a tenth of them.
func (a *analysis) targetFromComments() target {
	u := a.stemUsage()
	nStems := len(u.df)
	df, capital, nonFirst, live := u.df, u.capital, u.nonFirst, u.live
	best := int32(-1)
	for s := int32(0); s < int32(nStems); s++ {
		if int(df[s])*10 < live || df[s] < 2 || nonFirst[s] < 2 || capital[s]*10 < nonFirst[s]*7 {
			continue
		}
		if best < 0 || df[s] > df[best] || df[s] == df[best] && a.vocab.stemText[s] < a.vocab.stemText[best] {
			best = s
		}
	}
	if best < 0 {
		return target{}
	}
	// Show it as a comment wrote it.
	display := ""
	for _, i32 := range a.order {
		i := int(i32)
		if display != "" {
			break
		}
		if !a.live(i) {
			continue
		}
		body := a.t.Comments[i].Body
		textproc.Words(body, func(lower []byte, w textproc.Word) {
			if display != "" || !w.Capital {
				return
			}
			if id := a.vocab.lookup(string(lower)); id >= 0 && a.vocab.words[id].stem == best {
				display = strings.TrimSuffix(strings.TrimSuffix(body[w.Start:w.End], "'s"), "’s")
			}
		})
	}
	return target{display: display, stems: []int32{best}, need: 1}
}

// mentions returns the positions (token indices) in sentence s where the
// target is mentioned, or nil when it is not.
func (a *analysis) mentions(s int, buf []int32) []int32 {
	buf = buf[:0]
	tg := &a.target
	if len(tg.stems) == 0 && len(tg.aliases) == 0 {
		return buf
	}
	sn := a.sents[s]
	var found uint64
	for t := sn.tok0; t < sn.tok1; t++ {
		id := a.toks[t] >> 1
		w := a.vocab.words[id]
		hit := false
		for k, st := range tg.stems {
			if w.stem == st && st >= 0 {
				found |= 1 << uint(k%64)
				hit = true
			}
		}
		for _, al := range tg.aliases {
			if id == al {
				found = ^uint64(0)
				hit = true
			}
		}
		if hit {
			buf = append(buf, t)
		}
	}
	if popcount(found) < tg.need {
		return buf[:0]
	}
	return buf
}

func popcount(x uint64) int {
	n := 0
	for x != 0 {
		x &= x - 1
		n++
	}
	return n
}
