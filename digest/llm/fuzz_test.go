package llm

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/digest"
)

// FuzzModelAnswer feeds arbitrary model output through the strict parse and
// the label checks: nothing panics, and whatever survives holds only known
// values and passages of the comment it cites.
func FuzzModelAnswer(f *testing.F) {
	f.Add(`{"labels": [{"comment": "c1", "stance": "favor", "stance_quote": "Buses work.", "arguments": [{"argument": "A1", "quote": "Buses work."}], "relation": "rebuttal", "relation_quote": "No,", "parent_quote": "Fares", "new_argument": "x"}]}`)
	f.Add("```json\n{\"labels\": []}\n```")
	f.Add(`{"labels": [{"comment": "c1", "stance": "against", "stance_quote": "é"}], "x": 1}`)
	f.Add(`{"labels": [{"comment": 1}, "c1", null, {"comment": "c1", "arguments": {"a": 1}}]}`)
	f.Add(`{"labels": [{"comment": "c1"`)
	const text = "No, buses work. Fares cost more to collect than they bring in, é."
	const parent = "Fares are fair."
	set := &argumentSet{Arguments: []setArgument{{Key: "A1", Claim: "Buses work", Side: "favor"}}}
	f.Fuzz(func(t *testing.T, content string) {
		obj, err := parseObject(content)
		if err != nil {
			return
		}
		raw, ok := obj["labels"]
		if !ok {
			return
		}
		var list []map[string]json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return
		}
		for _, lobj := range list {
			drops := map[string]int{}
			l := readLabel(lobj, text, parent, true, true, set, drops)
			switch l.Stance {
			case digest.StanceNone:
			case digest.StanceFavor, digest.StanceAgainst:
				if !strings.Contains(text, l.StanceQuote) || l.StanceQuote == "" {
					t.Fatalf("stance quote %q kept", l.StanceQuote)
				}
			default:
				t.Fatalf("stance %q kept", l.Stance)
			}
			for _, a := range l.Arguments {
				if a.Key != "A1" || a.Quote == "" || !strings.Contains(text, a.Quote) {
					t.Fatalf("argument %+v kept", a)
				}
			}
			if l.Relation != "" && (!strings.Contains(text, l.RelationQuote) || l.RelationQuote == "") {
				t.Fatalf("relation quote %q kept", l.RelationQuote)
			}
			if l.ParentQuote != "" && !strings.Contains(parent, l.ParentQuote) {
				t.Fatalf("parent quote %q kept", l.ParentQuote)
			}
			if !l.valid(text, parent, true, set) {
				t.Fatalf("a label that passed the checks is not valid: %+v", l)
			}
		}
	})
}
