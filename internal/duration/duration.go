// Package duration is the one duration type of the configuration file, for
// config and for the [sources] settings it embeds: Go's form ("30s",
// "1h30m") or a whole number of days ("30d"), as retention periods are
// counted.
package duration

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as text.
type Duration time.Duration

// UnmarshalText reads a Go duration string ("30s", "1h30m"), or a whole
// number of days ("30d").
func (d *Duration) UnmarshalText(b []byte) error {
	s := string(b)
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && strings.Trim(days, "0123456789") == "" {
		n, err := strconv.Atoi(days)
		if err == nil && n <= 100_000 {
			*d = Duration(time.Duration(n) * 24 * time.Hour)
			return nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: expected e.g. \"30s\", \"5m\", \"1h30m\", \"30d\"", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes it back as UnmarshalText reads it: whole days as
// "30d", anything else in Go's form ("1h30m0s").
func (d Duration) MarshalText() ([]byte, error) {
	const day = 24 * time.Hour
	if v := time.Duration(d); v >= day && v%day == 0 {
		return []byte(strconv.FormatInt(int64(v/day), 10) + "d"), nil
	}
	return []byte(time.Duration(d).String()), nil
}

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
