package nasty

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/adapters/discord"
	"github.com/threaddigest/threaddigest/adapters/slack"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/chart"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/render"
)

// dir holds the committed nasty comments, at the module root.
var dir = filepath.Join("..", "..", "testdata", "nasty")

// rawThread reads comments.jsonl as a live source would hand its comments
// over: the text exactly as written, HTML tags included (the input package
// turns HTML bodies into plain text; a source with plain-text bodies keeps
// "<script>" as typed).
func rawThread(t *testing.T) threaddigest.Thread {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "comments.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var th threaddigest.Thread
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r struct {
			Title, ID, Author, Location, Body string
			ParentID                          string    `json:"parent_id"`
			CreatedAt                         time.Time `json:"created_at"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("comments.jsonl:%d: %v", line, err)
		}
		if r.Title != "" {
			th.Title = r.Title
			continue
		}
		th.Comments = append(th.Comments, threaddigest.Comment{ID: r.ID, ParentID: r.ParentID, Author: r.Author,
			Location: r.Location, Body: r.Body, CreatedAt: r.CreatedAt})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return th
}

// giants are the comments too big to commit: a 1 MB body, a word of 100,000
// characters, a location and a name of 10 KB, and text that is not UTF-8
// (which a source may pass on even though no file format can carry it).
func giants() []threaddigest.Comment {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	sentence := "Free buses cut traffic <!channel> @everyone [x](https://evil.example) **now** \x1b[31m. "
	return []threaddigest.Comment{
		{ID: "g1", Author: "Megabyte", Location: "Boston", CreatedAt: at,
			Body: strings.Repeat(sentence, (1<<20)/len(sentence)+1)},
		{ID: "g2", Author: "Long Word", Location: "Denver", CreatedAt: at.Add(time.Minute),
			Body: "Free buses cut traffic: " + strings.Repeat("<!channel>", 10_000)},
		{ID: "g3", Author: "Far Away", Location: strings.Repeat("Boulder, Co <!here> [x](https://evil.example) ", 10_240/46+1), CreatedAt: at.Add(2 * time.Minute),
			Body: "Taxpayers cannot afford free buses @here, the budget is broke."},
		{ID: "g4", Author: strings.Repeat("@everyone ", 1024), Location: "Miami", CreatedAt: at.Add(3 * time.Minute),
			Body: "Free buses are a waste of tax money and taxpayers pay for it."},
		{ID: "g5", Author: "Bad\xffName", Location: "Den\xffver", CreatedAt: at.Add(4 * time.Minute),
			Body: "Free buses \xff\xfe cut traffic <!channel> and save \xc3\x28 money."},
		{ID: "g6", ParentID: "g3", Author: "Replier", Location: "Reno", CreatedAt: at.Add(5 * time.Minute),
			Body: "No, that is wrong: the budget has room for free buses <@U0123ABCD> [see](https://evil.example)."},
	}
}

// locator is one geo resolver for the whole test (it holds the gazetteer).
var locator = sync.OnceValues(func() (*geo.Resolver, error) { return geo.NewResolver(geo.Options{}) })

func resolver(t *testing.T) *geo.Resolver {
	t.Helper()
	r, err := locator()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// corpusOf indexes every untrusted text of a thread.
func corpusOf(th threaddigest.Thread) *Corpus {
	texts := []string{th.Title}
	for _, c := range th.Comments {
		texts = append(texts, c.Body, c.Author, c.Location)
	}
	return NewCorpus(texts...)
}

// hazards are pieces of markup that would be live if any output passed them
// through; the test checks that the digest really carries several of them
// into the renderers, so that the checks below have something to find.
var hazards = []string{"<!channel>", "<!here>", "@everyone", "@here", "<@", "](", "\x1b", "\u202e", "**", "<script>", "`", "~~", "||", "<#", "<https://"}

// untrusted lists the digest's text that came from comments or the source.
func untrusted(d digest.Digest) []string {
	out := []string{d.Title, d.Target, d.Stance.Target}
	for _, a := range d.Arguments {
		out = append(out, a.Label, a.Statement, a.Quote.Author, a.Quote.Text)
	}
	for _, r := range d.Rebuttals {
		out = append(out, r.Author, r.ParentAuthor, r.Excerpt, r.ParentExcerpt)
	}
	for _, q := range []*digest.Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			out = append(out, q.Author, q.Text)
		}
	}
	for _, c := range d.Comments {
		out = append(out, c.Author, c.Location)
	}
	return out
}

