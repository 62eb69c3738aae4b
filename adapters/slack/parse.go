package slack

import (
	"strings"
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
