package main

import (
	"context"
	"flag"
	"fmt"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/licenses"
	"github.com/threaddigest/threaddigest/version"
)

const versionUsage = `Usage: threaddigest version [--short | --licenses]

Prints the version of this build (release or commit, Go toolchain), then
the licence and the credits of the data embedded in the binary (GeoNames,
OpenFlights, ISO 3166 names, NYT-style abbreviations, AFINN-165).
'threaddigest --version' is the same. --licenses prints instead the licence
and notice texts of the third-party Go modules compiled into the binary.

Flags:
`

func runVersion(_ context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	short := fs.Bool("short", false, "print only the version, e.g. v1.2.0 or devel+54d346c9e1f2")
	thirdParty := fs.Bool("licenses", false, "print only the licences of the third-party Go modules in the binary")
	if err := parseFlags(fs, args, versionUsage, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("version takes no arguments, got %q", fs.Arg(0))
	}
	if *short && *thirdParty {
		return usagef("version: --short and --licenses print different things; give one")
	}
	if *thirdParty {
		fmt.Fprint(env.Stdout, licenses.ThirdParty)
		return nil
	}
	info := version.Get()
	if *short {
		fmt.Fprintln(env.Stdout, info.Short())
		return nil
	}
	fmt.Fprintln(env.Stdout, info.String())
	fmt.Fprintln(env.Stdout)
	fmt.Fprint(env.Stdout, threaddigest.Notice)
	return nil
}
