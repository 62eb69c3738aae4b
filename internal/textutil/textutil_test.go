package textutil

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello, köln 👍", "Hello, köln 👍"},
		{"controls", "a\x00b\x1b[31mc\x7f", "ab[31mc"},
		{"keeps newline and tab", "a\nb\tc", "a\nb\tc"},
		{"carriage return", "a\r\nb", "a\nb"},
		{"bidi override", "abc\u202Edcba\u202C", "abcdcba"},
		{"zero width space", "a\u200Bb", "ab"},
		{"keeps zwj", "👩\u200D💻", "👩\u200D💻"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"c1 control", "a\u0085b", "ab"},
		// Format characters (Cf) and the other default-ignorables, by
		// category: none of these is on a list in Clean.
		{"word joiner and invisible operators", "a\u2060b\u2062c\u2064d\u206Fe", "abcde"},
		{"soft hyphen", "Bo\u00ADb", "Bob"},
		{"mongolian vowel separator", "a\u180Eb", "ab"},
		{"interlinear annotation", "a\uFFF9b\uFFFAc\uFFFBd", "abcd"},
		{"tag characters", "flag\U000E0001\U000E0067\U000E007F", "flag"},
		{"hangul fillers", "\u3164\u115F\u1160\uFFA0name", "name"},
		{"combining grapheme joiner", "A\u034Flice", "Alice"},
		{"arabic letter mark", "a\u061Cb", "ab"},
		{"zwj after ascii", "Bo\u200Db", "Bob"},
		{"zwnj after latin", "é\u200Ce", "ée"},
		{"keeps zwnj in persian", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"keeps zwj in devanagari", "क्\u200Dष", "क्\u200Dष"},
		{"keeps variation selector", "❤\uFE0F", "❤\uFE0F"},
		{"joiner at start", "\u200Dx", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	if got := OneLine("  a\n\n b\t c  "); got != "a b c" {
		t.Errorf("OneLine = %q", got)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in     string
		max    int
		marker string
		want   string
	}{
		{"short", 10, "…", "short"},
		{"exactly ten", 11, "…", "exactly ten"},
		{"the quick brown fox jumps", 12, "…", "the quick…"},
		{"aaaaaaaaaaaaaaaaaaaa", 5, "…", "aaaa…"},
		{"ééééééééé", 4, "…", "ééé…"},
		{"abc", 1, "…", "…"},
		{"abcdef", 2, "[cut]", "[c"},
		{"abc", 0, "…", ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.max, tt.marker)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if utf8.RuneCountInString(got) > tt.max {
			t.Errorf("Truncate(%q, %d) = %q: over the limit", tt.in, tt.max, got)
		}
	}
}

func TestTruncateBytes(t *testing.T) {
	s := strings.Repeat("é", 100)
	for max := 1; max < 60; max++ {
		got := TruncateBytes(s, max, "…")
		if len(got) > max {
			t.Errorf("TruncateBytes(max=%d) = %d bytes", max, len(got))
		}
		if !utf8.ValidString(got) {
			t.Errorf("TruncateBytes(max=%d) = %q: invalid UTF-8", max, got)
		}
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("the quick brown fox", 7)
	f.Add("ééé\xff", 2)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		got := Truncate(Clean(s), max, "…")
		if utf8.RuneCountInString(got) > max {
			t.Fatalf("over limit: %d > %d", utf8.RuneCountInString(got), max)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
	})
}

func TestFirstRunes(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"köln am Rhein", 4, "köln"},
		{"köln", 4, "köln"},
		{"köln", 9, "köln"},
		{"日本語", 2, "日本"},
		{"abc", 0, ""},
		{"", 3, ""},
	}
	for _, tt := range tests {
		if got := FirstRunes(tt.s, tt.n); got != tt.want {
			t.Errorf("FirstRunes(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// BenchmarkClean cleans a typical comment (mostly ASCII, some accented
// letters and an emoji) that needs no change: the common case.
func BenchmarkClean(b *testing.B) {
	s := strings.Repeat("Free buses cut traffic downtown, says Zoë from Köln 👍 — and they save money. ", 20)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if Clean(s) != s {
			b.Fatal("changed")
		}
	}
}
