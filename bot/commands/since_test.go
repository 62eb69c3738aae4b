package commands

import (
	"strings"
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 10, 15, 30, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "24h", want: now.Add(-24 * time.Hour)},
		{in: "since 90m", want: now.Add(-90 * time.Minute)},
		{in: "1h30m", want: now.Add(-90 * time.Minute)},
		{in: "7d", want: now.AddDate(0, 0, -7)},
		{in: "2w", want: now.AddDate(0, 0, -14)},
		{in: "2026-03-01", want: time.Date(2026, 3, 1, 0, 0, 0, 0, berlin)},
		{in: "2026-03-01 08:00", want: time.Date(2026, 3, 1, 8, 0, 0, 0, berlin)},
		{in: "2026-03-01T08:00:00Z", want: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
		{in: "today", want: time.Date(2026, 3, 10, 0, 0, 0, 0, berlin)},
		{in: "yesterday", want: time.Date(2026, 3, 9, 0, 0, 0, 0, berlin)},
		{in: "-5h", err: "must be positive"},
		{in: "banana", err: "neither a duration nor a date"},
		{in: "0d", err: "neither a duration nor a date"},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now, berlin)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseSince(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestNameFromSource(t *testing.T) {
	tests := []struct{ in, want string }{
		{"reddit:https://www.reddit.com/r/europe/comments/abc123/eu_weighs_huawei_ban/", "eu-weighs-huawei-ban"},
		{"https://www.reddit.com/r/europe/comments/abc123/eu_weighs_huawei_ban/", "eu-weighs-huawei-ban"},
		{"hn:41234567", "hn-41234567"},
		{"hn:https://news.ycombinator.com/item?id=41234567", "hn-41234567"},
		{"https://news.ycombinator.com/item?id=1", "hn-1"}, // not "item"
		{"discourse:https://forum.example.org/t/fare-free-buses/1234", "fare-free-buses"},
		{"feed:https://blog.example.com/2026/03/huawei-5g/feed/", "huawei-5g"},
		{"disqus:newsforum/9876543", "newsforum"},
		{"json:https://api.example.com/comments.json", "api-example"},
		{"https://example.com/", "example"},
	}
	for _, tt := range tests {
		if got := nameFromSource(tt.in); got != tt.want {
			t.Errorf("nameFromSource(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := uniqueName("a", map[string]bool{"a": true, "a-2": true}); got != "a-3" {
		t.Errorf("uniqueName = %q", got)
	}
}

func TestLiveSource(t *testing.T) {
	for in, want := range map[string]bool{
		"https://www.reddit.com/r/x/comments/1/y/": true,
		"reddit:https://www.reddit.com/r/x/":       true,
		"hn:123":                                   true,
		"feed:https://x/feed/":                     true,
		"/etc/passwd":                              false,
		"examples/huawei.txt":                      false,
		"file:///etc/passwd":                       false,
		"C:/Users/x/thread.txt":                    false,
		"hn:":                                      false,
		"ftp://example.com/thread":                 false,
	} {
		if got := liveSource(in); got != want {
			t.Errorf("liveSource(%q) = %v, want %v", in, got, want)
		}
	}
}
