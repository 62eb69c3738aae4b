package eval

import (
	"os"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// TestPrintTable prints the evaluation table over ../shared/data (skipped
// when absent). Run it with -v to see the table.
func TestPrintTable(t *testing.T) {
	dir := shareddata.Dir(t)
	only := map[string]bool{}
	if s := os.Getenv("EVAL_ONLY"); s != "" {
		for _, x := range strings.Split(s, ",") {
			only[x] = true
		}
	}
	tab, err := Run(dir, Options{Only: only})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tab.Write(&b); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
	if len(tab.Rows) == 0 {
		t.Fatal("no figures measured although the data folder is present")
	}
}
