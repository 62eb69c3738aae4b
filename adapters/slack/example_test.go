package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"html"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/chart"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/examples"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

var chartOut = flag.String("chart-out", "", "write the example thread's chart to this PNG file")

// exampleDigest analyses the example thread as a scheduled run sees it: the
// last 18 comments are new since the previous digest.
func exampleDigest(t *testing.T) (threaddigest.Thread, digest.Digest) {
	t.Helper()
	th := examples.Thread(t, "huawei-europe.txt")
	r, err := geo.NewResolver(geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newIDs := map[string]bool{}
	for _, c := range th.Comments[len(th.Comments)-18:] {
		newIDs[c.ID] = true
	}
	return th, digest.Analyze(th, digest.Options{Target: "Huawei", Locator: r, New: newIDs})
}

var exampleSlot = time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)

// TestRenderExampleThreadGolden renders the example thread's scheduled
// digest into testdata/example.golden.json: the messages a channel
// receives. The digest is kept beside it (example.digest.json) so that
// changes in the analysis do not move this renderer's golden file; -update
// refreshes both from the current analysis.
func TestRenderExampleThreadGolden(t *testing.T) {
	path := filepath.Join("testdata", "example.digest.json")
	if *update {
		_, d := exampleDigest(t)
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	var d digest.Digest
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	msgs := RenderPost(bot.Post{Thread: "huawei-europe", Digest: d, Slot: exampleSlot, MaxArguments: 5}, PostOptions{ChartNote: true})
	for _, m := range msgs {
		checkLimits(t, m)
		checkInert(t, m)
	}
	checkGolden(t, "example.golden.json", msgs)

	img, err := chart.RegionalSplit(d, chart.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "example-chart.png")
	if *chartOut != "" {
		out = *chartOut
	}
	if err := os.WriteFile(out, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("chart of the example thread: %s", out)
}

// TestRenderExampleThreadAsAnalysed renders the example thread as the
// analysis digests it today: within Slack's limits, inert, and every quote
// and excerpt shown verbatim from its comment.
func TestRenderExampleThreadAsAnalysed(t *testing.T) {
	th, d := exampleDigest(t)
	if d.Context == nil || d.Context.NewComments != 18 || d.Context.TotalComments != len(th.Comments) {
		t.Fatalf("context %+v", d.Context)
	}
	msgs := RenderPost(bot.Post{Thread: "huawei-europe", Digest: d, Slot: exampleSlot}, PostOptions{ChartNote: true})
	var shown strings.Builder
	for _, m := range msgs {
		checkLimits(t, m)
		checkInert(t, m)
		for _, o := range textObjects(t, m) {
			shown.WriteString(html.UnescapeString(o.Text) + "\n")
		}
	}
	for _, q := range examples.Quotes(t, th, d) {
		if !strings.Contains(shown.String(), "“"+strings.TrimSpace(textutil.Clean(q.Text))+"”") {
			t.Errorf("quote %q is not shown verbatim", q.Text)
		}
	}
	for _, r := range d.Rebuttals {
		for _, ex := range []string{r.Excerpt, r.ParentExcerpt} {
			if !strings.Contains(shown.String(), "“"+strings.TrimSpace(textutil.Clean(ex))+"”") {
				t.Errorf("rebuttal excerpt %q is not shown verbatim", ex)
			}
		}
	}
	// The counts shown are the digest's.
	for _, want := range []string{
		textutil.Plural(d.CommentCount, "comment", "comments") + " by " + textutil.Plural(d.CommenterCount, "commenter", "commenters"),
		textutil.Plural(d.Context.NewComments, "new comment", "new comments"),
	} {
		if !strings.Contains(shown.String(), want) {
			t.Errorf("the digest does not show %q", want)
		}
	}
}
