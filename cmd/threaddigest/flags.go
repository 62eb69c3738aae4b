package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/threaddigest/threaddigest/config"
)

// Every command parses its flags through parseFlags, so that they all
// behave alike: a flag is written --name (-name is accepted too, as the flag
// package reads both), a mistake is one line and a pointer to the help page
// ("see 'threaddigest help digest'", added by Run), and --help prints the
// page to standard output.

// parseFlags parses args with fs quietly. On -h or --help it prints usage
// (and, when usage ends with "Flags:\n", the flags in the --name style) to
// standard output and returns errHelp; on a mistake it returns a one-line
// usage error.
func parseFlags(fs *flag.FlagSet, args []string, usage string, env Env) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return flagError(fs, usage, env, err)
	}
	return nil
}

// flagError turns an error of fs.Parse into what parseFlags returns.
func flagError(fs *flag.FlagSet, usage string, env Env, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		printHelp(env.Stdout, fs, usage)
		return errHelp
	}
	return usagef("%s: %s", fs.Name(), dashes(err.Error()))
}

// dashes writes the flag package's "-name" as "--name", the style of every
// help page.
func dashes(msg string) string {
	for _, p := range []string{"flag -", ": -"} {
		msg = strings.ReplaceAll(msg, p, strings.TrimSuffix(p, "-")+"--")
	}
	return msg
}

// printHelp writes a command's help page: its usage, then its flags when
// usage ends with "Flags:\n".
func printHelp(w io.Writer, fs *flag.FlagSet, usage string) {
	fmt.Fprint(w, usage)
	if strings.HasSuffix(usage, "Flags:\n") {
		printFlags(w, fs)
	}
	if !strings.Contains(usage, "Exit status") {
		fmt.Fprintln(w)
		fmt.Fprintln(w, exitStatus)
	}
}

// printFlags lists fs's flags as flag.PrintDefaults does, but written
// --name, as every help page and the README write them.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintln(w, line)
		usage = strings.ReplaceAll(usage, "\n", "\n        ")
		if d := f.DefValue; d != "" && d != "false" && d != "0" {
			if strings.ContainsAny(d, " \t") {
				d = fmt.Sprintf("%q", d)
			}
			usage += " (default " + d + ")"
		}
		fmt.Fprintln(w, "        "+usage)
	})
}

// loadConfig loads the configuration file at path. A file that does not
// exist is the first thing a newcomer meets: the error says how to make
// one.
func loadConfig(path string, env Env) (*config.Config, error) {
	cfg, err := config.Load(path, env.Getenv)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the configuration file %s does not exist: make one from the example, "+
			"cp config.example.toml %s (every key is documented there), check it with threaddigest check-config %s, "+
			"or give the path of another", path, path, path)
	}
	return cfg, err
}
