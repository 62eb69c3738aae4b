package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"

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
// folding). A comment is never its own parent, and only evidence links.
func (a *analysis) linkReplies() {
	byID := make(map[string]int32, a.n)
	for i, c := range a.t.Comments {
		if _, dup := byID[c.ID]; !dup {
			byID[c.ID] = int32(i)
		}
	}
	fold := cases.Fold()
	folded := func(s string) string { return collapseSpace(fold.String(norm.NFKC.String(s))) }
	latest := make(map[string]int32) // folded author name -> latest comment so far
	longest := 0
	for i, c := range a.t.Comments {
		p := int32(-1)
		if c.ParentID != "" {
			if j, ok := byID[c.ParentID]; ok && int(j) != i {
				p = j
			}
		}
		if p < 0 && !c.Deleted {
			p = a.mentionParent(i, folded, latest, longest)
		}
		a.parent[i] = p
		if p >= 0 {
			a.replies[p]++
		}
		if c.Author != "" {
			name := folded(c.Author)
			if name != "" {
				latest[name] = int32(i)
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
func (a *analysis) mentionParent(i int, folded func(string) string, latest map[string]int32, longest int) int32 {
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
			if j, ok := latest[name]; ok && a.commenter[j] != self {
				best = j
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

func isNameRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// collapseSpace trims s and folds runs of white space into one space.
func collapseSpace(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}
