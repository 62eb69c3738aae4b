// Command loadgen sends signed Slack `/thread stance` commands to a running
// `threaddigest serve` at a fixed rate and reports their latency; with -doc it
// writes the figures into docs/performance.md. scripts/loadtest.sh runs it.
//
//	THREADDIGEST_SLACK_SIGNING_SECRET=… loadgen -url http://127.0.0.1:8080 -rate 50 -duration 30s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/threaddigest/threaddigest/testkit/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "base `URL` of threaddigest serve ([http] listen)")
	secretEnv := fs.String("secret-env", "THREADDIGEST_SLACK_SIGNING_SECRET", "environment `variable` holding the Slack signing secret")
	rate := fs.Float64("rate", 50, "commands per second")
	duration := fs.Duration("duration", 30*time.Second, "how long to send commands")
	channel := fs.String("channel", "C0LOADTEST", "Slack channel `id` the commands come from (it must follow the thread)")
	text := fs.String("text", "stance", "the command's text after /thread")
	waitComments := fs.Int("wait-comments", 0, "before the load, wait until the service has stored `N` comments and answers from its cache")
	waitTimeout := fs.Duration("wait-timeout", 15*time.Minute, "how long to wait for -wait-comments")
	budget := fs.Duration("budget", 100*time.Millisecond, "p99 latency budget")
	servePID := fs.Int("serve-pid", 0, "`pid` of threaddigest serve, to report its memory (Linux)")
	doc := fs.String("doc", "", "write the figures into this Markdown `file`'s section \""+strings.TrimPrefix(loadgen.Heading, "## ")+"\"")
	workload := fs.String("workload", "", "a sentence describing the thread, for -doc")
	regen := fs.String("regen", "scripts/loadtest.sh", "the command that regenerates the figures, for -doc")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: loadgen [flags]\n\nSends signed Slack slash commands to threaddigest serve at a fixed rate and reports latency.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	secret := getenv(*secretEnv)
	if secret == "" {
		return fmt.Errorf("no signing secret: set %s (or name another variable with -secret-env)", *secretEnv)
	}
	root := strings.TrimSuffix(*base, "/")
	// Many connections at once, kept alive between commands, as a busy
	// Slack would hold them.
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}
	c := &loadgen.Client{URL: root + "/slack/commands", Secret: secret, HTTP: httpClient}
	cmd := loadgen.DefaultCommand(*channel)
	cmd.Text = *text
	opt := loadgen.Options{Rate: *rate, Duration: *duration, Command: cmd}

	var ready string
	if *waitComments > 0 {
		r, err := waitReady(ctx, c, httpClient, root, cmd, *waitComments, *waitTimeout, stderr)
		if err != nil {
			return err
		}
		ready = r
	}
	before, err := loadgen.Scrape(ctx, httpClient, root+"/metrics")
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "loadgen: %v/s for %v to %s\n", *rate, *duration, c.URL)
	var cpu0 time.Duration
	if *servePID > 0 {
		if cpu0, err = loadgen.ProcessCPU(*servePID); err != nil {
			return fmt.Errorf("serve's CPU time: %w", err)
		}
	}
	psi0, psiOK := loadgen.CPUPressure()
	res, err := loadgen.Run(ctx, c, opt)
	if err != nil {
		return err
	}
	psi1, _ := loadgen.CPUPressure()
	load := loadgen.LoadAverage()
	after, err := loadgen.Scrape(ctx, httpClient, root+"/metrics")
	if err != nil {
		return err
	}
	server := fmt.Sprintf("During the run the service answered %.0f commands from its digest cache and %.0f by computing (%.0f analyses).",
		after.Sum("threaddigest_commands_total", `answered="cache"`)-before.Sum("threaddigest_commands_total", `answered="cache"`),
		after.Sum("threaddigest_commands_total", `answered="full"`)-before.Sum("threaddigest_commands_total", `answered="full"`),
		after.Sum("threaddigest_analyses_total")-before.Sum("threaddigest_analyses_total"))
	if *servePID > 0 {
		if cpu1, err := loadgen.ProcessCPU(*servePID); err == nil && res.Sent > 0 {
			used := cpu1 - cpu0
			server += fmt.Sprintf(" It used %.2f s of CPU for them (%.2f ms a command).", used.Seconds(), used.Seconds()*1000/float64(res.Sent))
		}
		if rss, peak, err := loadgen.ProcessMemory(*servePID); err == nil {
			server += fmt.Sprintf(" Its resident memory was %d MiB after the run, %d MiB at its peak (ingest and analysis included).", rss>>20, peak>>20)
		} else {
			fmt.Fprintln(stderr, "loadgen: serve's memory:", err)
		}
	}
	if load != "" {
		server += "\nThe machine's one-minute load average at the end of the run was " + load
		if psiOK && res.Elapsed > 0 {
			server += fmt.Sprintf(", and some task was waiting for a CPU %.0f%% of the run (Linux CPU pressure)", 100*(psi1-psi0).Seconds()/res.Elapsed.Seconds())
		}
		server += "."
	}
	rep := loadgen.Report{Result: res, Options: opt, Workload: *workload, Ready: ready, Server: server,
		Machine: loadgen.ThisMachine(), Date: time.Now(), Command: *regen, BudgetP99: *budget}
	fmt.Fprintln(stdout, rep.Markdown())
	if *doc != "" {
		old, err := os.ReadFile(*doc)
		if errors.Is(err, os.ErrNotExist) {
			old, err = []byte("# Performance\n"), nil
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(*doc, []byte(loadgen.ReplaceSection(string(old), loadgen.Heading, rep.Markdown())), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "loadgen: wrote the section %q of %s\n", loadgen.Heading, *doc)
	}
	if !rep.Met() {
		return fmt.Errorf("budget missed: p99 %v (budget %v), %d errors of %d commands", res.Percentile(99), *budget, res.Errors, res.Sent)
	}
	return nil
}

