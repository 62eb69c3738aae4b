package main

import (
	"os"
	"strings"
	"testing"
)

// `version` and `--version` print the build and then the NOTICE file, which
// carries the credits the embedded data's licences ask for.
func TestVersion(t *testing.T) {
	notice, err := os.ReadFile("../../NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, _, err := runCmd(t, "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		first, rest, _ := strings.Cut(out, "\n")
		if !strings.HasPrefix(first, "threaddigest ") || !strings.Contains(first, " built with go") {
			t.Errorf("%v: first line %q, want the version and toolchain", args, first)
		}
		if strings.TrimPrefix(rest, "\n") != string(notice) {
			t.Errorf("%v: after the version line, want NOTICE verbatim; got:\n%s", args, rest)
		}
	}
	for _, credit := range []string{"Apache License, Version 2.0", "GeoNames", "CC BY 4.0", "OpenFlights", "ODbL 1.0",
		"iso-codes", "nyt-state-abbreviations", "AFINN-165", "Permission is hereby granted", "SubReddit agreement"} {
		if !strings.Contains(string(notice), credit) {
			t.Errorf("NOTICE does not mention %q", credit)
		}
	}

	out, _, err := runCmd(t, "", "version", "--short")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "\n") != 1 || strings.ContainsAny(strings.TrimSpace(out), " \t") {
		t.Errorf("version --short = %q, want one word on one line", out)
	}
	if _, _, err := runCmd(t, "", "version", "extra"); err == nil {
		t.Error("version extra: want a usage error")
	}
}
