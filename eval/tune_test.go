package eval

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// TestTuneSplits prints the stance and relation figures on the splits kept
// for tuning (VAST dev, IBM Claim Stance train, RumourEval train and dev),
// with their confusion matrices, so that the analysis can be tuned without
// looking at the test splits the table reports, and fails when a figure
// falls to its majority class. It runs only when EVAL_TUNE is set:
// EVAL_TUNE=1 go test ./eval -run TestTuneSplits -v
func TestTuneSplits(t *testing.T) {
	if os.Getenv("EVAL_TUNE") == "" {
		t.Skip("set EVAL_TUNE=1 to print the figures of the tuning splits")
	}
	dir := shareddata.Dir(t)
	tab := &Table{}
	var b strings.Builder
	vast, err := vastConfusion(join(dir, "vast-zero-shot-stance", "vast_dev.csv"), tab)
	if err != nil {
		t.Fatal(err)
	}
	writeConfusion(&b, "VAST dev", vast, stanceClasses)
	claims, err := claimStanceConfusion(join(dir, "ibm-claim-stance", "claim_stance_dataset_v1.cleaned.csv"), "train", tab)
	if err != nil {
		t.Fatal(err)
	}
	writeConfusion(&b, "Claim Stance train", claims, []string{"PRO", "CON"})
	tweets := join(dir, "rumoureval2017-twitter-threads", "tweets.jsonl")
	tuning := map[string]bool{"train": true, "dev": true}
	rumour, err := rumourConfusion(tweets, tuning)
	if err != nil {
		t.Fatal(err)
	}
	writeConfusion(&b, "RumourEval train+dev support/deny", rumour, []string{"support", "deny"})
	rel, err := relationConfusion(tweets, tuning)
	if err != nil {
		t.Fatal(err)
	}
	writeConfusion(&b, "RumourEval train+dev relations", rel, nil)
	for _, r := range relationRows("train+dev", rel) {
		fmt.Fprintf(&b, "  %-32s %s  (baseline %s, n %d)\n", r.Metric, r.Value, r.Baseline, r.N)
	}
	t.Log("\n" + b.String())
	// Whatever is tuned, each figure must stay above its majority class.
	for _, m := range []struct {
		name    string
		c       confusion
		classes []string
	}{{"VAST dev", vast, stanceClasses}, {"Claim Stance train", claims, []string{"PRO", "CON"}}, {"RumourEval train+dev", rumour, []string{"support", "deny"}}} {
		_, base := m.c.majority()
		if m.c.macroF1(m.classes) <= base.macroF1(m.classes) {
			t.Errorf("%s: macro-F1 %s, not above the majority class's %s", m.name, f3(m.c.macroF1(m.classes)), f3(base.macroF1(m.classes)))
		}
	}
}

func writeConfusion(b *strings.Builder, name string, c confusion, classes []string) {
	fmt.Fprintf(b, "%s: n %d", name, c.total())
	if classes != nil {
		decided := confusion{}
		for k, v := range c {
			if k[1] != "none" {
				decided[k] += v
			}
		}
		fmt.Fprintf(b, ", accuracy %s, macro-F1 %s, given a side %s, accuracy there %s", f3(c.accuracy()), f3(c.macroF1(classes)), f3(ratio(decided.total(), c.total())), f3(decided.accuracy()))
	}
	b.WriteString("\n")
	golds, preds := map[string]bool{}, map[string]bool{}
	for k := range c {
		golds[k[0]], preds[k[1]] = true, true
	}
	ps := sortedSet(preds)
	fmt.Fprintf(b, "  %-10s", "gold\\pred")
	for _, p := range ps {
		fmt.Fprintf(b, " %9s", p)
	}
	b.WriteString("\n")
	for _, g := range sortedSet(golds) {
		fmt.Fprintf(b, "  %-10s", g)
		for _, p := range ps {
			fmt.Fprintf(b, " %9d", c[[2]string{g, p}])
		}
		b.WriteString("\n")
	}
}
