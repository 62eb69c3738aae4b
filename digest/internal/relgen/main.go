// Command relgen trains the digest's reply-relation model (package
// relmodel) and writes its weights, digest/relations.model. It runs only
// when a developer runs `go generate ./digest/...`; the digest reads
// nothing but the file this writes.
//
// Training data: subreddit-agreement in the shared data folder, 2,934 Reddit
// (comment, reply) pairs labelled disagreement, neutral or agreement (read
// as rebuttal, extension, agreement). One pair in five, chosen by a hash of
// its text, is held out and never trained on; the committed model is
// trained on the other four, so that the held-out figures (-report) are
// the committed model's.
//
// Calibration: the temperature that minimises the log loss of out-of-fold
// predictions (five folds of the training pairs) is folded into the
// weights; commentSectionShift then moves the class prior to that of
// reader-comment sections.
//
// Everything is deterministic: files read in a fixed order, examples
// visited in an order drawn from a fixed seed, fixed epochs.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/threaddigest/threaddigest/digest/internal/relmodel"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"golang.org/x/text/encoding/charmap"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "relgen:", err)
		os.Exit(1)
	}
}

// The training settings. They are part of the generated file's recipe:
// changing one changes the weights, and the drift test says so.
var opts = relmodel.TrainOptions{Bits: 16, Epochs: 5, L2: 3e-3, Rate: 0.05, Seed: 1}

const folds = 5

// commentSectionShift is added to the logits at run time: in reader-comment
// sections most replies push back, and sarcasm and counter-claims that read
// as agreement or neutral to a model of Reddit pairs are rebuttals there.
// Neither EM nor black-box shift estimation over unlabelled Globe and Mail
// replies recovers it (both read those replies as mostly agreement), so it
// is fitted by maximum likelihood on the two labelled Globe and Mail
// threads of threads-labelled (0.25 steps); TestRelationPrior in the digest
// refits it, reports the leave-one-thread-out figures and fails when this
// value is no longer the fit.
var commentSectionShift = [relmodel.Classes]float32{relmodel.Rebuttal: 1.75, relmodel.Agreement: 0, relmodel.Extension: -0.25}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("relgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "shared data folder (holds subreddit-agreement/, ...); default ../shared/data beside the module")
	out := fs.String("out", "relations.model", "file to write")
	report := fs.Bool("report", false, "print held-out figures")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		d, err := shareddata.Find()
		if err != nil {
			return err
		}
		*data = d
	}
	m, res, err := build(*data, opts)
	if err != nil {
		return err
	}
	if *report {
		fmt.Fprint(stdout, res.report)
	}
	enc := m.Encode()
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, enc, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "relgen: wrote %s (%d bytes)\n", *out, len(enc))
	return nil
}

// pair is one labelled (parent, reply) pair as read from a data set.
type pair struct {
	parent, reply string
	label         int
	test          bool
}

// result is what build reports besides the model.
type result struct {
	report  string
	heldOut figures // the committed model on the held-out pairs
}

