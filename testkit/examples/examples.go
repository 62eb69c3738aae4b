// Package examples reads the threads bundled in the repository's examples
// folder, for the tests of every package that renders or posts them.
package examples

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/input"
)

// Path returns the path of examples/name at the module root, found by
// walking up from the working directory (a test's package folder) to go.mod.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "examples", name)
		}
		if filepath.Dir(dir) == dir {
			tb.Fatalf("module root (go.mod) not found above %s", wd)
		}
	}
}

// Thread reads the only thread of examples/name, failing the test when it
// cannot.
func Thread(tb testing.TB, name string) threaddigest.Thread {
	tb.Helper()
	f, err := os.Open(Path(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	res, err := input.Read(f, "examples/"+name, input.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	th, err := res.Thread("")
	if err != nil {
		tb.Fatal(err)
	}
	return th
}

// Quotes returns every quote of d, each argument's and then the stance
// quotes, for a test to find them in what it renders. The test fails when d
// has none, and errs for each that is not verbatim in its comment of th.
func Quotes(tb testing.TB, th threaddigest.Thread, d digest.Digest) []digest.Quote {
	tb.Helper()
	bodies := make(map[string]string, len(th.Comments))
	for _, c := range th.Comments {
		bodies[c.ID] = c.Body
	}
	var quotes []digest.Quote
	for _, a := range d.Arguments {
		quotes = append(quotes, a.Quote)
	}
	for _, q := range []*digest.Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			quotes = append(quotes, *q)
		}
	}
	if len(quotes) == 0 {
		tb.Fatal("the example digest has no quotes to check")
	}
	for _, q := range quotes {
		if !strings.Contains(bodies[q.CommentID], q.Text) {
			tb.Errorf("quote %q is not in comment %s", q.Text, q.CommentID)
		}
	}
	return quotes
}
