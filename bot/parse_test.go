package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseCommandText(t *testing.T) {
	tests := []struct {
		in   string
		sub  string
		args []string
	}{
		{"", "", nil},
		{"   ", "", nil},
		{"help", "help", nil},
		{"STANCE", "stance", nil},
		{"stance huawei-europe", "stance", []string{"huawei-europe"}},
		{`stance huawei-europe "Deutsche Telekom"`, "stance", []string{"huawei-europe", "Deutsche Telekom"}},
		{"stance 'Deutsche Telekom'", "stance", []string{"Deutsche Telekom"}},
		{"stance “Deutsche Telekom”", "stance", []string{"Deutsche Telekom"}},
		{"stance ‘Deutsche Telekom’", "stance", []string{"Deutsche Telekom"}},
		{"stance „Deutsche Telekom“", "stance", []string{"Deutsche Telekom"}},
		{"stance O’Neil’s", "stance", []string{"O’Neil’s"}},
		{`stance "unclosed quote`, "stance", []string{"unclosed quote"}},
		{`stance ""`, "stance", []string{""}},
		{"digest  since\t24h", "digest", []string{"since", "24h"}},
		{"follow <https://news.example.com/t/5g-ban/123|news.example.com/t/5g-ban/123> 0 8 * * 1-5", "follow",
			[]string{"https://news.example.com/t/5g-ban/123", "0", "8", "*", "*", "1-5"}},
		{"follow <https://news.example.com/x>", "follow", []string{"https://news.example.com/x"}},
		{"stance <!channel>", "stance", []string{"<!channel>"}},
	}
	for _, tt := range tests {
		sub, args := ParseCommandText(tt.in)
		if sub != tt.sub || fmt.Sprintf("%q", args) != fmt.Sprintf("%q", tt.args) {
			t.Errorf("ParseCommandText(%q) = %q %q, want %q %q", tt.in, sub, args, tt.sub, tt.args)
		}
	}
}

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

// TestHelpPerPlatform checks that /thread help speaks each platform's
// syntax: words typed after the subcommand in Slack, named options in
// Discord, which has no NAME or SOURCE to type.
func TestHelpPerPlatform(t *testing.T) {
	slack, discord := Help("slack"), Help("discord")
	for _, want := range []string{"/thread stance [NAME] [TARGET] — ", "/thread digest [NAME] [SINCE] — ", "/thread follow SOURCE [CRON] — ", "NAME is needed only"} {
		if !strings.Contains(slack, want) {
			t.Errorf("Slack help lacks %q:\n%s", want, slack)
		}
	}
	for _, want := range []string{"/thread stance [target] [thread] — ", "/thread digest [since] [thread] — ", "/thread follow source [cron] — ", "/thread list — ", "The thread option"} {
		if !strings.Contains(discord, want) {
			t.Errorf("Discord help lacks %q:\n%s", want, discord)
		}
	}
	for _, slackOnly := range []string{"NAME", "SOURCE", "TARGET"} {
		if strings.Contains(discord, slackOnly) {
			t.Errorf("Discord help shows Slack's %s:\n%s", slackOnly, discord)
		}
	}
	if Naming("discord", "stance") != "/thread stance thread:NAME" || Naming("slack", "stance") != "/thread stance NAME" {
		t.Errorf("Naming = %q, %q", Naming("discord", "stance"), Naming("slack", "stance"))
	}
}
