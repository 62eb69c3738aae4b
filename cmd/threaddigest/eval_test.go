package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

func TestEvalUsage(t *testing.T) {
	var out, errOut strings.Builder
	if err := Run(context.Background(), []string{"eval", "--help"}, Env{Stdout: &out, Stderr: &errOut}); err != nil {
		t.Fatalf("--help: %v", err)
	}
	if !strings.Contains(out.String(), "Usage: threaddigest eval") {
		t.Errorf("--help printed %q", out.String())
	}
	for _, args := range [][]string{
		{"eval", "--only", "nonsense"},
		{"eval", "--format", "html"},
		{"eval", "extra"},
	} {
		err := Run(context.Background(), args, Env{})
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: error %v, want a usage error", args, err)
		}
	}
	err := Run(context.Background(), []string{"eval", "--data", "/nonexistent/data"}, Env{})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/data is absent") {
		t.Errorf("absent data folder: %v", err)
	}
}

func TestEvalPrintsTable(t *testing.T) {
	dir := shareddata.Dir(t)
	var out strings.Builder
	err := Run(context.Background(), []string{"eval", "--data", dir, "--only", "regions,replies", "--format", "markdown"}, Env{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| task | data | metric | threaddigest | baseline | n |", "| regions | locations-dev | region accuracy |", "| reply links | RumourEval 2017 Twitter | recall, addressable |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
