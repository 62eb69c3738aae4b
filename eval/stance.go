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
	return evalRumourStance(dir, t)
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
	rows, err := readCSV(path, t)
	if err != nil {
		return err
	}
	c := confusion{}
	for i, r := range rows {
		gold := map[string]string{"0": digest.StanceAgainst, "1": digest.StanceFavor, "2": digest.StanceNone}[r["Stance"]]
		if gold == "" {
			return fmt.Errorf("%s: record %d: stance %q, expected 0, 1 or 2", path, i+2, r["Stance"])
		}
		th := threaddigest.Thread{Comments: []threaddigest.Comment{{ID: "1", Author: "a", Body: r["Tweet"]}}}
		d := digest.Analyze(th, digest.Options{Target: r["Target"]})
		c.add(gold, d.Comments[0].Stance)
	}
	stanceRows(t, "VAST test (target given)", c, stanceClasses)
	return nil
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
	rows, err := readCSV(path, t)
	if err != nil {
		return err
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
		if r["split"] != "test" {
			continue
		}
		id := r["topicId"]
		tp := topics[id]
		if tp == nil {
			s, err := strconv.Atoi(r["topicSentiment"])
			if err != nil {
				return fmt.Errorf("%s: topic %s: topicSentiment %q", path, id, r["topicSentiment"])
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
	gold, err := rumourLabels(path)
	if err != nil {
		return err
	}
	threads, err := readThreads(path, rumourEvalMap)
	if err != nil {
		return err
	}
	c := confusion{}
	for _, th := range threads {
		d := digest.Analyze(th, digest.Options{})
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
			g := gold[cr.ID]
			if cr.ReplyTo == nil || (g != "support" && g != "deny") {
				continue
			}
			pred := "support"
			if sideOf(i, 0) < 0 {
				pred = "deny"
			}
			c.add(g, pred)
		}
	}
	stanceRows(t, "RumourEval replies, support/deny", c, []string{"support", "deny"})
	t.Notes = append(t.Notes, "RumourEval: a reply's side is its parent's side, reversed by a rebuttal; the source tweet supports its claim")
	return nil
}

func rumourLabels(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var rec struct {
			TweetID string `json:"tweet_id"`
			Stance  string `json:"stance_sdqc"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out[rec.TweetID] = rec.Stance
	}
	return out, sc.Err()
}
