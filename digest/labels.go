package digest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/textproc"
)

// Labels are what an engine read in a thread, comment by comment: what each
// comment answers and how, its stance, the arguments it makes, and where in
// its text it does so. Assemble turns them into a Digest with the same
// counting, ranking and quoting as Analyze; OfflineLabels gives the offline
// analysis's own, for another engine to start from or fall back to.
type Labels struct {
	// Target is what stance was read toward; "" when there is none.
	Target string
	// Arguments are the arguments found, in any order: Assemble ranks them
	// by how many commenters make them.
	Arguments []LabelledArgument
	// Comments has one entry per comment of the thread, in the thread's
	// order. A deleted comment's entry counts only for its ReplyTo.
	Comments []CommentLabels
}

// LabelledArgument is one argument an engine found.
type LabelledArgument struct {
	// Label is the short text shown for it.
	Label string
}

// CommentLabels are one comment's labels. Spans are byte ranges of the
// comment's Body (ParentSpan: of its parent's); the zero TextSpan is none.
type CommentLabels struct {
	// ReplyTo is the index in the thread of the comment this one answers,
	// or -1 for none.
	ReplyTo int
	// Relation of a reply to its parent (RelationRebuttal, …); "" for a
	// comment that answers none.
	Relation string
	// RelationSpan and ParentSpan are where a reply and its parent clash:
	// the excerpts a rebuttal is shown with.
	RelationSpan, ParentSpan TextSpan
	// Stance toward Target: StanceFavor, StanceAgainst or StanceNone.
	Stance string
	// StanceSpan is where the comment takes its side.
	StanceSpan TextSpan
	// Arguments the comment makes, with where it makes each.
	Arguments []ArgumentMark
}

// ArgumentMark says a comment makes an argument, and where.
type ArgumentMark struct {
	// Argument is an index into Labels.Arguments.
	Argument int
	// Span states the argument; it must not be empty.
	Span TextSpan
}

// TextSpan is the byte range [Start, End) of a text.
type TextSpan struct{ Start, End int }

// IsZero reports whether s is the zero TextSpan, which means none.
func (s TextSpan) IsZero() bool { return s == TextSpan{} }

// SpanOf returns the span of the first occurrence of quote in body, and
// whether there is one: how a quote cited as text becomes a TextSpan.
func SpanOf(body, quote string) (TextSpan, bool) {
	if quote == "" {
		return TextSpan{}, false
	}
	i := strings.Index(body, quote)
	if i < 0 {
		return TextSpan{}, false
	}
	return TextSpan{i, i + len(quote)}, true
}

// Assemble builds the Digest of a thread from an engine's labels: counts by
// distinct commenter, ranks arguments and rebuttals, picks quotes and splits
// regions exactly as Analyze does, quoting the spans the labels give. opt
// applies as to Analyze, except Target (the labels carry it). It fails, naming
// the comment and field, when the labels do not fit the thread.
func Assemble(t threaddigest.Thread, l Labels, opt Options) (Digest, error) {
	if err := checkLabels(t, l); err != nil {
		return Digest{}, err
	}
	n := len(t.Comments)
	as := &assembly{
		t:         t,
		opt:       opt,
		n:         n,
		target:    l.Target,
		commenter: make([]int32, n),
		parent:    make([]int32, n),
		replies:   make([]int32, n),
		relation:  make([]int8, n),
		label:     make([]int8, n),
		argLabels: make([]string, len(l.Arguments)),
		argsOf:    make([][]int32, n),
	}
	as.commenters = len(numberCommenters(t, as.commenter))
	_, as.rank = readingOrder(t)
	for k, arg := range l.Arguments {
		as.argLabels[k] = arg.Label
	}
	ev := &labelEvidence{t: t, l: l, rank: as.rank}
	for i, c := range l.Comments {
		as.parent[i] = int32(c.ReplyTo)
		if c.ReplyTo >= 0 {
			as.replies[c.ReplyTo]++
			as.relation[i] = relationValue(c.Relation)
		}
		switch c.Stance {
		case StanceFavor:
			as.label[i] = labelFavor
		case StanceAgainst:
			as.label[i] = labelAgainst
		}
		var gs []int32
		for _, m := range c.Arguments {
			gs = append(gs, int32(m.Argument))
		}
		slices.Sort(gs)
		as.argsOf[i] = gs
	}
	as.ev = ev
	return as.assemble(), nil
}

