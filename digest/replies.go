package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/internal/textproc"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// maxNameBytes bounds how far into a body an "@Name" is looked for.
const maxNameBytes = 128

// broadcastNames address everyone, not a comment: "@everyone" is no reply.
var broadcastNames = map[string]bool{"everyone": true, "here": true, "channel": true, "all": true, "everybody": true}

// linkReplies sets a.parent: the explicit parent id when it names a comment
// of the thread, else the latest earlier comment by the name a body opens
// with as "@Name" (longest name wins; names compared after NFKC and case
// folding), or, for a comment with no parent id, as "Name:" or "Name
// writes" (namedParent). A comment is never its own parent, and only
// evidence links.
func (a *analysis) linkReplies() {
	byID := make(map[string]int32, a.n)
	for i, c := range a.t.Comments {
		if _, dup := byID[c.ID]; !dup {
			byID[c.ID] = int32(i)
		}
	}
	fold := cases.Fold()
	memo := make(map[string]string) // names recur: fold each once
	folded := func(s string) string {
		if f, ok := memo[s]; ok {
			return f
		}
		f := collapseSpace(fold.String(norm.NFKC.String(s)))
		memo[s] = f
		return f
	}
	byName := make(map[string][]int32) // folded author name -> their comments so far
	lead := make([][]string, a.n)      // the folded names each comment opens by addressing
	openers := make(map[string]bool)   // first words of the folded names
	longest := 0
	for i, c := range a.t.Comments {
		p := int32(-1)
		if c.ParentID != "" {
			if j, ok := byID[c.ParentID]; ok && int(j) != i {
				p = j
			}
		}
		if !c.Deleted && strings.HasPrefix(strings.TrimLeftFunc(c.Body, unicode.IsSpace), "@") {
			lead[i] = leadingMentions(c.Body, folded)
		}
		if p < 0 && !c.Deleted {
			p = a.mentionParent(i, folded, byName, lead, longest)
		}
		if p < 0 && !c.Deleted && c.ParentID == "" {
			p = a.namedParent(i, folded, byName, openers, longest)
		}
		a.parent[i] = p
		if p >= 0 {
			a.replies[p]++
		}
		if c.Author != "" {
			name := folded(c.Author)
			if name != "" {
				byName[name] = append(byName[name], int32(i))
				first, _, _ := strings.Cut(name, " ")
				openers[first] = true
				if len(name) > longest {
					longest = len(name)
				}
			}
		}
	}
}

// mentionParent resolves a body opening with "@Name" to the latest earlier
// comment by Name, trying the names of a leading run of mentions ("@a @b …")
// in order. It returns -1 when the body does not open with a mention of an
// earlier commenter.
func (a *analysis) mentionParent(i int, folded func(string) string, byName map[string][]int32, lead [][]string, longest int) int32 {
	body := strings.TrimLeftFunc(a.t.Comments[i].Body, unicode.IsSpace)
	if body == "" {
		return -1
	}
	// Full-width and small commercial ats fold to '@' under NFKC.
	r, _ := utf8.DecodeRuneInString(body)
	if r != '@' && r != '＠' && r != '﹫' {
		return -1
	}
	limit := longest + 8
	if limit > maxNameBytes {
		limit = maxNameBytes
	}
	self := a.commenter[i]
	rest := body
	for mention := 0; mention < 5; mention++ {
		r, size := utf8.DecodeRuneInString(rest)
		if r != '@' && r != '＠' && r != '﹫' {
			return -1
		}
		rest = rest[size:]
		prefix := rest
		if len(prefix) > limit*2 {
			prefix = prefix[:limit*2]
			for len(prefix) > 0 && !utf8.RuneStart(rest[len(prefix)]) {
				prefix = prefix[:len(prefix)-1]
			}
		}
		// "@ 5pm": a space after the at sign is no mention.
		r, _ = utf8.DecodeRuneInString(prefix)
		if r == utf8.RuneError || unicode.IsSpace(r) {
			return -1
		}
		f := folded(prefix)
		// Candidate ends: every position where a word ends, longest first.
		best := int32(-1)
		for end := len(f); end > 0; end-- {
			if end < len(f) {
				if !utf8.RuneStart(f[end]) {
					continue
				}
				next, _ := utf8.DecodeRuneInString(f[end:])
				if isNameRune(next) {
					continue
				}
			}
			name := strings.TrimRightFunc(f[:end], unicode.IsSpace)
			if len(name) != end || name == "" || len(name) > longest {
				continue
			}
			if broadcastNames[name] {
				return -1
			}
			if js, ok := byName[name]; ok && a.commenter[js[len(js)-1]] != self {
				best = a.pickAddressed(i, js, folded, lead)
				break
			}
		}
		if best >= 0 {
			return best
		}
		// Not a known name: try the next mention of a leading run.
		sp := strings.IndexFunc(rest, unicode.IsSpace)
		if sp < 0 {
			return -1
		}
		rest = strings.TrimLeftFunc(rest[sp:], unicode.IsSpace)
	}
	return -1
}

