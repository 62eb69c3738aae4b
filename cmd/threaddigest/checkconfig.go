package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"net"
	"os"
	"syscall"

	"github.com/pelletier/go-toml/v2"

	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/config"
	"github.com/threaddigest/threaddigest/internal/textutil"
	"github.com/threaddigest/threaddigest/source/sources"
	"github.com/threaddigest/threaddigest/store/open"
)

const checkConfigUsage = `Usage: threaddigest check-config [--print] FILE

Checks a configuration file without starting anything: every key and value
(unknown keys included), ${VAR} references and THREADDIGEST_… overrides,
schedules and their time zones, destinations (a slack: channel id or #name),
the store URL (an SQLite file that can be written, in a directory that
exists), that the listen address can be bound here (one in use passes), and
that file sources exist. Each problem is printed as FILE:LINE: KEY: what is wrong and
what was expected; the exit status is 1 when there is any.

Flags:
`

func runCheckConfig(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	printCfg := fs.Bool("print", false, "print the effective configuration (defaults filled in, secrets redacted)")
	if err := parseFlags(fs, args, checkConfigUsage, env); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("check-config takes one configuration file, got %d arguments", fs.NArg())
	}
	path := fs.Arg(0)
	cfg, ps, err := config.LoadAll(path, env.Getenv)
	if errors.Is(err, iofs.ErrNotExist) {
		_, err = loadConfig(path, env) // says how to make one
	}
	if err != nil {
		return err
	}
	if cfg != nil {
		// The checks beyond the file run on what could be read, so that
		// one run lists every problem; a key already wrong is not
		// reported twice.
		bad := map[string]bool{}
		for _, p := range ps {
			bad[p.Key] = true
		}
		for _, p := range checkDeeper(cfg) {
			if !bad[p.Key] {
				ps = append(ps, p)
			}
		}
		ps.Sort()
	}
	if len(ps) > 0 {
		for _, p := range ps {
			fmt.Fprintln(env.Stderr, p.Error())
		}
		return fmt.Errorf("%s: %d problem%s", path, len(ps), map[bool]string{true: "", false: "s"}[len(ps) == 1])
	}
	dests := 0
	for _, d := range cfg.Digests {
		dests += len(d.To)
	}
	fmt.Fprintf(env.Stdout, "%s: OK — %s, %s, %s\n", path, textutil.Plural(len(cfg.Threads), "thread", "threads"),
		textutil.Plural(len(cfg.Digests), "digest", "digests"), textutil.Plural(dests, "destination", "destinations"))
	if *printCfg {
		enc := toml.NewEncoder(env.Stdout)
		if err := enc.Encode(cfg.Redacted()); err != nil {
			return fmt.Errorf("check-config: print: %w", err)
		}
	}
	return nil
}

// checkDeeper makes the checks that need more than the file, so that what
// serve would refuse check-config refuses: the store URL names a store this
// build has and, for SQLite, a file that can be opened or created; the
// listen address can be bound here; file sources exist.
func checkDeeper(cfg *config.Config) config.Problems {
	var ps config.Problems
	if err := open.Check(cfg.Store.URL); err != nil {
		ps = append(ps, cfg.Problem("store.url", "%v", err))
	}
	if cfg.HTTP.Listen != "off" {
		if err := canListen(cfg.HTTP.Listen); err != nil {
			ps = append(ps, cfg.Problem("http.listen", "%v", err))
		}
	}
	for i, t := range cfg.Threads {
		key := fmt.Sprintf("thread[%d].source", i+1)
		a, err := sources.ParseAddress(t.Source)
		if err != nil {
			ps = append(ps, cfg.Problem(key, "%v", err))
			continue
		}
		if a.Live() {
			// Opening checks the address and its [sources] settings (a
			// JSON mapping that exists, a Disqus FORUM/ID) without a
			// request.
			if _, err := sources.Open(t.Source, cfg.Sources, sources.Deps{}); err != nil {
				ps = append(ps, cfg.Problem(key, "%v", err))
			}
			continue
		}
		fi, err := os.Stat(a.Target)
		switch {
		case errors.Is(err, os.ErrNotExist):
			ps = append(ps, cfg.Problem(key, "file %s does not exist (relative paths are read from the directory serve runs in)", a.Target))
		case err != nil:
			ps = append(ps, cfg.Problem(key, "%v", err))
		case fi.IsDir():
			ps = append(ps, cfg.Problem(key, "%s is a directory: expected a thread file", a.Target))
		}
	}
	for i, d := range cfg.Digests {
		if len(d.Destinations) != len(d.To) {
			continue // a destination is wrong already
		}
		for j, a := range d.Destinations {
			if a.Kind != addr.File {
				continue
			}
			if fi, err := os.Stat(a.Target); err == nil && a.IsDir() != fi.IsDir() {
				want := "a directory (it ends in /)"
				if !a.IsDir() {
					want = "a file (add a trailing / to write one file per run into the directory)"
				}
				ps = append(ps, cfg.Problem(fmt.Sprintf("digest[%d].to[%d]", i+1, j+1), "%s exists but the destination names %s", a.Target, want))
			}
		}
	}
	return ps
}

// canListen binds addr for a moment, as serve will. An address in use is
// accepted: it is most likely the running service's own.
func canListen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("serve could not listen on %s: %w", addr, err)
	}
	return ln.Close()
}
