package eval

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
)

// readCSV reads a labelled CSV file into records keyed by column name. A
// record with a different number of fields than the header is left out and
// counted in a note of t.
func readCSV(path string, t *Table) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true // VAST has bare quotes inside unquoted fields
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	var out []map[string]string
	var bad []int
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(rec) != len(header) {
			bad = append(bad, line)
			continue
		}
		m := make(map[string]string, len(header))
		for i, h := range header {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	if len(bad) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s: %d records left out for a field count unlike the header's (records %v)", filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path)), len(bad), bad))
	}
	return out, nil
}

var stanceClasses = []string{digest.StanceFavor, digest.StanceAgainst, digest.StanceNone}

func evalStance(dir string, opt Options, t *Table) error {
	if err := evalVAST(dir, t); err != nil {
		return err
	}
	if err := evalClaimStance(dir, t); err != nil {
		return err
	}
	if err := evalRumourStance(dir, t); err != nil {
		return err
	}
	return evalRelations(dir, t)
}

// stanceRows adds accuracy and macro-F1 rows beside the majority class.
func stanceRows(t *Table, data string, c confusion, classes []string) {
	maj, base := c.majority()
	n := c.total()
	t.Rows = append(t.Rows,
		Row{"stance", data, "accuracy", f3(c.accuracy()), fmt.Sprintf("%s (majority %s)", f3(base.accuracy()), maj), n},
		Row{"stance", data, "macro-F1", f3(c.macroF1(classes)), f3(base.macroF1(classes)), n},
	)
}

// evalVAST: each VAST comment alone, with its topic as the target; pro is
// favor, con against, neutral none.
func evalVAST(dir string, t *Table) error {
	path := join(dir, "vast-zero-shot-stance", "vast_test.csv")
	if !exists(path) {
		t.absent(path)
		return nil
	}
	c, err := vastConfusion(path, t)
	if err != nil {
		return err
	}
	stanceRows(t, "VAST test (target given)", c, stanceClasses)
	return nil
}

// vastConfusion digests every comment of a VAST file alone, its topic as the
// target, and counts gold against predicted stance.
func vastConfusion(path string, t *Table) (confusion, error) {
	rows, err := readCSV(path, t)
	if err != nil {
		return nil, err
	}
	c := confusion{}
	for i, r := range rows {
		gold := map[string]string{"0": digest.StanceAgainst, "1": digest.StanceFavor, "2": digest.StanceNone}[r["Stance"]]
		if gold == "" {
			return nil, fmt.Errorf("%s: record %d: stance %q, expected 0, 1 or 2", path, i+2, r["Stance"])
		}
		th := threaddigest.Thread{Comments: []threaddigest.Comment{{ID: "1", Author: "a", Body: r["Tweet"]}}}
		d := digest.Analyze(th, digest.Options{Target: r["Target"]})
		c.add(gold, d.Comments[0].Stance)
	}
	return c, nil
}

// evalClaimStance: the claims of each IBM Claim Stance topic as one thread,
// the topic's target given; a claim is PRO when its stance toward the target
// agrees with the topic's own sentiment toward it, CON when it opposes it.
func evalClaimStance(dir string, t *Table) error {
	path := join(dir, "ibm-claim-stance", "claim_stance_dataset_v1.cleaned.csv")
	if !exists(path) {
		t.absent(path)
		return nil
	}
	c, err := claimStanceConfusion(path, "test", t)
	if err != nil {
		return err
	}
	data := "IBM Claim Stance test (topic target given)"
	stanceRows(t, data, c, []string{"PRO", "CON"})
	decided := confusion{}
	for k, v := range c {
		if k[1] != "none" {
			decided[k] += v
		}
	}
	t.Rows = append(t.Rows,
		Row{"stance", data, "share of claims given a side", f3(ratio(decided.total(), c.total())), "1.000", c.total()},
		Row{"stance", data, "accuracy where a side is given", f3(decided.accuracy()), "n/a", decided.total()},
	)
	return nil
}

