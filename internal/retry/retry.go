// Package retry holds what clients share when a call must wait before it is
// tried again: the wait a server asks for (HTTP's Retry-After, RFC 9110
// §10.2.3; Discord's fractional seconds) and a sleep that ends with its
// context. The live sources' fetcher, the language-model client and the
// Slack and Discord adapters use it.
package retry

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// After reads a Retry-After value, whole seconds or an HTTP date, as a wait
// from now; a date already past is a wait of 0. ok is false when the value
// is empty or neither form, for the caller to pick its own wait.
func After(v string, now time.Time) (wait time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Seconds reads a wait given in seconds, with a fraction or not ("1.5"), as
// Discord gives it; ok is false when v is not a number of seconds of at
// least 0.
func Seconds(v string) (wait time.Duration, ok bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// Sleep waits d, or until ctx ends, and then returns ctx's error. When ctx
// would end before d has passed it returns at once: the wait could only end
// in that error.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return context.DeadlineExceeded
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
