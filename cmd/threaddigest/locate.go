package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

const locateUsage = `Usage: threaddigest locate [--format text|json] [--home CC] [LOCATION ...]

Reads free-text locations as commenters type them ("Boulder, Co", "köln",
"Yvr") and prints the place, region and the rule that matched, for people
tuning their data. With no arguments it reads one location per line from
standard input. --format json prints one JSON object per input, in input
order, with input, country, admin1, city, region, us_region, confidence and
reason.

Flags:
`

// maxLocateLine bounds one input line; longer lines are an error naming the line.
const maxLocateLine = 64 << 10

func runLocate(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("locate", flag.ContinueOnError)
	format := fs.String("format", "text", "output format: `text|json`")
	home := fs.String("home", "US", "the `CC` (ISO 3166-1 alpha-2 code) of the readers' home country: ambiguous names lean toward it")
	if err := parseFlags(fs, args, locateUsage, env); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usagef("locate: --format %q: want text or json", *format)
	}
	r, err := geo.NewResolver(geo.Options{Home: *home})
	if err != nil {
		return usagef("locate: --home: %v", err)
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(true)
	emit := func(in string) error {
		p := r.Resolve(in)
		if *format == "json" {
			return enc.Encode(locateRecord{Input: in, Place: p})
		}
		_, err := fmt.Fprintf(out, "%s\t%s\t%s\t%.2f\t%s\n", textutil.OneLine(in), placeText(p), p.Region, p.Confidence, textutil.OneLine(p.Reason))
		return err
	}
	if fs.NArg() > 0 {
		for _, in := range fs.Args() {
			if err := emit(in); err != nil {
				return fmt.Errorf("locate: %w", err)
			}
		}
		return out.Flush()
	}
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 0, 4096), maxLocateLine)
	line := 0
	for sc.Scan() {
		line++
		if err := ctx.Err(); err != nil {
			return err
		}
		in := strings.TrimRight(sc.Text(), "\r")
		if err := emit(in); err != nil {
			return fmt.Errorf("locate: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("locate: standard input line %d: longer than %d bytes; want one location per line", line+1, maxLocateLine)
		}
		return fmt.Errorf("locate: reading standard input after line %d: %w", line, err)
	}
	return out.Flush()
}

// locateRecord is one line of `locate --format json`.
type locateRecord struct {
	Input string `json:"input"`
	geo.Place
}

// placeText is a place as "City, ADMIN1, CC", or "-" when none was read.
func placeText(p geo.Place) string {
	parts := make([]string, 0, 3)
	for _, s := range []string{p.City, p.Admin1, p.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
