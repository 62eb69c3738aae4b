package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/internal/shares"
)

// errWriter keeps the first write error so that a rendering can write freely
// and report once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) line(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, strings.TrimRight(s, " ")+"\n")
	}
}

// Text writes d for a terminal: compact, aligned to opt.Width columns, shares
// drawn as bars of block characters. Untrusted text is printed inert (no
// control characters, escape sequences or direction overrides).
func Text(w io.Writer, d digest.Digest, opt Options) error {
	out := &errWriter{w: w}
	t := textLayout{out: out, d: &d, width: opt.width()}
	t.header()
	t.arguments(opt.arguments(&d))
	t.rebuttals(opt.rebuttals(&d))
	t.stance()
	t.regions()
	t.footer()
	return out.err
}

// footer says which engine labelled the comments, when another than the
// offline analysis was asked to.
func (t *textLayout) footer() {
	if f := t.d.Engine.Footer(); f != "" {
		t.out.line("")
		for _, l := range wrap(inert(f), t.width) {
			t.out.line(l)
		}
	}
}

type textLayout struct {
	out   *errWriter
	d     *digest.Digest
	width int
}

// Column widths shared by the bar charts.
const (
	barCells = 16
	countW   = 5
	pctW     = 5
)

func (t *textLayout) header() {
	d := t.d
	for _, l := range wrap(quoteText(heading(d), titleRunes), t.width) {
		t.out.line(l)
	}
	meta := plural(d.CommentCount, "comment", "comments") + " by " + plural(d.CommenterCount, "commenter", "commenters")
	if span := spanText(d.Span); span != "" {
		meta += " · " + span
	}
	t.out.line(fit(meta, t.width))
	if d.Context != nil {
		for _, l := range wrap(contextLine(d.Context), t.width) {
			t.out.line(l)
		}
	}
}

// section starts a section with a title on the left and a column caption on
// the right.
func (t *textLayout) section(title, caption string) {
	t.out.line("")
	if caption == "" {
		t.out.line(title)
		return
	}
	t.out.line(pad(title, t.width-displayWidth(caption)-1) + " " + caption)
}

// labelWidth is what is left of a line for a bar chart's label after its
// indent and the bar, count and percentage columns.
func (t *textLayout) labelWidth(indent int) int {
	return t.width - indent - 1 - barCells - 1 - countW - 1 - pctW
}

// barRow lays out one row of a bar chart, its columns aligned under those of
// every other row.
func (t *textLayout) barRow(indent, label string, n int, s float64, pct string) {
	lw := t.labelWidth(displayWidth(indent))
	t.out.line(indent + pad(label, lw) + " " + shares.Bar(s, barCells) + " " + padLeft(strconv.Itoa(n), countW) + " " + padLeft(pct, pctW))
}

// quote prints verbatim text in quotation marks, wrapped under indent.
func (t *textLayout) quote(indent, text string, limit int) {
	q := quoteText(text, limit)
	if q == "" {
		return
	}
	for _, l := range wrap("“"+q+"”", t.width-len(indent)) {
		t.out.line(indent + l)
	}
}

func (t *textLayout) arguments(args []digest.Argument) {
	d := t.d
	t.section("ARGUMENTS", "commenters")
	if len(args) == 0 {
		t.out.line("  No argument is made by enough commenters to report.")
		return
	}
	for _, a := range args {
		num := fmt.Sprintf("%2d. ", a.ID)
		label := textLabel(a.Label)
		t.barRow(" "+num, label, a.Commenters, a.Share, shares.Percent(a.Share))
		t.quote("     ", a.Statement, statementRunes)
		t.out.line("     — " + fit(who(a.Quote.Author, a.Quote.Position), t.width-7))
	}
	if hidden := len(d.Arguments) - len(args); hidden > 0 {
		t.out.line(fmt.Sprintf("  (%s not shown)", plural(hidden, "more argument", "more arguments")))
	}
	if note := digest.SharesNote(args, d.CommenterCount); note != "" {
		for _, l := range wrap(note, t.width-2) {
			t.out.line("  " + l)
		}
	}
}

