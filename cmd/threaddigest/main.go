// Command threaddigest reads a discussion thread and says what it is saying:
// the dominant arguments, the notable rebuttals, the stance toward its subject
// and how that differs by region. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Args[1:], Env{
		Getenv: os.Getenv,
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// Env is what a run of the command sees of its process, so that tests can run
// it in-process with their own streams and environment.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand: it parses its own flags from args.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, env Env) error
}

// commands lists the subcommands. Each lives in the file named after it.
func commands() map[string]command {
	return map[string]command{
		"digest":       {summary: "digest a thread from a file: arguments, rebuttals, stance, regions", run: runDigest},
		"eval":         {summary: "measure the analysis against the labelled data sets in ../shared/data", run: runEval},
		"serve":        {summary: "run the digest service: scheduled digests, /thread commands, /healthz, /metrics", run: runServe},
		"check-config": {summary: "check a service configuration file, naming the line of each problem", run: runCheckConfig},
		"locate":       {summary: "read free-text locations into places and regions, for tuning data", run: runLocate},
		"discord":      {summary: "register the /thread command with Discord; print the bot's invite link", run: runDiscord},
		"version":      {summary: "print the version, the licence and the credits of the embedded data", run: runVersion},
		"migrate":      {summary: "bring the store's schema up to date; --dry-run shows the pending migrations", run: runMigrate},
		"prune":        {summary: "delete what [store.retention] no longer keeps; --dry-run says what it would", run: runPrune},
		"resume":       {summary: "poll quiet threads again", run: runResume},
		"healthcheck":  {summary: "ask a running serve for /healthz; exit 0 when healthy (the container's HEALTHCHECK)", run: runHealthcheck},
	}
}

// usageError is a mistake in how the command was called; it exits with 2.
// cmd names the command whose help page explains the right way (Run sets
// it); "" points to the general help.
type usageError struct{ msg, cmd string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// errHelp is returned when help was asked for and printed: exit status 0.
var errHelp = errors.New("help requested")

// Run runs threaddigest with the arguments after the program name.
func Run(ctx context.Context, args []string, env Env) error {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	cmds := commands()
	if len(args) == 0 {
		return usagef("no command given; the commands are %s", strings.Join(commandNames(cmds), ", "))
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) == 1 {
			printUsage(env.Stdout, cmds)
			return nil
		}
		// "threaddigest help digest" is "threaddigest digest --help".
		if len(args) > 2 {
			return usagef("help takes one command, got %q", strings.Join(args[1:], " "))
		}
		if _, ok := cmds[args[1]]; !ok {
			return usagef("help: unknown command %q; the commands are %s", args[1], strings.Join(commandNames(cmds), ", "))
		}
		args = []string{args[1], "--help"}
	case "-version", "--version":
		args = append([]string{"version"}, args[1:]...)
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return usagef("unknown command %q; the commands are %s", args[0], strings.Join(commandNames(cmds), ", "))
	}
	err := cmd.run(ctx, args[1:], env)
	if errors.Is(err, errHelp) {
		return nil
	}
	var ue *usageError
	if errors.As(err, &ue) && ue.cmd == "" {
		ue.cmd = args[0]
	}
	return err
}

// commandNames lists the commands in order.
func commandNames(cmds map[string]command) []string {
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func printUsage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "threaddigest: what a discussion thread is saying, by argument, stance and region.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: threaddigest COMMAND [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, name := range commandNames(cmds) {
		fmt.Fprintf(w, "  %-14s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'threaddigest help COMMAND' (or 'threaddigest COMMAND --help') for a command's flags.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, exitStatus)
}

// exitStatus is what every help page says of the exit status.
const exitStatus = "Exit status: 0 on success, 1 on an error, 2 on a usage error (a wrong flag, value or argument)."

// exitCode maps Run's error to the process exit status: 0 success, 2 usage
// error, 1 anything else. It prints the error; a usage error, in one line,
// with the help page to read.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "threaddigest:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.cmd != "" {
			fmt.Fprintf(stderr, "see 'threaddigest help %s'\n", ue.cmd)
		} else {
			fmt.Fprintln(stderr, "see 'threaddigest help'")
		}
		return 2
	}
	return 1
}
