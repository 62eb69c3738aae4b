// Package eval measures the analysis against the labelled data sets in
// ../shared/data: reply links recovered from text, stance toward a target,
// arguments against the IBM ArgKP key points, and regions of free-text
// locations. Each figure is printed beside a trivial baseline (no links, the
// majority class, one cluster) so that it means something.
//
// The data sets are not part of the project; Run says which are absent and
// measures what is there.
package eval

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
)

// Options configure a run.
type Options struct {
	// Locator resolves locations for the regions row; nil leaves that row
	// unmeasured with a note.
	Locator digest.Locator
	// Only, when not empty, runs only the tasks whose name it holds
	// ("replies", "stance", "arguments", "regions", "labelled").
	Only map[string]bool
	// Analyze digests the labelled threads; nil is digest.Analyze. Another
	// engine (the language model, digest/llm) is measured by giving its own.
	Analyze func(threaddigest.Thread, digest.Options) digest.Digest
}

// Row is one line of the table: a figure and its baseline.
type Row struct {
	Task     string
	Data     string
	Metric   string
	Value    string
	Baseline string
	N        int
}

// Table is the result of a run.
type Table struct {
	Rows []Row
	// Notes say what was absent or how a row was counted.
	Notes []string
}

// Run measures every task on the data sets under dir.
func Run(dir string, opt Options) (*Table, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("data folder %s is absent: the evaluation needs ../shared/data (see its README)", dir)
	}
	t := &Table{}
	tasks := []struct {
		name string
		run  func(dir string, opt Options, t *Table) error
	}{
		{"replies", evalReplies},
		{"stance", evalStance},
		{"arguments", evalArguments},
		{"regions", evalRegions},
		{"labelled", evalLabelled},
	}
	for _, task := range tasks {
		if len(opt.Only) > 0 && !opt.Only[task.name] {
			continue
		}
		if err := task.run(dir, opt, t); err != nil {
			return t, fmt.Errorf("%s: %w", task.name, err)
		}
	}
	return t, nil
}

// absent records a data set that is not there.
func (t *Table) absent(path string) {
	t.Notes = append(t.Notes, fmt.Sprintf("skipped: %s is absent", path))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Write prints the table and its notes as aligned plain text.
func (t *Table) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "task\tdata\tmetric\tthreaddigest\tbaseline\tn")
	for _, r := range t.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", r.Task, r.Data, r.Metric, r.Value, r.Baseline, r.N)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range t.Notes {
		if _, err := fmt.Fprintln(w, "note:", n); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown prints the table as a Markdown table, for docs.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| task | data | metric | threaddigest | baseline | n |\n|---|---|---|---|---|---|\n")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d |\n", r.Task, r.Data, r.Metric, r.Value, r.Baseline, r.N)
	}
	for _, n := range t.Notes {
		fmt.Fprintf(&b, "\n- %s", n)
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func join(dir string, elem ...string) string {
	return filepath.Join(append([]string{dir}, elem...)...)
}

func f3(x float64) string {
	if x > -0.0005 && x < 0.0005 {
		x = 0 // no "-0.000"
	}
	return fmt.Sprintf("%.3f", x)
}
