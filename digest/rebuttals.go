package digest

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// rebuttals ranks the replies in scope that push back on their parent by how
// much they matter: substance (content words), engagement (likes, replies to
// the rebuttal) and the standing of what they attack (the share of commenters
// making the parent's argument, and the parent's own likes).
func (as *assembly) rebuttals(inScope []bool, argIDs []int, commenters int) []Rebuttal {
	type cand struct {
		i     int
		score float64
	}
	var cands []cand
	for i, ok := range inScope {
		p := as.parent[i]
		if !ok || p < 0 || as.relation[i] != relRebuttal || as.t.Comments[p].Deleted || strings.TrimSpace(as.t.Comments[p].Body) == "" {
			continue // not a rebuttal, or of nothing that can be quoted
		}
		c := as.t.Comments[i]
		substance := as.ev.substance(i)
		engagement := math.Log1p(float64(max(c.Likes, 0))) + 0.7*math.Log1p(float64(as.replies[i]))
		standing := 0.3 * math.Log1p(float64(max(as.t.Comments[p].Likes, 0)))
		if commenters > 0 {
			// The parent's standing: it makes a reported argument, as
			// widely held as the widest it makes.
			reported, widest := false, 0
			for _, g := range as.argsOf[p] {
				reported = reported || argIDs[g] > 0
				widest = max(widest, as.argCommenters[g])
			}
			if reported {
				standing += 0.5 + float64(widest)/float64(commenters)
			}
		}
		score := (0.3 + substance) * (1 + engagement) * (1 + standing)
		cands = append(cands, cand{i, math.Round(score*1000) / 1000})
	}
	sort.Slice(cands, func(x, y int) bool {
		if cands[x].score != cands[y].score {
			return cands[x].score > cands[y].score
		}
		return as.rank[cands[x].i] < as.rank[cands[y].i]
	})
	limit := as.opt.MaxRebuttals
	if limit <= 0 {
		limit = defaultMaxRebuttals
	}
	out := []Rebuttal{}
	perParent := map[int32]int{}
	for _, c := range cands {
		if len(out) == limit {
			break
		}
		p := as.parent[c.i]
		if perParent[p] == 2 {
			continue // let other exchanges be heard
		}
		perParent[p]++
		reply, parent := as.t.Comments[c.i], as.t.Comments[p]
		r := Rebuttal{
			CommentID:    reply.ID,
			Author:       reply.Author,
			ReplyTo:      parent.ID,
			ParentAuthor: parent.Author,
			Score:        c.score,
		}
		r.Excerpt, r.ParentExcerpt = as.ev.rebuttalExcerpts(c.i, int(p))
		if r.Excerpt == "" {
			r.Excerpt = wholeExcerpt(reply.Body)
		}
		if r.ParentExcerpt == "" {
			r.ParentExcerpt = wholeExcerpt(parent.Body)
		}
		out = append(out, r)
	}
	return out
}

// substance is how much comment i says: its content words, up to 25.
func (a *analysis) substance(i int) float64 {
	content := 0
	for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
		st := a.sents[s]
		for t := st.tok0; t < st.tok1; t++ {
			if a.vocab.words[a.toks[t]>>1].stem >= 0 {
				content++
			}
		}
	}
	return math.Min(1, float64(content)/25)
}

// rebuttalExcerpts quotes rebuttal i from its first sentence that is more
// than "@Name", and its parent p at the sentence the reply answers.
func (a *analysis) rebuttalExcerpts(i, p int) (reply, parent string) {
	if rs := a.replyExcerptSentence(i); rs >= 0 {
		reply = a.openingExcerpt(i, rs, a.t.Comments[p].Author)
	}
	if ps := a.parentExcerptSentence(p, i); ps >= 0 {
		st := a.sents[ps]
		parent = excerpt(a.t.Comments[p].Body, int(st.start), int(st.end), excerptRunes)
	}
	return reply, parent
}

// wholeExcerpt quotes a body from its first non-space character, for
// comments whose sentences give nothing better (only "@name", only emoji).
func wholeExcerpt(body string) string {
	start := len(body) - len(strings.TrimLeftFunc(body, unicode.IsSpace))
	end := len(strings.TrimRightFunc(body, unicode.IsSpace))
	if start >= end {
		return ""
	}
	return excerpt(body, start, end, excerptRunes)
}

// replyExcerptSentence picks where a rebuttal's excerpt starts: its first
// sentence that is more than "@Name", since pushback shows early.
func (a *analysis) replyExcerptSentence(i int) int {
	for s := a.sentStart[i]; s < a.sentEnd[i]; s++ {
		if !a.onlyMention(int(s)) {
			return int(s)
		}
	}
	return -1
}

// openingExcerpt quotes comment i from sentence s on, without a leading
// "@Name", as far as excerptRunes allow, ending at a sentence end when one
// falls in the second half of the allowance.
func (a *analysis) openingExcerpt(i, s int, parentAuthor string) string {
	body := a.t.Comments[i].Body
	st := a.sents[s]
	start := int(st.start)
	if s == int(a.sentStart[i]) {
		first := body[start:st.end]
		start += len(first) - len(stripMention(first, parentAuthor))
	}
	end := int(a.sents[a.sentEnd[i]-1].end)
	for k := s; k < int(a.sentEnd[i]); k++ {
		e := int(a.sents[k].end)
		if utf8.RuneCountInString(body[start:e]) > excerptRunes {
			break
		}
		end = e
		if k == int(a.sentEnd[i])-1 {
			break
		}
	}
	if utf8.RuneCountInString(body[start:end]) < excerptRunes/2 && end < int(a.sents[a.sentEnd[i]-1].end) {
		end = int(a.sents[a.sentEnd[i]-1].end)
	}
	if start >= end {
		return excerpt(body, int(st.start), int(st.end), excerptRunes)
	}
	return excerpt(body, start, end, excerptRunes)
}

// parentExcerptSentence picks the sentence of the parent the reply answers:
// the one sharing most content stems with the reply, else its first
// substantive sentence.
func (a *analysis) parentExcerptSentence(p, reply int) int {
	stems := map[int32]bool{}
	for s := a.sentStart[reply]; s < a.sentEnd[reply]; s++ {
		st := a.sents[s]
		for t := st.tok0; t < st.tok1; t++ {
			if x := a.vocab.words[a.toks[t]>>1].stem; x >= 0 {
				stems[x] = true
			}
		}
	}
	best, bestN := -1, 0
	for s := a.sentStart[p]; s < a.sentEnd[p]; s++ {
		st := a.sents[s]
		n := 0
		for t := st.tok0; t < st.tok1; t++ {
			if x := a.vocab.words[a.toks[t]>>1].stem; x >= 0 && stems[x] {
				n++
			}
		}
		if n > bestN {
			best, bestN = int(s), n
		}
	}
	if best >= 0 && bestN >= 2 {
		return best
	}
	return a.firstSubstantive(p)
}
