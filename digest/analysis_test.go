package digest

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/geo"
)

func TestStanceCues(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{"Huawei makes excellent equipment.", StanceFavor},
		{"Huawei is not trustworthy.", StanceAgainst},
		{"I don't trust Huawei at all.", StanceAgainst},
		{"Huawei is not a threat.", StanceFavor},
		{"Huawei is cheap, but it is dangerous.", StanceAgainst},
		{"Huawei is risky, but the gear is excellent and reliable.", StanceFavor},
		{"We should ban Huawei now.", StanceAgainst},
		{"We should not ban Huawei.", StanceFavor},
		{"Banning Huawei would be a costly mistake.", StanceFavor},
		{"Huawei is a terrible, corrupt company.", StanceAgainst},
		{"I had lunch with my sister today.", StanceNone},
		{"Huawei announced results on Tuesday.", StanceNone},
	}
	for _, tt := range tests {
		th := threaddigest.Thread{Comments: []threaddigest.Comment{cm("1", "a", tt.body)}}
		d := Analyze(th, Options{Target: "Huawei"})
		if got := d.Comments[0].Stance; got != tt.want {
			t.Errorf("%q: stance %s, want %s", tt.body, got, tt.want)
		}
	}
}

func TestTargetFromTitle(t *testing.T) {
	th := threaddigest.Thread{
		Title: "Europe weighs whether to shut Huawei out of its 5G networks",
		Comments: []threaddigest.Comment{
			cm("1", "a", "Huawei is a risk and Europe knows it."),
			cm("2", "b", "I trust Huawei more than the alternatives."),
			cm("3", "c", "Networks need Huawei gear, it is cheaper."),
			cm("4", "d", "Nobody has shown Huawei spies."),
			cm("5", "e", "The networks of Europe are old."),
		},
	}
	d := Analyze(th, Options{})
	if d.Target != "Huawei" || d.Stance.Target != "Huawei" {
		t.Errorf("target %q (stance target %q), want Huawei", d.Target, d.Stance.Target)
	}
	d = Analyze(threaddigest.Thread{Title: "", Comments: th.Comments}, Options{})
	if d.Target != "Huawei" {
		t.Errorf("target without a title %q, want Huawei from the comments", d.Target)
	}
	d = Analyze(th, Options{Target: "Ericsson"})
	if d.Target != "Ericsson" {
		t.Errorf("given target %q, want Ericsson", d.Target)
	}
}

func TestRelations(t *testing.T) {
	parent := "Huawei gear is cheaper and better, and banning it would cost billions."
	tests := []struct {
		reply string
		want  string
	}{
		{"@Ann Exactly. Well said.", RelationAgreement},
		{"@Ann I agree completely.", RelationAgreement},
		{"+1", RelationAgreement},
		{"No, that is simply wrong. The cost is overstated.", RelationRebuttal},
		{"@Ann That may be true, but security matters more than price.", RelationRebuttal},
		{"Actually the studies show the opposite.", RelationRebuttal},
		{"I disagree. Security comes first.", RelationRebuttal},
		{"Nobody has priced in the risk of a hostile update.", RelationRebuttal},
		{"Yes, but who pays for the risk?", RelationRebuttal},
		{"And the same goes for the radio network in Italy.", RelationExtension},
		// Saying the parent's point holds elsewhere too agrees with it (the
		// Reddit pairs label replies that speak of "the same" agreement
		// 24 times, neutral 14).
		{"In Spain the operators made the same calculation last year.", RelationAgreement},
	}
	for _, tt := range tests {
		th := threaddigest.Thread{Comments: []threaddigest.Comment{
			cm("1", "Ann", parent),
			withParent(cm("2", "Bo", tt.reply), "1"),
		}}
		d := Analyze(th, Options{Target: "Huawei"})
		if r := d.Comments[1].Relation; r == nil || *r != tt.want {
			got := "nil"
			if r != nil {
				got = *r
			}
			t.Errorf("%q: relation %s, want %s", tt.reply, got, tt.want)
		}
	}
}

