package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/render"
)

// maxListed caps the problems and thread ids a message lists one by one.
const maxListed = 10

const digestUsage = `Usage: threaddigest digest [flags] FILE

Reads the comment thread in FILE (- reads standard input) and says what it is
saying: the dominant arguments and how many commenters make each, the notable
rebuttals, the stance toward the thread's subject, and the split by region.

FILE is in the comment-page text format, JSON Lines or CSV (see README, "Input
formats"); the format is detected from the content.

Flags (they may come before or after FILE):
  --format text|markdown|json
        how to write the digest: text for a terminal (default), markdown for a
        document or chat, json for programs (fields in README, "Output")
  --target TEXT
        the subject stance is measured toward, e.g. --target Huawei; by default
        it is found from the thread's title and comments
  --input-format auto|page|jsonl|csv
        the format of FILE; auto (default) detects it from the content
  --map FIELD=NAME,...
        where a CSV or JSON Lines file keeps each field, for exports that name
        fields their own way, e.g. --map id=tweet_id,body=text,thread=thread_id.
        Fields: id, parent_id, author, author_id, location, body, created_at,
        likes, thread, title, deleted
  --thread ID
        the thread to digest when FILE holds several (CSV articleID or the
        mapped thread field); the error without it lists the ids
  --home CC
        the country (ISO 3166-1 alpha-2, default US) that ambiguous locations
        lean toward: with US "Georgia" is the state, with --home GB the country
  --max-arguments N
        report at most N arguments (default: the analysis's own cap)
  --max-rebuttals N
        report at most N rebuttals (default: the analysis's own cap)
  --width N
        the width of text output in columns (default 80, at least 60)
  --chart FILE.png
        also draw the stance split by region as a PNG chart into FILE.png
` + engineUsage + `
Exit status: 0 on success, 2 on a usage error, 1 on any other error. Records
that cannot be read are skipped with a warning on standard error that counts
them and says where they are; the rest are digested.
`

// digestFlags are the parsed flags of the digest command.
type digestFlags struct {
	format       string
	target       string
	inputFormat  input.Format
	fieldMap     map[string]string
	thread       string
	threadSet    bool
	home         string
	maxArguments int
	maxRebuttals int
	width        int
	chart        string
	file         string
	engineFlags
	// chartDate dates the chart's source line: a page file's date line;
	// zero lets the chart use the latest comment's time. Set by readThread.
	chartDate time.Time
}

func parseDigestFlags(args []string, stdout io.Writer) (*digestFlags, error) {
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var (
		f           digestFlags
		inputFormat string
		mapping     string
	)
	fs.StringVar(&f.format, "format", "text", "text, markdown or json")
	fs.StringVar(&f.target, "target", "", "the subject stance is measured toward")
	fs.StringVar(&inputFormat, "input-format", "auto", "auto, page, jsonl or csv")
	fs.StringVar(&mapping, "map", "", "field mapping FIELD=NAME,...")
	fs.StringVar(&f.thread, "thread", "", "the thread to digest")
	fs.StringVar(&f.home, "home", "US", "home country for locations")
	fs.IntVar(&f.maxArguments, "max-arguments", 0, "report at most N arguments")
	fs.IntVar(&f.maxRebuttals, "max-rebuttals", 0, "report at most N rebuttals")
	fs.IntVar(&f.width, "width", 0, "text width in columns")
	fs.StringVar(&f.chart, "chart", "", "also write the regional split chart to this PNG file")
	f.engineFlags.register(fs)

	files, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, flagError(fs, digestUsage, Env{Stdout: stdout}, err)
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "thread" {
			f.threadSet = true
		}
	})
	switch len(files) {
	case 0:
		return nil, usagef("digest: no FILE given (use - to read standard input)")
	case 1:
		f.file = files[0]
	default:
		return nil, usagef("digest: one FILE at a time, got %d: %s", len(files), strings.Join(files, " "))
	}
	switch f.format {
	case "text", "markdown", "json":
	case "md":
		f.format = "markdown"
	default:
		return nil, usagef("digest: --format %q: expected text, markdown or json", f.format)
	}
	if f.inputFormat, err = input.ParseFormat(inputFormat); err != nil {
		return nil, usagef("digest: --input-format: %v", err)
	}
	if mapping != "" {
		if f.fieldMap, err = input.ParseMap(mapping); err != nil {
			return nil, usagef("digest: --map: %v", err)
		}
	}
	if f.threadSet && strings.TrimSpace(f.thread) == "" {
		return nil, usagef("digest: --thread needs a thread id")
	}
	home := strings.ToUpper(strings.TrimSpace(f.home))
	if len(home) != 2 || home[0] < 'A' || home[0] > 'Z' || home[1] < 'A' || home[1] > 'Z' {
		return nil, usagef("digest: --home %q: expected a two-letter country code such as US, CA or GB", f.home)
	}
	f.home = home
	for _, n := range []struct {
		name string
		v    int
	}{{"max-arguments", f.maxArguments}, {"max-rebuttals", f.maxRebuttals}, {"width", f.width}} {
		if n.v < 0 {
			return nil, usagef("digest: --%s %d: expected a number of 0 or more", n.name, n.v)
		}
	}
	if f.width != 0 && f.width < render.MinWidth {
		return nil, usagef("digest: --width %d: expected at least %d columns", f.width, render.MinWidth)
	}
	if err := f.engineFlags.check("digest"); err != nil {
		return nil, err
	}
	return &f, nil
}

