package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func runLocateCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), append([]string{"locate"}, args...), Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
	})
	return out.String(), errb.String(), err
}

func TestLocateText(t *testing.T) {
	out, _, err := runLocateCmd(t, "", "Boulder, Co", "köln", "Yvr", "Somewhere sane")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{
		"Boulder, Co\tBoulder, CO, US\tUS\t",
		"köln\tKöln, 07, DE\tEurope\t",
		"Yvr\tVancouver, BC, CA\tCanada\t",
		"Somewhere sane\t-\tUnknown\t0.00\tnon-place",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want it to start %q", i+1, lines[i], w)
		}
	}
}

func TestLocateJSONFromStdin(t *testing.T) {
	in := "Boulder, Co\n\nTbilisi, Georgia\r\nthe DMV\n<b>@everyone</b>\n"
	out, _, err := runLocateCmd(t, in, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var got []map[string]any
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("output is not one JSON object per line: %v\n%s", err, out)
		}
		got = append(got, m)
	}
	inputs := []string{"Boulder, Co", "", "Tbilisi, Georgia", "the DMV", "<b>@everyone</b>"}
	if len(got) != len(inputs) {
		t.Fatalf("got %d objects for %d input lines:\n%s", len(got), len(inputs), out)
	}
	for i, m := range got {
		for _, k := range []string{"input", "country", "admin1", "city", "region", "us_region", "confidence", "reason"} {
			if _, ok := m[k]; !ok {
				t.Errorf("object %d lacks %q: %v", i+1, k, m)
			}
		}
		if m["input"] != inputs[i] {
			t.Errorf("object %d input = %q, want %q (input order)", i+1, m["input"], inputs[i])
		}
	}
	if got[0]["admin1"] != "CO" || got[0]["us_region"] != "West" || got[2]["country"] != "GE" || got[3]["region"] != "US" || got[4]["region"] != "Unknown" {
		t.Errorf("unexpected places:\n%s", out)
	}
	if strings.ContainsAny(out, "<>") {
		t.Errorf("markup in the input is written raw:\n%s", out)
	}
}

func TestLocateUsage(t *testing.T) {
	if _, _, err := runLocateCmd(t, "", "--format", "xml", "x"); !locateIsUsage(err) || !strings.Contains(err.Error(), "xml") {
		t.Errorf("--format xml: error %v, want a usage error naming xml", err)
	}
	if _, _, err := runLocateCmd(t, "", "--home", "Narnia", "x"); !locateIsUsage(err) || !strings.Contains(err.Error(), "Narnia") {
		t.Errorf("--home Narnia: error %v, want a usage error naming it", err)
	}
	if stdout, _, err := runLocateCmd(t, "", "--help"); err != nil || !strings.Contains(stdout, "Usage: threaddigest locate") {
		t.Errorf("--help: error %v, stdout %q", err, stdout)
	}
	long := strings.Repeat("x", maxLocateLine+10) + "\n"
	if _, _, err := runLocateCmd(t, "Boulder\n"+long); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("an over-long line: error %v, want one naming line 2", err)
	}
}

func TestLocateHome(t *testing.T) {
	out, _, err := runLocateCmd(t, "", "--home", "gb", "Georgia")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "Georgia\tGE\t") {
		t.Errorf("--home gb Georgia: %q, want the country", out)
	}
}

func locateIsUsage(err error) bool {
	var ue *usageError
	return errors.As(err, &ue)
}