// fakeLocator reads locations from a table: a hand-written fake.
type fakeLocator struct {
	resolve func(string) geo.Place
}

func (f fakeLocator) Resolve(s string) geo.Place { return f.resolve(s) }

func tableLocator(m map[string]geo.Place) fakeLocator {
	return fakeLocator{resolve: func(s string) geo.Place {
		if p, ok := m[s]; ok {
			return p
		}
		return geo.Place{Region: geo.Unknown}
	}}
}

func TestRegions(t *testing.T) {
	loc := tableLocator(map[string]geo.Place{
		"Boulder, Co": {Country: "US", Admin1: "CO", Region: geo.US},
		"köln":        {Country: "DE", Admin1: "07", Region: geo.Europe},
		"Edmonton AB": {Country: "CA", Admin1: "AB", Region: geo.Canada},
	})
	at := func(c threaddigest.Comment, where string) threaddigest.Comment { c.Location = where; return c }
	th := threaddigest.Thread{Comments: []threaddigest.Comment{
		at(cm("1", "Ann", "Huawei is excellent and reliable."), "Boulder, Co"),
		at(cm("2", "Ann", "Huawei is wonderful."), "Mars"),            // Ann: US (Mars is unresolvable)
		at(cm("3", "Bo", "Huawei is dangerous and corrupt."), "köln"), // Bo: Europe, against
		at(cm("4", "Bo", "Huawei is a threat."), "Edmonton AB"),       // tie of places: the earlier wins
		at(cm("5", "Cy", "Huawei is excellent."), ""),                 // Cy: Unknown, favor then against: none
		at(cm("6", "Cy", "Huawei is terrible."), ""),
		at(cm("7", "Di", "Lunch was nice."), "Edmonton AB"),
		{ID: "8", Author: "Ed", Location: "köln", Body: "gone", Deleted: true},
	}}
	d := Analyze(th, Options{Target: "Huawei", Locator: loc})
	got := map[geo.Region][4]int{}
	total := 0
	for _, r := range d.Regions {
		got[r.Region] = [4]int{r.Commenters, r.Favor, r.Against, r.None}
		total += r.Commenters
	}
	want := map[geo.Region][4]int{
		geo.US:      {1, 1, 0, 0},
		geo.Europe:  {1, 0, 1, 0},
		geo.Canada:  {1, 0, 0, 1},
		geo.Unknown: {1, 0, 0, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("regions %v, want %v", got, want)
	}
	if total != d.CommenterCount || d.CommenterCount != 4 {
		t.Errorf("region commenters sum to %d, commenter count %d, want 4", total, d.CommenterCount)
	}
	order := []geo.Region{}
	for _, r := range d.Regions {
		order = append(order, r.Region)
	}
	if !reflect.DeepEqual(order, []geo.Region{geo.US, geo.Canada, geo.Europe, geo.Unknown}) {
		t.Errorf("region order %v", order)
	}
	// Comment 2's own location is unresolvable: it shows its commenter's place.
	if c := d.Comments[1]; c.Country != "US" || c.Region != geo.US || c.Location != "Mars" {
		t.Errorf("comment 2: %+v", c)
	}
	if c := d.Comments[3]; c.Country != "CA" || c.Admin1 != "AB" {
		t.Errorf("comment 4 keeps its own place: %+v", c)
	}
	// Outside the US and Canada admin1 is empty, whatever the resolver says.
	if c := d.Comments[2]; c.Country != "DE" || c.Admin1 != "" {
		t.Errorf("comment 3: admin1 %q outside the US and Canada", c.Admin1)
	}
	// Without a locator everyone is Unknown.
	d = Analyze(th, Options{Target: "Huawei"})
	if len(d.Regions) != 1 || d.Regions[0].Region != geo.Unknown || d.Regions[0].Commenters != 4 {
		t.Errorf("no locator: %+v", d.Regions)
	}
}

// debateThread is a small thread with three clear arguments of different
// prevalence, written for the tests.
func debateThread() threaddigest.Thread {
	var cs []threaddigest.Comment
	add := func(author, body string) {
		cs = append(cs, cm(fmt.Sprint(len(cs)+1), author, body))
	}
	security := []string{
		"The intelligence law forces every company to spy for the state.",
		"Their intelligence law means the state can order the company to spy.",
		"Under the intelligence law the company must spy when the state asks.",
		"An intelligence law that makes a company spy is the whole problem.",
		"The state can use the intelligence law to make the company spy on us.",
		"I worry the intelligence law lets the state order the company to spy.",
	}
	cost := []string{
		"Ripping out the equipment will cost operators billions and delay the rollout.",
		"Operators will pay billions to replace equipment and the rollout slows.",
		"Replacing the equipment costs operators billions, and customers pay.",
		"The rollout will be delayed and operators will spend billions on new equipment.",
	}
	hypocrisy := []string{
		"America spied on everyone too, remember the Snowden files on routers.",
		"The Snowden files showed America spied through routers for years.",
		"Remember Snowden: America put implants in routers and spied on allies.",
	}
	people := []string{"Ann", "Bo", "Cy", "Di", "Ed", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kim", "Lu", "Mo"}
	p := 0
	for _, s := range security {
		add(people[p%len(people)], s)
		p++
	}
	for _, s := range cost {
		add(people[p%len(people)], s)
		p++
	}
	for _, s := range hypocrisy {
		add(people[p%len(people)], s)
		p++
	}
	// The same commenter twice on one argument counts once.
	add("Ann", "Again: the intelligence law obliges the company to spy for the state.")
	add("Zed", "What a lovely sunny afternoon for a walk in the park with the dog.")
	return threaddigest.Thread{Title: "Europe weighs a Huawei ban", Comments: cs}
}

func TestArgumentCounting(t *testing.T) {
	th := debateThread()
	d := Analyze(th, Options{})
	if len(d.Arguments) < 3 {
		t.Fatalf("found %d arguments, want at least 3: %+v", len(d.Arguments), d.Arguments)
	}
	checkConsistency(t, th, d)
	want := []int{6, 4, 3}
	for i, w := range want {
		if d.Arguments[i].Commenters != w {
			t.Errorf("argument %d (%q): %d commenters, want %d", i+1, d.Arguments[i].Label, d.Arguments[i].Commenters, w)
		}
	}
	// Argument 1 is the intelligence law, made by 6 commenters in 7 comments.
	if a := d.Arguments[0]; len(a.CommentIDs) != 7 || !strings.Contains(strings.ToLower(a.Label), "law") {
		t.Errorf("argument 1: %+v", a)
	}
	for _, c := range d.Comments {
		if c.Author == "Zed" && len(c.Arguments) != 0 {
			t.Errorf("the off-topic comment makes arguments %v", c.Arguments)
		}
	}
	// MaxArguments caps the list.
	if d := Analyze(th, Options{MaxArguments: 2}); len(d.Arguments) != 2 {
		t.Errorf("MaxArguments 2: %d arguments", len(d.Arguments))
	}
}

// checkConsistency asserts what every digest must satisfy: quotes verbatim,
// counts adding up.
func checkConsistency(t *testing.T, th threaddigest.Thread, d Digest) {
	t.Helper()
	byID := map[string]threaddigest.Comment{}
	live, commenters := 0, map[string]bool{}
	for _, c := range th.Comments {
		byID[c.ID] = c
		if !c.Deleted {
			live++
			commenters[c.CommenterKey()] = true
		}
	}
	if d.CommentCount != live || d.CommenterCount != len(commenters) || len(d.Comments) != live {
		t.Errorf("counts: %d comments, %d commenters, %d entries; want %d, %d", d.CommentCount, d.CommenterCount, len(d.Comments), live, len(commenters))
	}
	verbatim := func(what string, q Quote) {
		c, ok := byID[q.CommentID]
		if !ok {
			t.Errorf("%s: quotes unknown comment %q", what, q.CommentID)
			return
		}
		if q.Text == "" || !strings.Contains(c.Body, q.Text) {
			t.Errorf("%s: %q is not verbatim from comment %s", what, q.Text, q.CommentID)
		}
		if q.Author != c.Author {
			t.Errorf("%s: author %q, comment's %q", what, q.Author, c.Author)
		}
	}
	for _, a := range d.Arguments {
		verbatim(fmt.Sprintf("argument %d", a.ID), a.Quote)
		if a.Statement != a.Quote.Text {
			t.Errorf("argument %d: statement differs from quote", a.ID)
		}
		who := map[string]bool{}
		for _, id := range a.CommentIDs {
			who[byID[id].CommenterKey()] = true
		}
		if a.Commenters != len(who) {
			t.Errorf("argument %d: %d commenters, its comments have %d", a.ID, a.Commenters, len(who))
		}
		if !containsString(a.CommentIDs, a.Quote.CommentID) {
			t.Errorf("argument %d: quote from comment %s not among its comments", a.ID, a.Quote.CommentID)
		}
		for _, id := range a.CommentIDs {
			found := false
			for _, c := range d.Comments {
				if c.ID == id {
					found = containsInt(c.Arguments, a.ID)
				}
			}
			if !found {
				t.Errorf("argument %d lists comment %s, which does not list it back", a.ID, id)
			}
		}
	}
	for i := 1; i < len(d.Arguments); i++ {
		if d.Arguments[i].Commenters > d.Arguments[i-1].Commenters {
			t.Errorf("arguments not most widely held first")
		}
	}
	for _, r := range d.Rebuttals {
		verbatim("rebuttal excerpt", Quote{CommentID: r.CommentID, Author: r.Author, Text: r.Excerpt})
		verbatim("rebuttal parent excerpt", Quote{CommentID: r.ReplyTo, Author: r.ParentAuthor, Text: r.ParentExcerpt})
	}
	if d.Stance.Total() != d.CommentCount {
		t.Errorf("stance counts %d, comments %d", d.Stance.Total(), d.CommentCount)
	}
	for _, q := range []*Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			verbatim("stance quote", *q)
		}
	}
	if (d.Stance.FavorQuote == nil) != (d.Stance.Favor == 0) || (d.Stance.AgainstQuote == nil) != (d.Stance.Against == 0) {
		t.Errorf("stance quotes do not match counts: %+v", d.Stance)
	}
	sum := 0
	for _, r := range d.Regions {
		sum += r.Commenters
		if r.Favor+r.Against+r.None != r.Commenters {
			t.Errorf("region %s: stances %d+%d+%d of %d commenters", r.Region, r.Favor, r.Against, r.None, r.Commenters)
		}
	}
	if sum != d.CommenterCount {
		t.Errorf("region commenters sum to %d, want %d", sum, d.CommenterCount)
	}
	stances := map[string]int{}
	for _, c := range d.Comments {
		stances[c.Stance]++
	}
	if stances[StanceFavor] != d.Stance.Favor || stances[StanceAgainst] != d.Stance.Against || stances[StanceNone] != d.Stance.None {
		t.Errorf("per-comment stances %v, totals %+v", stances, d.Stance)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func TestRebuttalsRanked(t *testing.T) {
	th := debateThread()
	n := len(th.Comments)
	reply := func(id, parent, author, body string, likes int) {
		c := withParent(cm(id, author, body), parent)
		c.Likes = likes
		th.Comments = append(th.Comments, c)
	}
	reply("r1", "1", "Pat", "No, that is wrong. The law has never been used against a foreign network and nobody has shown a single backdoor in any audit.", 40)
	reply("r2", "8", "Quin", "Nonsense.", 0)
	reply("r3", "1", "Ros", "Exactly, well said.", 3)
	d := Analyze(th, Options{})
	checkConsistency(t, th, d)
	if len(d.Rebuttals) != 2 {
		t.Fatalf("rebuttals %+v, want r1 and r2", d.Rebuttals)
	}
	r := d.Rebuttals[0]
	if r.CommentID != "r1" || r.ReplyTo != "1" || r.ParentAuthor != th.Comments[0].Author || r.Score <= d.Rebuttals[1].Score {
		t.Errorf("top rebuttal %+v", r)
	}
	if !strings.HasPrefix(r.Excerpt, "No, that is wrong.") {
		t.Errorf("excerpt %q", r.Excerpt)
	}
	_ = n
}

func TestNewComments(t *testing.T) {
	th := threaddigest.Thread{Title: "Huawei in Europe", Comments: []threaddigest.Comment{
		cm("1", "Ann", "Huawei is excellent and reliable."),
		cm("2", "Bo", "Huawei is wonderful, great value."),
		cm("3", "Cy", "Huawei is good."),
		cm("4", "Di", "Huawei is dangerous and corrupt."),
		cm("5", "Ed", "Huawei is a terrible threat."),
		withParent(cm("6", "Ann", "Huawei is a disaster after all, I was wrong."), "4"),
	}}
	d := Analyze(th, Options{New: map[string]bool{"4": true, "5": true, "6": true}})
	checkConsistency(t, threaddigest.Thread{Comments: th.Comments[3:]}, d)
	if d.CommentCount != 3 || d.CommenterCount != 3 || len(d.Comments) != 3 {
		t.Errorf("new digest counts %d/%d/%d", d.CommentCount, d.CommenterCount, len(d.Comments))
	}
	if d.Context == nil {
		t.Fatal("no context")
	}
	c := d.Context
	if c.TotalComments != 6 || c.TotalCommenters != 5 || c.NewComments != 3 || c.NewCommenters != 3 {
		t.Errorf("context %+v", c)
	}
	if c.ThreadStance.Total() != 6 || d.Stance.Total() != 3 {
		t.Errorf("stance totals %d and %d", c.ThreadStance.Total(), d.Stance.Total())
	}
	if c.Lean != "the new comments lean more against Huawei than the thread so far" {
		t.Errorf("lean %q", c.Lean)
	}
	if d := Analyze(th, Options{}); d.Context != nil {
		t.Error("context without New")
	}
	if d := Analyze(th, Options{New: map[string]bool{}}); d.CommentCount != 0 || d.Context.Lean != "there are no new comments" {
		t.Errorf("no new comments: %d, %q", d.CommentCount, d.Context.Lean)
	}
}

func TestEmptyAndDeleted(t *testing.T) {
	d := Analyze(threaddigest.Thread{}, Options{})
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"arguments":[]`, `"rebuttals":[]`, `"regions":[]`, `"comments":[]`, `"span":null`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("empty digest JSON lacks %s: %s", field, b)
		}
	}
	at := time.Date(2019, 12, 27, 10, 0, 0, 0, time.UTC)
	th := threaddigest.Thread{Comments: []threaddigest.Comment{
		{ID: "1", Author: "Ann", Body: "First.", CreatedAt: at},
		{ID: "2", Author: "Bo", Body: "[removed]", Deleted: true, CreatedAt: at.Add(time.Hour)},
		{ID: "3", Author: "Cy", Body: "Third.", ParentID: "2", CreatedAt: at.Add(2 * time.Hour)},
	}}
	d = Analyze(th, Options{})
	if d.CommentCount != 2 || d.CommenterCount != 2 || len(d.Comments) != 2 {
		t.Errorf("deleted comment counted: %+v", d)
	}
	if d.Span == nil || !d.Span.First.Equal(at) || !d.Span.Last.Equal(at.Add(2*time.Hour)) {
		t.Errorf("span %+v", d.Span)
	}
	if rt := d.Comments[1].ReplyTo; rt == nil || *rt != "2" {
		t.Errorf("reply to a deleted comment lost its parent")
	}
}

func TestDeterministic(t *testing.T) {
	th := debateThread()
	// Give it replies by explicit id, which shuffling keeps.
	th.Comments = append(th.Comments,
		withParent(cm("x1", "Pat", "No, the intelligence law was never used that way."), "1"),
		withParent(cm("x2", "Quin", "Exactly, the billions matter."), "7"),
	)
	first, _ := json.Marshal(Analyze(th, Options{}))
	again, _ := json.Marshal(Analyze(th, Options{}))
	if string(first) != string(again) {
		t.Fatal("two analyses of the same thread differ")
	}
	// Order does not matter when no reply is written as "@Name".
	want := canonical(Analyze(th, Options{}))
	r := rand.New(rand.NewSource(1))
	for round := 0; round < 5; round++ {
		sh := th
		sh.Comments = append([]threaddigest.Comment(nil), th.Comments...)
		r.Shuffle(len(sh.Comments), func(i, j int) { sh.Comments[i], sh.Comments[j] = sh.Comments[j], sh.Comments[i] })
		if got := canonical(Analyze(sh, Options{})); got != want {
			t.Fatalf("shuffled thread digests differently:\n got %s\nwant %s", got, want)
		}
	}
}

// canonical renders a digest with the order-dependent lists sorted, and
// without the comments' positions, which are their places in the input.
func canonical(d Digest) string {
	sort.Slice(d.Comments, func(i, j int) bool { return d.Comments[i].ID < d.Comments[j].ID })
	for i := range d.Comments {
		d.Comments[i].Position = 0
	}
	for i := range d.Arguments {
		d.Arguments[i].Quote.Position = 0
	}
	for i := range d.Rebuttals {
		d.Rebuttals[i].Position, d.Rebuttals[i].ParentPosition = 0, 0
	}
	for _, q := range []*Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			q.Position = 0
		}
	}
	for i := range d.Arguments {
		ids := append([]string(nil), d.Arguments[i].CommentIDs...)
		sort.Strings(ids)
		d.Arguments[i].CommentIDs = ids
	}
	b, _ := json.Marshal(d)
	return string(b)
}

// TestDeterministicAcrossCores digests a thread large enough to be read in
// parallel with one core and with several: the digests must be identical.
func TestDeterministicAcrossCores(t *testing.T) {
	base := debateThread()
	th := threaddigest.Thread{Title: base.Title}
	for i := 0; len(th.Comments) < parallelTokenizeFrom+500; i++ {
		for _, c := range base.Comments {
			c.ID = fmt.Sprintf("%d-%s", i, c.ID)
			c.Author = fmt.Sprintf("%s %d", c.Author, i%97)
			th.Comments = append(th.Comments, c)
		}
	}
	prev := runtime.GOMAXPROCS(1)
	one, _ := json.Marshal(Analyze(th, Options{}))
	runtime.GOMAXPROCS(max(prev, 2))
	many, _ := json.Marshal(Analyze(th, Options{}))
	runtime.GOMAXPROCS(prev)
	if string(one) != string(many) {
		t.Fatal("the digest depends on the number of cores")
	}
}

// TestHostileSizes digests comments far larger than people write: it must
// finish, and quotes stay verbatim.
func TestHostileSizes(t *testing.T) {
	huge := strings.Repeat("@everyone ", 50_000) + strings.Repeat("x", 1<<20)
	words := strings.Repeat("Huawei spies and lies without a single full stop ", 20_000)
	th := threaddigest.Thread{Title: "Huawei", Comments: []threaddigest.Comment{
		cm("1", strings.Repeat("N", 10_000), huge),
		cm("2", "b", "@"+strings.Repeat("N", 10_000)+" yes"),
		cm("3", "c", words),
		withParent(cm("4", "d", words), "3"),
	}}
	d := Analyze(th, Options{})
	checkConsistency(t, th, d)
	// Names are looked for in the first maxNameBytes of a body only, so
	// that hostile text costs no more than ordinary text.
	if rt := d.Comments[1].ReplyTo; rt != nil {
		t.Errorf("a 10,000-character name was matched: reply to %s", *rt)
	}
}