// pickAddressed chooses which of a commenter's earlier comments (js, oldest
// first) reply i answers: the latest, unless an earlier one belongs more
// clearly to the same exchange, by sharing more of the names reply i
// addresses (its own author's included). Only the last few are considered.
func (a *analysis) pickAddressed(i int, js []int32, folded func(string) string, lead [][]string) int32 {
	if len(js) == 1 || len(lead[i]) == 0 {
		return js[len(js)-1]
	}
	mine := map[string]bool{folded(a.t.Comments[i].Author): true}
	for _, n := range lead[i] {
		mine[n] = true
	}
	best, bestScore := js[len(js)-1], -1
	for k := len(js) - 1; k >= 0 && k >= len(js)-exchangeLookback; k-- {
		j := js[k]
		score := 0
		if mine[folded(a.t.Comments[j].Author)] {
			score++
		}
		for _, n := range lead[j] {
			if mine[n] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = j, score
		}
	}
	return best
}

// namedParent links a top-level comment that opens with an earlier
// commenter's whole name and then a colon, a comma or a word of citing
// ("HJK cites: …", "Lamont Cranston, you …", "Ann writes …"), as one
// answering a comment from the top of the page does, to that commenter's
// latest comment. A one-word name that is a common word ("One", "A") never
// links. It returns -1 when the comment opens with no such name.
func (a *analysis) namedParent(i int, folded func(string) string, byName map[string][]int32, openers map[string]bool, longest int) int32 {
	body := strings.TrimLeftFunc(a.t.Comments[i].Body, unicode.IsSpace)
	// Most comments open with no name: their first word says so without
	// folding the opening.
	word := body
	if end := strings.IndexFunc(word, func(r rune) bool { return unicode.IsSpace(r) || r == ':' || r == ',' }); end >= 0 {
		word = word[:end]
	}
	if len(word) > maxNameBytes || !openers[foldWord(word, folded)] {
		return -1
	}
	limit := min(longest+16, maxNameBytes*2)
	if len(body) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut]
	}
	f := folded(body)
	self := a.commenter[i]
	for end := min(len(f), longest); end > 0; end-- {
		if end < len(f) {
			if !utf8.RuneStart(f[end]) {
				continue
			}
			if next, _ := utf8.DecodeRuneInString(f[end:]); isNameRune(next) {
				continue
			}
		}
		name := f[:end]
		js, ok := byName[name]
		if !ok || a.commenter[js[len(js)-1]] == self || broadcastNames[name] {
			continue
		}
		if !strings.Contains(name, " ") && (textproc.IsStopWord(name) || utf8.RuneCountInString(name) < 2) {
			continue
		}
		if introducesAnswer(f[end:]) {
			return js[len(js)-1]
		}
	}
	return -1
}

// foldWord folds one word: ASCII by lower-casing (which is all case folding
// and NFKC do to it), anything else by folded.
func foldWord(w string, folded func(string) string) string {
	var buf [maxNameBytes]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return folded(w)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return string(buf[:len(w)])
}

// introducesAnswer reports whether what follows a name at the start of a
// comment makes the name its addressee or its source: a colon or a comma,
// or a word of citing.
func introducesAnswer(rest string) bool {
	if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, ",") {
		return true
	}
	w := strings.TrimLeftFunc(rest, unicode.IsSpace)
	if len(w) == len(rest) {
		return false
	}
	if i := strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		w = w[:i]
	}
	return citingWords[w]
}

var citingWords = map[string]bool{"writes": true, "wrote": true, "says": true, "said": true, "cites": true, "cited": true, "claims": true, "claimed": true, "asks": true, "asked": true, "argues": true, "argued": true, "thinks": true, "states": true, "stated": true, "posted": true, "suggests": true, "insists": true}

// exchangeLookback is how many of a commenter's latest comments a reply to
// them may be matched to.
const exchangeLookback = 8

// leadingMentions returns the folded handles of the "@name" run a body opens
// with (one word each), or nil.
func leadingMentions(body string, folded func(string) string) []string {
	var out []string
	eachField(body, func(field string) bool {
		if !strings.HasPrefix(field, "@") || len(out) == 8 || len(field) > maxNameBytes {
			return false
		}
		name := strings.TrimRightFunc(field[1:], func(r rune) bool { return !isNameRune(r) })
		if name != "" {
			out = append(out, folded(name))
		}
		return true
	})
	return out
}

func isNameRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// collapseSpace trims s and folds runs of white space into one space.
func collapseSpace(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}
