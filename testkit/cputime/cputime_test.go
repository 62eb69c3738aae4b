package cputime

import (
	"runtime"
	"testing"
)

func TestProcessGrowsWithWork(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" || runtime.GOOS == "plan9" {
		t.Skip("no processor time on " + runtime.GOOS)
	}
	before := Process()
	x := 0
	for i := 0; i < 50_000_000; i++ {
		x += i % 7
	}
	after := Process()
	if before < 0 || after <= before {
		t.Errorf("processor time %v then %v after work (%d)", before, after, x)
	}
}
