package relmodel

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

func features(t *testing.T, reply, parent string) ([]uint32, uint8) {
	t.Helper()
	var r, p Comment
	r.Read(reply)
	p.Read(parent)
	x := NewExtractor(16)
	return slices.Clone(x.Features(&r, &p)), x.Cues()
}

func TestFeaturesAreDistinctAndStable(t *testing.T) {
	f1, _ := features(t, "No no no, that is wrong wrong wrong. Why? Why?", "The cost is overstated, the cost is overstated.")
	seen := map[uint32]bool{}
	for _, f := range f1 {
		if seen[f] {
			t.Fatalf("feature %d twice in %v", f, f1)
		}
		if f >= 1<<16 {
			t.Fatalf("feature %d out of range", f)
		}
		seen[f] = true
	}
	f2, _ := features(t, "No no no, that is wrong wrong wrong. Why? Why?", "The cost is overstated, the cost is overstated.")
	if !slices.Equal(f1, f2) {
		t.Error("the same pair gave different features")
	}
	// A reply read twice by one extractor: the stamps forget the first.
	var r, p Comment
	r.Read("Exactly.")
	p.Read("Huawei is cheap.")
	x := NewExtractor(16)
	a := slices.Clone(x.Features(&r, &p))
	b := slices.Clone(x.Features(&r, &p))
	if !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("second read %v, first %v", b, a)
	}
}

func TestAddressIsNotRead(t *testing.T) {
	var r Comment
	r.Read("@Ann @Bo no, that is wrong.")
	if r.Lead != 2 {
		t.Fatalf("lead %d, want 2 (the two handles)", r.Lead)
	}
	var plain Comment
	plain.Read("no, that is wrong.")
	plain.Lead = 0
	x := NewExtractor(16)
	withLead := slices.Clone(x.Features(&r, nil))
	without := slices.Clone(x.Features(&plain, nil))
	// The same words, plus the address flag.
	if len(withLead) != len(without)+1 {
		t.Errorf("features with the address %d, without %d: want one more (the address)", len(withLead), len(without))
	}
}

func TestCues(t *testing.T) {
	parent := "Huawei gear is cheaper and better, and banning it would cost billions."
	for _, tt := range []struct {
		reply string
		want  uint8
	}{
		{"+1", CueRelays},
		{"@Ann +1, so true", CueRelays},
		{"Exactly. Well said.", CueAgrees},
		{"Agree completely, go after the law and not the man.", CueAgrees},
		{"You make a good point.", CueAgrees},
		{"That's not a good point.", 0},
		{"Yes, but who pays for the risk?", 0},
		{"Exactly? Are you sure?", 0},
		{"Also, the operators in Spain did the same.", CueGoesOn},
		{"I was thinking the same thing!", CueSame},
		{"That is not the same thing at all.", 0},
		{"No, that is simply wrong.", 0},
		{"+12 degrees is not what they said.", 0},
	} {
		if _, got := features(t, tt.reply, parent); got != tt.want {
			t.Errorf("%q: cues %b, want %b", tt.reply, got, tt.want)
		}
	}
}

func TestReadBoundsAndSentences(t *testing.T) {
	var c Comment
	c.Read(strings.Repeat("word ", 300) + "Is this the end?")
	if len(c.Words) != MaxWords || len(c.Hashes) != MaxWords || len(c.Kinds) != MaxWords {
		t.Errorf("read %d words, want the first %d", len(c.Words), MaxWords)
	}
	c.Read("Really?! Yes. …  ")
	if len(c.Ends) != 2 || !c.Asks[0] || c.Asks[1] {
		t.Errorf("sentences %v asks %v, want a question and a statement", c.Ends, c.Asks)
	}
	c.Read("")
	if len(c.Words) != 0 || len(c.Ends) != 0 {
		t.Errorf("empty body read as %+v", c)
	}
	if !OpensPlusOne("  @a @b +1") || OpensPlusOne("+10") || OpensPlusOne("@only") {
		t.Error("OpensPlusOne")
	}
	if KindOf("don't")&Negator == 0 || KindOf("you")&You == 0 || KindOf("however")&Contrast == 0 || KindOf("huawei")&Content == 0 || KindOf("the")&Content != 0 || KindOf("2019")&Content != 0 {
		t.Error("KindOf")
	}
}