// claimStanceConfusion digests the claims of one split ("train" or "test")
// topic by topic and counts gold PRO/CON against the predicted side.
func claimStanceConfusion(path, split string, t *Table) (confusion, error) {
	rows, err := readCSV(path, t)
	if err != nil {
		return nil, err
	}
	type topic struct {
		thread    threaddigest.Thread
		target    string
		sentiment int
		gold      []string
	}
	var order []string
	topics := map[string]*topic{}
	for _, r := range rows {
		if r["split"] != split {
			continue
		}
		id := r["topicId"]
		tp := topics[id]
		if tp == nil {
			s, err := strconv.Atoi(r["topicSentiment"])
			if err != nil {
				return nil, fmt.Errorf("%s: topic %s: topicSentiment %q, expected 1 or -1", path, id, r["topicSentiment"])
			}
			tp = &topic{thread: threaddigest.Thread{ID: id, Title: r["topicText"]}, target: r["topicTarget"], sentiment: s}
			topics[id] = tp
			order = append(order, id)
		}
		n := strconv.Itoa(len(tp.thread.Comments) + 1)
		tp.thread.Comments = append(tp.thread.Comments, threaddigest.Comment{ID: n, Author: "claim " + n, Body: r["claims.claimCorrectedText"]})
		tp.gold = append(tp.gold, r["claims.stance"])
	}
	c := confusion{}
	for _, id := range order {
		tp := topics[id]
		d := digest.Analyze(tp.thread, digest.Options{Target: tp.target})
		for i, cr := range d.Comments {
			pred := "none"
			switch {
			case cr.Stance == digest.StanceFavor && tp.sentiment > 0, cr.Stance == digest.StanceAgainst && tp.sentiment < 0:
				pred = "PRO"
			case cr.Stance != digest.StanceNone:
				pred = "CON"
			}
			c.add(tp.gold[i], pred)
		}
	}
	return c, nil
}

// rumourSplits are the RumourEval splits measured in the table; train and
// dev are for tuning.
var rumourSplits = map[string]bool{"test": true}

// evalRumourStance: RumourEval replies labelled support or deny. The digest
// has no notion of a tweet's claim, so the claim stance of a reply is read
// from its reply relations: the source supports its own claim, a rebuttal
// takes the opposite side of its parent, an agreement or extension the same.
func evalRumourStance(dir string, t *Table) error {
	path := join(dir, "rumoureval2017-twitter-threads", "tweets.jsonl")
	if !exists(path) {
		t.absent(path)
		return nil
	}
	c, err := rumourConfusion(path, rumourSplits)
	if err != nil {
		return err
	}
	stanceRows(t, "RumourEval test replies, support/deny", c, []string{"support", "deny"})
	t.Notes = append(t.Notes, "RumourEval: a reply's side is its parent's side, reversed by a rebuttal; the source tweet supports its claim")
	return nil
}

// rumourConfusion digests the RumourEval threads of the given splits and
// counts the support/deny label of each reply against the side read from
// its reply relations.
func rumourConfusion(path string, splits map[string]bool) (confusion, error) {
	c := confusion{}
	err := eachRumourDigest(path, splits, func(_ threaddigest.Thread, d digest.Digest, gold rumourGold) {
		index := map[string]int{}
		for i, cr := range d.Comments {
			index[cr.ID] = i
		}
		side := make([]int, len(d.Comments)) // 0 unknown, +1 support, -1 deny
		var sideOf func(i, depth int) int
		sideOf = func(i, depth int) int {
			if side[i] != 0 {
				return side[i]
			}
			cr := d.Comments[i]
			s := 1
			if cr.ReplyTo != nil && depth < 1000 {
				if p, ok := index[*cr.ReplyTo]; ok {
					s = sideOf(p, depth+1)
					if *cr.Relation == digest.RelationRebuttal {
						s = -s
					}
				}
			}
			side[i] = s
			return s
		}
		for i, cr := range d.Comments {
			g := gold.stance[cr.ID]
			if cr.ReplyTo == nil || (g != "support" && g != "deny") {
				continue
			}
			pred := "support"
			if sideOf(i, 0) < 0 {
				pred = "deny"
			}
			c.add(g, pred)
		}
	})
	return c, err
}

