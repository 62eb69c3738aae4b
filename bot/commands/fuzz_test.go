package commands

import (
	"strings"
	"testing"
	"time"
)

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
