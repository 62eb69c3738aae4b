package textproc

import (
	"strings"
	"testing"
)

// benchText is comment text of the usual mix: ASCII prose with quotes,
// abbreviations, an ellipsis, a few non-ASCII letters and punctuation.
var benchText = strings.Repeat(`I was intrigued by the odd suggestion in the article that Mr. Trump was celebrating "in a bathrobe". `+
	`Nixon violated countless statutes... and what happened to him? Köln's mayor said the U.S. isn't the point — it's the cost! `+
	`You quoted me out of context which is low.As to your claim that they distorted the data, if so then they are indeed bogus.`+"\n", 20)

func BenchmarkSentences(b *testing.B) {
	var spans []Span
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		spans = AppendSentences(spans[:0], benchText)
	}
}

func BenchmarkWords(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	n := 0
	for b.Loop() {
		Words(benchText, func(lower []byte, w Word) { n += len(lower) })
	}
}
