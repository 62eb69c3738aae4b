// Command threadgen writes a synthetic comment thread of any size, made from
// the real threads in ../shared/data, for benchmarks and performance runs:
//
//	go run ./cmd/threadgen -n 100000 -format jsonl -o /tmp/t100k.jsonl
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/testkit/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "threadgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("threadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "number of comments")
	format := fs.String("format", "jsonl", "output format: jsonl (with parent ids) or page (replies by @Name only)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same thread")
	data := fs.String("data", "", "shared data folder (default: ../shared/data beside the module root)")
	out := fs.String("o", "-", "output file, - for standard output")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: threadgen [-n N] [-format jsonl|page] [-seed S] [-data DIR] [-o FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("-n must be at least 1, got %d", *n)
	}
	dir := *data
	if dir == "" {
		d, err := shareddata.Find()
		if err != nil {
			return fmt.Errorf("finding the shared data (pass -data): %w", err)
		}
		dir = d
	}
	corpus, err := synth.LoadCorpus(dir)
	if err != nil {
		return err
	}
	t := synth.Generate(corpus, synth.Options{Comments: *n, Seed: *seed})

	w := stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	switch *format {
	case "jsonl":
		err = synth.WriteJSONL(bw, t)
	case "page":
		err = synth.WritePage(bw, t)
	default:
		return fmt.Errorf("-format must be jsonl or page, got %q", *format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}
