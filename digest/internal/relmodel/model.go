package relmodel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Model is a multinomial logistic regression over hashed features:
// P(class | pair) = softmax(Bias + Shift + Σ W[feature]) over the three
// classes. W and Bias are calibrated on the training data (temperature
// folded in); Shift moves the class prior from the training data's to
// comment sections', where most replies push back.
type Model struct {
	Bits  uint
	W     []float32 // W[f*Classes+c]
	Bias  [Classes]float32
	Shift [Classes]float32
	// Cue[k] is added to the logits of a pair with cue 1<<k.
	Cue [NumCues][Classes]float32
}

// NewModel returns a model of 1<<bits buckets, all weights zero.
func NewModel(bits uint) *Model {
	return &Model{Bits: bits, W: make([]float32, Classes<<bits)}
}

// Probs returns the class probabilities of a pair from its features and
// evidence cues. The comment-section prior applies to pairs without
// evidence: it stands for the pushback the words do not show (sarcasm,
// counter-claims), which an explicit cue speaks against.
func (m *Model) Probs(feats []uint32, cues uint8) [Classes]float64 {
	z := m.Logits(feats, cues)
	if cues == 0 {
		for c := range z {
			z[c] += float64(m.Shift[c])
		}
	}
	return softmax(z)
}

// Logits returns the model's scores of a pair under the training data's
// prior (for measuring the model on held-out training data).
func (m *Model) Logits(feats []uint32, cues uint8) [Classes]float64 {
	var z [Classes]float64
	for c := range z {
		z[c] = float64(m.Bias[c])
	}
	for k := 0; k < NumCues; k++ {
		if cues&(1<<k) != 0 {
			for c := range z {
				z[c] += float64(m.Cue[k][c])
			}
		}
	}
	for _, f := range feats {
		w := m.W[int(f)*Classes : int(f)*Classes+Classes]
		for c := range z {
			z[c] += float64(w[c])
		}
	}
	return z
}

func softmax(z [Classes]float64) [Classes]float64 {
	top := math.Max(z[0], math.Max(z[1], z[2]))
	sum := 0.0
	for c := range z {
		z[c] = math.Exp(z[c] - top)
		sum += z[c]
	}
	for c := range z {
		z[c] /= sum
	}
	return z
}

// The encoded form: a header line, then little-endian binary: bits (1
// byte), the quantisation step (float32), Bias and Shift (3 float32 each),
// Cue (NumCues × 3 float32),
// the number of non-zero buckets (uint32), and for each, in order, the gap
// from the previous one (uvarint) and its three weights in steps (zig-zag
// varint). Weights are rounded to the step, 1/32768 of the largest.
const header = "threaddigest reply-relation model v1\n"

// Encode writes the model in its compact form.
func (m *Model) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteByte(byte(m.Bits))
	top := 0.0
	for _, w := range m.W {
		top = math.Max(top, math.Abs(float64(w)))
	}
	step := float32(top / 32767)
	if step == 0 {
		step = 1
	}
	put := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	put(step)
	put(m.Bias)
	put(m.Shift)
	put(m.Cue)
	var q [][Classes]int64
	var idx []uint32
	for f := 0; f < len(m.W)/Classes; f++ {
		var v [Classes]int64
		nz := false
		for c := range v {
			v[c] = int64(math.Round(float64(m.W[f*Classes+c] / step)))
			nz = nz || v[c] != 0
		}
		if nz {
			q = append(q, v)
			idx = append(idx, uint32(f))
		}
	}
	put(uint32(len(idx)))
	prev := uint32(0)
	var tmp [binary.MaxVarintLen64]byte
	for k, f := range idx {
		b.Write(tmp[:binary.PutUvarint(tmp[:], uint64(f-prev))])
		prev = f
		for _, v := range q[k] {
			b.Write(tmp[:binary.PutVarint(tmp[:], v)])
		}
	}
	return b.Bytes()
}

// Decode reads a model written by Encode.
func Decode(data []byte) (*Model, error) {
	if !bytes.HasPrefix(data, []byte(header)) {
		return nil, errors.New("relation model: not a threaddigest reply-relation model v1 (bad header)")
	}
	r := bytes.NewReader(data[len(header):])
	bits, err := r.ReadByte()
	if err != nil || bits < 8 || bits > 24 {
		return nil, fmt.Errorf("relation model: bucket bits %d, want 8 to 24", bits)
	}
	m := NewModel(uint(bits))
	var step float32
	var n uint32
	get := func(v any) {
		if err == nil {
			err = binary.Read(r, binary.LittleEndian, v)
		}
	}
	get(&step)
	get(&m.Bias)
	get(&m.Shift)
	get(&m.Cue)
	get(&n)
	if err != nil {
		return nil, fmt.Errorf("relation model: truncated header: %w", err)
	}
	f := uint64(0)
	for k := uint32(0); k < n; k++ {
		gap, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("relation model: bucket %d of %d: %w", k, n, err)
		}
		f += gap
		if f >= uint64(len(m.W)/Classes) {
			return nil, fmt.Errorf("relation model: bucket %d out of range", f)
		}
		for c := 0; c < Classes; c++ {
			v, err := binary.ReadVarint(r)
			if err != nil {
				return nil, fmt.Errorf("relation model: bucket %d of %d: %w", k, n, err)
			}
			m.W[int(f)*Classes+c] = float32(v) * step
		}
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("relation model: %d bytes after the last bucket", r.Len())
	}
	return m, nil
}
