package digest_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/examples"
)

// withoutQuotes blanks what Assemble may choose differently from Analyze:
// which passage it quotes for an argument and for each side (Labels carry
// spans, not the offline analysis's scores).
func withoutQuotes(d digest.Digest) digest.Digest {
	d.Arguments = append([]digest.Argument(nil), d.Arguments...)
	for i := range d.Arguments {
		d.Arguments[i].Statement = ""
		d.Arguments[i].Quote = digest.Quote{}
	}
	blank := func(s *digest.Stance) {
		s.FavorQuote = nil
		s.AgainstQuote = nil
	}
	blank(&d.Stance)
	if d.Context != nil {
		c := *d.Context
		blank(&c.ThreadStance)
		d.Context = &c
	}
	return d
}

// Assemble over the offline analysis's own labels must count, rank, link and
// split exactly as Analyze does: the two share that code.
func TestAssembleOfflineLabelsCountsAsAnalyze(t *testing.T) {
	resolver, err := geo.NewResolver(geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"huawei-europe.txt", "fare-free-buses.jsonl"} {
		th := examples.Thread(t, name)
		newer := map[string]bool{}
		for _, c := range th.Comments[len(th.Comments)*2/3:] {
			newer[c.ID] = true
		}
		for _, opt := range []digest.Options{
			{Locator: resolver},
			{Locator: resolver, New: newer, MaxArguments: 3, MaxRebuttals: 2},
			{Target: "the government"},
		} {
			want := digest.Analyze(th, opt)
			labels := digest.OfflineLabels(th, opt)
			got, err := digest.Assemble(th, labels, opt)
			if err != nil {
				t.Fatalf("%s: Assemble(OfflineLabels): %v", name, err)
			}
			// The fare-free thread's commenters each argue in their own
			// words, so it has no argument two of them make: the Huawei
			// thread's arguments are the ones compared.
			if len(want.Rebuttals) == 0 || name == "huawei-europe.txt" && len(want.Arguments) == 0 {
				t.Fatalf("%s: the offline digest has no arguments or rebuttals to compare", name)
			}
			if !reflect.DeepEqual(withoutQuotes(got), withoutQuotes(want)) {
				t.Errorf("%s (new=%v): Assemble(OfflineLabels) differs from Analyze beyond its quotes:\n got %+v\nwant %+v",
					name, opt.New != nil, withoutQuotes(got), withoutQuotes(want))
			}
			checkVerbatim(t, th, got)
		}
	}
}

// checkVerbatim fails the test for every quote or excerpt of d that is not
// a substring of its comment.
func checkVerbatim(t *testing.T, th threaddigest.Thread, d digest.Digest) {
	t.Helper()
	bodies := map[string]string{}
	for _, c := range th.Comments {
		bodies[c.ID] = c.Body
	}
	check := func(what, id, text string) {
		t.Helper()
		if text == "" || !strings.Contains(bodies[id], text) {
			t.Errorf("%s %q is not verbatim in comment %s", what, text, id)
		}
	}
	for _, a := range d.Arguments {
		check("statement", a.Quote.CommentID, a.Statement)
	}
	for _, r := range d.Rebuttals {
		check("rebuttal excerpt", r.CommentID, r.Excerpt)
		check("parent excerpt", r.ReplyTo, r.ParentExcerpt)
	}
	for _, q := range []*digest.Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			check("stance quote", q.CommentID, q.Text)
		}
	}
}

func span(body, quote string) digest.TextSpan {
	sp, ok := digest.SpanOf(body, quote)
	if !ok {
		panic("test quote not in its body: " + quote)
	}
	return sp
}

// smallThread is five comments by four commenters, the last a reply.
func smallThread() threaddigest.Thread {
	return threaddigest.Thread{Title: "Fare-free buses", Comments: []threaddigest.Comment{
		{ID: "1", Author: "Ann", Body: "Free buses pay for themselves. Fewer cars clog the roads every single morning.", Likes: 2},
		{ID: "2", Author: "Bob", Body: "Cars.", Likes: 9},
		{ID: "3", Author: "Cy", Body: "The city cannot afford it. Taxes would rise for everyone who never rides a bus.", Likes: 5},
		{ID: "4", Author: "Ann", Body: "Again: fewer cars clog the roads every single morning when buses are free."},
		{ID: "5", Author: "Dee", ParentID: "3", Body: "@Cy No, the fares barely cover the cost of collecting them.", Likes: 1},
	}}
}