// parseInterspersed parses flags that may come before and after the
// positional arguments, as in "digest FILE --format json". Everything after
// "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func runDigest(ctx context.Context, args []string, env Env) error {
	f, err := parseDigestFlags(args, env.Stdout)
	if err != nil {
		return err
	}
	engine, err := f.newEngine(env)
	if err != nil {
		return err
	}
	// The gazetteer loads on another core while the thread is read (tens of
	// milliseconds, a tenth of the budget for 10,000 comments).
	type loaded struct {
		resolver *geo.Resolver
		err      error
	}
	gazetteer := make(chan loaded, 1)
	go func() {
		r, err := geo.NewResolver(geo.Options{Home: f.home})
		gazetteer <- loaded{r, err}
	}()
	thread, live, err := fetchLive(ctx, f.file, env)
	if !live {
		thread, err = readThread(f, env)
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	g := <-gazetteer
	if errors.Is(g.err, geo.ErrUnknownCountry) {
		return usagef("digest: --home %q: %v", f.home, geo.ErrUnknownCountry)
	}
	if g.err != nil {
		return fmt.Errorf("loading the location gazetteer: %w", g.err)
	}
	return writeDigest(env.Stdout, analyzeWith(ctx, engine, thread, digestOptions(f, g.resolver), env.Stderr), f)
}

// digestOptions are the analysis options the flags ask for.
func digestOptions(f *digestFlags, loc digest.Locator) digest.Options {
	return digest.Options{
		Target:       f.target,
		Locator:      loc,
		MaxArguments: f.maxArguments,
		MaxRebuttals: f.maxRebuttals,
	}
}

// readThread reads FILE and picks the thread to digest, warning on standard
// error about the records it skipped.
func readThread(f *digestFlags, env Env) (threaddigest.Thread, error) {
	var (
		r    io.Reader
		name string
	)
	if f.file == "-" {
		r, name = env.Stdin, "stdin"
	} else {
		file, err := os.Open(f.file)
		if err != nil {
			return threaddigest.Thread{}, fmt.Errorf("reading the thread: %w", err)
		}
		defer file.Close()
		r, name = file, f.file
	}
	res, err := input.Read(r, name, input.Options{Format: f.inputFormat, Map: f.fieldMap})
	var onPage *input.MapOnPageError
	if errors.As(err, &onPage) {
		return threaddigest.Thread{}, usagef("digest: --map: %v", err)
	}
	if err != nil {
		return threaddigest.Thread{}, err
	}
	thread, err := pickThread(res, name, f)
	if err != nil {
		return threaddigest.Thread{}, err
	}
	// Warn about what was left out only once the thread is chosen, counting
	// all records the file's read skipped (a skipped record's thread is not
	// always known).
	warnProblems(env.Stderr, name, res)
	// A page's date line dates the chart's source line.
	f.chartDate = res.Date
	return thread, nil
}

// pickThread chooses the thread --thread names, or the only one.
func pickThread(res *input.Result, name string, f *digestFlags) (threaddigest.Thread, error) {
	if !f.threadSet {
		if len(res.Threads) == 1 {
			return res.Threads[0], nil
		}
		return threaddigest.Thread{}, usagef("%s holds %d threads: choose one with --thread ID; %s", name, len(res.Threads), listThreads(res.Threads))
	}
	for _, t := range res.Threads {
		if t.ID == f.thread {
			return t, nil
		}
	}
	if len(res.Threads) == 1 && res.Threads[0].ID == "" {
		return threaddigest.Thread{}, usagef("%s holds a single thread without an id: --thread %q applies only to files with several threads", name, f.thread)
	}
	return threaddigest.Thread{}, usagef("%s has no thread %q; %s", name, f.thread, listThreads(res.Threads))
}

// listThreads names the threads of a file with their sizes, the first
// maxListed of them.
func listThreads(threads []threaddigest.Thread) string {
	var b strings.Builder
	b.WriteString("its thread ids are: ")
	for i, t := range threads {
		if i == maxListed {
			fmt.Fprintf(&b, " and %d more", len(threads)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		id := t.ID
		if id == "" {
			id = `""`
		}
		fmt.Fprintf(&b, "%s (%s)", id, countNoun(len(t.Comments), "comment", "comments"))
	}
	return b.String()
}

// warnProblems writes one warning counting the records the read skipped and
// one for the problems that cost no comment, each listing the first few
// places.
func warnProblems(w io.Writer, name string, res *input.Result) {
	if n := len(res.Skipped); n > 0 {
		fmt.Fprintf(w, "threaddigest: warning: %s: skipped %s that could not be read (%d read):\n",
			name, countNoun(n, "record", "records"), res.Comments())
		listProblems(w, res.Skipped)
	}
	if n := len(res.Warnings); n > 0 {
		fmt.Fprintf(w, "threaddigest: warning: %s: %s (no comment lost):\n", name, countNoun(n, "problem", "problems"))
		listProblems(w, res.Warnings)
	}
}

func listProblems(w io.Writer, problems []input.Problem) {
	for i := range problems {
		if i == maxListed {
			fmt.Fprintf(w, "  … and %d more\n", len(problems)-maxListed)
			return
		}
		fmt.Fprintf(w, "  %s\n", problems[i].Error())
	}
}

func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func writeDigest(w io.Writer, d digest.Digest, f *digestFlags) error {
	bw := bufio.NewWriter(w)
	var err error
	switch f.format {
	case "json":
		err = render.JSON(bw, d)
	case "markdown":
		err = render.Markdown(bw, d, render.Options{Width: f.width})
	default:
		err = render.Text(bw, d, render.Options{Width: f.width})
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("writing the digest: %w", err)
	}
	if f.chart != "" {
		return writeChart(f.chart, d, f.chartDate)
	}
	return nil
}
