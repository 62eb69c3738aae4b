package digest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest/internal/relmodel"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// labelledReplies is a labelled thread read for the relation step: the
// thread, and the labelled relation of each reply by input position.
type labelledReplies struct {
	name   string
	thread threaddigest.Thread
	gold   [][2]int // (comment index, relmodel class), in input order
}

// The labelled threads with reply relations (threads-labelled's Globe and
// Mail pair).
var relationThreads = []string{"gam-climate-jobs", "gam-china-climate"}

func loadLabelledReplies(t *testing.T, dir, name string) labelledReplies {
	t.Helper()
	path := filepath.Join(dir, "threads-labelled", name+".jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lr := labelledReplies{name: name}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var c map[string]any
		d := json.NewDecoder(strings.NewReader(sc.Text()))
		d.UseNumber()
		if err := d.Decode(&c); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		body, ok := c["body"].(string)
		if !ok {
			continue // the title line
		}
		field := func(k string) string {
			if v, ok := c[k]; ok && v != nil {
				return fmt.Sprint(v)
			}
			return ""
		}
		lr.thread.Comments = append(lr.thread.Comments, threaddigest.Comment{ID: field("id"), ParentID: field("parent_id"), Author: field("author"), Body: body})
	}
	b, err := os.ReadFile(filepath.Join(dir, "threads-labelled", name+".labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var labels struct {
		Comments []struct {
			ID       string  `json:"id"`
			Relation *string `json:"relation"`
		} `json:"comments"`
	}
	if err := json.Unmarshal(b, &labels); err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for i, c := range lr.thread.Comments {
		index[c.ID] = i
	}
	classes := map[string]int{RelationRebuttal: relmodel.Rebuttal, RelationAgreement: relmodel.Agreement, RelationExtension: relmodel.Extension}
	for _, c := range labels.Comments {
		if c.Relation == nil {
			continue
		}
		i, ok := index[c.ID]
		if !ok {
			t.Fatalf("%s: labelled comment %s not in the thread", name, c.ID)
		}
		lr.gold = append(lr.gold, [2]int{i, classes[*c.Relation]})
	}
	return lr
}

// relationFit is how well the relation step does on labelled replies: log
// loss over the replies the model decides, accuracy over all.
type relationFit struct{ nll, right, n, fitted float64 }

func (f relationFit) acc() float64     { return f.right / f.n }
func (f relationFit) logLoss() float64 { return f.nll / f.fitted }

// prepared reads thread lr up to its reply links.
func prepared(lr labelledReplies) *analysis {
	a := newAnalysis(lr.thread, Options{})
	a.tokenize()
	a.linkReplies()
	return a
}

// fitOf runs the relation step of a prepared thread with model m and
// scores it against the labels.
func fitOf(a *analysis, gold [][2]int, m *relmodel.Model) relationFit {
	a.classifyRelationsWith(m)
	var f relationFit
	for _, ig := range gold {
		i, g := ig[0], ig[1]
		f.n++
		pr := a.relProb[i]
		best := 0
		for c := range pr {
			if pr[c] > pr[best] {
				best = c
			}
		}
		if a.relation[i] != relNone && best == g {
			f.right++
		}
		if p := a.parent[i]; a.relation[i] == relNone || p >= 0 && a.commenter[p] == a.commenter[i] {
			continue // no relation, or one set by rule: nothing the prior decides
		}
		f.fitted++
		f.nll -= math.Log(math.Max(float64(pr[g]), 1e-6))
	}
	return f
}

// TestRelationPrior fits the comment-section prior shift of the relation
// model (relgen's commentSectionShift) by maximum likelihood on the two
// labelled Globe and Mail threads, logs the leave-one-thread-out figures
// (each thread scored with the shift fitted on the other), and fails when
// the committed model's shift is no longer the fit.
func TestRelationPrior(t *testing.T) {
	dir := shareddata.Dir(t)
	var threads []labelledReplies
	var as []*analysis
	for _, name := range relationThreads {
		lr := loadLabelledReplies(t, dir, name)
		threads = append(threads, lr)
		as = append(as, prepared(lr))
	}
	committed := relationModel()
	m := *committed
	type cand struct{ r, e float32 }
	var grid []cand
	for r := 0; r <= 16; r++ {
		for e := -8; e <= 4; e++ {
			grid = append(grid, cand{float32(r) / 4, float32(e) / 4})
		}
	}
	fits := make([][]relationFit, len(grid))
	for g, c := range grid {
		m.Shift = [relmodel.Classes]float32{relmodel.Rebuttal: c.r, relmodel.Extension: c.e}
		for k := range threads {
			fits[g] = append(fits[g], fitOf(as[k], threads[k].gold, &m))
		}
	}
	// best returns the grid point of least log loss over the threads
	// use says to count (first wins a tie).
	best := func(use func(k int) bool) int {
		b, bl := 0, math.Inf(1)
		for g := range grid {
			l := 0.0
			for k := range threads {
				if use(k) {
					l += fits[g][k].nll
				}
			}
			if l < bl {
				b, bl = g, l
			}
		}
		return b
	}
	for held := range threads {
		g := best(func(k int) bool { return k != held })
		f := fits[g][held]
		t.Logf("%s, shift fitted on the other thread (rebuttal %+.2f, extension %+.2f): accuracy %.3f, log loss %.3f", threads[held].name, grid[g].r, grid[g].e, f.acc(), f.logLoss())
	}
	g := best(func(int) bool { return true })
	t.Logf("shift fitted on both (rebuttal %+.2f, extension %+.2f): %s accuracy %.3f, %s %.3f", grid[g].r, grid[g].e, threads[0].name, fits[g][0].acc(), threads[1].name, fits[g][1].acc())
	want := [relmodel.Classes]float32{relmodel.Rebuttal: grid[g].r, relmodel.Extension: grid[g].e}
	if committed.Shift != want {
		t.Errorf("relations.model holds the prior shift %v, the fit is %v: set relgen's commentSectionShift and run `go generate ./digest/...`", committed.Shift, want)
	}
}
