package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/adapters/discord/discordfake"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/golden"
	"github.com/threaddigest/threaddigest/testkit/nasty"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenJSON compares v, as indented JSON, with testdata/name.
func goldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", name), buf.Bytes(), *update)
}

// wire is a message as it goes on the wire: what the golden files hold.
type wire struct {
	Content string                    `json:"content,omitempty"`
	Embeds  []*discordgo.MessageEmbed `json:"embeds,omitempty"`
	Files   []string                  `json:"files,omitempty"`
}

func toWire(msgs []Message) []wire {
	var out []wire
	for _, m := range msgs {
		w := wire{Content: m.Content, Embeds: m.Embeds}
		for _, f := range m.Files {
			w.Files = append(w.Files, f.Name)
		}
		out = append(out, w)
	}
	return out
}

var slot = time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)

func TestRenderDigestGolden(t *testing.T) {
	msgs := RenderDigest(exampleDigest(), Options{Thread: "huawei-europe", Slot: slot, Chart: []byte("PNG")})
	checkMessages(t, msgs)
	goldenJSON(t, "digest.golden.json", toWire(msgs))
}

func TestRenderResponsesGolden(t *testing.T) {
	d := exampleDigest()
	d.Context = nil
	for _, kind := range []bot.ResponseKind{bot.KindStance, bot.KindArguments, bot.KindRebuttals, bot.KindRegions, bot.KindDigest} {
		t.Run(string(kind), func(t *testing.T) {
			msgs := RenderResponse(bot.Response{Kind: kind, Ephemeral: true, Thread: "huawei-europe", Digest: &d}, Options{})
			checkMessages(t, msgs)
			goldenJSON(t, "response-"+string(kind)+".golden.json", toWire(msgs))
		})
	}
	t.Run("text", func(t *testing.T) {
		msgs := RenderResponse(bot.Response{Kind: bot.KindText, Text: "Usage: /thread stance [target]\n- follow SOURCE [cron]"}, Options{})
		checkMessages(t, msgs)
		goldenJSON(t, "response-text.golden.json", toWire(msgs))
	})
	t.Run("list", func(t *testing.T) {
		msgs := RenderResponse(bot.Response{Kind: bot.KindList, Text: "huawei-europe — daily 08:00 Europe/Berlin\nclimate_pact — hourly"}, Options{})
		checkMessages(t, msgs)
		goldenJSON(t, "response-list.golden.json", toWire(msgs))
	})
}

// checkMessages asserts every message is within Discord's limits, both as
// the fake checks them (code points, as Discord's API) and in UTF-16 units.
func checkMessages(t *testing.T, msgs []Message) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	for i, m := range msgs {
		var files []discordfake.File
		for _, f := range m.Files {
			files = append(files, discordfake.File{Filename: f.Name, Data: f.Data})
		}
		if err := discordfake.Validate(discordfake.Payload{Content: m.Content, Embeds: m.Embeds}, files); err != nil {
			t.Errorf("message %d: Discord would refuse it: %v", i+1, err)
		}
		if units(m.Content) > maxContent || len(m.Embeds) > maxEmbedsPerMessage {
			t.Errorf("message %d: content %d units, %d embeds", i+1, units(m.Content), len(m.Embeds))
		}
		total := 0
		for j, e := range m.Embeds {
			total += embedSize(e)
			if units(e.Title) > maxTitle || units(e.Description) > maxDescription || len(e.Fields) > maxFields {
				t.Errorf("message %d embed %d: over a limit (title %d, description %d, %d fields)", i+1, j, units(e.Title), units(e.Description), len(e.Fields))
			}
			for _, f := range e.Fields {
				if units(f.Name) > maxFieldName || units(f.Value) > maxFieldValue {
					t.Errorf("message %d embed %d: field over a limit (name %d, value %d)", i+1, j, units(f.Name), units(f.Value))
				}
			}
			if e.Footer != nil && units(e.Footer.Text) > maxFooter {
				t.Errorf("message %d embed %d: footer %d units", i+1, j, units(e.Footer.Text))
			}
		}
		if total > maxEmbedChars {
			t.Errorf("message %d: %d units across embeds", i+1, total)
		}
	}
}

