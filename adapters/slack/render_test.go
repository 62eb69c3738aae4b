package slack

import (
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/adapters/slack/slackfake"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/golden"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// textObj is a text object found in a rendered message.
type textObj struct {
	Type, Text string
}

// textObjects walks a message's JSON and returns every text object.
func textObjects(t *testing.T, m Message) []textObj {
	t.Helper()
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	return textObjectsJSON(t, raw)
}

// textObjectsJSON is textObjects of blocks as JSON.
func textObjectsJSON(t *testing.T, raw []byte) []textObj {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []textObj
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			typ, _ := v["type"].(string)
			text, ok := v["text"].(string)
			if ok && (typ == "plain_text" || typ == "mrkdwn") {
				out = append(out, textObj{typ, text})
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

// ownMarkup is the only Slack markup the renderer itself writes: date
// tokens, the mention of the user who shared an answer, and links from a
// comment's place in the thread to the comment (an http(s) URL with no
// space, < > or |, and the text #N).
var ownMarkup = regexp.MustCompile(`<!date\^\d+\^\{date_short\} \{time\}\|[0-9: -]+UTC>|<@[UW][A-Z0-9]+>|<https?://[^\s<>|]+\|#\d+>`)

// entity matches the only entities escaping produces.
var entity = regexp.MustCompile(`&(amp|lt|gt);`)

// checkInert fails when a message could ping, link or format from untrusted
// text: raw < or > in plain text, & outside an entity, control characters,
// or any fragment of the hostile strings in a mrkdwn object.
func checkInert(t *testing.T, m Message) {
	t.Helper()
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	checkInertJSON(t, m.Text, raw)
}

// checkInertJSON is checkInert of a message as it arrived.
func checkInertJSON(t *testing.T, text string, blocks []byte) {
	t.Helper()
	check := func(where, s string) {
		if strings.ContainsAny(ownMarkup.ReplaceAllString(s, ""), "<>") {
			t.Errorf("%s has raw < or >: %q", where, s)
		}
		if strings.Contains(entity.ReplaceAllString(s, ""), "&") {
			t.Errorf("%s has & outside an entity: %q", where, s)
		}
		if textutil.Clean(s) != s {
			t.Errorf("%s has control or bidi characters: %q", where, s)
		}
	}
	check("fallback text", text)
	for _, o := range textObjectsJSON(t, blocks) {
		check(o.Type, o.Text)
		if o.Type == "mrkdwn" {
			for _, frag := range []string{"!channel", "!here", "!everyone", "U123ABC", "U999", "C0001", "subteam", "evil", "*bold*", "_italic_", "~strike~", "`code`", "quoted", "Huawei", "_name_", "boss", "skull"} {
				if strings.Contains(o.Text, frag) {
					t.Errorf("untrusted text %q reached a mrkdwn object: %q", frag, o.Text)
				}
			}
		}
	}
}

// checkLimits fails when a message breaks a Slack limit.
func checkLimits(t *testing.T, m Message) {
	t.Helper()
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if code := slackfake.CheckMessage(m.Text, raw); code != "" {
		t.Errorf("Slack would refuse the message: %s", code)
	}
	if len(m.Blocks) > MaxBlocks {
		t.Errorf("%d blocks", len(m.Blocks))
	}
	if n := m.TextLength(); n > MaxMessageText {
		t.Errorf("text length %d > %d", n, MaxMessageText)
	}
	if m.Text == "" {
		t.Error("no fallback text")
	}
	if !utf8.ValidString(string(raw)) {
		t.Error("invalid UTF-8")
	}
}

func allKinds() []bot.ResponseKind {
	return []bot.ResponseKind{bot.KindStance, bot.KindDigest, bot.KindArguments, bot.KindRebuttals, bot.KindRegions}
}

func TestHostileTextIsInert(t *testing.T) {
	d := hostileDigest()
	slot := time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)
	var msgs []Message
	msgs = append(msgs, RenderPost(bot.Post{Thread: "huawei <!channel>", Digest: d, Slot: slot}, PostOptions{ChartNote: true})...)
	for _, k := range allKinds() {
		msgs = append(msgs, RenderResponse(bot.Response{Kind: k, Ephemeral: true, Thread: "t *x*", Digest: &d}, ResponseOptions{ShareValue: "v"})...)
	}
	msgs = append(msgs, RenderResponse(bot.Response{Kind: bot.KindText, Text: hostileText}, ResponseOptions{SharedBy: "U0ABC"})...)
	msgs = append(msgs, RenderResponse(bot.Response{Kind: bot.KindList, Text: hostileText + "\n" + hostileText}, ResponseOptions{SharedBy: "<!channel>"})...)
	for i, m := range msgs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkInert(t, m)
			checkLimits(t, m)
		})
	}
}

