package digest

import (
	_ "embed"
	"math"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./internal/kpgen -out stemdf.tsv

// stemDFData is the table written by internal/kpgen: how many documents of a
// background of comments and arguments use each stem (see kpgen).
//
//go:embed stemdf.tsv
var stemDFData string

// backgroundDF is stemDFData read: the number of documents and each stem's
// count. It is read once and never changed.
type backgroundDF struct {
	docs int
	df   map[string]int32
}

var loadBackgroundDF = sync.OnceValue(func() *backgroundDF {
	b := &backgroundDF{df: make(map[string]int32, strings.Count(stemDFData, "\n"))}
	for line := range strings.Lines(stemDFData) {
		stem, n, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if stem == "N" {
			b.docs = v
			continue
		}
		b.df[stem] = int32(v)
	}
	return b
})

// idf is the weight of a stem: how rare it is in the background. A stem
// the background lacks (fewer than three documents) is weighed as if in
// two.
func (b *backgroundDF) idf(stem string) float64 {
	df := float64(b.df[stem])
	if df < 2 {
		df = 2
	}
	return math.Log(float64(b.docs+1) / (df + 1))
}