// texts lists every piece of text a reader sees in the messages.
func texts(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Content)
		for _, e := range m.Embeds {
			out = append(out, e.Title, e.Description)
			for _, f := range e.Fields {
				out = append(out, f.Name, f.Value)
			}
			if e.Footer != nil {
				out = append(out, e.Footer.Text)
			}
		}
	}
	return out
}

func TestRenderLongDigestSplitsWithinLimits(t *testing.T) {
	d := longDigest()
	msgs := RenderDigest(d, Options{Thread: "huawei-europe", Slot: slot, Chart: []byte("PNG")})
	if len(msgs) < 2 {
		t.Fatalf("a digest of %d arguments and %d rebuttals fit in %d message; want it split", len(d.Arguments), len(d.Rebuttals), len(msgs))
	}
	checkMessages(t, msgs)
	// Every argument is still there, in order, and cut ones end with the marker.
	all := strings.Join(texts(msgs), "\n")
	last := -1
	for _, a := range d.Arguments {
		i := strings.Index(all, "\n"+itoa(a.ID)+" · label ")
		if i < 0 {
			t.Fatalf("argument %d missing from the split digest", a.ID)
		}
		if i < last {
			t.Errorf("argument %d out of order", a.ID)
		}
		last = i
	}
	if !strings.Contains(all, ellipsis) {
		t.Error("long statements were not cut with the marker")
	}
	if len(msgs[0].Files) != 1 || msgs[0].Embeds[0].Image == nil {
		t.Error("the chart is not in the first message")
	}
	for _, m := range msgs[1:] {
		if len(m.Files) != 0 {
			t.Error("the chart is attached more than once")
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestRenderHostileTextArrivesInert(t *testing.T) {
	d := hostileDigest()
	msgs := RenderDigest(d, Options{Thread: "huawei-europe", Slot: slot})
	checkMessages(t, msgs)
	all := strings.Join(texts(msgs), "\n")
	for _, frag := range hostileFragments {
		if nasty.ContainsUnescaped(all, frag) {
			t.Errorf("%q reached the message unescaped", frag)
		}
		if !strings.Contains(all, escapeMarkdown(frag)) {
			t.Errorf("%q is not shown (escaped) in the message", frag)
		}
	}
	// Line-start markup from comment text cannot take effect either.
	for _, s := range texts(msgs) {
		for _, line := range strings.Split(s, "\n") {
			for _, p := range []string{"# ", "- ", "> ", "1. ", "-# "} {
				if strings.HasPrefix(line, p) {
					t.Errorf("line %q starts with Markdown %q", line, p)
				}
			}
		}
	}
}

func TestRenderQuotesVerbatim(t *testing.T) {
	d := exampleDigest()
	msgs := RenderDigest(d, Options{})
	shown := display(strings.Join(texts(msgs), "\n"))
	quotes := []digest.Quote{*d.Stance.FavorQuote, *d.Stance.AgainstQuote}
	for _, a := range d.Arguments {
		quotes = append(quotes, a.Quote)
	}
	for _, q := range quotes {
		if !strings.Contains(shown, "“"+q.Text+"” — "+q.Author) {
			t.Errorf("quote %q by %q is not shown verbatim", q.Text, q.Author)
		}
	}
	for _, r := range d.Rebuttals {
		if !strings.Contains(shown, r.Excerpt) || !strings.Contains(shown, r.ParentExcerpt) {
			t.Errorf("rebuttal excerpts of %s not shown verbatim", r.CommentID)
		}
	}
}

func TestRenderCountsExact(t *testing.T) {
	d := exampleDigest()
	msgs := RenderDigest(d, Options{})
	all := strings.Join(texts(msgs), "\n")
	want := []string{
		"**18 new comments** from 15 commenters · 52 comments from 38 commenters in all",
		"`favor  ` ███░░░░░░░ **28%** · 5",
		"`against` █████░░░░░ **50%** · 9",
		"`none   ` ██░░░░░░░░ **22%** · 4",
		"████░░░░░░ **40%** · 6 of 15 commenters",
		"favor 43% (3)\nagainst 43% (3)\nnone 14% (1)",
	}
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("rendering lacks %q", w)
		}
	}
}

func TestRenderTextResponseSplitsLongText(t *testing.T) {
	var lines []string
	for i := 0; i < 300; i++ {
		lines = append(lines, "line "+itoa(i)+" **not bold** @everyone")
	}
	msgs := RenderResponse(bot.Response{Kind: bot.KindText, Text: strings.Join(lines, "\n")}, Options{})
	if len(msgs) < 2 {
		t.Fatalf("%d messages; want the text split", len(msgs))
	}
	checkMessages(t, msgs)
	var got []string
	for _, m := range msgs {
		got = append(got, strings.Split(display(m.Content), "\n")...)
	}
	if strings.Join(got, "\n") != strings.Join(lines, "\n") {
		t.Error("split text does not show the original lines in order")
	}
}

func TestRenderEmptyDigest(t *testing.T) {
	msgs := RenderDigest(digest.Digest{}, Options{Thread: "empty"})
	checkMessages(t, msgs)
	for _, kind := range []bot.ResponseKind{bot.KindStance, bot.KindArguments, bot.KindRebuttals, bot.KindRegions, bot.KindList, bot.KindText} {
		checkMessages(t, RenderResponse(bot.Response{Kind: kind, Digest: &digest.Digest{}}, Options{}))
		checkMessages(t, RenderResponse(bot.Response{Kind: kind}, Options{}))
	}
}

func TestRenderEngineFooter(t *testing.T) {
	d := exampleDigest()
	footers := func(msgs []Message) []string {
		var out []string
		for _, m := range msgs {
			for _, e := range m.Embeds {
				if e.Footer != nil {
					out = append(out, e.Footer.Text)
				}
			}
		}
		return out
	}
	for _, f := range footers(RenderDigest(d, Options{Thread: "t"})) {
		if strings.Contains(f, "Labels:") {
			t.Errorf("a digest of the offline analysis alone shows an engine: %q", f)
		}
	}
	d.Engine = &digest.Engine{Name: digest.EngineOffline, Model: "gpt-4o-mini", OfflineComments: 18, Reason: "the digest would exceed its token budget"}
	want := "threaddigest · t · " + d.Engine.Footer()
	check := func(what string, msgs []Message) {
		t.Helper()
		fs := footers(msgs)
		if len(fs) == 0 || fs[len(fs)-1] != want {
			t.Errorf("%s: footers %q; want the last to be %q", what, fs, want)
		}
	}
	check("digest", RenderDigest(d, Options{Thread: "t"}))
	for _, k := range []bot.ResponseKind{bot.KindStance, bot.KindArguments, bot.KindRebuttals, bot.KindRegions, bot.KindDigest} {
		check(string(k), RenderResponse(bot.Response{Kind: k, Thread: "t", Digest: &d}, Options{}))
	}
}

// TestCommentLinks checks that quotes name their comment by its place in
// the thread and link it only through an http(s) URL from the source,
// percent-encoded where it could end the masked link.
func TestCommentLinks(t *testing.T) {
	raw, err := json.Marshal(toWire(RenderDigest(exampleDigest(), Options{Thread: "huawei-europe"})))
	if err != nil {
		t.Fatal(err)
	}
	out := string(raw)
	for _, want := range []string{
		`— Maren K. ([\\#3](https://news.example/wiki/Huawei_%28company%29#c3))`,
		`— O'Connor 1987 (\\#8)`,
		`**Maren K.** ([\\#9](https://news.example/c/9)): “Cheap now`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rendering lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "javascript") {
		t.Error("a javascript: URL reached the message")
	}
}

// TestRegionsSmallMarkedAndSharesAddUp checks that a region of fewer than
// five commenters is marked and explained, one of five is not, and that a
// region's shown shares add up to 100.
func TestRegionsSmallMarkedAndSharesAddUp(t *testing.T) {
	d := exampleDigest()
	d.Regions = []digest.Region{
		{Region: geo.Europe, Commenters: 6, Favor: 2, Against: 2, None: 2},
		{Region: geo.LatinAmerica, Commenters: 1, Against: 1},
	}
	msgs := RenderResponse(bot.Response{Kind: bot.KindRegions, Thread: "huawei", Digest: &d}, Options{})
	e := msgs[0].Embeds[0]
	if len(e.Fields) != 2 {
		t.Fatalf("fields %+v", e.Fields)
	}
	if f := e.Fields[0]; f.Name != "Europe · 6 commenters" || f.Value != "favor 34% (2)\nagainst 33% (2)\nnone 33% (2)" {
		t.Errorf("Europe: %q %q", f.Name, f.Value)
	}
	if f := e.Fields[1]; f.Name != `Latin America · 1 commenter \*` || f.Value != "favor 0% (0)\nagainst 100% (1)\nnone 0% (0)" {
		t.Errorf("Latin America: %q %q", f.Name, f.Value)
	}
	if !strings.HasSuffix(e.Description, `\* fewer than 5 commenters: too few to generalise from.`) {
		t.Errorf("description %q lacks the note", e.Description)
	}
}

func TestRenderSharesNote(t *testing.T) {
	d := exampleDigest()
	total := 0
	for _, a := range d.Arguments {
		total += a.Commenters
	}
	s, _ := argumentsSection(d, 0, true)
	if over := total > d.CommenterCount; over != strings.Contains(s.desc, "more than 100%") {
		t.Errorf("arguments by %d of %d commenters: description %q", total, d.CommenterCount, s.desc)
	}
	d.Arguments[0].Commenters = d.CommenterCount
	s, _ = argumentsSection(d, 0, true)
	if !strings.Contains(s.desc, "a commenter may make several arguments") {
		t.Errorf("shares past 100%%: description %q lacks the note", s.desc)
	}
}

// TestDigestAnswerNote checks that a /thread digest answer shows its
// remark (the whole thread in place of nothing new) first.
func TestDigestAnswerNote(t *testing.T) {
	d := exampleDigest()
	note := "No new comments since the last digest posted here, so this is the whole thread."
	msgs := RenderResponse(bot.Response{Kind: bot.KindDigest, Ephemeral: true, Thread: "huawei", Digest: &d, Text: note}, Options{})
	if desc := msgs[0].Embeds[0].Description; !strings.HasPrefix(desc, note+"\n\n") {
		t.Errorf("description does not open with the note: %q", desc)
	}
}

// TestStanceVocabulary checks that Discord heads the sides' quotes with the
// words every rendering uses (render.SideLabel), not words of its own.
func TestStanceVocabulary(t *testing.T) {
	desc := RenderDigest(exampleDigest(), Options{})[0].Embeds[0].Description
	if !strings.Contains(desc, "**In favor:** “") || !strings.Contains(desc, "**Against:** “") || strings.Contains(desc, "**For:**") {
		t.Errorf("sides not headed In favor / Against: %q", desc)
	}
}

// TestMayRepeatNoteShown: the digest after a run cut off mid-post says so at
// its top, within the limits.
func TestMayRepeatNoteShown(t *testing.T) {
	for _, mayRepeat := range []bool{false, true} {
		msgs := RenderDigest(exampleDigest(), Options{Thread: "huawei-europe", Slot: slot, MayRepeat: mayRepeat})
		checkMessages(t, msgs)
		desc := msgs[0].Embeds[0].Description
		if got := strings.Contains(desc, escapeMarkdown(bot.MayRepeatNote)); got != mayRepeat {
			t.Errorf("MayRepeat %v: the first embed shows the note: %v\n%s", mayRepeat, got, desc)
		}
	}
}
