package discord

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/internal/textutil"
)

// display is what Discord shows for escaped text: its parser turns a
// backslash followed by ASCII punctuation into that character.
func display(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isASCIIPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

// activeMarkup returns the first Markdown-significant character of s that
// is not escaped, or "" when there is none: the property that makes text
// inert. Line-start markers are checked at the start of each line.
func activeMarkup(s string) string {
	lineStart, digits := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
			lineStart, digits = false, false
			continue
		}
		switch {
		case strings.IndexByte("\\*_~|`><[]()@#", c) >= 0:
			return s[i:min(i+12, len(s))]
		case c == ':' && strings.HasPrefix(s[i:], "://"):
			return s[max(0, i-5):min(i+8, len(s))]
		case (c == '-' || c == '+') && lineStart:
			return s[i:min(i+8, len(s))]
		case c == '.' && digits && !lineStart:
			return s[max(0, i-3):min(i+8, len(s))]
		}
		switch {
		case c == '\n':
			lineStart, digits = true, true
		case c == ' ' || c == '\t':
			if !lineStart {
				digits = false
			}
		case c >= '0' && c <= '9':
			lineStart = false
		default:
			lineStart, digits = false, false
		}
	}
	return ""
}

var hostile = []string{
	"@everyone look at this",
	"@here",
	"hey <@123456789012345678> and <@!42> and role <@&987> in <#555>",
	"[totally safe](https://evil.example/phish) click",
	"**bold** __underline__ *it* _it_ ~~strike~~ ||spoiler||",
	"`code` ```block```",
	"> quoted\n>>> all quoted",
	"# Heading\n## Sub\n-# subtext",
	"- item\n+ item\n* item\n1. first\n 22. second",
	"visit https://evil.example/x?y=1 or http://a.b",
	"<https://no-embed.example> <:custom:123> <t:1700000000:R> </thread stance:1>",
	"back\\slash \\*not escaped\\* \\",
	"bidi \u202Eevil\u202C and zero\u200Bwidth and \x1b[31mansi",
	"emoji 👍🏽 and 🇩🇪 and family 👨‍👩‍👧 — ünïcödé",
	"10.5 percent, version 1.2.3, 3 - 2 = 1, e-mail a@b.c",
}

func TestEscapeMarkdownInert(t *testing.T) {
	for _, in := range hostile {
		got := escapeMarkdown(in)
		if a := activeMarkup(got); a != "" {
			t.Errorf("escapeMarkdown(%q) = %q: active markup at %q", in, got, a)
		}
		if want := textutil.Clean(in); display(got) != want {
			t.Errorf("escapeMarkdown(%q) displays as %q, want the text as written %q", in, display(got), want)
		}
	}
}

func TestEscapeMarkdownExamples(t *testing.T) {
	tests := []struct{ in, want string }{
		{"@everyone", `\@everyone`},
		{"<@123>", `\<\@123\>`},
		{"[x](http://e.x)", `\[x\]\(http\://e.x\)`},
		{"**b**", `\*\*b\*\*`},
		{"- a - b", `\- a - b`},
		{"12. x 3. y", `12\. x 3. y`},
		{"10:30 a.m.", "10:30 a.m."},
		{"plain words", "plain words"},
	}
	for _, tt := range tests {
		if got := escapeMarkdown(tt.in); got != tt.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFitEscaped(t *testing.T) {
	long := strings.Repeat("**a** ", 400) + strings.Repeat("👍🏽", 300)
	for _, in := range append(hostile, long, strings.Repeat("x", 5000), strings.Repeat("\\", 99)) {
		for _, max := range []int{1, 2, 5, 17, 64, 100, 1024} {
			got := fitEscaped(in, max)
			if units(got) > max {
				t.Errorf("fitEscaped(%.20q, %d) = %d units", in, max, units(got))
			}
			if !utf8.ValidString(got) {
				t.Errorf("fitEscaped(%.20q, %d) is not valid UTF-8", in, max)
			}
			if a := activeMarkup(got); a != "" {
				t.Errorf("fitEscaped(%.20q, %d) = %q: active markup at %q", in, max, got, a)
			}
			shown := strings.TrimSuffix(display(got), ellipsis)
			if !strings.HasPrefix(textutil.Clean(in), shown) {
				t.Errorf("fitEscaped(%.20q, %d) shows %q, not a prefix of the text", in, max, shown)
			}
		}
	}
}

func TestUnitsCountsUTF16(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{{"abc", 3}, {"é", 1}, {"👍", 2}, {"👍🏽", 4}, {"…", 1}, {"日本", 2}}
	for _, tt := range tests {
		if got := units(tt.s); got != tt.want {
			t.Errorf("units(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestCutMarkupNeverLeavesHalfAnEscape(t *testing.T) {
	s := `ab\*\*\*\*\*\*\*\*\*\*`
	for max := 1; max <= len(s); max++ {
		got := cutMarkup(s, max)
		if units(got) > max {
			t.Fatalf("cutMarkup(%q, %d) = %q, %d units", s, max, got, units(got))
		}
		body := strings.TrimSuffix(got, ellipsis)
		if n := len(body) - len(strings.TrimRight(body, `\`)); n%2 == 1 {
			t.Errorf("cutMarkup(%q, %d) = %q ends inside an escape", s, max, got)
		}
	}
}

// FuzzEscape checks, for any text, that escaping leaves nothing active and
// shows the text as written, and that cutting stays within its limit.
func FuzzEscape(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, 64)
	}
	f.Add("1.\n2.\n-# x\n\\", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		esc := escapeMarkdown(s)
		if a := activeMarkup(esc); a != "" {
			t.Fatalf("escapeMarkdown(%q) = %q: active markup at %q", s, esc, a)
		}
		if display(esc) != textutil.Clean(s) {
			t.Fatalf("escapeMarkdown(%q) shows %q", s, display(esc))
		}
		max = max%5000 + 1
		if max < 0 {
			max = -max
		}
		got := fitEscaped(s, max)
		if units(got) > max || !utf8.ValidString(got) || activeMarkup(got) != "" {
			t.Fatalf("fitEscaped(%q, %d) = %q", s, max, got)
		}
	})
}
