package eval

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/render"
)

// TestLabelledMatchesScorePy digests each labelled thread, writes the
// digest as `threaddigest digest --format json` would, scores it with the
// set's own score.py, and checks that ScoreLabelled gives the same figures:
// the labelled section of the table is the reference definition, not a
// reading of it.
func TestLabelledMatchesScorePy(t *testing.T) {
	dir := filepath.Join(shareddata.Dir(t), "threads-labelled")
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: score.py cannot be run")
	}
	threads, err := LoadLabelled(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(threads) == 0 {
		t.Fatalf("no labelled threads in %s", dir)
	}
	for _, lt := range threads {
		t.Run(lt.Name, func(t *testing.T) {
			d := digest.Analyze(lt.Thread, digest.Options{Target: lt.Labels.Target})
			var b bytes.Buffer
			if err := render.JSON(&b, d); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "digest.json")
			if err := os.WriteFile(out, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(python, filepath.Join(dir, "score.py"), filepath.Join(dir, lt.Name+".labels.json"), out)
			text, err := cmd.Output()
			if err != nil {
				t.Fatalf("score.py: %v", err)
			}
			want := map[string]float64{}
			sc := bufio.NewScanner(bytes.NewReader(text))
			for sc.Scan() {
				k, v, ok := strings.Cut(sc.Text(), ": ")
				if !ok {
					continue
				}
				if f, err := strconv.ParseFloat(strings.Fields(v)[0], 64); err == nil {
					want[k] = f
				}
			}
			s := ScoreLabelled(lt.Labels, d)
			got := map[string]float64{
				"comments_seen":                s.CommentsSeen,
				"stance_acc":                   s.StanceAcc,
				"stance_macro_f1":              s.StanceMacroF1,
				"stance_majority_baseline":     s.StanceMajority,
				"stance_share_error":           s.StanceShareError,
				"argument_pair_f1":             s.ArgPairF1,
				"argument_pair_f1_one_cluster": s.ArgPairF1OneGroup,
				"arguments_recovered":          s.ArgsRecovered,
				"arguments_listed":             float64(s.ArgsListed),
			}
			if s.Replies > 0 {
				got["relation_acc"] = s.RelationAcc
				got["relation_all_rebuttal_baseline"] = s.RelationBaseline
				got["rebuttal_f1"] = s.RebuttalF1
			}
			if s.ImplicitLinks > 0 {
				got["implicit_link_recall"] = s.ImplicitRecall
			}
			if len(want) != len(got) {
				t.Errorf("score.py printed %d figures, ScoreLabelled has %d:\n%s", len(want), len(got), text)
			}
			for k, w := range want {
				g, ok := got[k]
				if !ok {
					t.Errorf("score.py prints %s = %.3f; ScoreLabelled has no such figure", k, w)
					continue
				}
				// score.py prints three decimals.
				if math.Abs(g-w) > 0.0005 {
					t.Errorf("%s: ScoreLabelled %.4f, score.py %.3f", k, g, w)
				}
			}
		})
	}
}
