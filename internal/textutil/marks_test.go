package textutil

import (
	"strings"
	"testing"
	"unicode"
)

func TestCleanCapsStackedMarks(t *testing.T) {
	zalgo := "Z" + strings.Repeat("\u0301\u0316", 20) + "algo"
	tests := []struct{ name, in, want string }{
		{"zalgo", zalgo, "Z\u0301\u0316\u0301algo"},
		{"each character its own run", "a\u0301\u0302\u0303\u0304b\u0301\u0302\u0303\u0304", "a\u0301\u0302\u0303b\u0301\u0302\u0303"},
		{"vietnamese keeps its two marks", "Vie\u0323\u0302t", "Vie\u0323\u0302t"},
		{"keycap emoji", "1\uFE0F\u20E3", "1\uFE0F\u20E3"},
		{"hebrew with points", "\u05D1\u05BC\u05B8\u0591", "\u05D1\u05BC\u05B8\u0591"},
		{"marks after a removed control still count from their base", "a\u0301\u0302\x00\u0303\u0304", "a\u0301\u0302\u0303"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzCleanMarks(f *testing.F) {
	f.Add("Z\u0301\u0302\u0303\u0304\u0305")
	f.Add("\xff\u0301\u0301\u0301\u0301")
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		run := 0
		for _, r := range got {
			if unicode.In(r, unicode.Mn, unicode.Me) {
				run++
				if run > MaxMarks {
					t.Fatalf("Clean(%q) = %q: %d marks on one character", s, got, run)
				}
			} else {
				run = 0
			}
		}
		if Clean(got) != got {
			t.Fatalf("Clean is not idempotent on %q", s)
		}
	})
}