func TestEncodeDecode(t *testing.T) {
	m := NewModel(10)
	for i := range m.W {
		m.W[i] = float32(math.Sin(float64(i))) * float32(i%7)
	}
	m.Bias = [Classes]float32{0.1, -0.2, 0.3}
	m.Shift = [Classes]float32{1.5, 0, -0.5}
	m.Cue[1] = [Classes]float32{-1, 0.5, 0.5}
	enc := m.Encode()
	d, err := Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if d.Bias != m.Bias || d.Shift != m.Shift || d.Cue != m.Cue || d.Bits != m.Bits {
		t.Errorf("decoded %v %v %v, want %v %v %v", d.Bias, d.Shift, d.Cue, m.Bias, m.Shift, m.Cue)
	}
	step := 6.0 / 32767
	for i := range m.W {
		if math.Abs(float64(d.W[i]-m.W[i])) > step {
			t.Fatalf("weight %d: %v, want %v within a quantisation step", i, d.W[i], m.W[i])
		}
	}
	if !bytes.Equal(d.Encode(), enc) {
		t.Error("a decoded model encodes differently")
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"no header", []byte("hello"), "bad header"},
		{"truncated", enc[:len(header)+5], "truncated"},
		{"cut in the weights", enc[:len(enc)-1], "bucket"},
		{"trailing bytes", append(slices.Clone(enc), 0), "after the last bucket"},
		{"bits", append([]byte(header), 40), "bucket bits 40"},
	} {
		if _, err := Decode(tt.data); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestTrainLearnsAndRepeats: a separable toy problem is learnt, and the
// same examples give the same weights, bit for bit.
func TestTrainLearnsAndRepeats(t *testing.T) {
	var ex []Example
	for i := 0; i < 300; i++ {
		y := i % Classes
		ex = append(ex, Example{X: []uint32{uint32(y), uint32(10 + i%17)}, Y: y, Weight: 1})
	}
	opt := TrainOptions{Bits: 8, Epochs: 5, L2: 1e-3, Rate: 0.1, Seed: 7}
	m := Train(ex, opt)
	for _, e := range ex {
		z := m.Logits(e.X, 0)
		best := 0
		for c := range z {
			if z[c] > z[best] {
				best = c
			}
		}
		if best != e.Y {
			t.Fatalf("example %v classed %d", e, best)
		}
	}
	if again := Train(ex, opt); !slices.Equal(again.W, m.W) || again.Bias != m.Bias {
		t.Error("training twice gave different weights")
	}
	p := m.Probs(ex[0].X, 0)
	if s := p[0] + p[1] + p[2]; math.Abs(s-1) > 1e-9 {
		t.Errorf("probabilities add up to %v", s)
	}
}

func TestFitTemperatureAndCues(t *testing.T) {
	// Logits twice too confident: a temperature near 2 undoes it.
	var z [][Classes]float64
	var y []int
	for i := 0; i < 400; i++ {
		right := i%4 != 0 // right three times in four
		g := i % Classes
		pred := g
		if !right {
			pred = (g + 1) % Classes
		}
		var v [Classes]float64
		v[pred] = 2 * math.Log(3*3) // says 0.9ish when it is right 0.75
		z = append(z, v)
		y = append(y, g)
	}
	if temp := FitTemperature(z, y); temp < 1.5 || temp > 4 {
		t.Errorf("temperature %v, want about 2", temp)
	}
	// A cue that always comes with agreement gets weight toward it.
	cues := make([]uint8, len(z))
	for i := range z {
		z[i] = [Classes]float64{}
		if i%5 == 0 {
			cues[i] = CueAgrees
			y[i] = Agreement
		}
	}
	w := FitCues(z, cues, y)
	if w[0][Agreement] <= w[0][Rebuttal] || w[0][Agreement] <= 0 {
		t.Errorf("cue weights %v, want agreement first", w[0])
	}
	if w[3] != CuePriors[3] {
		t.Errorf("a cue no pair has moved from its prior: %v", w[3])
	}
}
