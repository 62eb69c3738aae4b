package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
)

// LabelledThread is one thread of threads-labelled: the comments as the
// digest reads them and the labels made by hand.
type LabelledThread struct {
	Name   string
	Thread threaddigest.Thread
	Labels Labels
}

// Labels is a NAME.labels.json file of threads-labelled (the fields the
// figures need).
type Labels struct {
	Thread        string            `json:"thread"`
	Title         string            `json:"title"`
	Target        string            `json:"target"`
	Arguments     map[string]string `json:"arguments"`
	ArgumentSide  map[string]string `json:"argument_side"`
	Comments      []LabelledComment `json:"comments"`
	commentByID   map[string]*LabelledComment
	argumentOrder []string
}

// LabelledComment is the hand label of one comment.
type LabelledComment struct {
	ID              string   `json:"id"`
	Stance          string   `json:"stance"`
	Arguments       []string `json:"arguments"`
	Relation        *string  `json:"relation"`
	ImplicitReplyTo *string  `json:"implicit_reply_to"`
}

// labelledNames are the threads of threads-labelled, in the order the
// table lists them.
var labelledNames = []string{"nyt-trump-judge", "nyt-subway", "gam-climate-jobs", "gam-china-climate"}

// LoadLabelled reads every NAME.jsonl with its NAME.labels.json under dir
// (the threads-labelled folder), in a fixed order: the four named in its
// README first, then any other pair in name order.
func LoadLabelled(dir string) ([]LabelledThread, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.labels.json"))
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, m := range matches {
		names[strings.TrimSuffix(filepath.Base(m), ".labels.json")] = true
	}
	var order []string
	for _, n := range labelledNames {
		if names[n] {
			order = append(order, n)
			delete(names, n)
		}
	}
	order = append(order, sortedSet(names)...)
	var out []LabelledThread
	for _, name := range order {
		lt, err := loadLabelledThread(dir, name)
		if err != nil {
			return nil, err
		}
		out = append(out, lt)
	}
	return out, nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func loadLabelledThread(dir, name string) (LabelledThread, error) {
	threads, err := readThreads(filepath.Join(dir, name+".jsonl"), "")
	if err != nil {
		return LabelledThread{}, err
	}
	if len(threads) != 1 {
		return LabelledThread{}, fmt.Errorf("%s.jsonl: expected one thread, found %d", name, len(threads))
	}
	path := filepath.Join(dir, name+".labels.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return LabelledThread{}, err
	}
	var l Labels
	if err := json.Unmarshal(b, &l); err != nil {
		return LabelledThread{}, fmt.Errorf("%s: %w", path, err)
	}
	if l.Target == "" {
		return LabelledThread{}, fmt.Errorf("%s: no target", path)
	}
	l.index()
	return LabelledThread{Name: name, Thread: threads[0], Labels: l}, nil
}

func (l *Labels) index() {
	l.commentByID = make(map[string]*LabelledComment, len(l.Comments))
	for i := range l.Comments {
		l.commentByID[l.Comments[i].ID] = &l.Comments[i]
	}
	l.argumentOrder = sortedKeys(l.Arguments)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LabelledScore holds the figures of threads-labelled's README for one
// digest, computed as its score.py computes them.
type LabelledScore struct {
	Comments          int     // labelled comments the digest holds
	CommentsSeen      float64 // their share of the labelled comments
	StanceAcc         float64
	StanceMacroF1     float64
	StanceMajority    float64 // accuracy of always saying the majority class
	StanceShareError  float64 // total variation between the two stance distributions
	Replies           int     // labelled replies (with a relation)
	RelationAcc       float64
	RelationBaseline  float64 // accuracy of "every reply is a rebuttal"
	RebuttalF1        float64
	ImplicitLinks     int
	ImplicitRecall    float64
	ArgPairF1         float64
	ArgPairF1OneGroup float64 // pair-F1 of one cluster of every comment that makes an argument
	ArgsRecovered     float64 // labelled arguments matched with Jaccard >= 0.4
	ArgsRecoveredN    int
	ArgsLabelled      int
	ArgsListed        int
}

// ScoreLabelled scores digest d of a labelled thread against its labels.
func ScoreLabelled(l Labels, d digest.Digest) LabelledScore {
	if l.commentByID == nil {
		l.index()
	}
	pred := make(map[string]*digest.CommentResult, len(d.Comments))
	for i := range d.Comments {
		pred[d.Comments[i].ID] = &d.Comments[i]
	}
	var ids []string
	for _, c := range l.Comments {
		if pred[c.ID] != nil {
			ids = append(ids, c.ID)
		}
	}
	s := LabelledScore{Comments: len(ids), ArgsListed: len(d.Arguments)}
	if len(l.Comments) > 0 {
		s.CommentsSeen = float64(len(ids)) / float64(len(l.Comments))
	}
	if len(ids) == 0 {
		return s
	}
	// Stance: accuracy, macro-F1 over the classes present in either, the
	// majority class, and the distance between the two distributions.
	classes := []string{digest.StanceFavor, digest.StanceAgainst, digest.StanceNone}
	stance := confusion{}
	gc, pc := map[string]int{}, map[string]int{}
	for _, id := range ids {
		g, p := l.commentByID[id].Stance, pred[id].Stance
		stance.add(g, p)
		gc[g]++
		pc[p]++
	}
	s.StanceAcc = stance.accuracy()
	var f1s []float64
	for _, c := range classes {
		tp, fp, fn := stance.counts(c)
		if tp+fn == 0 && tp+fp == 0 {
			continue
		}
		f1s = append(f1s, f1(tp, fp, fn))
	}
	for _, v := range f1s {
		s.StanceMacroF1 += v / float64(len(f1s))
	}
	most := 0
	tv := 0
	for _, c := range classes {
		most = max(most, gc[c])
		tv += abs(gc[c] - pc[c])
	}
	s.StanceMajority = float64(most) / float64(len(ids))
	s.StanceShareError = float64(tv) / float64(len(ids)) / 2
	// Relations of the labelled replies, judged against the stated parent.
	rel := confusion{}
	for _, id := range ids {
		g := l.commentByID[id].Relation
		if g == nil || *g == "" {
			continue
		}
		p := ""
		if r := pred[id].Relation; r != nil {
			p = *r
		}
		rel.add(*g, p)
		s.Replies++
	}
	if s.Replies > 0 {
		s.RelationAcc = rel.accuracy()
		tp, fp, fn := rel.counts(digest.RelationRebuttal)
		s.RebuttalF1 = f1(tp, fp, fn)
		all := 0
		for k, v := range rel {
			if k[0] == digest.RelationRebuttal {
				all += v
			}
		}
		s.RelationBaseline = float64(all) / float64(s.Replies)
	}
	// Implicit reply links: top-level comments labelled as answering one.
	found := 0
	for _, id := range ids {
		g := l.commentByID[id].ImplicitReplyTo
		if g == nil || *g == "" {
			continue
		}
		s.ImplicitLinks++
		if p := pred[id].ReplyTo; p != nil && *p == *g {
			found++
		}
	}
	if s.ImplicitLinks > 0 {
		s.ImplicitRecall = float64(found) / float64(s.ImplicitLinks)
	}
	// Arguments: comments as sets per argument, gold and predicted.
	gsets, psets := map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, id := range ids {
		for _, a := range l.commentByID[id].Arguments {
			addTo(gsets, a, id)
		}
		for _, a := range pred[id].Arguments {
			addTo(psets, strconv.Itoa(a), id)
		}
	}
	gp, pp := pairsOf(gsets), pairsOf(psets)
	s.ArgPairF1 = pairF1(gp, pp)
	all := map[string]bool{}
	for _, m := range gsets {
		for id := range m {
			all[id] = true
		}
	}
	s.ArgPairF1OneGroup = pairF1(gp, pairsOf(map[string]map[string]bool{"all": all}))
	s.ArgsLabelled = len(gsets)
	for _, g := range gsets {
		best := 0.0
		for _, p := range psets {
			best = max(best, jaccard(g, p))
		}
		if best >= 0.4 {
			s.ArgsRecoveredN++
		}
	}
	s.ArgsRecovered = 1
	if len(gsets) > 0 {
		s.ArgsRecovered = float64(s.ArgsRecoveredN) / float64(len(gsets))
	}
	return s
}

// counts returns the true positives, false positives and false negatives of
// class c.
func (c confusion) counts(class string) (tp, fp, fn int) {
	for k, v := range c {
		switch {
		case k[0] == class && k[1] == class:
			tp += v
		case k[1] == class:
			fp += v
		case k[0] == class:
			fn += v
		}
	}
	return tp, fp, fn
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func addTo(sets map[string]map[string]bool, key, id string) {
	m := sets[key]
	if m == nil {
		m = map[string]bool{}
		sets[key] = m
	}
	m[id] = true
}

// pairsOf returns every unordered pair of items that share a set.
func pairsOf(sets map[string]map[string]bool) map[[2]string]bool {
	out := map[[2]string]bool{}
	for _, m := range sets {
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				out[[2]string{ids[i], ids[j]}] = true
			}
		}
	}
	return out
}

func pairF1(gold, pred map[[2]string]bool) float64 {
	tp := 0
	for p := range pred {
		if gold[p] {
			tp++
		}
	}
	return f1(tp, len(pred)-tp, len(gold)-tp)
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// evalLabelled digests each labelled thread toward its labelled target and
// scores it as the set's score.py does.
func evalLabelled(dir string, opt Options, t *Table) error {
	path := join(dir, "threads-labelled")
	if !exists(path) {
		t.absent(path)
		return nil
	}
	threads, err := LoadLabelled(path)
	if err != nil {
		return err
	}
	analyze := opt.Analyze
	if analyze == nil {
		analyze = digest.Analyze
	}
	for _, lt := range threads {
		d := analyze(lt.Thread, digest.Options{Target: lt.Labels.Target, Locator: opt.Locator})
		s := ScoreLabelled(lt.Labels, d)
		t.Rows = append(t.Rows, labelledRows(lt.Name, s)...)
	}
	return nil
}

// labelledRows are the table rows of one thread's figures.
func labelledRows(name string, s LabelledScore) []Row {
	rows := []Row{
		{"labelled", name, "stance accuracy", f3(s.StanceAcc), f3(s.StanceMajority) + " (majority)", s.Comments},
		{"labelled", name, "stance macro-F1", f3(s.StanceMacroF1), "", s.Comments},
		{"labelled", name, "stance share error", f3(s.StanceShareError), "", s.Comments},
	}
	if s.Replies > 0 {
		rows = append(rows,
			Row{"labelled", name, "relation accuracy", f3(s.RelationAcc), f3(s.RelationBaseline) + " (all rebuttal)", s.Replies},
			Row{"labelled", name, "rebuttal F1", f3(s.RebuttalF1), "", s.Replies})
	}
	if s.ImplicitLinks > 0 {
		rows = append(rows, Row{"labelled", name, "implicit link recall", f3(s.ImplicitRecall), "0.000 (no links)", s.ImplicitLinks})
	}
	rows = append(rows,
		Row{"labelled", name, "argument pair-F1", f3(s.ArgPairF1), f3(s.ArgPairF1OneGroup) + " (one cluster)", s.Comments},
		Row{"labelled", name, "arguments recovered", fmt.Sprintf("%s (%d of %d)", f3(s.ArgsRecovered), s.ArgsRecoveredN, s.ArgsLabelled), "", s.ArgsLabelled},
		Row{"labelled", name, "arguments listed", strconv.Itoa(s.ArgsListed), "", s.ArgsListed},
	)
	return rows
}
