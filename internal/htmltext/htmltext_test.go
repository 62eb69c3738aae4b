package htmltext

import (
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  Options
		want string
	}{
		{"plain", "just words", Options{}, "just words"},
		{"nyt breaks", "<br/>To me, it is a game. <br/><br/>The problem: math.", Options{PreserveSpace: true}, "To me, it is a game.\n\nThe problem: math."},
		{"entities", "gold &amp; diamonds &lt;3 &quot;ok&quot; &#39;x&#39; caf&eacute;", Options{}, "gold & diamonds <3 \"ok\" 'x' café"},
		{"links lose targets", `see <a href="https://evil.example/">this page</a> now`, Options{}, "see this page now"},
		{"hn paragraphs", "First point.<p>Second point.<p>Third.", Options{}, "First point.\n\nSecond point.\n\nThird."},
		{"discourse cooked", "<p>Hello\nthere</p>\n<p>Bye</p>", Options{}, "Hello there\n\nBye"},
		{"preserve keeps newlines", "line one\nline two<br>three", Options{PreserveSpace: true}, "line one\nline two\nthree"},
		{"quote kept", "<blockquote>you said x</blockquote><p>no</p>", Options{}, "you said x\n\nno"},
		{"quote dropped", "<blockquote><p>you said <blockquote>y</blockquote> x</p></blockquote><p>No, wrong.</p>", Options{DropQuotes: true}, "No, wrong."},
		{"aside quote dropped", `<aside class="quote no-group" data-username="a"><div class="title">a:</div><blockquote><p>x</p></blockquote></aside><p>Agreed.</p>`, Options{DropQuotes: true}, "Agreed."},
		{"aside other kept", `<aside class="onebox">box</aside><p>text</p>`, Options{DropQuotes: true}, "box\n\ntext"},
		{"script skipped", "<script>alert(1)</script>safe", Options{}, "safe"},
		{"pre keeps space", "<pre><code>a  b\n  c</code></pre>after", Options{}, "a  b\n  c\n\nafter"},
		{"list items", "<ul><li>one</li><li>two</li></ul>", Options{}, "one\ntwo"},
		{"trailing breaks vanish", "text<br><br><br>", Options{}, "text"},
		{"unclosed tag", "text <b", Options{}, "text"},
		{"lone lt", "a < b and c > d", Options{}, "a < b and c > d"},
		{"empty", "", Options{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in, tt.opt); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// The fast path must read what the tokenizer reads.
			if got := tokenText(tt.in, tt.opt); got != tt.want {
				t.Errorf("tokenText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLooksLikeHTML(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"plain text, no markup", false},
		{"a < b & c > d", false},
		{"Q&A session", false},
		{"line<br/>break", true},
		{"gold &amp; diamonds", true},
		{"&#8217;", true},
		{"<p>para</p>", true},
	}
	for _, tt := range tests {
		if got := LooksLikeHTML(tt.in); got != tt.want {
			t.Errorf("LooksLikeHTML(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<blockquote><blockquote>x</blockquote>", "a<br>b", "&#xD800;", "<pre>\n</pre>", "\xff<b>"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, drop bool) {
		got := Text(s, Options{DropQuotes: drop})
		if simple, ok := simpleText(s, Options{DropQuotes: drop}); ok && utf8.ValidString(s) {
			if tok := tokenText(s, Options{DropQuotes: drop}); simple != tok {
				t.Fatalf("fast path %q, tokenizer %q for %q", simple, tok, s)
			}
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Text(%q) = %q: invalid UTF-8 from valid input", s, got)
		}
	})
}