func TestNastyComments(t *testing.T) {
	raw := rawThread(t)
	raw.Comments = append(raw.Comments, giants()...)

	// The same file through the input package, as `threaddigest digest`
	// and file sources read it.
	f, err := os.Open(filepath.Join(dir, "comments.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := input.Read(f, "comments.jsonl", input.Options{})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 0 || res.Comments() != 33 {
		t.Fatalf("input read %d comments and skipped %v; want all 33 kept", res.Comments(), res.Skipped)
	}
	read, err := res.Thread("")
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		th   threaddigest.Thread
		// minHazards is how many kinds of live markup the digest must
		// carry to the renderers for the case to test anything.
		minHazards int
	}{
		{"as written, with giants", raw, 8},
		{"as read by input", read, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := digest.Options{Locator: resolver(t)}
			start := time.Now()
			whole := digest.Analyze(tc.th, opt)
			t.Logf("%d comments digested in %v", len(tc.th.Comments), time.Since(start).Round(time.Millisecond))
			// A digest of the newer half, as scheduled posts are.
			opt.New = map[string]bool{}
			for _, c := range tc.th.Comments[len(tc.th.Comments)/2:] {
				opt.New[c.ID] = true
			}
			newer := digest.Analyze(tc.th, opt)
			if newer.Context == nil {
				t.Fatal("a digest of new comments has no context")
			}

			found := map[string]bool{}
			for _, s := range untrusted(whole) {
				for _, h := range hazards {
					if strings.Contains(s, h) {
						found[h] = true
					}
				}
			}
			if len(found) < tc.minHazards {
				t.Errorf("the digest carries %d kinds of live markup to the renderers (%v), want %d or more", len(found), found, tc.minHazards)
			}
			quoted := false
			for _, a := range whole.Arguments {
				for _, h := range hazards {
					quoted = quoted || strings.Contains(a.Statement, h)
				}
			}
			if !quoted {
				t.Error("no argument quotes hostile text: the quotes' escaping goes untested")
			}

			corpus := corpusOf(tc.th)
			for _, d := range []struct {
				name string
				d    digest.Digest
			}{{"whole", whole}, {"new", newer}} {
				t.Run(d.name, func(t *testing.T) { checkEveryOutput(t, tc.th, d.d, corpus) })
			}
		})
	}
}