func (t *textLayout) rebuttals(rebs []digest.Rebuttal) {
	t.section("REBUTTALS", "")
	if len(rebs) == 0 {
		t.out.line("  No reply pushes back on another.")
		return
	}
	for i, r := range rebs {
		if i > 0 {
			t.out.line("")
		}
		t.out.line(fit(fmt.Sprintf(" %2d. %s said", i+1, who(r.ParentAuthor, r.ParentPosition)), t.width))
		t.quote("       ", r.ParentExcerpt, excerptRunes)
		t.out.line(fit("     "+who(r.Author, r.Position)+" answered", t.width))
		t.quote("       ", r.Excerpt, excerptRunes)
	}
	if hidden := len(t.d.Rebuttals) - len(rebs); hidden > 0 {
		t.out.line(fmt.Sprintf("  (%s not shown)", plural(hidden, "more rebuttal", "more rebuttals")))
	}
}

func (t *textLayout) stance() {
	s := t.d.Stance
	title := "STANCE"
	if target := inert(s.Target); target != "" {
		title = "STANCE TOWARD " + strings.ToUpper(target)
	} else {
		title += " (no target found: every comment reads as none)"
	}
	t.section(fit(title, t.width-len("comments")-1), "comments")
	total := s.Total()
	rows := []struct {
		name string
		n    int
	}{{"favor", s.Favor}, {"against", s.Against}, {"none", s.None}}
	pcts := split(s.Favor, s.Against, s.None)
	for i, r := range rows {
		t.barRow("  ", r.name, r.n, shares.Of(r.n, total), pcts[i])
	}
	for _, side := range []struct {
		name string
		q    *digest.Quote
	}{{SideLabel(digest.StanceFavor), s.FavorQuote}, {SideLabel(digest.StanceAgainst), s.AgainstQuote}} {
		if side.q == nil {
			continue
		}
		t.out.line("  " + side.name + ":")
		t.quote("     ", side.q.Text, statementRunes)
		t.out.line("     — " + fit(who(side.q.Author, side.q.Position), t.width-7))
	}
}

// Region table columns.
const (
	regionW    = 15
	commentsW  = 10
	stanceColW = 8
)

func (t *textLayout) regions() {
	d := t.d
	t.section("REGIONS", "")
	if len(d.Regions) == 0 {
		t.out.line("  No commenters.")
		return
	}
	leadW := t.width - 2 - regionW - commentsW - 3*stanceColW - 2
	t.out.line("  " + pad("", regionW) + padLeft("commenters", commentsW) +
		padLeft("favor", stanceColW) + padLeft("against", stanceColW) + padLeft("none", stanceColW) +
		"  " + pad("leading argument", leadW))
	few := false
	for _, r := range d.Regions {
		name := string(r.Region)
		if shares.Few(r.Commenters) {
			name += " *"
			few = true
		}
		lead := "–"
		if r.TopArgument != nil {
			lead = strconv.Itoa(*r.TopArgument) + ". " + textLabel(argumentLabel(d, *r.TopArgument))
		}
		pcts := split(r.Favor, r.Against, r.None)
		t.out.line("  " + pad(inert(name), regionW) + padLeft(strconv.Itoa(r.Commenters), commentsW) +
			padLeft(pcts[0], stanceColW) + padLeft(pcts[1], stanceColW) + padLeft(pcts[2], stanceColW) +
			"  " + fit(lead, leadW))
	}
	t.out.line("")
	for _, l := range wrap("Shares are of each region's commenters (one stance per commenter).", t.width-2) {
		t.out.line("  " + l)
	}
	if few {
		for _, l := range wrap("* "+shares.FewNote+".", t.width-2) {
			t.out.line("  " + l)
		}
	}
}

// textLabel prepares an argument label for one line.
func textLabel(label string) string {
	l := quoteText(label, labelRunes)
	if l == "" {
		return "(unlabelled)"
	}
	return l
}

// nameColumns caps a commenter's name where it is shown.
const nameColumns = 40

// who names a commenter and the comment by its position in the thread,
// e.g. "Anna K. (#7)".
func who(author string, position int) string {
	a := fit(inert(author), nameColumns)
	if a == "" {
		a = "anonymous"
	}
	if position > 0 {
		return a + " (#" + strconv.Itoa(position) + ")"
	}
	return a
}
