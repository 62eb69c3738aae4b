package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the current output")

func ptr[T any](v T) *T { return &v }

// sample is a hand-built digest of a small thread, with every section filled.
func sample() digest.Digest {
	return digest.Digest{
		Title:          "Europe weighs a Huawei ban in 5G networks",
		Target:         "Huawei",
		CommentCount:   9,
		CommenterCount: 7,
		Span: &digest.Span{
			First: time.Date(2019, 12, 27, 8, 2, 0, 0, time.UTC),
			Last:  time.Date(2019, 12, 28, 17, 40, 0, 0, time.UTC),
		},
		Arguments: []digest.Argument{
			{ID: 1, Label: "security, state, backdoor", Statement: "Any vendor that answers to a state security law can be ordered to help.",
				Commenters: 4, Share: 4.0 / 7, CommentIDs: []string{"1", "3", "5", "8"},
				Quote: digest.Quote{CommentID: "3", Author: "Jan de Vries", Text: "Any vendor that answers to a state security law can be ordered to help.",
					Position: 3, URL: "https://news.example/c/3"}},
			{ID: 2, Label: "cost, rollout, delay", Statement: "Ripping out the kit will cost operators billions and delay rollout by years.",
				Commenters: 2, Share: 2.0 / 7, CommentIDs: []string{"2", "6"},
				Quote: digest.Quote{CommentID: "2", Author: "Kathy O'Neil", Text: "Ripping out the kit will cost operators billions and delay rollout by years.", Position: 2}},
		},
		Rebuttals: []digest.Rebuttal{
			{CommentID: "4", Author: "Priya N.", ReplyTo: "3", ParentAuthor: "Jan de Vries", Score: 2.5,
				Excerpt: "The NSA taps Cisco routers too, so why single out one firm?", ParentExcerpt: "Any vendor that answers to a state security law",
				Position: 4, URL: "https://news.example/c/4", ParentPosition: 3, ParentURL: "https://news.example/c/3"},
		},
		Stance: digest.Stance{Target: "Huawei", Favor: 2, Against: 5, None: 2,
			FavorQuote:   &digest.Quote{CommentID: "2", Author: "Kathy O'Neil", Text: "Huawei kit is cheaper and it works.", Position: 2},
			AgainstQuote: &digest.Quote{CommentID: "3", Author: "Jan de Vries", Text: "Keep Huawei out of the core.", Position: 3, URL: "https://news.example/c/3"}},
		Regions: []digest.Region{
			{Region: geo.US, Commenters: 3, Favor: 1, Against: 2, TopArgument: ptr(1)},
			{Region: geo.Europe, Commenters: 2, Against: 1, None: 1, TopArgument: ptr(2)},
			{Region: geo.Unknown, Commenters: 2, Against: 1, None: 1},
		},
		Comments: []digest.CommentResult{
			{ID: "1", Position: 1, URL: "https://news.example/c/1", Author: "Mike", Location: "Boulder, Co", Country: "US", Admin1: "CO", Region: geo.US, Stance: "against", Arguments: []int{1}},
			{ID: "4", Position: 4, URL: "https://news.example/c/4", Author: "Priya N.", Location: "köln", Country: "DE", Region: geo.Europe, ReplyTo: ptr("3"), Relation: ptr("rebuttal"), Stance: "favor"},
		},
	}
}

func render(t *testing.T, format string, d digest.Digest, opt Options) string {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "text":
		err = Text(&buf, d, opt)
	case "markdown":
		err = Markdown(&buf, d, opt)
	case "json":
		err = JSON(&buf, d)
	default:
		t.Fatalf("unknown format %q", format)
	}
	if err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.String()
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file, format string
	}{
		{"sample.txt", "text"},
		{"sample.md", "markdown"},
		{"sample.json", "json"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			golden.Check(t, filepath.Join("testdata", tc.file), []byte(render(t, tc.format, sample(), Options{})), *update)
		})
	}
}