func TestQuotesAreVerbatim(t *testing.T) {
	d := hostileDigest()
	msgs := RenderPost(bot.Post{Thread: "t", Digest: d}, PostOptions{})
	var shown strings.Builder
	for _, m := range msgs {
		for _, o := range textObjects(t, m) {
			if o.Type == "plain_text" {
				shown.WriteString(html.UnescapeString(o.Text))
				shown.WriteString("\n")
			}
		}
	}
	// What Slack shows, once it decodes the entities, is the commenter's
	// text minus the control and bidi characters Clean removes.
	want := []string{d.Stance.FavorQuote.Text, d.Stance.AgainstQuote.Text, d.Rebuttals[0].Excerpt, d.Rebuttals[0].ParentExcerpt}
	for _, a := range d.Arguments {
		want = append(want, a.Statement)
	}
	for _, w := range want {
		if !strings.Contains(shown.String(), textutil.Clean(w)) {
			t.Errorf("quote not shown verbatim: %q", w)
		}
	}
}

func TestRenderPostGolden(t *testing.T) {
	slot := time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)
	msgs := RenderPost(bot.Post{Thread: "huawei-europe", Digest: sampleDigest(), Slot: slot}, PostOptions{ChartNote: true})
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	checkGolden(t, "sample-digest.golden.json", msgs)
	checkInert(t, msgs[0])
	checkLimits(t, msgs[0])
}

func TestRenderResponseGolden(t *testing.T) {
	d := sampleDigest()
	for _, k := range allKinds() {
		t.Run(string(k), func(t *testing.T) {
			msgs := RenderResponse(bot.Response{Kind: k, Ephemeral: true, Thread: "huawei-europe", Digest: &d}, ResponseOptions{ShareValue: `{"sub":"stance"}`})
			checkGolden(t, "response-"+string(k)+".golden.json", msgs)
			for _, m := range msgs {
				checkLimits(t, m)
			}
		})
	}
}

func checkGolden(t *testing.T, name string, msgs []Message) {
	t.Helper()
	got, err := json.MarshalIndent(msgs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", name), append(got, '\n'), *update)
}

// longDigest has far more text than one message holds.
func longDigest(nArgs int) digest.Digest {
	d := sampleDigest()
	d.Arguments = nil
	d.CommenterCount = 400
	long := strings.Repeat("Ünïcödé words & <more> words, ", 60) // 1,800 characters, more once escaped
	for i := 1; i <= nArgs; i++ {
		d.Arguments = append(d.Arguments, digest.Argument{ID: i, Label: fmt.Sprintf("argument %d", i),
			Statement: fmt.Sprintf("A%03d %s", i, long), Commenters: 400 / i,
			Quote: digest.Quote{Author: fmt.Sprintf("Author %d", i)}})
	}
	for i := 0; i < 30; i++ {
		d.Rebuttals = append(d.Rebuttals, digest.Rebuttal{Author: "A", ParentAuthor: "B", Excerpt: long, ParentExcerpt: long})
	}
	return d
}

func TestLongDigestIsSplitWithinLimits(t *testing.T) {
	d := longDigest(60)
	for _, tc := range []struct {
		name string
		msgs []Message
		want int // arguments that must appear
	}{
		{"post", RenderPost(bot.Post{Thread: "long", Digest: d}, PostOptions{}), 60},
		{"post capped", RenderPost(bot.Post{Thread: "long", Digest: d, MaxArguments: 5}, PostOptions{}), 5},
		{"arguments answer", RenderResponse(bot.Response{Kind: bot.KindArguments, Ephemeral: true, Thread: "long", Digest: &d}, ResponseOptions{ShareValue: "x"}), 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.msgs) < 2 && tc.want > 5 {
				t.Fatalf("%d messages; a digest this long needs several", len(tc.msgs))
			}
			seen := map[string]int{}
			for i, m := range tc.msgs {
				checkLimits(t, m)
				checkInert(t, m)
				if len(tc.msgs) > 1 && !strings.Contains(m.Text, fmt.Sprintf("part %d of %d", i+1, len(tc.msgs))) {
					t.Errorf("message %d fallback lacks its part marker: %q", i, m.Text)
				}
				for _, o := range textObjects(t, m) {
					for j := 1; j <= 60; j++ {
						if strings.Contains(o.Text, fmt.Sprintf("“A%03d ", j)) {
							seen[fmt.Sprint(j)]++
						}
					}
				}
			}
			if len(seen) != tc.want {
				t.Errorf("%d arguments shown, want %d", len(seen), tc.want)
			}
			for k, n := range seen {
				if n != 1 {
					t.Errorf("argument %s shown %d times", k, n)
				}
			}
		})
	}
}

