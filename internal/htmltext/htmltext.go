// Package htmltext turns the HTML that comment platforms and exports put in
// comment bodies into the plain text threaddigest quotes: line breaks and
// paragraphs become "\n" and "\n\n", entities become characters, tags and link
// targets disappear (a stranger's comment must never turn into a link), and,
// on request, quoted parents embedded in a reply are left out.
package htmltext

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Options say how to read the HTML.
type Options struct {
	// PreserveSpace keeps white space and newlines in text as written. Exports
	// such as the NYT's are plain text with a few tags (`<br/>`) sprinkled in,
	// where a newline in the text is a real newline; real HTML (Hacker News,
	// Discourse, Disqus) folds them into spaces.
	PreserveSpace bool
	// DropQuotes leaves out <blockquote> and <aside class="quote"> elements:
	// platforms embed the parent being answered that way, and a reply's text
	// should be the reply's own words.
	DropQuotes bool
}

// LooksLikeHTML reports whether s holds a tag or an entity that plain text
// almost never contains. Exports that mix plain text and HTML (the NYT's
// commentBody, Twitter's entity-escaped text) are decoded only then.
func LooksLikeHTML(s string) bool {
	if !strings.ContainsAny(s, "<&") {
		return false
	}
	lower := strings.ToLower(s)
	for _, marker := range []string{
		"<br", "<p>", "<p ", "</p>", "</a>", "<a href", "</i>", "</b>", "</em>", "</strong>",
		"</div>", "</blockquote>", "</li>", "</code>", "</pre>", "</span>",
		"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;", "&#",
	} {
		if strings.Contains(lower, marker) {
			return true
		}
	}
	return false
}

// block elements start and end a paragraph.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Blockquote, atom.Pre, atom.Ul, atom.Ol, atom.Li,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Tr,
		atom.Aside, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Hr,
		atom.Dl, atom.Dt, atom.Dd, atom.Figure, atom.Details, atom.Summary:
		return true
	}
	return false
}

// out writes plain text, holding back line breaks until text follows so
// that leading and trailing breaks vanish.
type out struct {
	b strings.Builder
	// pending counts the newlines owed before the next text: 1 for <br>, 2
	// for a paragraph boundary.
	pending int
	trail   string
}

func (o *out) text(text string) {
	if o.b.Len() == 0 || o.pending > 0 {
		// Space at the start of a line is layout, not content.
		text = strings.TrimLeft(text, " ")
	}
	if text == "" {
		return
	}
	if o.b.Len() > 0 && o.pending > 0 {
		o.b.WriteString("\n\n"[:o.pending])
	} else {
		o.b.WriteString(o.trail)
	}
	o.pending = 0
	// Trailing spaces are held back: before a line break they are layout.
	body := strings.TrimRight(text, " \t")
	o.trail = text[len(body):]
	o.b.WriteString(body)
}

func (o *out) br() {
	if o.b.Len() > 0 && o.pending < 2 {
		o.pending++
	}
}

func (o *out) block(want int) {
	if o.b.Len() > 0 && o.pending < want {
		o.pending = want
	}
}

func (o *out) String() string { return strings.TrimRight(o.b.String(), " \n\t") }

// Text returns the plain text of an HTML fragment.
func Text(s string, opt Options) string {
	if t, ok := simpleText(s, opt); ok {
		return t
	}
	return tokenText(s, opt)
}

// tokenText reads s with the HTML tokenizer.
func tokenText(s string, opt Options) string {
	z := html.NewTokenizerFragment(strings.NewReader(s), "div")
	var o out
	o.b.Grow(len(s))
	skipDepth := 0 // inside script, style or a dropped quote
	var skipAtom atom.Atom
	var skipName string
	preDepth := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return o.String()
		case html.TextToken:
			if skipDepth > 0 {
				continue
			}
			text := string(z.Text())
			if !opt.PreserveSpace && preDepth == 0 {
				text = foldSpace(text)
			}
			o.text(text)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if skipDepth > 0 {
				// Nested elements of the same kind as the skipped one keep
				// the count, so that the skip ends at its own end tag.
				if a == skipAtom && (a != 0 || string(name) == skipName) {
					switch tt {
					case html.StartTagToken:
						skipDepth++
					case html.EndTagToken:
						skipDepth--
					}
				}
				continue
			}
			if tt == html.StartTagToken && skipsContent(a, hasAttr, z, opt) {
				skipDepth, skipAtom, skipName = 1, a, string(name)
				if isBlock(a) {
					o.block(2)
				}
				continue
			}
			switch {
			case a == atom.Br:
				o.br()
			case isBlock(a):
				if a == atom.Pre {
					if tt == html.StartTagToken {
						preDepth++
					} else if tt == html.EndTagToken && preDepth > 0 {
						preDepth--
					}
				}
				if a == atom.Li || a == atom.Tr || a == atom.Dt || a == atom.Dd {
					o.block(1)
				} else {
					o.block(2)
				}
			}
		}
	}
}

// simpleText handles the common case without the tokenizer, which costs
// several kilobytes per call: text whose only tags are <br>, <p> and </p>
// (the NYT export, most Hacker News comments). ok is false for anything
// else.
func simpleText(s string, opt Options) (string, bool) {
	var o out
	o.b.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			i = len(s)
		}
		if i > 0 {
			seg := s[:i]
			if strings.IndexByte(seg, '>') >= 0 {
				return "", false // a stray '>' is read differently by HTML
			}
			if strings.IndexByte(seg, '&') >= 0 {
				seg = html.UnescapeString(seg)
			}
			if !opt.PreserveSpace {
				seg = foldSpace(seg)
			}
			o.text(seg)
			s = s[i:]
			continue
		}
		j := strings.IndexByte(s, '>')
		if j < 0 {
			return "", false
		}
		switch strings.ToLower(s[:j+1]) {
		case "<br>", "<br/>", "<br />":
			o.br()
		case "<p>", "</p>":
			o.block(2)
		default:
			return "", false
		}
		s = s[j+1:]
	}
	return o.String(), true
}

// skipsContent reports whether the element's content is left out.
func skipsContent(a atom.Atom, hasAttr bool, z *html.Tokenizer, opt Options) bool {
	switch a {
	case atom.Script, atom.Style, atom.Template, atom.Noscript:
		return true
	case atom.Blockquote:
		return opt.DropQuotes
	case atom.Aside:
		if !opt.DropQuotes || !hasAttr {
			return false
		}
		for {
			key, val, more := z.TagAttr()
			if string(key) == "class" {
				for _, c := range strings.Fields(string(val)) {
					if c == "quote" {
						return true
					}
				}
			}
			if !more {
				return false
			}
		}
	}
	return false
}

// foldSpace turns every run of white space into one space, as HTML does.
func foldSpace(s string) string {
	if !strings.ContainsAny(s, "\n\r\t\f") && !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch r {
		case ' ', '\n', '\r', '\t', '\f':
			if !space {
				b.WriteByte(' ')
			}
			space = true
		default:
			b.WriteRune(r)
			space = false
		}
	}
	return b.String()
}
