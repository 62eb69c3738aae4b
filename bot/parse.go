package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ParseCommandText splits the text of a slash command ("stance huawei-europe
// \"Deutsche Telekom\"") into its subcommand, lower-cased, and arguments.
// Double, single and typographic quotes (“…”, ‘…’, which chat clients
// substitute as people type) group words; an unclosed quote runs to the end.
// A Slack link written as <URL> or <URL|label> becomes the URL.
func ParseCommandText(text string) (sub string, args []string) {
	var cur strings.Builder
	inToken := false
	var closing rune // the quote that ends the current quoted run, or 0
	flush := func() {
		if inToken {
			args = append(args, unwrapSlackLink(cur.String()))
		}
		cur.Reset()
		inToken = false
	}
	for _, r := range text {
		switch {
		case closing != 0:
			if r == closing {
				closing = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			closing, inToken = r, true
		case r == '“' || r == '”' || r == '„':
			closing, inToken = '”', true
			if r == '„' {
				closing = '“'
			}
		case r == '‘' || r == '’':
			// An apostrophe inside a word (O’Neil) is not a quote.
			if inToken && r == '’' {
				cur.WriteRune(r)
				continue
			}
			closing, inToken = '’', true
		case unicode.IsSpace(r):
			flush()
		default:
			cur.WriteRune(r)
			inToken = true
		}
	}
	flush()
	if len(args) == 0 {
		return "", nil
	}
	return strings.ToLower(args[0]), args[1:]
}

// unwrapSlackLink turns Slack's <https://x|label> into https://x; other text
// is returned as it is.
func unwrapSlackLink(s string) string {
	if len(s) < 3 || s[0] != '<' || s[len(s)-1] != '>' {
		return s
	}
	inner := s[1 : len(s)-1]
	if !strings.HasPrefix(inner, "http://") && !strings.HasPrefix(inner, "https://") {
		return s
	}
	u, _, _ := strings.Cut(inner, "|")
	return u
}

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