func TestTextFitsWidth(t *testing.T) {
	d := sample()
	d.Title = strings.Repeat("A very long title about networks ", 10)
	d.Arguments[0].Label = strings.Repeat("label ", 40)
	d.Arguments[0].Statement = strings.Repeat("x", 100_000)
	d.Rebuttals[0].Author = strings.Repeat("Name", 100)
	for _, width := range []int{0, 60, 80, 120} {
		out := render(t, "text", d, Options{Width: width})
		max := width
		if max == 0 {
			max = 80
		}
		for i, line := range strings.Split(out, "\n") {
			if w := displayWidth(line); w > max {
				t.Errorf("width %d: line %d is %d columns: %q", width, i+1, w, line)
			}
		}
	}
}

func TestTextAligned(t *testing.T) {
	d := sample()
	d.Arguments[1].Label = "能源, 成本" // wide characters take two columns each
	out := render(t, "text", d, Options{})
	// The count columns of the argument rows end in the same column.
	var ends []int
	for _, line := range strings.Split(out, "\n") {
		if (strings.HasPrefix(line, "  1. ") || strings.HasPrefix(line, "  2. ")) && strings.HasSuffix(line, "%") {
			ends = append(ends, displayWidth(line))
		}
	}
	if len(ends) != 2 || ends[0] != ends[1] {
		t.Errorf("argument rows end in columns %v, want two equal", ends)
	}
}

func TestOptionsCap(t *testing.T) {
	d := sample()
	out := render(t, "text", d, Options{MaxArguments: 1, MaxRebuttals: 0})
	if strings.Contains(out, "Ripping out") || !strings.Contains(out, "(1 more argument not shown)") {
		t.Errorf("MaxArguments 1 should show one argument and say one is hidden:\n%s", out)
	}
	md := render(t, "markdown", d, Options{MaxArguments: 1})
	if strings.Contains(md, "Ripping out") || !strings.Contains(md, "1 more argument not shown") {
		t.Errorf("markdown: MaxArguments 1 should show one argument:\n%s", md)
	}
}

// hostile are comment texts written to attack a rendering.
var hostile = []struct{ name, text string }{
	{"script tag", `<script>alert("x")</script>`},
	{"markdown link", `[click here](http://evil.example/x)`},
	{"image", `![x](http://evil.example/p.png)`},
	{"autolink", `<http://evil.example>`},
	{"bare url", `see http://evil.example/a and www.evil.example`},
	{"email", `write to boss@evil.example`},
	{"everyone", `@everyone look`},
	{"here", `hey @here`},
	{"slack channel", `<!channel> and <!here> and <@U024BE7LH>`},
	{"discord mention", `<@123456789012345678> <@&42> <#99>`},
	{"bold", `**bold** and __bold__ and *it* and _it_`},
	{"heading", `# heading`},
	{"table", `| a | b |`},
	{"code", "```go\nrm -rf /\n```"},
	{"html entity", `&lt;b&gt; &amp; &#64;`},
	{"strike", `~~gone~~`},
	{"spoiler", `||secret||`},
	{"ansi", "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J"},
	{"c1 csi", "\u009b31mred"},
	{"bidi", "abc\u202Edcba\u2066x\u2069"},
	{"newlines", "line one\r\n# line two\n\n> quote"},
	{"zalgo", "Z" + strings.Repeat("\u0301", 200) + "algo"},
	{"long word", strings.Repeat("A", 100_000)},
	{"invalid utf8", "bad \xff\xfe bytes"},
	{"nul", "a\x00b"},
}