func smallLabels(th threaddigest.Thread) digest.Labels {
	b := func(i int) string { return th.Comments[i].Body }
	return digest.Labels{
		Target:    "fare-free buses",
		Arguments: []digest.LabelledArgument{{Label: "Fewer cars on the roads"}, {Label: "Taxes would rise"}},
		Comments: []digest.CommentLabels{
			{ReplyTo: -1, Stance: digest.StanceFavor, StanceSpan: span(b(0), "Free buses pay for themselves."),
				Arguments: []digest.ArgumentMark{{Argument: 0, Span: span(b(0), "Fewer cars clog the roads every single morning.")}}},
			{ReplyTo: -1, Stance: digest.StanceNone,
				Arguments: []digest.ArgumentMark{{Argument: 0, Span: span(b(1), "Cars.")}}},
			{ReplyTo: -1, Stance: digest.StanceAgainst, StanceSpan: span(b(2), "The city cannot afford it."),
				Arguments: []digest.ArgumentMark{{Argument: 1, Span: span(b(2), "Taxes would rise for everyone who never rides a bus.")}}},
			{ReplyTo: -1, Stance: digest.StanceFavor,
				Arguments: []digest.ArgumentMark{{Argument: 0, Span: span(b(3), "fewer cars clog the roads every single morning")}}},
			{ReplyTo: 2, Relation: digest.RelationRebuttal, Stance: digest.StanceFavor,
				StanceSpan:   span(b(4), "the fares barely cover the cost of collecting them"),
				RelationSpan: span(b(4), "No, the fares barely cover the cost of collecting them."),
				ParentSpan:   span(b(2), "The city cannot afford it.")},
		},
	}
}

func TestAssembleCountsAndQuotes(t *testing.T) {
	th := smallThread()
	d, err := digest.Assemble(th, smallLabels(th), digest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.CommentCount != 5 || d.CommenterCount != 4 || d.Target != "fare-free buses" {
		t.Errorf("counts %d comments, %d commenters, target %q", d.CommentCount, d.CommenterCount, d.Target)
	}
	if len(d.Arguments) != 2 {
		t.Fatalf("arguments: %+v", d.Arguments)
	}
	a := d.Arguments[0]
	// Three comments by two commenters (Ann twice, Bob): counted by commenter.
	if a.Label != "Fewer cars on the roads" || a.Commenters != 2 || a.Share != 0.5 || !reflect.DeepEqual(a.CommentIDs, []string{"1", "2", "4"}) {
		t.Errorf("first argument: %+v", a)
	}
	// Bob's "Cars." has the most likes but is too short to state anything;
	// of the readable spans, Ann's first comment is the better liked.
	if a.Statement != "Fewer cars clog the roads every single morning." || a.Quote.CommentID != "1" || a.Quote.Author != "Ann" {
		t.Errorf("first argument quoted %q from %s", a.Statement, a.Quote.CommentID)
	}
	if b := d.Arguments[1]; b.Commenters != 1 || b.Statement != "Taxes would rise for everyone who never rides a bus." {
		t.Errorf("second argument: %+v", b)
	}
	st := d.Stance
	if st.Favor != 3 || st.Against != 1 || st.None != 1 {
		t.Errorf("stance %+v", st)
	}
	// Of the favor comments, those citing a passage come first; of those the
	// readable one ("Free buses pay for themselves." has five words).
	if st.FavorQuote == nil || st.FavorQuote.CommentID != "5" || st.FavorQuote.Text != "the fares barely cover the cost of collecting them" {
		t.Errorf("favor quote %+v", st.FavorQuote)
	}
	if st.AgainstQuote == nil || st.AgainstQuote.Text != "The city cannot afford it." {
		t.Errorf("against quote %+v", st.AgainstQuote)
	}
	if len(d.Rebuttals) != 1 {
		t.Fatalf("rebuttals %+v", d.Rebuttals)
	}
	r := d.Rebuttals[0]
	if r.CommentID != "5" || r.ReplyTo != "3" || r.ParentAuthor != "Cy" ||
		r.Excerpt != "No, the fares barely cover the cost of collecting them." || r.ParentExcerpt != "The city cannot afford it." {
		t.Errorf("rebuttal %+v", r)
	}
	if c := d.Comments[4]; c.ReplyTo == nil || *c.ReplyTo != "3" || c.Relation == nil || *c.Relation != digest.RelationRebuttal {
		t.Errorf("comment 5: %+v", c)
	}
	if got := d.Comments[3].Arguments; !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("comment 4 makes arguments %v, want [1]", got)
	}
	if len(d.Regions) != 1 || d.Regions[0].Commenters != 4 || d.Regions[0].Favor != 2 || d.Regions[0].Against != 1 || d.Regions[0].None != 1 {
		t.Errorf("regions %+v", d.Regions)
	}
	checkVerbatim(t, th, d)
}

