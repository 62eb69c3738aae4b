package llm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/threaddigest/threaddigest/digest"
)

// Why a piece of a model's answer was dropped: the reasons counted in the
// report, the logs and /metrics.
const (
	dropUnknownComment = "unknown_comment" // a label for a key the request did not hold
	dropDuplicate      = "duplicate"       // a second label for one comment, or a repeated argument
	dropUnknownKey     = "unknown_key"     // a field the format does not have
	dropUnknownArg     = "unknown_argument"
	dropBadValue       = "bad_value"    // a value outside those allowed, or of the wrong type
	dropNotVerbatim    = "not_verbatim" // a quote that is not a passage of its comment
)

// modelLabel is what the model said about one comment, once checked: only
// known values, and quotes that are passages of the text they cite. It is
// what the cache keeps (as JSON), under a key of everything it depends on.
type modelLabel struct {
	Stance      string     `json:"stance"`
	StanceQuote string     `json:"stance_quote,omitempty"`
	Arguments   []argQuote `json:"arguments,omitempty"`
	// Relation is "" when the comment is no reply, or when the model's
	// relation was dropped (the offline analysis's is used).
	Relation      string `json:"relation,omitempty"`
	RelationQuote string `json:"relation_quote,omitempty"`
	ParentQuote   string `json:"parent_quote,omitempty"`
	// Outside: the comment makes an argument the set lacks.
	Outside bool `json:"outside,omitempty"`
}

type argQuote struct {
	Key   string `json:"key"`
	Quote string `json:"quote"`
}

// verbatim reports whether quote is a non-empty passage of text, byte for
// byte.
func verbatim(text, quote string) bool {
	return quote != "" && strings.Contains(text, quote)
}

// trimQuote takes off the white space around a quote, which models add and
// which no passage needs.
func trimQuote(q string) string { return strings.TrimSpace(q) }

// readLabel checks one label of the model's answer against the comment it is
// for (as shown), its parent (as shown; "" for a top-level comment) and the
// argument set. Whatever is wrong is dropped and counted in drops: an
// unknown key, a value outside those allowed, a quote that is not in its
// text. What is left is the label.
func readLabel(obj map[string]json.RawMessage, text, parent string, reply, haveTarget bool, set *argumentSet, drops map[string]int) modelLabel {
	var l modelLabel
	str := func(k string) (string, bool) {
		var s string
		if json.Unmarshal(obj[k], &s) != nil {
			drops[dropBadValue]++
			return "", false
		}
		return s, true
	}
	for k := range obj {
		switch k {
		case "comment", "stance", "stance_quote", "arguments", "relation", "relation_quote", "parent_quote", "new_argument":
		default:
			drops[dropUnknownKey]++
		}
	}
	l.Stance = digest.StanceNone
	if _, ok := obj["stance"]; ok {
		stance, _ := str("stance")
		quote := ""
		if _, ok := obj["stance_quote"]; ok {
			quote, _ = str("stance_quote")
		}
		quote = trimQuote(quote)
		switch {
		case stance == digest.StanceNone:
		case stance != digest.StanceFavor && stance != digest.StanceAgainst, !haveTarget:
			drops[dropBadValue]++
		case !verbatim(text, quote):
			drops[dropNotVerbatim]++
		default:
			l.Stance, l.StanceQuote = stance, quote
		}
	}
	if raw, ok := obj["arguments"]; ok {
		var list []map[string]json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			drops[dropBadValue]++
		}
		seen := map[string]bool{}
		for _, a := range list {
			var aq argQuote
			ok := true
			for k, v := range a {
				switch k {
				case "argument":
					ok = ok && json.Unmarshal(v, &aq.Key) == nil
				case "quote":
					ok = ok && json.Unmarshal(v, &aq.Quote) == nil
				default:
					drops[dropUnknownKey]++
				}
			}
			aq.Quote = trimQuote(aq.Quote)
			switch {
			case !ok:
				drops[dropBadValue]++
			case set.index(aq.Key) < 0:
				drops[dropUnknownArg]++
			case seen[aq.Key]:
				drops[dropDuplicate]++
			case !verbatim(text, aq.Quote):
				drops[dropNotVerbatim]++
			default:
				seen[aq.Key] = true
				l.Arguments = append(l.Arguments, aq)
			}
		}
	}
	if _, ok := obj["relation"]; ok {
		rel, _ := str("relation")
		switch {
		case !reply && (rel == "none" || rel == ""):
		case !reply:
			drops[dropBadValue]++
		case rel != digest.RelationRebuttal && rel != digest.RelationAgreement && rel != digest.RelationExtension:
			drops[dropBadValue]++
		default:
			quote := ""
			if _, ok := obj["relation_quote"]; ok {
				quote, _ = str("relation_quote")
			}
			if quote = trimQuote(quote); !verbatim(text, quote) {
				drops[dropNotVerbatim]++
				break
			}
			l.Relation, l.RelationQuote = rel, quote
			if _, ok := obj["parent_quote"]; ok {
				pq, _ := str("parent_quote")
				if pq = trimQuote(pq); verbatim(parent, pq) {
					l.ParentQuote = pq
				} else if pq != "" {
					drops[dropNotVerbatim]++
				}
			}
		}
	}
	if _, ok := obj["new_argument"]; ok {
		s, _ := str("new_argument")
		l.Outside = cleanClaim(s, 4*maxClaimRunes) != ""
	}
	return l
}

// valid reports whether a label read back from the cache still fits: its
// quotes are in the texts (they are, unless the cache was damaged, since the
// key covers the texts) and its values and keys are known.
func (l modelLabel) valid(text, parent string, reply bool, set *argumentSet) bool {
	switch l.Stance {
	case digest.StanceNone:
	case digest.StanceFavor, digest.StanceAgainst:
		if !verbatim(text, l.StanceQuote) {
			return false
		}
	default:
		return false
	}
	for _, a := range l.Arguments {
		if set.index(a.Key) < 0 || !verbatim(text, a.Quote) {
			return false
		}
	}
	if l.Relation != "" && (!reply || !verbatim(text, l.RelationQuote)) {
		return false
	}
	return l.ParentQuote == "" || verbatim(parent, l.ParentQuote)
}

// labelKey is the cache key of a comment's labels: a hash of everything
// they depend on, so that a cached label is reused only for the same comment
// text, seen with the same parent, against the same target and arguments, by
// the same model and prompt.
func labelKey(model, target, setHash, text, parent string, reply bool) string {
	h := sha256.New()
	for _, part := range []string{promptVersion, model, target, setHash, boolString(reply), text, parent} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// setScope is the key an argument set is stored under for a thread.
func setScope(model, target string) string {
	h := sha256.New()
	for _, part := range []string{promptVersion, model, target} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "args:" + hex.EncodeToString(h.Sum(nil))[:32]
}

func boolString(b bool) string {
	if b {
		return "reply"
	}
	return "top"
}