// checkLabels reports every way l does not fit t.
func checkLabels(t threaddigest.Thread, l Labels) error {
	if len(l.Comments) != len(t.Comments) {
		return fmt.Errorf("labels: %d comment labels for a thread of %d comments", len(l.Comments), len(t.Comments))
	}
	var errs []error
	bad := func(i int, format string, a ...any) {
		if len(errs) < 10 {
			errs = append(errs, fmt.Errorf("labels: comment %d (id %q): %s", i, t.Comments[i].ID, fmt.Sprintf(format, a...)))
		}
	}
	for i, c := range l.Comments {
		body := t.Comments[i].Body
		switch {
		case c.ReplyTo < -1 || c.ReplyTo >= len(t.Comments):
			bad(i, "reply_to %d is not a comment of the thread", c.ReplyTo)
		case c.ReplyTo == i:
			bad(i, "answers itself")
		case c.ReplyTo >= 0 && relationValue(c.Relation) == relNone:
			bad(i, "relation %q: expected rebuttal, agreement or extension for a reply", c.Relation)
		case c.ReplyTo == -1 && c.Relation != "":
			bad(i, "relation %q on a comment that answers none", c.Relation)
		}
		if c.ReplyTo >= 0 && c.ReplyTo < len(t.Comments) && c.ReplyTo != i {
			if err := checkSpan(t.Comments[c.ReplyTo].Body, c.ParentSpan, true); err != nil {
				bad(i, "parent span: %v", err)
			}
		}
		if err := checkSpan(body, c.RelationSpan, true); err != nil {
			bad(i, "relation span: %v", err)
		}
		switch c.Stance {
		case StanceFavor, StanceAgainst, StanceNone:
		default:
			bad(i, "stance %q: expected favor, against or none", c.Stance)
		}
		if err := checkSpan(body, c.StanceSpan, true); err != nil {
			bad(i, "stance span: %v", err)
		}
		seen := map[int]bool{}
		for _, m := range c.Arguments {
			if m.Argument < 0 || m.Argument >= len(l.Arguments) {
				bad(i, "argument %d: expected 0 to %d", m.Argument, len(l.Arguments)-1)
				continue
			}
			if seen[m.Argument] {
				bad(i, "argument %d marked twice", m.Argument)
			}
			seen[m.Argument] = true
			if err := checkSpan(body, m.Span, false); err != nil {
				bad(i, "argument %d span: %v", m.Argument, err)
			}
		}
	}
	return errors.Join(errs...)
}

// checkSpan reports whether sp is a range of whole characters of body; the
// zero TextSpan passes when zeroOK.
func checkSpan(body string, sp TextSpan, zeroOK bool) error {
	switch {
	case sp.IsZero() && zeroOK:
		return nil
	case sp.Start < 0 || sp.End > len(body) || sp.Start >= sp.End:
		return fmt.Errorf("[%d, %d) is not a non-empty range of the %d-byte body", sp.Start, sp.End, len(body))
	case !utf8.RuneStart(body[sp.Start]) || (sp.End < len(body) && !utf8.RuneStart(body[sp.End])):
		return fmt.Errorf("[%d, %d) cuts a character", sp.Start, sp.End)
	}
	return nil
}

func relationValue(r string) int8 {
	switch r {
	case RelationRebuttal:
		return relRebuttal
	case RelationAgreement:
		return relAgreement
	case RelationExtension:
		return relExtension
	}
	return relNone
}

// labelEvidence is the evidence of Labels: the spans the engine cited. Where
// several comments could be quoted, it prefers a cited passage of readable
// length, then the comment readers liked most, then the earliest by ID.
type labelEvidence struct {
	t    threaddigest.Thread
	l    Labels
	rank []int32
}

// Readable passages: long enough to say something, short enough to show.
const (
	readableWords = 6
	readableRunes = maxStatementRunes
)

func (e *labelEvidence) readable(i int, sp TextSpan) bool {
	if sp.IsZero() {
		return false
	}
	text := e.t.Comments[i].Body[sp.Start:sp.End]
	words := 0
	eachField(text, func(string) bool { words++; return words < readableWords })
	return words >= readableWords && utf8.RuneCountInString(text) <= readableRunes
}

// better reports whether quoting span si of comment i beats quoting span sj
// of comment j.
func (e *labelEvidence) better(i int, si TextSpan, j int, sj TextSpan) bool {
	if hi, hj := !si.IsZero(), !sj.IsZero(); hi != hj {
		return hi
	}
	if ri, rj := e.readable(i, si), e.readable(j, sj); ri != rj {
		return ri
	}
	if li, lj := e.t.Comments[i].Likes, e.t.Comments[j].Likes; li != lj {
		return li > lj
	}
	return e.rank[i] < e.rank[j]
}