// hostileDigest places text in every untrusted field of a digest.
func hostileDigest(text string) digest.Digest {
	d := sample()
	d.Title = text
	d.Target = text
	d.Stance.Target = text
	d.Arguments[0].Label = text
	d.Arguments[0].Statement = text
	d.Arguments[0].Quote.Author = text
	d.Arguments[0].Quote.CommentID = text
	d.Rebuttals[0].Author = text
	d.Rebuttals[0].ParentAuthor = text
	d.Rebuttals[0].Excerpt = text
	d.Rebuttals[0].ParentExcerpt = text
	d.Stance.FavorQuote.Text = text
	d.Stance.FavorQuote.Author = text
	d.Stance.AgainstQuote.Text = text
	d.Context = &digest.Context{NewComments: 2, TotalComments: 9, Lean: text}
	d.Engine = &digest.Engine{Name: digest.EngineLLM, Model: text, ModelComments: 7, OfflineComments: 2, Reason: text}
	return d
}

func TestTextHostileIsInert(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			out := render(t, "text", hostileDigest(h.text), Options{})
			if !utf8.ValidString(out) {
				t.Fatal("output is not valid UTF-8")
			}
			for _, r := range out {
				switch {
				case r == '\n':
				case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
					t.Fatalf("control character %U in output", r)
				case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
					t.Fatalf("direction override %U in output", r)
				}
			}
			for i, line := range strings.Split(out, "\n") {
				if w := displayWidth(line); w > 80 {
					t.Fatalf("line %d is %d columns", i+1, w)
				}
			}
			if n := longestMarkRun(out); n > maxMarks {
				t.Errorf("%d combining marks pile up on one character", n)
			}
		})
	}
}

// unescaped reports the first markup character in md that is not preceded by
// a backslash, ignoring the markup the renderer itself writes.
func unescapedIn(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '>', '[', ']', '(', ')', '*', '_', '`', '#', '|', '~', '&', '@', '$', '^':
			if i == 0 || s[i-1] != '\\' {
				return s[max(0, i-10):min(len(s), i+10)], true
			}
		case ':':
			if strings.HasPrefix(s[i+1:], "//") && (i == 0 || s[i-1] != '\\') {
				return s[max(0, i-10):min(len(s), i+10)], true
			}
		}
		if s[i] == '\\' && i+1 < len(s) {
			i++ // skip the escaped character
		}
	}
	return "", false
}

func TestEscapeMarkdown(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			got := EscapeMarkdown(h.text)
			if strings.ContainsAny(got, "\n\r") {
				t.Fatalf("line break survives: %q", got)
			}
			if frag, bad := unescapedIn(got); bad {
				t.Fatalf("unescaped markup near %q in %q", frag, got)
			}
			if strings.Contains(strings.ToLower(got), "www.") {
				t.Fatalf("www. autolink survives: %q", got)
			}
			// Removing the escapes gives back the inert text, character for
			// character: escaping hides nothing from the reader.
			if back := unescapeMarkdown(got); back != inert(h.text) {
				t.Fatalf("unescaped %q, want %q", back, inert(h.text))
			}
		})
	}
}

// unescapeMarkdown removes CommonMark backslash escapes.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestMarkdownHostileIsInert(t *testing.T) {
	// Sentinels mark where the hostile text lands, so that the check looks at
	// it and not at the markup the renderer writes around it.
	const open, close = "⟦", "⟧"
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			out := render(t, "markdown", hostileDigest(open+h.text+close), Options{})
			if !utf8.ValidString(out) {
				t.Fatal("output is not valid UTF-8")
			}
			found := 0
			for i, line := range strings.Split(out, "\n") {
				for _, seg := range strings.Split(line, open)[1:] {
					found++
					if j := strings.Index(seg, close); j >= 0 {
						seg = seg[:j]
					} else if j := strings.Index(seg, "…"); j >= 0 {
						seg = seg[:j]
					} else {
						t.Fatalf("line %d: hostile text runs to the end of the line unclosed: %s", i+1, line)
					}
					if frag, bad := unescapedIn(seg); bad {
						t.Fatalf("line %d: unescaped markup near %q\n%s", i+1, frag, line)
					}
					if strings.Contains(strings.ToLower(seg), "www.") {
						t.Fatalf("line %d: www. autolink survives: %s", i+1, line)
					}
				}
			}
			if found < 10 {
				t.Errorf("hostile text shows up %d times, want every untrusted field (10 or more)", found)
			}
			if n := longestMarkRun(out); n > maxMarks {
				t.Errorf("%d combining marks pile up on one character", n)
			}
		})
	}
}

