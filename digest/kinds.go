package digest

import "strings"

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
)
