package discord

import (
	"os"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// exampleThread reads the bundled example thread.
func exampleThread(t *testing.T) threaddigest.Thread {
	t.Helper()
	f, err := os.Open("../../examples/huawei-europe.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := input.Read(f, "examples/huawei-europe.txt", input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	th, err := res.Thread("")
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// TestRenderExampleThreadGolden renders the digest of the example thread,
// as the analysis makes it, into testdata/example.golden.json: the embeds a
// channel receives. When the analysis changes, review the diff and rerun
// with -update.
func TestRenderExampleThreadGolden(t *testing.T) {
	th := exampleThread(t)
	d := digest.Analyze(th, digest.Options{Target: "Huawei", MaxArguments: 5})
	msgs := RenderDigest(d, Options{Thread: "huawei-europe", Slot: slot, Chart: []byte("PNG")})
	checkMessages(t, msgs)
	goldenJSON(t, "example.golden.json", toWire(msgs))

	// Every quote shown is verbatim from a comment, as written.
	bodies := make(map[string]string)
	for _, c := range th.Comments {
		bodies[c.ID] = c.Body
	}
	shown := display(strings.Join(texts(msgs), "\n"))
	quotes := []digest.Quote{}
	for _, a := range d.Arguments {
		quotes = append(quotes, a.Quote)
	}
	for _, q := range []*digest.Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			quotes = append(quotes, *q)
		}
	}
	if len(quotes) == 0 {
		t.Fatal("the example digest has no quotes to check")
	}
	for _, q := range quotes {
		if !strings.Contains(bodies[q.CommentID], q.Text) {
			t.Errorf("quote %q is not in comment %s", q.Text, q.CommentID)
		}
		// Line breaks inside a quote are shown as spaces: the layout is ours.
		if !shownVerbatim(shown, textutil.OneLine(q.Text)) {
			t.Errorf("quote %q is not shown verbatim", q.Text)
		}
	}
}

// shownVerbatim reports whether shown holds “text”, or, where the text was
// cut to fit, “a prefix of text…”.
func shownVerbatim(shown, text string) bool {
	if strings.Contains(shown, "“"+text+"”") {
		return true
	}
	for rest := shown; ; {
		i := strings.Index(rest, "“")
		if i < 0 {
			return false
		}
		rest = rest[i+len("“"):]
		end := strings.IndexAny(rest, "”\n")
		if end < 0 {
			end = len(rest)
		}
		q := rest[:end]
		if p, ok := strings.CutSuffix(q, ellipsis); ok && len(p) > 0 && strings.HasPrefix(text, p) {
			return true
		}
	}
}