func TestJSONKeepsTextVerbatim(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			d := hostileDigest(h.text)
			out := render(t, "json", d, Options{})
			if strings.ContainsAny(out, "<>&") {
				t.Error("JSON output holds a raw <, > or &")
			}
			var back digest.Digest
			if err := json.Unmarshal([]byte(out), &back); err != nil {
				t.Fatal(err)
			}
			want := jsonValid(h.text)
			if back.Arguments[0].Statement != want || back.Rebuttals[0].Excerpt != want {
				t.Errorf("text did not survive the round trip verbatim")
			}
		})
	}
}

func TestJSONArraysNeverNull(t *testing.T) {
	d := digest.Digest{Comments: []digest.CommentResult{{ID: "1", Stance: "none"}},
		Arguments: []digest.Argument{{ID: 1}}}
	out := render(t, "json", d, Options{})
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"arguments", "rebuttals", "regions", "comments"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s is %v, want an array", k, m[k])
		}
	}
	if _, ok := m["comments"].([]any)[0].(map[string]any)["arguments"].([]any); !ok {
		t.Error("comments[0].arguments is not an array")
	}
	if _, ok := m["arguments"].([]any)[0].(map[string]any)["comment_ids"].([]any); !ok {
		t.Error("arguments[0].comment_ids is not an array")
	}
	if d.Comments[0].Arguments != nil || d.Arguments[0].CommentIDs != nil {
		t.Error("JSON changed the caller's digest")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	d := sample()
	var back digest.Digest
	if err := json.Unmarshal([]byte(render(t, "json", d, Options{})), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(withArrays(d), back) {
		t.Errorf("round trip changed the digest:\n got %+v\nwant %+v", back, d)
	}
}

func TestEmptyDigest(t *testing.T) {
	for _, format := range []string{"text", "markdown", "json"} {
		out := render(t, format, digest.Digest{}, Options{})
		if out == "" {
			t.Errorf("%s: empty output", format)
		}
	}
	out := render(t, "text", digest.Digest{}, Options{})
	for _, want := range []string{"Untitled thread", "0 comments by 0 commenters", "No argument", "No reply", "no target found", "No commenters."} {
		if !strings.Contains(out, want) {
			t.Errorf("text of an empty digest lacks %q:\n%s", want, out)
		}
	}
}

func TestContextLine(t *testing.T) {
	d := sample()
	d.Context = &digest.Context{NewComments: 3, NewCommenters: 3, TotalComments: 9, TotalCommenters: 7,
		Lean: "the new comments lean more against Huawei than the thread so far"}
	want := "3 new comments, 9 in all; the new comments lean more against Huawei than the thread so far."
	if out := render(t, "text", d, Options{Width: 120}); !strings.Contains(out, want) {
		t.Errorf("text lacks %q:\n%s", want, out)
	}
	if out := render(t, "markdown", d, Options{}); !strings.Contains(out, "3 new comments, 9 in all; the new comments lean more against Huawei than the thread so far.") {
		t.Errorf("markdown lacks the context line:\n%s", out)
	}
}

// TestSplit checks the shares of a split as the renderings show them: they
// add up to 100, and a count above zero never shows as 0%.
func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		counts []int
		want   string
	}{
		{[]int{1, 1, 1}, "34% 33% 33%"}, {[]int{1, 2, 0}, "33% 67% 0%"}, {[]int{1, 999, 0}, "1% 99% 0%"},
		{[]int{5, 0, 0}, "100% 0% 0%"}, {[]int{0, 0, 0}, "– – –"},
	} {
		if got := strings.Join(split(tc.counts...), " "); got != tc.want {
			t.Errorf("split(%v) = %q, want %q", tc.counts, got, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in   string
		w    int
		want []string
	}{
		{"one two three", 7, []string{"one two", "three"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"", 5, []string{""}},
		{"日本語のテキスト", 6, []string{"日本語", "のテキ", "スト"}},
	} {
		if got := wrap(tc.in, tc.w); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
	}
}

// jsonValid is s as encoding/json writes it: each invalid byte as U+FFFD.
func jsonValid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// longestMarkRun is the longest run of combining marks in s.
func longestMarkRun(s string) int {
	longest, run := 0, 0
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// bigDigest is a digest of n comments shaped like a real one: ten arguments,
// ten rebuttals, every region, one result per comment.
func bigDigest(n int) digest.Digest {
	d := sample()
	d.CommentCount, d.CommenterCount = n, n*3/4
	d.Arguments = nil
	for i := 1; i <= 10; i++ {
		a := sample().Arguments[i%2]
		a.ID = i
		a.CommentIDs = nil
		for j := i; j < n; j += 10 + i {
			a.CommentIDs = append(a.CommentIDs, strconv.Itoa(j))
		}
		a.Commenters = len(a.CommentIDs)
		a.Share = float64(a.Commenters) / float64(d.CommenterCount)
		d.Arguments = append(d.Arguments, a)
	}
	for i := 0; i < 10; i++ {
		d.Rebuttals = append(d.Rebuttals, sample().Rebuttals[0])
	}
	d.Regions = nil
	for _, r := range geo.Regions() {
		d.Regions = append(d.Regions, digest.Region{Region: r, Commenters: d.CommenterCount / 9, Favor: d.CommenterCount / 27, TopArgument: ptr(1)})
	}
	d.Comments = make([]digest.CommentResult, n)
	for i := range d.Comments {
		c := sample().Comments[i%2]
		c.ID = strconv.Itoa(i + 1)
		d.Comments[i] = c
	}
	return d
}

func BenchmarkText(b *testing.B) {
	d := bigDigest(10_000)
	for b.Loop() {
		if err := Text(io.Discard, d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarkdown(b *testing.B) {
	d := bigDigest(10_000)
	for b.Loop() {
		if err := Markdown(io.Discard, d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSON10k writes the JSON of a 10,000-comment digest, most of it the
// per-comment results.
func BenchmarkJSON10k(b *testing.B) {
	d := bigDigest(10_000)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := JSON(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/op-output")
}

// FuzzRender puts arbitrary text in every untrusted field and checks that
// no rendering panics, Text stays inert and within its width, Markdown
// leaves no markup unescaped, and JSON stays valid.
func FuzzRender(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		const open, close = "⟦", "⟧"
		d := hostileDigest(open + text + close)
		out := render(t, "text", d, Options{})
		for i, line := range strings.Split(out, "\n") {
			if w := displayWidth(line); w > 80 {
				t.Fatalf("text line %d is %d columns", i+1, w)
			}
			for _, r := range line {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
					t.Fatalf("text line %d holds %U", i+1, r)
				}
			}
		}
		md := render(t, "markdown", d, Options{})
		for i, line := range strings.Split(md, "\n") {
			for _, seg := range strings.Split(line, open)[1:] {
				if j := strings.Index(seg, close); j >= 0 {
					seg = seg[:j]
				} else if j := strings.LastIndex(seg, "…"); j >= 0 {
					seg = seg[:j]
				}
				if frag, bad := unescapedIn(seg); bad {
					t.Fatalf("markdown line %d: unescaped markup near %q", i+1, frag)
				}
			}
		}
		if !json.Valid([]byte(render(t, "json", d, Options{}))) {
			t.Fatal("JSON output is not valid JSON")
		}
	})
}

func TestEngineFooter(t *testing.T) {
	d := sample()
	for _, format := range []string{"text", "markdown", "json"} {
		if out := render(t, format, d, Options{}); strings.Contains(out, "Labels:") || strings.Contains(out, `"engine"`) {
			t.Errorf("%s: a digest of the offline analysis alone shows an engine:\n%s", format, out)
		}
	}
	d.Engine = &digest.Engine{Name: digest.EngineLLM, Model: "llama3.1:8b", ModelComments: 7, OfflineComments: 2,
		Reason: "the model's answer was cut short", Tokens: 1234, Cost: 0.0021}
	want := d.Engine.Footer()
	text := render(t, "text", d, Options{})
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var tail []string
	for i := len(lines) - 1; i >= 0 && lines[i] != ""; i-- {
		tail = append([]string{lines[i]}, tail...)
	}
	if got := strings.Join(tail, " "); got != want {
		t.Errorf("text ends with %q; want the footer %q", got, want)
	}
	md := render(t, "markdown", d, Options{})
	if !strings.HasSuffix(md, "---\n\n"+EscapeMarkdown(want)+"\n") {
		t.Errorf("markdown does not end with the footer:\n%s", md)
	}
	var back struct {
		Engine digest.Engine `json:"engine"`
	}
	if err := json.Unmarshal([]byte(render(t, "json", d, Options{})), &back); err != nil || back.Engine != *d.Engine {
		t.Errorf("json engine = %+v, %v; want %+v", back.Engine, err, *d.Engine)
	}
}

// TestMarkdownCommentLinks checks that a quote links to its comment only
// through an http(s) URL, percent-encoded where it could end the link, and
// that any other URL leaves the plain reference.
func TestMarkdownCommentLinks(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://news.example/c/3", "— **Jan de Vries** ([\\#3](https://news.example/c/3))"},
		{"https://en.example/wiki/Huawei_(company)#c-3", "— **Jan de Vries** ([\\#3](https://en.example/wiki/Huawei_%28company%29#c-3))"},
		{"https://x.example/a'b\"c", "— **Jan de Vries** ([\\#3](https://x.example/a%27b%22c))"},
		{"javascript:alert(1)", "— **Jan de Vries** (\\#3)"},
		{"data:text/html,<script>", "— **Jan de Vries** (\\#3)"},
		{"https://user:pw@x.example/", "— **Jan de Vries** (\\#3)"},
		{"https://x.example/a b", "— **Jan de Vries** (\\#3)"},
		{"https://x.example/a\n# heading", "— **Jan de Vries** (\\#3)"},
		{"//x.example/c/3", "— **Jan de Vries** (\\#3)"},
		{"", "— **Jan de Vries** (\\#3)"},
	} {
		d := sample()
		d.Arguments = d.Arguments[:1]
		d.Arguments[0].Quote.URL = tc.url
		md := render(t, "markdown", d, Options{})
		if !strings.Contains(md, "> "+tc.want+"\n") {
			t.Errorf("URL %q: the quote's line is not %q:\n%s", tc.url, tc.want, md)
		}
	}
}

// TestSharesNote: where the arguments' shares add up past 100% (a commenter
// makes several), the text and Markdown say so under the list, and only
// then.
func TestSharesNote(t *testing.T) {
	const note = "a commenter may make several arguments"
	d := sample()
	for _, format := range []string{"text", "markdown"} {
		if out := render(t, format, d, Options{}); strings.Contains(out, note) {
			t.Errorf("%s: shares add up to 6 of 7 commenters, yet the note is shown:\n%s", format, out)
		}
	}
	d.Arguments[1].Commenters, d.Arguments[1].Share = 4, 4.0/7
	for _, format := range []string{"text", "markdown"} {
		out := render(t, format, d, Options{})
		if !strings.Contains(strings.ReplaceAll(out, "\n  ", " "), note) {
			t.Errorf("%s: shares add up to 8 of 7 commenters, yet no note:\n%s", format, out)
		}
		if i, j := strings.Index(out, "Ripping out"), strings.Index(out, "more than 100%"); j < i {
			t.Errorf("%s: the note should follow the arguments:\n%s", format, out)
		}
	}
	// Only the arguments shown count.
	if out := render(t, "text", d, Options{MaxArguments: 1}); strings.Contains(out, note) {
		t.Errorf("one argument shown, yet the note:\n%s", out)
	}
}
