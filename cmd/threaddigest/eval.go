package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/eval"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

const evalUsage = `Usage: threaddigest eval [flags]

Measures the analysis against the labelled data sets in ../shared/data and
prints one table, each figure beside a trivial baseline: reply links recovered
from text with the parent ids hidden, stance accuracy and macro-F1, argument
clusters against the IBM ArgKP key points, and regions of hand-labelled
locations. The data sets are not part of the project; where they are absent
the command says so. See docs/evaluation.md.

Flags:
  --data DIR
        the data folder (default: $THREADDIGEST_SHARED_DATA, else
        ../shared/data beside the module root)
  --only TASKS
        measure only these tasks, comma-separated: replies, stance,
        arguments, regions, labelled
  --format text|markdown
        text (default) for a terminal, markdown for docs/evaluation.md
` + engineUsage + `
With --engine llm only the labelled threads are measured (the labelled task),
each digested with the language model's labels; standard error reports each
thread's tokens.
`

func runEval(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	dir := fs.String("data", "", "")
	only := fs.String("only", "", "")
	format := fs.String("format", "text", "")
	var ef engineFlags
	ef.register(fs)
	if err := parseFlags(fs, args, evalUsage, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("eval: unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *format != "text" && *format != "markdown" {
		return usagef("eval: --format %q: expected text or markdown", *format)
	}
	if err := ef.check("eval"); err != nil {
		return err
	}
	opt := eval.Options{Only: map[string]bool{}}
	for _, task := range strings.Split(*only, ",") {
		switch task = strings.TrimSpace(task); task {
		case "":
		case "replies", "stance", "arguments", "regions", "labelled":
			opt.Only[task] = true
		default:
			return usagef("eval: --only: unknown task %q; tasks are replies, stance, arguments, regions, labelled", task)
		}
	}
	engine, err := ef.newEngine(env)
	if err != nil {
		return err
	}
	if engine != nil {
		for task := range opt.Only {
			if task != "labelled" {
				return usagef("eval: --engine llm measures the labelled threads only, not %s", task)
			}
		}
		opt.Only["labelled"] = true
		opt.Analyze = func(t threaddigest.Thread, o digest.Options) digest.Digest {
			return analyzeWith(ctx, engine, t, o, env.Stderr)
		}
	}
	if *dir == "" {
		if d := env.Getenv(shareddata.EnvVar); d != "" {
			*dir = d
		} else {
			d, err := shareddata.Find()
			if err != nil {
				return fmt.Errorf("eval: the data sets are absent (%v); they live in ../shared/data on developer machines, or pass --data DIR", err)
			}
			*dir = d
		}
	}
	if len(opt.Only) == 0 || opt.Only["regions"] {
		resolver, err := geo.NewResolver(geo.Options{})
		if err != nil {
			return fmt.Errorf("eval: loading the location resolver: %w", err)
		}
		opt.Locator = resolver
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	table, err := eval.Run(*dir, opt)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if engine != nil {
		table.Notes = append(table.Notes, fmt.Sprintf("labelled threads digested with labels by the language model %s (comments it could not label: by the offline analysis)", engine.Model()))
	}
	if *format == "markdown" {
		return table.WriteMarkdown(env.Stdout)
	}
	return table.Write(env.Stdout)
}
