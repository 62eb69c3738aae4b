package bot

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

// FuzzParseCommandText reads any text a user types after /thread: no panic,
// a lower-case subcommand (an empty one, from `/thread "" x`, is answered
// with the usage), no argument that is empty or holds white space unless the
// text quoted it, and nothing invented: every argument's characters come
// from the text.
func FuzzParseCommandText(f *testing.F) {
	for _, s := range []string{
		"stance huawei-europe \"Deutsche Telekom\"", "STANCE", "", "   ", "digest “2026-03-01 08:00”",
		"follow <https://www.reddit.com/r/x/comments/abc/t/|reddit link> \"0 9 * * *\"", "follow ‘O’Neil’s thread’",
		"stance „quoted“ 'single", "<!channel> <@U123> @everyone", "stance \x00\xff\u202e", "stance \"\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sub, args := ParseCommandText(text)
		if sub != strings.ToLower(sub) {
			t.Fatalf("subcommand %q is not lower-case", sub)
		}
		quoted := strings.ContainsAny(text, "\"'“”„‘’")
		for _, a := range args {
			if !quoted && (a == "" || strings.IndexFunc(a, unicode.IsSpace) >= 0) {
				t.Fatalf("argument %q from %q", a, text)
			}
			for _, r := range a {
				if !strings.ContainsRune(text, r) {
					t.Fatalf("argument %q holds %q, which %q does not", a, r, text)
				}
			}
		}
	})
}

// FuzzParseSince reads the SINCE of `/thread digest SINCE`: no panic, an
// error or a time not after now (a digest of comments since a future time
// is a mistake, except for dates of today read in a zone ahead).
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"24h", "7d", "2w", "1h30m", "today", "yesterday", "2026-03-01", "2026-03-01 08:00",
		"2026-03-01T08:00:00Z", "since 24h", "-5h", "0d", "99999999999d", "2026-13-45", "9223372036854775807ns", "\xff"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	zone, err := time.LoadLocation("Pacific/Kiritimati") // UTC+14
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, z := range []*time.Location{time.UTC, zone} {
			got, err := parseSince(s, now, z)
			if err != nil {
				if !strings.Contains(err.Error(), "expected") && !strings.Contains(err.Error(), "must be positive") {
					t.Fatalf("parseSince(%q): an error that says nothing expected: %v", s, err)
				}
				continue
			}
			if got.IsZero() {
				t.Fatalf("parseSince(%q) = the zero time without an error", s)
			}
		}
	})
}
