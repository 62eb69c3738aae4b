package llm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/internal/textutil"
)

// argumentSet is a thread's arguments, as the model proposed them and our
// code checked them. It is stored per thread and scope (model, prompt,
// target) and kept across digests, so that the same comment is labelled
// against the same arguments every time; it grows only when enough comments
// make arguments outside it.
type argumentSet struct {
	// Subject is the target the model named when none was given.
	Subject   string        `json:"subject,omitempty"`
	Arguments []setArgument `json:"arguments"`
}

// setArgument is one argument. Key is ours ("A1", "A2", …), never the
// model's: the model proposes claims, we number them.
type setArgument struct {
	Key   string `json:"key"`
	Claim string `json:"claim"`
	Side  string `json:"side"`
}

// target is what stance is measured toward: the given one, else the subject
// the model named.
func (s *argumentSet) target(given string) string {
	if given != "" {
		return given
	}
	return s.Subject
}

// describe lists the arguments for a prompt, one a line.
func (s *argumentSet) describe() string {
	if len(s.Arguments) == 0 {
		return "(none)"
	}
	var b strings.Builder
	for _, a := range s.Arguments {
		fmt.Fprintf(&b, "%s: %s [%s]\n", a.Key, a.Claim, a.Side)
	}
	return strings.TrimRight(b.String(), "\n")
}

// hash identifies the set in label cache keys: labels made against another
// set are not reused.
func (s *argumentSet) hash() string {
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func (s *argumentSet) index(key string) int {
	for i, a := range s.Arguments {
		if a.Key == key {
			return i
		}
	}
	return -1
}

// proposal is the model's answer to a proposal or extension request.
type proposal struct {
	Subject   string
	Arguments []proposedArgument
}

type proposedArgument struct {
	Claim, Side, Comment, Quote string
}

// readProposal checks a proposal answer against the comments it was shown
// (by key): every argument needs a known side, a comment that was shown and
// a quote verbatim in it, and a claim that is one short line, distinct from
// the others and from those in have. Everything else is dropped and counted
// in drops by reason.
func readProposal(raw map[string]json.RawMessage, shownText map[string]string, have *argumentSet, drops map[string]int) proposal {
	var p proposal
	for k, v := range raw {
		switch k {
		case "subject":
			var s string
			if json.Unmarshal(v, &s) != nil {
				drops[dropBadValue]++
				continue
			}
			p.Subject = cleanClaim(s, maxSubjectRunes)
		case "arguments":
			var list []map[string]json.RawMessage
			if json.Unmarshal(v, &list) != nil {
				drops[dropBadValue]++
				continue
			}
			seen := map[string]bool{}
			if have != nil {
				for _, a := range have.Arguments {
					seen[fold(a.Claim)] = true
				}
			}
			for _, obj := range list {
				a, ok := readProposedArgument(obj, shownText, drops)
				if !ok {
					continue
				}
				if seen[fold(a.Claim)] {
					drops[dropDuplicate]++
					continue
				}
				seen[fold(a.Claim)] = true
				p.Arguments = append(p.Arguments, a)
			}
		default:
			drops[dropUnknownKey]++
		}
	}
	return p
}

func readProposedArgument(obj map[string]json.RawMessage, shownText map[string]string, drops map[string]int) (proposedArgument, bool) {
	var a proposedArgument
	fields := map[string]*string{"claim": &a.Claim, "side": &a.Side, "comment": &a.Comment, "quote": &a.Quote}
	for k, v := range obj {
		dst, ok := fields[k]
		if !ok {
			drops[dropUnknownKey]++
			continue
		}
		if json.Unmarshal(v, dst) != nil {
			drops[dropBadValue]++
			return a, false
		}
	}
	a.Claim = cleanClaim(a.Claim, maxClaimRunes)
	text, known := shownText[a.Comment]
	switch {
	case a.Claim == "":
		drops[dropBadValue]++
	case !validSide(a.Side):
		drops[dropBadValue]++
	case !known:
		drops[dropUnknownComment]++
	case !verbatim(text, a.Quote):
		drops[dropNotVerbatim]++
	default:
		return a, true
	}
	return a, false
}

func validSide(s string) bool { return s == "favor" || s == "against" || s == "none" }

// cleanClaim makes model-written text one plain line of at most n
// characters; "" when nothing readable is left or it is longer.
func cleanClaim(s string, n int) string {
	s = strings.TrimSpace(textutil.OneLine(s))
	if utf8.RuneCountInString(s) > n || strings.IndexFunc(s, unicode.IsLetter) < 0 {
		return ""
	}
	return s
}

func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// add appends the proposed arguments to the set, numbering them after the
// ones it has, up to maxArguments in all.
func (s *argumentSet) add(args []proposedArgument) int {
	n := 0
	for _, a := range args {
		if len(s.Arguments) == maxArguments {
			break
		}
		s.Arguments = append(s.Arguments, setArgument{Key: fmt.Sprintf("A%d", len(s.Arguments)+1), Claim: a.Claim, Side: a.Side})
		n++
	}
	return n
}
