package relmodel

import (
	"math"
)

// Example is one labelled pair: its features, its class and how much it
// counts.
type Example struct {
	X      []uint32
	Y      int
	Weight float64
}

// TrainOptions fix everything training depends on, so that the same
// examples give the same model, bit for bit.
type TrainOptions struct {
	Bits   uint
	Epochs int
	L2     float64 // per-example L2 penalty on the weights a step touches
	Rate   float64 // AdaGrad base learning rate
	Seed   uint64  // the order examples are visited in, per epoch
}

// Train fits a model by stochastic gradient descent with AdaGrad steps,
// visiting the examples in an order drawn from opt.Seed each epoch.
// Products are converted explicitly so that no platform fuses them
// (a fused multiply-add rounds differently).
func Train(ex []Example, opt TrainOptions) *Model {
	m := NewModel(opt.Bits)
	w := make([]float64, len(m.W))
	g2 := make([]float64, len(m.W))
	var b, bg2 [Classes]float64
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	rng := splitMix(opt.Seed)
	const eps = 1e-8
	for epoch := 0; epoch < opt.Epochs; epoch++ {
		for i := len(order) - 1; i > 0; i-- {
			j := int(rng.next() % uint64(i+1))
			order[i], order[j] = order[j], order[i]
		}
		for _, k := range order {
			e := &ex[k]
			var z [Classes]float64
			copy(z[:], b[:])
			for _, f := range e.X {
				for c := range z {
					z[c] += w[int(f)*Classes+c]
				}
			}
			p := softmax(z)
			var g [Classes]float64
			for c := range g {
				y := 0.0
				if c == e.Y {
					y = 1
				}
				g[c] = float64((p[c] - y) * e.Weight)
			}
			for c := range g {
				bg2[c] += float64(g[c] * g[c])
				b[c] -= float64(opt.Rate * g[c] / (math.Sqrt(bg2[c]) + eps))
			}
			for _, f := range e.X {
				for c := range g {
					i := int(f)*Classes + c
					gi := g[c] + float64(opt.L2*w[i])
					g2[i] += float64(gi * gi)
					w[i] -= float64(opt.Rate * gi / (math.Sqrt(g2[i]) + eps))
				}
			}
		}
	}
	for i, v := range w {
		m.W[i] = float32(v)
	}
	for c := range b {
		m.Bias[c] = float32(b[c])
	}
	return m
}

// Scale divides the model's logits by a temperature, in place.
func (m *Model) Scale(t float64) {
	for i := range m.W {
		m.W[i] = float32(float64(m.W[i]) / t)
	}
	for c := range m.Bias {
		m.Bias[c] = float32(float64(m.Bias[c]) / t)
	}
}

// FitCues fits the weight of each evidence cue and class on out-of-fold
// logits z (already divided by the temperature) with their cues and
// classes: the weights say what a cue adds to what the words said. It
// minimises the log loss plus an L2 penalty toward CuePriors worth
// cuePrior pairs (so that a cue seen on few pairs keeps close to its
// prior), by full-batch gradient steps scaled per cue by how many pairs
// have it.
func FitCues(z [][Classes]float64, cues []uint8, y []int) [NumCues][Classes]float32 {
	const (
		steps    = 300
		cuePrior = 4.0
	)
	var v [NumCues][Classes]float64
	for k := range v {
		for c := range v[k] {
			v[k][c] = float64(CuePriors[k][c])
		}
	}
	var count [NumCues]float64
	for _, c := range cues {
		for k := range count {
			if c&(1<<k) != 0 {
				count[k]++
			}
		}
	}
	for step := 0; step < steps; step++ {
		var g [NumCues][Classes]float64
		for i := range z {
			if cues[i] == 0 {
				continue
			}
			s := z[i]
			for k := 0; k < NumCues; k++ {
				if cues[i]&(1<<k) != 0 {
					for c := range s {
						s[c] += v[k][c]
					}
				}
			}
			p := softmax(s)
			for k := 0; k < NumCues; k++ {
				if cues[i]&(1<<k) != 0 {
					for c := range p {
						d := p[c]
						if c == y[i] {
							d--
						}
						g[k][c] += d
					}
				}
			}
		}
		for k := range v {
			// A softmax's curvature is at most 1/2 per pair: a step of
			// gradient / (count/2 + prior) cannot overshoot.
			h := count[k]/2 + cuePrior
			for c := range v[k] {
				v[k][c] -= float64((g[k][c] + float64(cuePrior*(v[k][c]-float64(CuePriors[k][c])))) / h)
			}
		}
	}
	var out [NumCues][Classes]float32
	for k := range v {
		for c := range v[k] {
			out[k][c] = float32(v[k][c])
		}
	}
	return out
}

// CuePriors are the cue weights before any data: none, but for cues the
// training pairs hold too few of to say anything: going on with the
// parent ("Also, …") is an extension, "+1" and a retweet agree.
var CuePriors = [NumCues][Classes]float32{
	2: {Rebuttal: -1.5, Extension: 1.5}, // CueGoesOn
	3: {Rebuttal: -2, Agreement: 2},     // CueRelays
}

// FitTemperature returns the temperature that minimises the log loss of
// the given logits (golden-section search over [0.2, 5]).
func FitTemperature(z [][Classes]float64, y []int) float64 {
	loss := func(t float64) float64 {
		s := 0.0
		for i := range z {
			var v [Classes]float64
			for c := range v {
				v[c] = z[i][c] / t
			}
			s -= math.Log(math.Max(softmax(v)[y[i]], 1e-12))
		}
		return s
	}
	lo, hi := 0.2, 5.0
	phi := (math.Sqrt(5) - 1) / 2
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := loss(a), loss(b)
	for it := 0; it < 60; it++ {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = loss(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = loss(b)
		}
	}
	return (lo + hi) / 2
}

type splitMix uint64

// next is SplitMix64.
func (s *splitMix) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