func (e *labelEvidence) markOf(i, k int) TextSpan {
	for _, m := range e.l.Comments[i].Arguments {
		if m.Argument == k {
			return m.Span
		}
	}
	return TextSpan{}
}

func (e *labelEvidence) statement(k int, inScope []bool) (comment, start, end int) {
	best := -1
	var bestSpan TextSpan
	for i, ok := range inScope {
		if !ok {
			continue
		}
		sp := e.markOf(i, k)
		if sp.IsZero() {
			continue
		}
		if best < 0 || e.better(i, sp, best, bestSpan) {
			best, bestSpan = i, sp
		}
	}
	body := e.t.Comments[best].Body
	text := excerpt(body, bestSpan.Start, bestSpan.End, maxStatementRunes)
	if text == "" {
		return best, bestSpan.Start, bestSpan.End
	}
	return best, bestSpan.Start, bestSpan.Start + len(text)
}

func (e *labelEvidence) clearerSide(i, j int, sign float64) bool {
	if j < 0 {
		return true
	}
	return e.better(i, e.l.Comments[i].StanceSpan, j, e.l.Comments[j].StanceSpan)
}

func (e *labelEvidence) stanceQuote(i int, sign float64) *Quote {
	c := e.t.Comments[i]
	sp := e.l.Comments[i].StanceSpan
	if sp.IsZero() {
		// No passage was cited: the first sentence, which is verbatim.
		for _, s := range textproc.Sentences(c.Body) {
			if strings.TrimSpace(c.Body[s.Start:s.End]) != "" {
				sp = TextSpan{s.Start, s.End}
				break
			}
		}
	}
	if sp.IsZero() {
		return nil
	}
	text := excerpt(c.Body, sp.Start, sp.End, quoteRunes)
	if text == "" {
		return nil
	}
	return &Quote{CommentID: c.ID, Author: c.Author, Text: text}
}

func (e *labelEvidence) substance(i int) float64 {
	content := 0
	textproc.Words(e.t.Comments[i].Body, func(lower []byte, _ textproc.Word) {
		if w := string(lower); len(w) > 1 && !textproc.IsStopWord(w) && !isNumber(w) {
			content++
		}
	})
	return math.Min(1, float64(content)/25)
}

func (e *labelEvidence) rebuttalExcerpts(i, p int) (reply, parent string) {
	c := e.l.Comments[i]
	if sp := c.RelationSpan; !sp.IsZero() {
		reply = excerpt(e.t.Comments[i].Body, sp.Start, sp.End, excerptRunes)
	}
	if sp := c.ParentSpan; !sp.IsZero() {
		parent = excerpt(e.t.Comments[p].Body, sp.Start, sp.End, excerptRunes)
	}
	return reply, parent
}

// OfflineLabels labels a thread with the offline analysis, in the form
// Assemble takes: where another engine starts from (reply links, target) and
// what it falls back to, comment by comment. Spans are the sentences the
// offline digest would quote.
func OfflineLabels(t threaddigest.Thread, opt Options) Labels {
	a := analyze(t, opt)
	l := Labels{
		Target:    a.target.display,
		Arguments: make([]LabelledArgument, len(a.args)),
		Comments:  make([]CommentLabels, a.n),
	}
	for k := range a.args {
		l.Arguments[k] = LabelledArgument{Label: a.args[k].label}
	}
	for i := range l.Comments {
		c := &l.Comments[i]
		c.ReplyTo = int(a.parent[i])
		c.Stance = stanceName(a.label[i])
		body := t.Comments[i].Body
		if p := a.parent[i]; p >= 0 {
			c.Relation = relationName(a.relation[i])
			if a.relation[i] == relRebuttal && a.live(i) {
				reply, parent := a.rebuttalExcerpts(i, int(p))
				c.RelationSpan, _ = SpanOf(body, reply)
				c.ParentSpan, _ = SpanOf(t.Comments[p].Body, parent)
			}
		}
		if !a.live(i) {
			continue
		}
		sign := 0.0
		switch a.label[i] {
		case labelFavor:
			sign = 1
		case labelAgainst:
			sign = -1
		}
		if sign != 0 {
			if s := a.stanceSentence(i, sign); s >= 0 {
				c.StanceSpan = TextSpan{int(a.sents[s].start), int(a.sents[s].end)}
			}
		}
		for _, g := range a.commentArgs[i] {
			s := a.sentenceStating(int(g), i)
			c.Arguments = append(c.Arguments, ArgumentMark{Argument: int(g), Span: TextSpan{int(a.sents[s].start), int(a.sents[s].end)}})
		}
	}
	return l
}