// waitReady waits until the service has stored n comments and answers the
// command from its cache, and says how long each took.
func waitReady(ctx context.Context, c *loadgen.Client, hc *http.Client, root string, cmd loadgen.Command, n int, timeout time.Duration, log io.Writer) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	sink, err := loadgen.NewSink()
	if err != nil {
		return "", err
	}
	defer sink.Close()
	var stored time.Duration
	lastSay := time.Time{}
	for seq := 0; ; {
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("the service was not ready within %v: %w", timeout, context.Cause(ctx))
		case <-tick.C:
		}
		m, err := loadgen.Scrape(ctx, hc, root+"/metrics")
		if err != nil {
			// Not listening yet.
			continue
		}
		got := int(m.Sum("threaddigest_comments_ingested_total"))
		if stored == 0 {
			if got < n {
				if time.Since(lastSay) > 10*time.Second {
					fmt.Fprintf(log, "loadgen: %d of %d comments stored after %v\n", got, n, time.Since(start).Round(time.Second))
					lastSay = time.Now()
				}
				continue
			}
			stored = time.Since(start)
			fmt.Fprintf(log, "loadgen: %d comments stored after %v; waiting for the digest cache\n", got, stored.Round(time.Millisecond))
		}
		// A probe that misses the cache starts the analysis (or joins the
		// warm-up already running); its answer goes to a sink, and the
		// next probe is the one that tells.
		seq++
		ack, err := c.Send(ctx, cmd, -seq, sink.URL, "Stance")
		if err != nil {
			return "", fmt.Errorf("probing the command endpoint: %w", err)
		}
		if ack.Answered {
			warm := time.Since(start)
			fmt.Fprintf(log, "loadgen: answered from the cache after %v\n", warm.Round(time.Millisecond))
			return fmt.Sprintf("The service had stored the thread %.1f s after the load generator started waiting for it (just after `serve` started) and answered from its digest cache %.1f s after.",
				stored.Seconds(), warm.Seconds()), nil
		}
	}
}
