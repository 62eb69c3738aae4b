package discord

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/examples"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

func resolver(t *testing.T) *geo.Resolver {
	t.Helper()
	r, err := geo.NewResolver(geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRenderExampleThreadGolden renders the digest of the example thread
// into testdata/example.golden.json: the embeds a channel receives. The
// digest itself is kept beside it (example.digest.json), so that changes in
// the analysis do not move this renderer's golden file; -update refreshes
// both from the current analysis.
func TestRenderExampleThreadGolden(t *testing.T) {
	path := filepath.Join("testdata", "example.digest.json")
	if *update {
		d := digest.Analyze(examples.Thread(t, "huawei-europe.txt"), digest.Options{Target: "Huawei", MaxArguments: 5, Locator: resolver(t)})
		goldenJSON(t, "example.digest.json", d)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	var d digest.Digest
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	msgs := RenderDigest(d, Options{Thread: "huawei-europe", Slot: slot, Chart: []byte("PNG")})
	checkMessages(t, msgs)
	goldenJSON(t, "example.golden.json", toWire(msgs))
}

// TestRenderExampleThreadAsAnalysed renders the example thread as the
// analysis digests it today: within Discord's limits, every quote shown
// verbatim from its comment.
func TestRenderExampleThreadAsAnalysed(t *testing.T) {
	th := examples.Thread(t, "huawei-europe.txt")
	d := digest.Analyze(th, digest.Options{Target: "Huawei", MaxArguments: 5, Locator: resolver(t)})
	msgs := RenderDigest(d, Options{Thread: "huawei-europe", Slot: slot, Chart: []byte("PNG")})
	checkMessages(t, msgs)

	shown := display(strings.Join(texts(msgs), "\n"))
	for _, q := range examples.Quotes(t, th, d) {
		// Line breaks inside a quote are shown as spaces: the layout is ours.
		if !shownVerbatim(shown, textutil.OneLine(q.Text)) {
			t.Errorf("quote %q is not shown verbatim", q.Text)
		}
	}
	for _, r := range d.Rebuttals {
		for _, ex := range []string{r.Excerpt, r.ParentExcerpt} {
			if !shownVerbatim(shown, textutil.OneLine(ex)) {
				t.Errorf("rebuttal excerpt %q is not shown verbatim", ex)
			}
		}
	}
	// The counts shown are the digest's.
	if want := "**" + itoa(d.CommentCount) + " comments** from " + itoa(d.CommenterCount) + " commenters"; !strings.Contains(shown, display(want)) {
		t.Errorf("overview lacks %q", want)
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
