package digest

import "testing"

// BenchmarkRelations10k times the relation step alone on a generated
// thread of 10,000 comments (tokens and reply links made once, outside
// the timer): the model over every reply, the search for the comment each
// answers, and the composition.
func BenchmarkRelations10k(b *testing.B) {
	th := corpusForBench.thread(b, 10_000)
	a := newAnalysis(th, Options{})
	a.tokenize()
	a.linkReplies()
	replies := 0
	for _, p := range a.parent {
		if p >= 0 {
			replies++
		}
	}
	b.ReportAllocs()
	var clock cpuClock
	b.ResetTimer()
	clock.start()
	for b.Loop() {
		a.classifyRelations()
	}
	clock.stop()
	clock.report(b)
	b.ReportMetric(float64(replies), "replies")
}