func TestLongTextAnswerKeepsAllText(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "line %03d: thread-%d <followed> & polled every 5m\n", i, i)
	}
	msgs := RenderResponse(bot.Response{Kind: bot.KindList, Text: b.String(), Ephemeral: true}, ResponseOptions{})
	var got strings.Builder
	for _, m := range msgs {
		checkLimits(t, m)
		checkInert(t, m)
		for _, o := range textObjects(t, m) {
			if strings.HasPrefix(o.Text, "line ") {
				got.WriteString(html.UnescapeString(o.Text) + "\n")
			}
		}
	}
	if got.String() != b.String() {
		t.Errorf("text lost or changed in splitting:\n%q", got.String())
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"a & b", 20, "a &amp; b"},
		{"<<<<<", 12, "&lt;&lt;…"},                        // never ends inside an entity
		{"ééééé", 3, "éé…"},                               // never inside a character
		{"one two three four five", 16, "one two three…"}, // at a word when it can
		{"x\u202ey", 5, "xy"},                             // bidi override removed
		{"<!channel>", 100, "&lt;!channel&gt;"},           // mention inert
	} {
		got := fit(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > tc.max {
			t.Errorf("fit(%q, %d) has %d characters", tc.in, tc.max, n)
		}
	}
}

func TestChunksNeverSplitEntities(t *testing.T) {
	in := strings.Repeat("&<>é", 1000)
	cs := chunks(in, 97)
	var joined strings.Builder
	for _, c := range cs {
		if utf8.RuneCountInString(c) > 97 {
			t.Fatalf("chunk of %d characters", utf8.RuneCountInString(c))
		}
		if strings.Contains(entity.ReplaceAllString(c, ""), "&") {
			t.Fatalf("chunk splits an entity: %q", c)
		}
		joined.WriteString(html.UnescapeString(c))
	}
	if joined.String() != in {
		t.Error("chunks lost text")
	}
}

