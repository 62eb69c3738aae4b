package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/internal/shares"
)

// Markdown writes d as Markdown (CommonMark with GitHub tables) for pasting
// into a document or a chat. Every piece of untrusted text is escaped so that
// it renders as the characters written and cannot form a link, heading,
// emphasis, HTML, a table cell, code or a mention.
func Markdown(w io.Writer, d digest.Digest, opt Options) error {
	out := &errWriter{w: w}
	m := mdLayout{out: out, d: &d}
	m.header()
	m.arguments(opt.arguments(&d))
	m.rebuttals(opt.rebuttals(&d))
	m.stance()
	m.regions()
	m.footer()
	return out.err
}

// footer says which engine labelled the comments, when another than the
// offline analysis was asked to.
func (m *mdLayout) footer() {
	if f := m.d.Engine.Footer(); f != "" {
		m.out.line("")
		m.out.line("---")
		m.out.line("")
		m.out.line(EscapeMarkdown(inert(f)))
	}
}

type mdLayout struct {
	out *errWriter
	d   *digest.Digest
}

// mdBarCells is the width of a bar in Markdown, where it sits in a code span.
const mdBarCells = 20

// EscapeMarkdown makes one line of untrusted text safe inside Markdown: it
// removes what inert removes and backslash-escapes every ASCII punctuation
// character that can start markup (emphasis, code, links, images, HTML,
// entities, headings, tables, strike-through, maths, superscript, mentions), the colon of
// "scheme://" and the dot of "www." so that no autolink forms. CommonMark
// renders a backslash-escaped punctuation character as the character itself.
func EscapeMarkdown(s string) string {
	s = inert(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '<', '>', '#', '|', '~', '&', '@', '$', '^':
			b.WriteByte('\\')
		case ':':
			if strings.HasPrefix(s[i+1:], "//") {
				b.WriteByte('\\')
			}
		case '.':
			if i >= 3 && strings.EqualFold(s[i-3:i], "www") {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func mdQuote(s string, limit int) string {
	return EscapeMarkdown(quoteText(s, limit))
}

// mdWho names a commenter, escaped, and the comment by its position in
// the thread, linked to the comment when its source gave a URL:
// **Anna K.** ([#7](https://…)).
func mdWho(author string, position int, link string) string {
	a := EscapeMarkdown(fit(inert(author), nameColumns))
	if a == "" {
		a = "anonymous"
	}
	if position <= 0 {
		return "**" + a + "**"
	}
	// "#12" escaped like any '#': no heading, no issue or channel reference.
	ref := `\#` + strconv.Itoa(position)
	if dest := MarkdownLinkDestination(link); dest != "" {
		return "**" + a + "** ([" + ref + "](" + dest + "))"
	}
	return "**" + a + "** (" + ref + ")"
}

// MarkdownLinkDestination returns an http(s) URL (digest.SafeURL) ready to
// stand as a Markdown link's destination, "" for any other: the characters
// that could end the destination or the link early, or start a title, are
// percent-encoded, which leaves the URL the same to a browser.
func MarkdownLinkDestination(u string) string {
	u = digest.SafeURL(u)
	if u == "" {
		return ""
	}
	return strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\\", "%5C", "\"", "%22", "'", "%27", "`", "%60").Replace(u)
}

func mdBar(s float64) string {
	return "`" + strings.TrimRight(shares.Bar(s, mdBarCells), " ") + "`"
}

func (m *mdLayout) header() {
	d := m.d
	m.out.line("# " + EscapeMarkdown(quoteText(heading(d), titleRunes)))
	m.out.line("")
	meta := fmt.Sprintf("**%s** by **%s**", plural(d.CommentCount, "comment", "comments"), plural(d.CommenterCount, "commenter", "commenters"))
	if span := spanText(d.Span); span != "" {
		meta += " · " + span
	}
	m.out.line(meta)
	if d.Context != nil {
		m.out.line("")
		m.out.line(EscapeMarkdown(contextLine(d.Context)))
	}
}

func (m *mdLayout) arguments(args []digest.Argument) {
	d := m.d
	m.out.line("")
	m.out.line("## Dominant arguments")
	m.out.line("")
	if len(args) == 0 {
		m.out.line("No argument is made by enough commenters to report.")
		return
	}
	for i, a := range args {
		if i > 0 {
			m.out.line("")
		}
		m.out.line(fmt.Sprintf("### %d. %s", a.ID, EscapeMarkdown(textLabel(a.Label))))
		m.out.line("")
		m.out.line(fmt.Sprintf("%s %d of %d commenters (%s)", mdBar(a.Share), a.Commenters, d.CommenterCount, shares.Percent(a.Share)))
		if q := mdQuote(a.Statement, statementRunes); q != "" {
			m.out.line("")
			m.out.line("> “" + q + "”")
			m.out.line(">")
			m.out.line("> — " + mdWho(a.Quote.Author, a.Quote.Position, a.Quote.URL))
		}
	}
	if hidden := len(d.Arguments) - len(args); hidden > 0 {
		m.out.line("")
		m.out.line(fmt.Sprintf("_%s not shown._", plural(hidden, "more argument", "more arguments")))
	}
	if note := digest.SharesNote(args, d.CommenterCount); note != "" {
		m.out.line("")
		m.out.line("_" + EscapeMarkdown(note) + "_")
	}
}

func (m *mdLayout) rebuttals(rebs []digest.Rebuttal) {
	m.out.line("")
	m.out.line("## Notable rebuttals")
	m.out.line("")
	if len(rebs) == 0 {
		m.out.line("No reply pushes back on another.")
		return
	}
	for i, r := range rebs {
		if i > 0 {
			m.out.line("")
		}
		m.out.line(fmt.Sprintf("**%d.** %s answers %s", i+1, mdWho(r.Author, r.Position, r.URL), mdWho(r.ParentAuthor, r.ParentPosition, r.ParentURL)))
		m.out.line("")
		m.out.line("> " + mdName(r.ParentAuthor) + ": “" + mdQuote(r.ParentExcerpt, excerptRunes) + "”")
		m.out.line(">")
		m.out.line("> " + mdName(r.Author) + ": “" + mdQuote(r.Excerpt, excerptRunes) + "”")
	}
	if hidden := len(m.d.Rebuttals) - len(rebs); hidden > 0 {
		m.out.line("")
		m.out.line(fmt.Sprintf("_%s not shown._", plural(hidden, "more rebuttal", "more rebuttals")))
	}
}

// mdName is a commenter's name in bold, escaped.
func mdName(author string) string {
	a := EscapeMarkdown(fit(inert(author), nameColumns))
	if a == "" {
		a = "anonymous"
	}
	return "**" + a + "**"
}

func (m *mdLayout) stance() {
	s := m.d.Stance
	m.out.line("")
	if target := EscapeMarkdown(s.Target); target != "" {
		m.out.line("## Stance toward " + target)
	} else {
		m.out.line("## Stance")
		m.out.line("")
		m.out.line("No target was given or found: every comment reads as none.")
	}
	m.out.line("")
	total := s.Total()
	m.out.line("| Stance | Comments | Share | |")
	m.out.line("|:--|--:|--:|:--|")
	pcts := split(s.Favor, s.Against, s.None)
	for i, r := range []struct {
		name string
		n    int
	}{{"favor", s.Favor}, {"against", s.Against}, {"none", s.None}} {
		m.out.line(fmt.Sprintf("| %s | %d | %s | %s |", r.name, r.n, pcts[i], mdBar(shares.Of(r.n, total))))
	}
	for _, side := range []struct {
		name string
		q    *digest.Quote
	}{{SideLabel(digest.StanceFavor), s.FavorQuote}, {SideLabel(digest.StanceAgainst), s.AgainstQuote}} {
		if side.q == nil {
			continue
		}
		m.out.line("")
		m.out.line("> " + side.name + ": “" + mdQuote(side.q.Text, statementRunes) + "”")
		m.out.line(">")
		m.out.line("> — " + mdWho(side.q.Author, side.q.Position, side.q.URL))
	}
}

func (m *mdLayout) regions() {
	d := m.d
	m.out.line("")
	m.out.line("## Regions")
	m.out.line("")
	if len(d.Regions) == 0 {
		m.out.line("No commenters.")
		return
	}
	m.out.line("| Region | Commenters | Favor | Against | None | Leading argument |")
	m.out.line("|:--|--:|--:|--:|--:|:--|")
	few := false
	for _, r := range d.Regions {
		name := EscapeMarkdown(string(r.Region))
		if shares.Few(r.Commenters) {
			name += " \\*"
			few = true
		}
		lead := "–"
		if r.TopArgument != nil {
			lead = strconv.Itoa(*r.TopArgument) + ". " + EscapeMarkdown(textLabel(argumentLabel(d, *r.TopArgument)))
		}
		pcts := split(r.Favor, r.Against, r.None)
		m.out.line(fmt.Sprintf("| %s | %d | %s | %s | %s | %s |", name, r.Commenters, pcts[0], pcts[1], pcts[2], lead))
	}
	m.out.line("")
	note := "Shares are of each region's commenters (one stance per commenter)."
	if few {
		note += " \\* " + EscapeMarkdown(strings.ToUpper(shares.FewNote[:1])+shares.FewNote[1:]) + "."
	}
	m.out.line(note)
}
