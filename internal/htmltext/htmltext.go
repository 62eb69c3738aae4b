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

// Text returns the plain text of an HTML fragment.
func Text(s string, opt Options) string {
	z := html.NewTokenizerFragment(strings.NewReader(s), "div")
	var b strings.Builder
	b.Grow(len(s))
	// pending counts the newlines owed before the next text: 1 for <br>, 2 for
	// a paragraph boundary. They are written only when text follows, so that
	// leading and trailing breaks vanish.
	pending := 0
	skipDepth := 0 // inside script, style or a dropped quote
	var skipAtom atom.Atom
	var skipName string
	preDepth := 0
	write := func(text string) {
		if b.Len() == 0 || pending > 0 {
			// Space at the start of a line is layout, not content.
			text = strings.TrimLeft(text, " ")
		}
		if text == "" {
			return
		}
		if b.Len() > 0 && pending > 0 {
			trimTrailingSpaces(&b)
			b.WriteString(strings.Repeat("\n", pending))
		}
		pending = 0
		b.WriteString(text)
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimRight(b.String(), " \n\t")
		case html.TextToken:
			if skipDepth > 0 {
				continue
			}
			text := string(z.Text())
			if !opt.PreserveSpace && preDepth == 0 {
				text = foldSpace(text)
			}
			write(text)
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
				if isBlock(a) && b.Len() > 0 {
					pending = 2
				}
				continue
			}
			switch {
			case a == atom.Br:
				if pending < 2 {
					pending++
				}
				if b.Len() == 0 {
					pending = 0
				}
			case isBlock(a):
				if a == atom.Pre {
					if tt == html.StartTagToken {
						preDepth++
					} else if tt == html.EndTagToken && preDepth > 0 {
						preDepth--
					}
				}
				if b.Len() > 0 {
					want := 2
					if a == atom.Li || a == atom.Tr || a == atom.Dt || a == atom.Dd {
						want = 1
					}
					if pending < want {
						pending = want
					}
				}
			}
		}
	}
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

func trimTrailingSpaces(b *strings.Builder) {
	s := b.String()
	t := strings.TrimRight(s, " \t")
	if len(t) != len(s) {
		b.Reset()
		b.WriteString(t)
	}
}