func BenchmarkRenderPost(b *testing.B) {
	for _, bc := range []struct {
		name string
		d    digest.Digest
	}{{"sample", sampleDigest()}, {"hostile", hostileDigest()}, {"long60", longDigest(60)}} {
		b.Run(bc.name, func(b *testing.B) {
			p := bot.Post{Thread: "huawei-europe", Digest: bc.d, Slot: time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)}
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range RenderPost(p, PostOptions{ChartNote: true}) {
					if _, err := m.JSON(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func TestEngineFooterShown(t *testing.T) {
	d := sampleDigest()
	shown := func(msgs []Message) string {
		var b strings.Builder
		for _, m := range msgs {
			for _, o := range textObjects(t, m) {
				b.WriteString(html.UnescapeString(o.Text) + "\n")
			}
		}
		return b.String()
	}
	if s := shown(RenderPost(bot.Post{Thread: "t", Digest: d}, PostOptions{})); strings.Contains(s, "Labels:") {
		t.Errorf("a digest of the offline analysis alone shows an engine:\n%s", s)
	}
	d.Engine = &digest.Engine{Name: digest.EngineLLM, Model: "qwen2.5:7b", ModelComments: 17, OfflineComments: 1, Reason: "the model timed out"}
	want := d.Engine.Footer()
	if s := shown(RenderPost(bot.Post{Thread: "t", Digest: d}, PostOptions{})); !strings.Contains(s, want) {
		t.Errorf("the post lacks the engine footer %q:\n%s", want, s)
	}
	for _, k := range allKinds() {
		if s := shown(RenderResponse(bot.Response{Kind: k, Thread: "t", Digest: &d}, ResponseOptions{})); !strings.Contains(s, want) {
			t.Errorf("the %s answer lacks the engine footer:\n%s", k, s)
		}
	}
}

// TestCommentLinks checks that quotes name their comment by position and
// link it only through an http(s) URL the source gave, escaped for Slack's
// link syntax.
func TestCommentLinks(t *testing.T) {
	msgs := RenderPost(bot.Post{Thread: "huawei", Digest: sampleDigest()}, PostOptions{})
	raw, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range msgs {
		b, _ := json.Marshal(m.Blocks)
		for _, o := range textObjectsJSON(t, b) {
			texts = append(texts, o.Type+": "+o.Text)
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{
		"mrkdwn: <https://news.example/c?id=1&amp;page=2%7Cx|#1>", // & as an entity, | percent-encoded
		"plain_text: — köln_reader\nmrkdwn: #3",                   // javascript: is no link
		"mrkdwn: reply <https://news.example/c/4|#4> to #3",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("rendering lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(string(raw), "javascript") {
		t.Error("a javascript: URL reached the message")
	}
}

// TestRegionsSmallMarkedAndSharesAddUp checks that a region of fewer than
// five commenters is marked and explained, one of five is not, and that a
// region's shown shares add up to 100.
func TestRegionsSmallMarkedAndSharesAddUp(t *testing.T) {
	d := sampleDigest()
	d.Regions = []digest.Region{
		{Region: geo.Europe, Commenters: 6, Favor: 2, Against: 2, None: 2},
		{Region: geo.LatinAmerica, Commenters: 1, Against: 1},
	}
	msgs := RenderResponse(bot.Response{Kind: bot.KindRegions, Thread: "huawei", Digest: &d}, ResponseOptions{})
	b, _ := json.Marshal(msgs[0].Blocks)
	var all []string
	for _, o := range textObjectsJSON(t, b) {
		all = append(all, o.Text)
	}
	out := strings.Join(all, "\n")
	for _, want := range []string{
		"\nEurope            6     34%     33%     33%  –",
		"\nLatin America *   1      0%    100%      0%  –",
		"* fewer than 5 commenters: too few to generalise from.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("regions lack %q:\n%s", want, out)
		}
	}
}

func TestArgumentUnitsSharesNote(t *testing.T) {
	d := digest.Digest{CommenterCount: 5, Arguments: []digest.Argument{
		{ID: 1, Label: "Fares pay for little of the service.", Statement: "Fares pay for little of the service.", Commenters: 3, Quote: digest.Quote{Author: "A"}},
		{ID: 2, Label: "Free buses fill up.", Statement: "Free buses fill up.", Commenters: 3, Quote: digest.Quote{Author: "B"}},
	}}
	has := func(us []unit) bool {
		for _, u := range us {
			b, err := json.Marshal(u.blocks)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "a commenter may make several arguments") {
				return true
			}
		}
		return false
	}
	if !has(argumentUnits(d, 0, 200)) {
		t.Error("arguments by 6 of 5 commenters: no note")
	}
	if has(argumentUnits(d, 1, 200)) {
		t.Error("one argument shown: a note")
	}
}

// TestDigestAnswerNote checks that a /thread digest answer shows its
// remark (the whole thread in place of nothing new) under the header.
func TestDigestAnswerNote(t *testing.T) {
	d := sampleDigest()
	d.Context = nil
	note := "No new comments since the last digest posted here, so this is the whole thread. For the comments of a time window: /thread digest 24h."
	msgs := RenderResponse(bot.Response{Kind: bot.KindDigest, Ephemeral: true, Thread: "huawei", Digest: &d, Text: note}, ResponseOptions{})
	b, _ := json.Marshal(msgs[0].Blocks)
	objs := textObjectsJSON(t, b)
	if len(objs) < 4 || objs[3].Type != "plain_text" || objs[3].Text != note {
		t.Errorf("the note is not the line under the header: %+v", objs)
	}
}

// TestStanceVocabulary checks that Slack heads the sides' quotes with the
// words every rendering uses (render.SideLabel).
func TestStanceVocabulary(t *testing.T) {
	b, _ := json.Marshal(RenderPost(bot.Post{Thread: "huawei", Digest: sampleDigest()}, PostOptions{})[0].Blocks)
	var all []string
	for _, o := range textObjectsJSON(t, b) {
		all = append(all, o.Text)
	}
	out := strings.Join(all, "\n")
	if !strings.Contains(out, "\nIn favor: “") || !strings.Contains(out, "\nAgainst: “") || strings.Contains(out, "Favor: “") {
		t.Errorf("sides not headed In favor / Against:\n%s", out)
	}
}

// TestMayRepeatNoteShown: a digest after a run cut off mid-post says that
// some comments may have been posted before; others do not.
func TestMayRepeatNoteShown(t *testing.T) {
	text := func(p bot.Post) string {
		var b strings.Builder
		for _, m := range RenderPost(p, PostOptions{}) {
			for _, o := range textObjects(t, m) {
				b.WriteString(html.UnescapeString(o.Text) + "\n")
			}
		}
		return b.String()
	}
	p := bot.Post{Thread: "t", Digest: sampleDigest(), Slot: time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)}
	if s := text(p); strings.Contains(s, bot.MayRepeatNote) {
		t.Errorf("a digest with nothing uncertain before it shows the note:\n%s", s)
	}
	p.MayRepeat = true
	if s := text(p); !strings.Contains(s, bot.MayRepeatNote) {
		t.Errorf("the digest lacks the may-repeat note:\n%s", s)
	}
}