func TestAssembleRejectsLabelsThatDoNotFit(t *testing.T) {
	th := smallThread()
	tests := []struct {
		name   string
		change func(l *digest.Labels)
		want   string
	}{
		{"too few", func(l *digest.Labels) { l.Comments = l.Comments[:4] }, "4 comment labels for a thread of 5"},
		{"reply out of range", func(l *digest.Labels) { l.Comments[4].ReplyTo = 9 }, `comment 4 (id "5"): reply_to 9`},
		{"answers itself", func(l *digest.Labels) { l.Comments[4].ReplyTo = 4 }, "answers itself"},
		{"reply without relation", func(l *digest.Labels) { l.Comments[4].Relation = "" }, `relation "": expected rebuttal`},
		{"relation without parent", func(l *digest.Labels) { l.Comments[0].Relation = "agreement" }, `comment 0 (id "1"): relation "agreement" on a comment that answers none`},
		{"stance", func(l *digest.Labels) { l.Comments[1].Stance = "strongly favor" }, `stance "strongly favor"`},
		{"argument", func(l *digest.Labels) { l.Comments[1].Arguments[0].Argument = 2 }, "argument 2: expected 0 to 1"},
		{"argument twice", func(l *digest.Labels) {
			l.Comments[0].Arguments = append(l.Comments[0].Arguments, l.Comments[0].Arguments[0])
		}, "argument 0 marked twice"},
		{"empty argument span", func(l *digest.Labels) { l.Comments[1].Arguments[0].Span = digest.TextSpan{} }, "argument 0 span"},
		{"span past the end", func(l *digest.Labels) { l.Comments[2].StanceSpan = digest.TextSpan{Start: 3, End: 500} }, "stance span: [3, 500)"},
		{"parent span past the end", func(l *digest.Labels) { l.Comments[4].ParentSpan = digest.TextSpan{Start: 0, End: 500} }, "parent span"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := smallLabels(th)
			tt.change(&l)
			_, err := digest.Assemble(th, l, digest.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
	// A span that cuts a character.
	l := smallLabels(th)
	th.Comments[1].Body = "Überall Autos."
	l.Comments[1].Arguments[0].Span = digest.TextSpan{Start: 1, End: 5}
	if _, err := digest.Assemble(th, l, digest.Options{}); err == nil || !strings.Contains(err.Error(), "cuts a character") {
		t.Errorf("span inside a character: %v", err)
	}
}

func TestEngineFooter(t *testing.T) {
	tests := []struct {
		e    *digest.Engine
		want string
	}{
		{nil, ""},
		{&digest.Engine{Name: digest.EngineLLM, Model: "llama3.1", ModelComments: 54},
			"Labels: language model llama3.1 (54 comments); counts and quotes by threaddigest."},
		{&digest.Engine{Name: digest.EngineLLM, Model: "gpt-4o-mini", ModelComments: 50, OfflineComments: 4, Reason: "the model timed out"},
			"Labels: language model gpt-4o-mini for 50 comments, the offline analysis for 4 (the model timed out; their arguments are not counted); counts and quotes by threaddigest."},
		{&digest.Engine{Name: digest.EngineOffline, Model: "m", OfflineComments: 3, Reason: "the token budget would be exceeded"},
			"Labels: the offline analysis; language model m not used (the token budget would be exceeded)."},
	}
	for _, tt := range tests {
		if got := tt.e.Footer(); got != tt.want {
			t.Errorf("Footer() = %q\nwant %q", got, tt.want)
		}
	}
}
