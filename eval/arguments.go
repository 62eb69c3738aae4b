package eval

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
)

// argKPSplits are the ArgKP files: every topic is measured, since nothing is
// trained on them.
var argKPSplits = []struct{ args, kps, labels string }{
	{"kpm_data/arguments_train.csv", "kpm_data/key_points_train.csv", "kpm_data/labels_train.csv"},
	{"kpm_data/arguments_dev.csv", "kpm_data/key_points_dev.csv", "kpm_data/labels_dev.csv"},
	{"test_data/arguments_test.csv", "test_data/key_points_test.csv", "test_data/labels_test.csv"},
}

// argTopic is one ArgKP topic as a thread: each argument a comment by its
// own commenter; gold is the key point each argument matches ("" when none).
type argTopic struct {
	thread threaddigest.Thread
	gold   []string
}

func loadArgKP(dir string, t *Table) ([]*argTopic, error) {
	var topics []*argTopic
	for _, sp := range argKPSplits {
		argsPath := join(dir, "ibm-argkp-kpa2021", sp.args)
		labelsPath := join(dir, "ibm-argkp-kpa2021", sp.labels)
		if !exists(argsPath) || !exists(labelsPath) {
			t.absent(argsPath)
			continue
		}
		args, err := readCSV(argsPath, t)
		if err != nil {
			return nil, err
		}
		labels, err := readCSV(labelsPath, t)
		if err != nil {
			return nil, err
		}
		match := map[string]string{}
		for _, l := range labels {
			if l["label"] == "1" {
				// Several matches are rare; keep the first key point id.
				if old, ok := match[l["arg_id"]]; !ok || l["key_point_id"] < old {
					match[l["arg_id"]] = l["key_point_id"]
				}
			}
		}
		byTopic := map[string]*argTopic{}
		for _, a := range args {
			tp := byTopic[a["topic"]]
			if tp == nil {
				tp = &argTopic{thread: threaddigest.Thread{ID: a["topic"], Title: a["topic"]}}
				byTopic[a["topic"]] = tp
				topics = append(topics, tp)
			}
			tp.thread.Comments = append(tp.thread.Comments, threaddigest.Comment{ID: a["arg_id"], Author: a["arg_id"], Body: a["argument"]})
			tp.gold = append(tp.gold, match[a["arg_id"]])
		}
	}
	return topics, nil
}

// evalArguments clusters each ArgKP topic's arguments with the digest and
// compares the clusters with the key points the arguments match (arguments
// matching none are left out of the comparison): pairwise F1, V-measure, and
// how many of the three most prevalent key points are the majority key point
// of one of the digest's three most widely held arguments.
func evalArguments(dir string, opt Options, t *Table) error {
	topics, err := loadArgKP(dir, t)
	if err != nil {
		return err
	}
	if len(topics) == 0 {
		return nil
	}
	var tp, fp, fn, btp, bfp, bfn int
	vSum, bvSum, top3, btop3 := 0.0, 0.0, 0.0, 0.0
	n := 0
	for _, topic := range topics {
		d := digest.Analyze(topic.thread, digest.Options{MaxArguments: 1000})
		var gold, pred, one []string
		for i, cr := range d.Comments {
			if topic.gold[i] == "" {
				continue
			}
			gold = append(gold, topic.gold[i])
			p := ""
			if len(cr.Arguments) > 0 {
				p = strconv.Itoa(cr.Arguments[0])
			}
			pred = append(pred, p)
			one = append(one, "all")
		}
		a, b, c := pairCounts(gold, pred)
		tp, fp, fn = tp+a, fp+b, fn+c
		a, b, c = pairCounts(gold, one)
		btp, bfp, bfn = btp+a, bfp+b, bfn+c
		vSum += vMeasure(gold, pred) * float64(len(gold))
		bvSum += vMeasure(gold, one) * float64(len(gold))
		n += len(gold)
		top3 += topOverlap(gold, pred, 3)
		btop3 += topOverlap(gold, one, 3)
	}
	data := fmt.Sprintf("IBM ArgKP, %d topics", len(topics))
	t.Rows = append(t.Rows,
		Row{"arguments", data, "pairwise precision", f3(ratio(tp, tp+fp)), f3(ratio(btp, btp+bfp)) + " (one cluster)", n},
		Row{"arguments", data, "pairwise recall", f3(ratio(tp, tp+fn)), f3(ratio(btp, btp+bfn)), n},
		Row{"arguments", data, "pairwise F1", f3(f1(tp, fp, fn)), f3(f1(btp, bfp, bfn)), n},
		Row{"arguments", data, "V-measure", f3(vSum / float64(n)), f3(bvSum / float64(n)), n},
		Row{"arguments", data, "top-3 key points found", f3(top3 / float64(len(topics))), f3(btop3 / float64(len(topics))), len(topics)},
	)
	t.Notes = append(t.Notes, "arguments: each ArgKP argument is a comment by its own commenter, one thread per topic; arguments matching no key point are left out; top-3 = share of the 3 most matched key points that are the majority key point of one of the digest's 3 most widely held arguments")
	return nil
}

// topOverlap is the share of the k most frequent gold labels that are the
// majority gold label of one of the k largest predicted clusters.
func topOverlap(gold, pred []string, k int) float64 {
	goldTop := topLabels(gold, k)
	size := map[string]int{}
	for _, p := range pred {
		if p != "" {
			size[p]++
		}
	}
	clusters := topLabels(pred, k)
	found := map[string]bool{}
	for _, c := range clusters {
		votes := map[string]int{}
		for i, p := range pred {
			if p == c {
				votes[gold[i]]++
			}
		}
		if m := topLabels(expand(votes), 1); len(m) > 0 {
			found[m[0]] = true
		}
	}
	hit := 0
	for _, g := range goldTop {
		if found[g] {
			hit++
		}
	}
	if len(goldTop) == 0 {
		return 0
	}
	return float64(hit) / float64(len(goldTop))
}

// topLabels returns the k most frequent non-empty labels (ties: by label).
func topLabels(labels []string, k int) []string {
	count := map[string]int{}
	for _, l := range labels {
		if l != "" {
			count[l]++
		}
	}
	keys := make([]string, 0, len(count))
	for l := range count {
		keys = append(keys, l)
	}
	sort.Slice(keys, func(i, j int) bool {
		if count[keys[i]] != count[keys[j]] {
			return count[keys[i]] > count[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > k {
		keys = keys[:k]
	}
	return keys
}

func expand(votes map[string]int) []string {
	var out []string
	for l, n := range votes {
		for i := 0; i < n; i++ {
			out = append(out, l)
		}
	}
	return out
}
