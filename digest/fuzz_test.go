package digest

import (
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest"
)

// FuzzAnalyze feeds hostile comment text through the analysis: it must not
// panic, and what it says must hold (quotes verbatim, counts consistent).
func FuzzAnalyze(f *testing.F) {
	f.Add("Huawei ban", "Ann", "Huawei is a risk. We should ban it.", "Bo", "@Ann No, that is wrong.", "", "1")
	f.Add("", "@", "@@@ @ @everyone", "", "", "J.R.", "")
	f.Add("t", "名前", "日本語の文章です。もう一つ。", "x", "@名前 そうですね", "köln", "1")
	f.Add("x", "a", "\xff\xfe invalid \x00 utf8 ....!!!???", "a", "@a @a @a", "", "2")
	f.Add("x", "Mr. Smith", "U.S. e.g. i.e. etc. J. R. R. Tolkien... no. 5", "Mr. Smith Jr.", "@Mr. Smith Jr. indeed.", "", "")
	f.Add("x", "HJK", "Models fail.", "g.d.", "HJK cites: that graph? g.d., no.", "", "gone")
	f.Add("x", "Ann", "+1", "Bo", "“@Ann: +1” Ann, right, same here.", "", "2")
	f.Fuzz(func(t *testing.T, title, author1, body1, author2, body2, loc, parent string) {
		th := threaddigest.Thread{Title: title, Comments: []threaddigest.Comment{
			{ID: "1", Author: author1, Body: body1, Location: loc},
			{ID: "2", Author: author2, Body: body2, ParentID: parent},
			{ID: "3", Author: author1, Body: body2 + " " + body1},
			{ID: "4", Author: "z", Body: strings.Repeat(body1+" ", 3), Deleted: len(body2)%2 == 0},
		}}
		d := Analyze(th, Options{})
		checkConsistency(t, th, d)
		again := Analyze(th, Options{})
		if canonical(d) != canonical(again) {
			t.Fatal("not deterministic")
		}
	})
}
