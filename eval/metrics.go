package eval

import (
	"math"
	"sort"
	"strconv"
)

// confusion counts gold/predicted label pairs.
type confusion map[[2]string]int

func (c confusion) add(gold, pred string) { c[[2]string{gold, pred}]++ }

func (c confusion) total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func (c confusion) accuracy() float64 {
	right, n := 0, 0
	for k, v := range c {
		n += v
		if k[0] == k[1] {
			right += v
		}
	}
	if n == 0 {
		return 0
	}
	return float64(right) / float64(n)
}

// macroF1 averages the F1 of each of the given classes.
func (c confusion) macroF1(classes []string) float64 {
	sum := 0.0
	for _, cl := range classes {
		tp, fp, fn := 0, 0, 0
		for k, v := range c {
			switch {
			case k[0] == cl && k[1] == cl:
				tp += v
			case k[1] == cl:
				fp += v
			case k[0] == cl:
				fn += v
			}
		}
		sum += f1(tp, fp, fn)
	}
	return sum / float64(len(classes))
}

// majority returns the most frequent gold label (ties: alphabetical) and
// the confusion of always predicting it.
func (c confusion) majority() (string, confusion) {
	counts := map[string]int{}
	for k, v := range c {
		counts[k[0]] += v
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	best, found := "", false
	for _, k := range keys {
		if !found || counts[k] > counts[best] {
			best, found = k, true
		}
	}
	base := confusion{}
	for k, v := range counts {
		base[[2]string{k, best}] += v
	}
	return best, base
}

func f1(tp, fp, fn int) float64 {
	if tp == 0 {
		return 0
	}
	p := float64(tp) / float64(tp+fp)
	r := float64(tp) / float64(tp+fn)
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// pairCounts counts, over all pairs of items, those together in both gold
// and predicted clusterings (tp), only in predicted (fp), only in gold (fn).
// A predicted cluster of "" means the item is in no cluster.
func pairCounts(gold, pred []string) (tp, fp, fn int) {
	for i := range gold {
		for j := i + 1; j < len(gold); j++ {
			g := gold[i] == gold[j]
			p := pred[i] != "" && pred[i] == pred[j]
			switch {
			case g && p:
				tp++
			case p:
				fp++
			case g:
				fn++
			}
		}
	}
	return tp, fp, fn
}

// vMeasure is the harmonic mean of homogeneity and completeness. Items in no
// predicted cluster ("") each count as a cluster of their own.
func vMeasure(gold, pred []string) float64 {
	n := float64(len(gold))
	if n == 0 {
		return 0
	}
	p := make([]string, len(pred))
	for i, x := range pred {
		if x == "" {
			x = "\x00single" + strconv.Itoa(i)
		}
		p[i] = x
	}
	joint := map[[2]string]float64{}
	cg := map[string]float64{}
	ck := map[string]float64{}
	for i := range gold {
		joint[[2]string{gold[i], p[i]}]++
		cg[gold[i]]++
		ck[p[i]]++
	}
	entropy := func(m map[string]float64) float64 {
		h := 0.0
		for _, v := range m {
			h -= v / n * math.Log(v/n)
		}
		return h
	}
	hC, hK := entropy(cg), entropy(ck)
	hCgivenK, hKgivenC := 0.0, 0.0
	for k, v := range joint {
		hCgivenK -= v / n * math.Log(v/ck[k[1]])
		hKgivenC -= v / n * math.Log(v/cg[k[0]])
	}
	h, c := 1.0, 1.0
	if hC > 0 {
		h = 1 - hCgivenK/hC
	}
	if hK > 0 {
		c = 1 - hKgivenC/hK
	}
	if h+c == 0 {
		return 0
	}
	return 2 * h * c / (h + c)
}