// build reads the data, trains and calibrates the model, and returns it
// with a report of its figures.
func build(dir string, o relmodel.TrainOptions) (*relmodel.Model, result, error) {
	pairs, err := readReddit(dir)
	if err != nil {
		return nil, result{}, err
	}
	x := relmodel.NewExtractor(o.Bits)
	var train, test []relmodel.Example
	var trainCues, testCues []uint8
	var r, p relmodel.Comment
	for _, pr := range pairs {
		r.Read(pr.reply)
		p.Read(pr.parent)
		e := relmodel.Example{X: slices.Clone(x.Features(&r, &p)), Y: pr.label, Weight: 1}
		if pr.test {
			test = append(test, e)
			testCues = append(testCues, x.Cues())
		} else {
			train = append(train, e)
			trainCues = append(trainCues, x.Cues())
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Reddit pairs: %d trained on, %d held out\n", len(train), len(test))
	// Out-of-fold logits for the temperature.
	var oof [][relmodel.Classes]float64
	var oofY []int
	var oofCues []uint8
	for k := 0; k < folds; k++ {
		var in []relmodel.Example
		for i, e := range train {
			if i%folds != k {
				in = append(in, e)
			}
		}
		m := relmodel.Train(in, o)
		for i, e := range train {
			if i%folds == k {
				oof = append(oof, m.Logits(e.X, 0))
				oofY = append(oofY, e.Y)
				oofCues = append(oofCues, trainCues[i])
			}
		}
	}
	t := relmodel.FitTemperature(oof, oofY)
	fmt.Fprintf(&b, "temperature (least out-of-fold log loss): %.3f\n", t)
	scaled := make([][relmodel.Classes]float64, len(oof))
	for i, z := range oof {
		for c := range z {
			scaled[i][c] = z[c] / t
		}
	}
	writeFigures(&b, "cross-validated (5 folds of the training pairs)", figuresOf(scaled, oofY))
	cue := relmodel.FitCues(scaled, oofCues, oofY)
	for k, name := range []string{"agrees outright", "the same", "goes on", "+1 or retweet"} {
		fmt.Fprintf(&b, "cue %q (%d training pairs): rebuttal %+.2f, agreement %+.2f, extension %+.2f\n", name, countCue(trainCues, k), cue[k][relmodel.Rebuttal], cue[k][relmodel.Agreement], cue[k][relmodel.Extension])
	}
	m := relmodel.Train(train, o)
	m.Scale(t)
	m.Cue = cue
	var hz, hc [][relmodel.Classes]float64
	var hy []int
	for i, e := range test {
		hz = append(hz, m.Logits(e.X, 0))
		hc = append(hc, m.Logits(e.X, testCues[i]))
		hy = append(hy, e.Y)
	}
	res := result{heldOut: figuresOf(hc, hy)}
	writeFigures(&b, "held out (one pair in five, never trained on), words only", figuresOf(hz, hy))
	writeFigures(&b, "held out, words and cues (the committed model)", res.heldOut)
	m.Shift = commentSectionShift
	res.report = b.String()
	return m, res, nil
}

// countCue is how many pairs have cue 1<<k.
func countCue(cues []uint8, k int) int {
	n := 0
	for _, c := range cues {
		if c&(1<<k) != 0 {
			n++
		}
	}
	return n
}

// figures are a classifier's figures on labelled pairs.
type figures struct {
	n                  int
	accuracy, majority float64
	macroF1            float64
	logLoss, priorLoss float64 // the model's, and that of always giving the class frequencies
	f1                 [relmodel.Classes]float64
}

// figuresOf scores logits z against classes y.
func figuresOf(z [][relmodel.Classes]float64, y []int) figures {
	var conf [relmodel.Classes][relmodel.Classes]int
	var count [relmodel.Classes]int
	f := figures{n: len(z)}
	for i := range z {
		p := softmaxOf(z[i])
		best := 0
		for c := range p {
			if p[c] > p[best] {
				best = c
			}
		}
		conf[y[i]][best]++
		count[y[i]]++
		f.logLoss -= math.Log(math.Max(p[y[i]], 1e-12))
	}
	if f.n == 0 {
		return f
	}
	right, most := 0, 0
	for c := 0; c < relmodel.Classes; c++ {
		right += conf[c][c]
		most = max(most, count[c])
		tp, fp, fn := conf[c][c], 0, 0
		for d := 0; d < relmodel.Classes; d++ {
			if d != c {
				fp += conf[d][c]
				fn += conf[c][d]
			}
		}
		if tp > 0 {
			pr, rc := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
			f.f1[c] = 2 * pr * rc / (pr + rc)
		}
		f.macroF1 += f.f1[c] / relmodel.Classes
	}
	f.accuracy = float64(right) / float64(f.n)
	f.majority = float64(most) / float64(f.n)
	f.logLoss /= float64(f.n)
	f.priorLoss = priorLoss(count)
	return f
}

func writeFigures(b *strings.Builder, name string, f figures) {
	fmt.Fprintf(b, "%s: n %d, accuracy %.3f (majority class %.3f), macro-F1 %.3f, log loss %.3f (class frequencies %.3f); F1 rebuttal %.3f, agreement %.3f, extension %.3f\n",
		name, f.n, f.accuracy, f.majority, f.macroF1, f.logLoss, f.priorLoss, f.f1[relmodel.Rebuttal], f.f1[relmodel.Agreement], f.f1[relmodel.Extension])
}

// priorLoss is the log loss of always predicting the class frequencies.
func priorLoss(count [relmodel.Classes]int) float64 {
	n := 0
	for _, c := range count {
		n += c
	}
	l := 0.0
	for _, c := range count {
		if c > 0 {
			p := float64(c) / float64(n)
			l -= float64(c) * math.Log(p)
		}
	}
	return l / float64(n)
}

func softmaxOf(z [relmodel.Classes]float64) [relmodel.Classes]float64 {
	top := math.Max(z[0], math.Max(z[1], z[2]))
	s := 0.0
	for c := range z {
		z[c] = math.Exp(z[c] - top)
		s += z[c]
	}
	for c := range z {
		z[c] /= s
	}
	return z
}

// redditFiles are the subreddit-agreement files, in the order read.
var redditFiles = []string{"SubReddit-CovidVaccine.csv", "SubReddit-MaskMandate.csv"}

// readReddit reads the Reddit pairs (Windows-1252 text; columns
// quote_text, response_text, relation 0/1/2).
func readReddit(dir string) ([]pair, error) {
	var out []pair
	for _, name := range redditFiles {
		path := filepath.Join(dir, "subreddit-agreement", name)
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		cr := csv.NewReader(charmap.Windows1252.NewDecoder().Reader(f))
		head, err := cr.Read()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: header: %w", path, err)
		}
		col := map[string]int{}
		for i, h := range head {
			col[h] = i
		}
		for _, need := range []string{"quote_text", "response_text", "relation"} {
			if _, ok := col[need]; !ok {
				f.Close()
				return nil, fmt.Errorf("%s: no column %q (header: %s)", path, need, strings.Join(head, ", "))
			}
		}
		for line := 2; ; line++ {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			var label int
			switch rec[col["relation"]] {
			case "0":
				label = relmodel.Rebuttal
			case "1":
				label = relmodel.Extension
			case "2":
				label = relmodel.Agreement
			default:
				f.Close()
				return nil, fmt.Errorf("%s:%d: relation %q, want 0, 1 or 2", path, line, rec[col["relation"]])
			}
			pr := pair{parent: rec[col["quote_text"]], reply: rec[col["response_text"]], label: label}
			pr.test = heldOut(pr.parent, pr.reply)
			out = append(out, pr)
		}
		f.Close()
	}
	return out, nil
}

// heldOut decides, from a pair's text alone, whether it is one of the
// fifth kept for testing.
func heldOut(parent, reply string) bool {
	h := relmodel.HashWord(parent + "\x00" + reply)
	return h%5 == 0
}