// checkEveryOutput renders d in every output and checks each.
func checkEveryOutput(t *testing.T, th threaddigest.Thread, d digest.Digest, corpus *Corpus) {
	report := func(what string, p Problems) {
		t.Helper()
		if err := p.Err(); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	for _, width := range []int{0, 60, 120} {
		var b bytes.Buffer
		if err := render.Text(&b, d, render.Options{Width: width}); err != nil {
			t.Fatal(err)
		}
		cols := width
		if cols == 0 {
			cols = 80
		}
		report(fmt.Sprintf("text at %d columns", cols), CheckTerminal(b.String(), cols))
	}
	var md bytes.Buffer
	if err := render.Markdown(&md, d, render.Options{}); err != nil {
		t.Fatal(err)
	}
	report("markdown", CheckMarkdown(md.String()))
	var js bytes.Buffer
	if err := render.JSON(&js, d); err != nil {
		t.Fatal(err)
	}
	report("json", CheckJSON(js.Bytes(), th))

	png, err := chart.RegionalSplit(d, chart.Options{})
	if errors.Is(err, chart.ErrNoRegions) {
		png = nil
	} else if err != nil {
		t.Fatalf("chart: %v", err)
	} else {
		report("chart", CheckChart(png))
	}

	slot := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	slackMsgs := map[string][]slack.Message{
		"post": slack.RenderPost(bot.Post{Thread: "nasty", Digest: d, Slot: slot}, slack.PostOptions{ChartNote: png != nil}),
	}
	discordMsgs := map[string][]discord.Message{
		"digest": discord.RenderDigest(d, discord.Options{Thread: "nasty", Slot: slot, Chart: png}),
	}
	for _, kind := range []bot.ResponseKind{bot.KindStance, bot.KindDigest, bot.KindArguments, bot.KindRebuttals, bot.KindRegions} {
		r := bot.Response{Kind: kind, Ephemeral: true, Thread: "nasty", Digest: &d}
		slackMsgs[string(kind)] = slack.RenderResponse(r, slack.ResponseOptions{ShareValue: `{"s":"` + string(kind) + `"}`})
		discordMsgs[string(kind)] = discord.RenderResponse(r, discord.Options{Chart: png})
	}
	// Answers made of text: a command's text and thread names are typed by
	// users too.
	parts := []string{th.Title}
	for i := 0; i < len(th.Comments) && i < 20; i += 4 {
		parts = append(parts, th.Comments[i].Author+": "+th.Comments[i].Body)
	}
	hostileText := strings.Join(parts, "\n")
	for _, kind := range []bot.ResponseKind{bot.KindText, bot.KindList} {
		r := bot.Response{Kind: kind, Ephemeral: true, Text: hostileText}
		slackMsgs[string(kind)] = slack.RenderResponse(r, slack.ResponseOptions{})
		discordMsgs[string(kind)] = discord.RenderResponse(r, discord.Options{})
	}
	for name, msgs := range slackMsgs {
		if len(msgs) == 0 {
			t.Errorf("slack %s: no message", name)
		}
		for i, m := range msgs {
			b, err := m.JSON()
			if err != nil {
				t.Fatal(err)
			}
			sm, err := ParseSlack(b)
			if err != nil {
				t.Fatal(err)
			}
			report(fmt.Sprintf("slack %s message %d", name, i+1), CheckSlack("message", sm, corpus))
		}
	}
	for name, msgs := range discordMsgs {
		if len(msgs) == 0 {
			t.Errorf("discord %s: no message", name)
		}
		for i, m := range msgs {
			files := map[string]int{}
			for _, f := range m.Files {
				files[f.Name] = len(f.Data)
			}
			report(fmt.Sprintf("discord %s message %d", name, i+1), CheckDiscord("message", FromDiscordgo(m.Content, m.Embeds, files), corpus))
		}
	}
}

// TestInvalidUTF8Files reads files that carry bytes that are not UTF-8: the
// records holding them in a body or a name are skipped and reported by file
// and line; one holding them only in its location is kept, the location
// repaired and a warning given; the rest is digested and rendered.
func TestInvalidUTF8Files(t *testing.T) {
	for _, tc := range []struct {
		file   string
		kept   int
		lines  []int
		warned []int // lines warned about for their location
	}{
		{"invalid-utf8.csv", 4, []int{3, 4}, []int{6}},
		{"invalid-utf8.txt", 2, []int{7, 8, 13}, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := input.Read(f, tc.file, input.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, p := range res.Skipped {
				lines = append(lines, p.Line)
				if p.File != tc.file || !strings.Contains(p.Msg, "UTF-8") {
					t.Errorf("skipped record reported as %q", p.Error())
				}
			}
			if res.Comments() != tc.kept || fmt.Sprint(lines) != fmt.Sprint(tc.lines) {
				t.Fatalf("kept %d comments, skipped lines %v; want %d and %v", res.Comments(), lines, tc.kept, tc.lines)
			}
			var warned []int
			for _, p := range res.Warnings {
				if p.Field == input.FieldLocation {
					warned = append(warned, p.Line)
					if p.File != tc.file || !strings.Contains(p.Msg, "UTF-8") {
						t.Errorf("location warning reads %q", p.Error())
					}
				}
			}
			if fmt.Sprint(warned) != fmt.Sprint(tc.warned) {
				t.Errorf("locations warned about on lines %v, want %v", warned, tc.warned)
			}
			th, err := res.Thread("")
			if err != nil {
				t.Fatal(err)
			}
			d := digest.Analyze(th, digest.Options{Locator: resolver(t)})
			if d.CommentCount != tc.kept {
				t.Errorf("digested %d comments, want %d", d.CommentCount, tc.kept)
			}
			checkEveryOutput(t, th, d, corpusOf(th))
		})
	}
}

// TestSameNameOtherNormalization decides what counts as the same commenter
// when a source names no account: names that are the same text in Unicode's
// canonical composition (NFC) are one commenter. "Zoë" typed with a
// precomposed ë and "Zoë" typed as e + combining diaeresis look identical and
// are canonically equivalent, so counting them as two people would inflate
// every count; names that differ in case, width (Ｚoë) or compatibility
// characters are still different people's choices and count apart. Names
// are shown as each comment wrote them.
func TestSameNameOtherNormalization(t *testing.T) {
	nfc, nfd := norm.NFC.String("Zoë Müller"), norm.NFD.String("Zoë Müller")
	if nfc == nfd {
		t.Fatal("the two forms are the same bytes")
	}
	c := func(id, author, body string) threaddigest.Comment {
		return threaddigest.Comment{ID: id, Author: author, Body: body}
	}
	for _, tc := range []struct {
		name       string
		a, b       string
		same       bool
		commenters int
	}{
		{"NFC and NFD", nfc, nfd, true, 2},
		{"NFD and NFD", nfd, nfd, true, 2},
		{"different case", "Zoë Müller", "zoë müller", false, 3},
		{"full-width letter", "Zoë Müller", "Ｚoë Müller", false, 3},
		{"compatibility ligature", "ﬁona", "fiona", false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, y := c("1", tc.a, "Free buses cut traffic downtown."), c("2", tc.b, "Free buses cut traffic and save money.")
			if got := x.CommenterKey() == y.CommenterKey(); got != tc.same {
				t.Errorf("CommenterKey(%q) == CommenterKey(%q) is %v, want %v", tc.a, tc.b, got, tc.same)
			}
			th := threaddigest.Thread{Comments: []threaddigest.Comment{x, y, c("3", "Someone Else", "Free buses cost taxpayers too much.")}}
			d := digest.Analyze(th, digest.Options{})
			if d.CommenterCount != tc.commenters {
				t.Errorf("%d commenters, want %d", d.CommenterCount, tc.commenters)
			}
			// Shown as written, byte for byte.
			for i, cr := range d.Comments {
				if cr.Author != th.Comments[i].Author {
					t.Errorf("comment %s shown as %q, written %q", cr.ID, cr.Author, th.Comments[i].Author)
				}
			}
		})
	}
	// An account id decides alone: the same name under two ids is two
	// commenters, two names under one id one.
	ids := threaddigest.Thread{Comments: []threaddigest.Comment{
		{ID: "1", Author: nfc, AuthorID: "u1", Body: "Free buses cut traffic."},
		{ID: "2", Author: nfc, AuthorID: "u2", Body: "Free buses save money."},
		{ID: "3", Author: "Other", AuthorID: "u1", Body: "Free buses are good."},
	}}
	if d := digest.Analyze(ids, digest.Options{}); d.CommenterCount != 2 {
		t.Errorf("by account id: %d commenters, want 2", d.CommenterCount)
	}
	// In the nasty thread, comments 1 and 7 are Zoë in the two forms.
	raw := rawThread(t)
	var forms []string
	for _, cm := range raw.Comments {
		if norm.NFC.String(cm.Author) == nfc {
			forms = append(forms, cm.Author)
		}
	}
	if len(forms) != 2 || forms[0] == forms[1] {
		t.Fatalf("the nasty thread should name Zoë in two forms, found %q", forms)
	}
	distinct := map[string]bool{}
	for _, cm := range raw.Comments {
		distinct[norm.NFC.String(cm.Author)] = true
	}
	if d := digest.Analyze(raw, digest.Options{}); d.CommenterCount != len(distinct) {
		t.Errorf("the nasty thread has %d commenters by NFC name, the digest counts %d", len(distinct), d.CommenterCount)
	}
	if !utf8.ValidString(nfd) {
		t.Fatal("NFD is not UTF-8")
	}
}
