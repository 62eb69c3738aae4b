package slack

import (
	"strings"
	"testing"
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
