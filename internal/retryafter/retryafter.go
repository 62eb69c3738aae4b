// Package retryafter reads the Retry-After header of HTTP (RFC 9110
// §10.2.3), for the clients that wait as a server asks: the live sources'
// fetcher and the Slack poster.
package retryafter

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Parse reads a Retry-After value, whole seconds or an HTTP date, as a wait
// from now; a date already past is a wait of 0. ok is false when the value
// is empty or neither form, for the caller to pick its own wait.
func Parse(v string, now time.Time) (wait time.Duration, ok bool) {
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
