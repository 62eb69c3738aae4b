package digest

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("word ", 60) + "end."
	tests := []struct {
		body       string
		start, end int
		max        int
		want       string
	}{
		{"Short sentence.", 0, 15, 200, "Short sentence."},
		{"abc def ghi jkl", 0, 15, 9, "abc def"},
		{"Köln ist schön und groß", 0, len("Köln ist schön und groß"), 12, "Köln ist"},
		{"no spaces at all in thisverylongword", 0, 36, 10, "no spaces"},
		{"one, two, three", 0, 15, 5, "one"},
		{long, 0, len(long), 200, ""}, // checked below
	}
	for _, tt := range tests {
		got := excerpt(tt.body, tt.start, tt.end, tt.max)
		if !strings.Contains(tt.body, got) || utf8.RuneCountInString(got) > tt.max || got == "" {
			t.Errorf("excerpt(%q, %d) = %q: not a verbatim piece within the limit", tt.body, tt.max, got)
		}
		if tt.want != "" && got != tt.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tt.body, tt.max, got, tt.want)
		}
	}
}

func TestLean(t *testing.T) {
	tests := []struct {
		newer, older Stance
		target       string
		want         string
	}{
		{Stance{Against: 3}, Stance{Favor: 2, Against: 2}, "Huawei", "the new comments lean more against Huawei than the thread so far"},
		{Stance{Favor: 3, None: 1}, Stance{Against: 2, None: 2}, "the law", "the new comments lean more in favor of the law than the thread so far"},
		{Stance{Favor: 1, Against: 1}, Stance{Favor: 5, Against: 5}, "X", "the new comments lean toward X about as the thread so far does"},
		{Stance{}, Stance{Favor: 1}, "X", "there are no new comments"},
		{Stance{None: 2}, Stance{None: 1}, "", "no subject was found to measure stance toward"},
		{Stance{Favor: 1}, Stance{}, "X", "all comments are new; there is nothing earlier to compare with"},
	}
	for _, tt := range tests {
		if got := lean(tt.newer, tt.older, tt.target); got != tt.want {
			t.Errorf("lean(%+v, %+v) = %q, want %q", tt.newer, tt.older, got, tt.want)
		}
	}
}
