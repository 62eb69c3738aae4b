package sources

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzOpen reads any thread address, as /thread follow SOURCE takes from a
// chat user: no panic, and every error names the address (whole, or the part
// after its kind, as written or quoted).
func FuzzOpen(f *testing.F) {
	for _, s := range []string{"reddit:https://www.reddit.com/r/news/comments/abc123/title/", "https://news.ycombinator.com/item?id=1",
		"hn:1", "hn:https://news.ycombinator.com/item?id=x", "discourse:https://forum.example/t/slug/12", "disqus:forum/123",
		"disqus:", "feed:ftp://x", "json:mysite", "json:https://api.example/x", "https://example.com/x", "file:", "reddit:%zz",
		"http://[::1", "  ", "<https://evil.example|x>", "hn:\xff", "discourse:http://h/t/\x00/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		_, err := Open(spec, Settings{}, Deps{Getenv: func(k string) string {
			if k == "THREADDIGEST_DISQUS_API_KEY" {
				return "key" // so that an address, not the missing key, decides
			}
			return ""
		}})
		if err == nil || strings.TrimSpace(spec) == "" {
			return
		}
		msg := err.Error()
		names := func(s string) bool {
			return s != "" && (strings.Contains(msg, s) || strings.Contains(msg, strings.Trim(strconv.Quote(s), `"`)))
		}
		whole := strings.TrimSpace(spec)
		_, rest, _ := strings.Cut(whole, ":")
		if !names(whole) && !names(strings.TrimSpace(rest)) {
			t.Fatalf("Open(%q): the error does not name the address: %v", spec, err)
		}
	})
}
