package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseSince reads the argument of `digest SINCE`: a duration back from now
// ("24h", "90m", "7d", "2w", "1h30m") or a date or time ("2026-03-01",
// "2026-03-01 08:00", RFC 3339, "today", "yesterday"), dates read in zone.
func parseSince(s string, now time.Time, zone *time.Location) (time.Time, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "since "))
	now = now.In(zone)
	switch strings.ToLower(s) {
	case "today":
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone), nil
	case "yesterday":
		return time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, zone), nil
	}
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		if v, err := strconv.Atoi(s[:n-1]); err == nil && v > 0 && v <= 3660 {
			days := v
			if s[n-1] == 'w' {
				days *= 7
			}
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%q: the duration must be positive, e.g. 24h", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration nor a date: expected e.g. 24h, 7d, 2026-03-01 or \"2026-03-01 08:00\"", s)
}