// eachRumourDigest digests every RumourEval thread of the given splits and
// hands each digest to fn with the gold labels.
func eachRumourDigest(path string, splits map[string]bool, fn func(th threaddigest.Thread, d digest.Digest, gold rumourGold)) error {
	gold, err := rumourLabels(path)
	if err != nil {
		return err
	}
	threads, err := readThreads(path, rumourEvalMap)
	if err != nil {
		return err
	}
	for _, th := range threads {
		if splits[gold.split[th.ID]] {
			fn(th, digest.Analyze(th, digest.Options{}), gold)
		}
	}
	return nil
}

// rumourGold is what tweets.jsonl says of each tweet beyond its text: its
// SDQC stance toward the thread's rumour, and the split of each thread.
type rumourGold struct {
	stance map[string]string // tweet id → support, deny, query, comment
	split  map[string]string // thread id → train, dev, test
}

func rumourLabels(path string) (rumourGold, error) {
	g := rumourGold{stance: map[string]string{}, split: map[string]string{}}
	f, err := os.Open(path)
	if err != nil {
		return g, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var rec struct {
			Split    string `json:"split"`
			ThreadID string `json:"thread_id"`
			TweetID  string `json:"tweet_id"`
			Stance   string `json:"stance_sdqc"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return g, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		g.stance[rec.TweetID] = rec.Stance
		g.split[rec.ThreadID] = rec.Split
	}
	return g, sc.Err()
}

// evalRelations measures the reply relations against RumourEval: a direct
// reply to the source tweet that denies its rumour pushes back on the source
// (a rebuttal), one that supports it agrees (an agreement). Deeper replies
// are left out, since their label is toward the rumour, not toward their
// parent.
func evalRelations(dir string, t *Table) error {
	path := join(dir, "rumoureval2017-twitter-threads", "tweets.jsonl")
	if !exists(path) {
		t.absent(path)
		return nil
	}
	c, err := relationConfusion(path, rumourSplits)
	if err != nil {
		return err
	}
	data := "RumourEval test, direct replies"
	t.Rows = append(t.Rows, relationRows(data, c)...)
	t.Notes = append(t.Notes, "relations: a direct reply to a RumourEval source tweet labelled deny should be a rebuttal, one labelled support an agreement; the baseline calls every reply a rebuttal (or an agreement)")
	return nil
}

// relationRows gives precision, recall and F1 of rebuttals against deny and
// of agreements against support, each beside calling every reply that.
func relationRows(data string, c confusion) []Row {
	var rows []Row
	for _, p := range []struct{ rel, gold string }{{digest.RelationRebuttal, "deny"}, {digest.RelationAgreement, "support"}} {
		tp, fp, fn, golds := 0, 0, 0, 0
		for k, v := range c {
			switch {
			case k[0] == p.gold && k[1] == p.rel:
				tp += v
			case k[1] == p.rel:
				fp += v
			case k[0] == p.gold:
				fn += v
			}
			if k[0] == p.gold {
				golds += v
			}
		}
		n := c.total()
		baseP := ratio(golds, n)
		baseF := 0.0
		if golds > 0 {
			baseF = 2 * baseP / (baseP + 1)
		}
		rows = append(rows,
			Row{"relations", data, p.rel + " precision (" + p.gold + ")", f3(ratio(tp, tp+fp)), f3(baseP) + " (every reply)", tp + fp},
			Row{"relations", data, p.rel + " recall (" + p.gold + ")", f3(ratio(tp, tp+fn)), "1.000", tp + fn},
			Row{"relations", data, p.rel + " F1 (" + p.gold + ")", f3(f1(tp, fp, fn)), f3(baseF), n},
		)
	}
	return rows
}

// relationConfusion digests the RumourEval threads of the given splits and
// counts, for each direct reply to a source tweet, its SDQC label against
// the relation the digest gives it.
func relationConfusion(path string, splits map[string]bool) (confusion, error) {
	c := confusion{}
	err := eachRumourDigest(path, splits, func(th threaddigest.Thread, d digest.Digest, gold rumourGold) {
		for _, cr := range d.Comments {
			if cr.ReplyTo == nil || *cr.ReplyTo != th.ID || cr.Relation == nil {
				continue
			}
			c.add(gold.stance[cr.ID], *cr.Relation)
		}
	})
	return c, err
}
