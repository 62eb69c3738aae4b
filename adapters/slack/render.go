package slack

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/internal/shares"
	"github.com/threaddigest/threaddigest/internal/textutil"
	"github.com/threaddigest/threaddigest/render"
)

// Limits of a Slack message. Slack rejects a message that breaks them and
// slack-go does not check them, so the renderer keeps within them itself.
const (
	// MaxBlocks is the number of blocks Slack accepts in one message.
	MaxBlocks = 50
	// MaxSectionText is the longest text of a section or context element.
	MaxSectionText = 3000
	// MaxHeaderText is the longest text of a header block.
	MaxHeaderText = 150
	// MaxContextElements is the number of elements of a context block.
	MaxContextElements = 10
	// MaxMessageText is this renderer's budget for the text of all blocks of
	// one message. Slack documents no total, but refuses messages near 12,000
	// characters with msg_blocks_too_long; 8,000 leaves a wide margin.
	MaxMessageText = 8000
	// MaxFallbackText caps the fallback text that notifications show.
	MaxFallbackText = 1000
	// MaxButtonValue is the longest value of a button element.
	MaxButtonValue = 2000
)

// Lengths this renderer gives to quoted text, so a message stays readable
// and several sections fit in one message.
const (
	digestQuoteLen  = 400  // a quote in a digest
	sectionQuoteLen = 1300 // a quote in a one-section answer
	excerptLen      = 300  // one side of a rebuttal
	labelLen        = 120  // an argument's label
)

// Message is one Slack message: its blocks and the fallback text that
// notifications and clients without Block Kit show.
type Message struct {
	Text   string          `json:"text"`
	Blocks []slackgo.Block `json:"blocks"`
}

// TextLength counts the characters of every text object in m's blocks, which
// is what Slack's limits on a message are about.
func (m Message) TextLength() int {
	n := 0
	for _, b := range m.Blocks {
		n += blockTextLength(b)
	}
	return n
}

func blockTextLength(b slackgo.Block) int {
	n := 0
	text := func(t *slackgo.TextBlockObject) {
		if t != nil {
			n += utf8.RuneCountInString(t.Text)
		}
	}
	switch b := b.(type) {
	case *slackgo.HeaderBlock:
		text(b.Text)
	case *slackgo.SectionBlock:
		text(b.Text)
		for _, f := range b.Fields {
			text(f)
		}
	case *slackgo.ContextBlock:
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slackgo.TextBlockObject); ok {
				text(t)
			}
		}
	case *slackgo.ActionBlock:
		for _, e := range b.Elements.ElementSet {
			if btn, ok := e.(*slackgo.ButtonBlockElement); ok {
				text(btn.Text)
			}
		}
	}
	return n
}

// JSON is the message as a webhook or response_url payload carries it.
func (m Message) JSON() ([]byte, error) { return json.Marshal(m) }

// plain is a plain_text object for untrusted text, already escaped and fitted.
func plain(escaped string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, escaped, false, false)
}

// mrkdwn is a mrkdwn object for text this package writes itself.
func mrkdwn(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, false)
}

func section(t *slackgo.TextBlockObject) *slackgo.SectionBlock {
	return slackgo.NewSectionBlock(t, nil, nil)
}

func contextBlock(elems ...slackgo.MixedElement) *slackgo.ContextBlock {
	return slackgo.NewContextBlock("", elems...)
}

// unit is a group of blocks that belong together and are never split across
// messages (a heading and what follows it, one argument).
type unit struct {
	blocks []slackgo.Block
}

func (u unit) length() int {
	n := 0
	for _, b := range u.blocks {
		n += blockTextLength(b)
	}
	return n
}

func units(blocks ...slackgo.Block) unit { return unit{blocks: blocks} }

// PostOptions adjust how a scheduled digest is rendered.
type PostOptions struct {
	// ChartNote, when set, adds a context line saying the regional chart
	// follows (the bot destination uploads it after the message).
	ChartNote bool
	// Note, when set, is a line of plain text under the header (an
	// answer's remark about what it shows).
	Note string
}

// RenderPost renders a scheduled digest as one or more messages, each within
// Slack's limits. The first message carries the header.
func RenderPost(p bot.Post, opt PostOptions) []Message {
	d := p.Digest
	title := d.Title
	// A title of control or invisible characters only cleans to nothing,
	// and Slack refuses a header without text.
	if textutil.OneLine(title) == "" {
		title = "Digest of " + p.Thread
	}
	var us []unit
	us = append(us, headUnit(title, p.Thread, d))
	if strings.TrimSpace(opt.Note) != "" {
		us = append(us, units(section(plain(fit(opt.Note, MaxSectionText)))))
	}
	if c := contextUnit(d); c != nil {
		us = append(us, *c)
	}
	if p.MayRepeat {
		us = append(us, units(contextBlock(mrkdwn(":warning: "+escape(bot.MayRepeatNote)))))
	}
	if d.CommentCount == 0 {
		us = append(us, units(section(plain("No comments to digest."))))
	} else {
		us = append(us, units(slackgo.NewDividerBlock()))
		us = append(us, stanceUnits(d, digestQuoteLen)...)
		us = append(us, units(slackgo.NewDividerBlock()))
		us = append(us, argumentUnits(d, p.MaxArguments, digestQuoteLen)...)
		if len(d.Rebuttals) > 0 {
			us = append(us, units(slackgo.NewDividerBlock()))
			us = append(us, rebuttalUnits(d, excerptLen)...)
		}
		if len(d.Regions) > 0 {
			us = append(us, units(slackgo.NewDividerBlock()))
			us = append(us, regionUnits(d, p.MaxArguments)...)
		}
	}
	var foot []string
	if !p.Slot.IsZero() {
		foot = append(foot, "threaddigest · scheduled for "+slackDate(p.Slot))
	} else {
		foot = append(foot, "threaddigest")
	}
	if opt.ChartNote && len(d.Regions) > 0 {
		foot = append(foot, "chart of the regional split below")
	}
	us = append(us, units(contextBlock(mrkdwn(strings.Join(foot, " · ")))))
	if u := engineUnit(d); u != nil {
		us = append(us, *u)
	}
	return pack(us, fallbackForDigest(p.Thread, d), p.Thread)
}

// engineUnit says which engine labelled the comments, when another than the
// offline analysis was asked to; nil otherwise.
func engineUnit(d digest.Digest) *unit {
	f := d.Engine.Footer()
	if f == "" {
		return nil
	}
	u := units(contextBlock(plain(fitLine(f, MaxSectionText))))
	return &u
}

// ResponseOptions adjust how an answer to a /thread command is rendered.
type ResponseOptions struct {
	// ShareValue, when set and the response is an ephemeral answer about a
	// digest, adds a "Share to channel" button carrying this value (at most
	// MaxButtonValue bytes).
	ShareValue string
	// SharedBy, when set, notes which user shared the answer to the channel.
	// It must be a Slack user id; anything else is ignored.
	SharedBy string
}

// ShareActionID is the action_id of the "Share to channel" button.
const ShareActionID = "threaddigest_share"

// RenderResponse renders the answer to a /thread command as one or more
// messages within Slack's limits.
func RenderResponse(r bot.Response, opt ResponseOptions) []Message {
	var us []unit
	var fallback string
	thread := r.Thread
	switch {
	case r.Digest == nil || r.Kind == bot.KindText || r.Kind == bot.KindList || r.Kind == "":
		text := r.Text
		if strings.TrimSpace(text) == "" {
			text = "(no answer)"
		}
		for _, c := range chunks(text, MaxSectionText) {
			if c != "" {
				us = append(us, units(section(plain(c))))
			}
		}
		fallback = fitLine(text, MaxFallbackText)
	default:
		d := *r.Digest
		name := thread
		if name == "" {
			name = d.ThreadID
		}
		switch r.Kind {
		case bot.KindStance:
			us = append(us, units(slackgo.NewHeaderBlock(plain(fitLine("Stance · "+orTitle(name, d), MaxHeaderText)))))
			us = append(us, summaryContext(name, d))
			us = append(us, stanceUnits(d, sectionQuoteLen)...)
			if len(d.Regions) > 0 {
				us = append(us, regionUnits(d, 0)...)
			}
			fallback = fallbackForStance(name, d)
		case bot.KindArguments:
			us = append(us, units(slackgo.NewHeaderBlock(plain(fitLine("Arguments · "+orTitle(name, d), MaxHeaderText)))))
			us = append(us, summaryContext(name, d))
			us = append(us, argumentUnits(d, 0, sectionQuoteLen)...)
			fallback = fitLine(fmt.Sprintf("%s: %d arguments among %d commenters", name, len(d.Arguments), d.CommenterCount), MaxFallbackText)
		case bot.KindRebuttals:
			us = append(us, units(slackgo.NewHeaderBlock(plain(fitLine("Rebuttals · "+orTitle(name, d), MaxHeaderText)))))
			us = append(us, summaryContext(name, d))
			us = append(us, rebuttalUnits(d, sectionQuoteLen)...)
			fallback = fitLine(fmt.Sprintf("%s: %d notable rebuttals", name, len(d.Rebuttals)), MaxFallbackText)
		case bot.KindRegions:
			us = append(us, units(slackgo.NewHeaderBlock(plain(fitLine("Regions · "+orTitle(name, d), MaxHeaderText)))))
			us = append(us, summaryContext(name, d))
			us = append(us, regionUnits(d, 0)...)
			fallback = fitLine(fmt.Sprintf("%s: %d commenters in %d regions", name, d.CommenterCount, len(d.Regions)), MaxFallbackText)
		default: // KindDigest and anything newer renders the whole digest
			msgs := RenderPost(bot.Post{Thread: name, Digest: d}, PostOptions{Note: r.Text})
			return finishResponse(msgs, r, opt)
		}
		if u := engineUnit(d); u != nil {
			us = append(us, *u)
		}
	}
	return finishResponse(pack(us, fallback, thread), r, opt)
}

// finishResponse adds the share button or the "shared by" line.
func finishResponse(msgs []Message, r bot.Response, opt ResponseOptions) []Message {
	if len(msgs) == 0 {
		return msgs
	}
	last := &msgs[len(msgs)-1]
	if r.Ephemeral && r.Digest != nil && opt.ShareValue != "" && len(opt.ShareValue) <= MaxButtonValue {
		btn := slackgo.NewButtonBlockElement(ShareActionID, opt.ShareValue, plain("Share to channel"))
		last.Blocks = append(last.Blocks, slackgo.NewActionBlock("threaddigest_actions", btn))
	}
	if opt.SharedBy != "" && validUserID(opt.SharedBy) {
		last.Blocks = append(last.Blocks, contextBlock(mrkdwn("Shared by <@"+opt.SharedBy+">")))
	}
	return msgs
}

// validUserID reports whether s looks like a Slack user id, so that it can be
// written into mention syntax without forming anything else.
func validUserID(s string) bool {
	if len(s) < 2 || len(s) > 24 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func orTitle(name string, d digest.Digest) string {
	if name != "" {
		return name
	}
	if d.Title != "" {
		return d.Title
	}
	return "thread"
}

// pack puts units into as few messages as the limits allow, reserving room in
// each for the part marker and an action block.
func pack(us []unit, fallback, thread string) []Message {
	const reservedBlocks = 4 // continued line, part marker, share button or "shared by", "rest cut" note
	const reservedText = 200
	var msgs [][]slackgo.Block
	var cur []slackgo.Block
	curLen := 0
	for _, u := range us {
		ul := u.length()
		if len(cur) > 0 && (len(cur)+len(u.blocks) > MaxBlocks-reservedBlocks || curLen+ul > MaxMessageText-reservedText) {
			msgs = append(msgs, cur)
			cur, curLen = nil, 0
		}
		cur = append(cur, u.blocks...)
		curLen += ul
	}
	if len(cur) > 0 {
		msgs = append(msgs, cur)
	}
	out := make([]Message, len(msgs))
	for i, blocks := range msgs {
		text := fallback
		if len(msgs) > 1 {
			part := fmt.Sprintf("part %d of %d", i+1, len(msgs))
			blocks = append(blocks, contextBlock(mrkdwn("_"+part+"_")))
			text = fallback + " (" + part + ")"
			if i > 0 {
				name := "continued"
				if thread != "" {
					name = fitLine(thread, 100) + ", continued"
				}
				blocks = append([]slackgo.Block{contextBlock(plain(name))}, blocks...)
			}
		}
		out[i] = Message{Text: text, Blocks: blocks}
	}
	return out
}

// headUnit is the header and the line under it.
func headUnit(title, thread string, d digest.Digest) unit {
	return units(
		slackgo.NewHeaderBlock(plain(fitLine(title, MaxHeaderText))),
		summaryContext(thread, d).blocks[0],
	)
}

// summaryContext is the small line naming the thread and its counts.
func summaryContext(thread string, d digest.Digest) unit {
	var elems []slackgo.MixedElement
	if thread != "" {
		elems = append(elems, plain(fitLine(thread, 200)))
	}
	line := fmt.Sprintf("%s by %s", textutil.Plural(d.CommentCount, "comment", "comments"), textutil.Plural(d.CommenterCount, "commenter", "commenters"))
	if d.Span != nil && !d.Span.First.IsZero() {
		line += " · " + slackDate(d.Span.First) + " – " + slackDate(d.Span.Last)
	}
	elems = append(elems, mrkdwn(line))
	return units(contextBlock(elems...))
}

// contextUnit places new comments in the whole thread; nil without Context.
func contextUnit(d digest.Digest) *unit {
	c := d.Context
	if c == nil {
		return nil
	}
	text := fmt.Sprintf("%s by %s, %d comments in all.",
		textutil.Plural(c.NewComments, "new comment", "new comments"), textutil.Plural(c.NewCommenters, "commenter", "commenters"), c.TotalComments)
	if lean := strings.TrimSpace(c.Lean); lean != "" {
		r, size := utf8.DecodeRuneInString(lean)
		lean = strings.ToUpper(string(r)) + lean[size:]
		if !strings.HasSuffix(lean, ".") {
			lean += "."
		}
		text += " " + lean
	}
	u := units(section(plain(fit(text, MaxSectionText))))
	return &u
}

// slackDate writes t as a Slack date token, shown in each reader's time zone,
// with UTC text for clients that cannot format it.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// stanceUnits are the stance heading, the counts table and the quotes.
func stanceUnits(d digest.Digest, quoteLen int) []unit {
	s := d.Stance
	target := s.Target
	if target == "" {
		target = d.Target
	}
	total := s.Total()
	head := []slackgo.Block{section(mrkdwn("*Stance*"))}
	sub := "by comment"
	if target != "" {
		sub = "toward " + target + ", by comment"
	} else {
		sub = "no target found; by comment"
	}
	head = append(head, contextBlock(plain(fitLine(sub, 500))))
	var tb strings.Builder
	tb.WriteString("```")
	pcts := shares.Percents(s.Favor, s.Against, s.None)
	for i, row := range []struct {
		name string
		n    int
	}{{"favor", s.Favor}, {"against", s.Against}, {"none", s.None}} {
		if i > 0 {
			tb.WriteString("\n")
		}
		fmt.Fprintf(&tb, "%-8s %s %4d %4d%%", row.name, shares.Cells(row.n, total, 12), row.n, pcts[i])
	}
	tb.WriteString("```")
	head = append(head, section(mrkdwn(tb.String())))
	out := []unit{units(head...)}
	var quotes []slackgo.Block
	for _, side := range []struct {
		name string
		q    *digest.Quote
	}{{render.SideLabel(digest.StanceFavor), s.FavorQuote}, {render.SideLabel(digest.StanceAgainst), s.AgainstQuote}} {
		if side.q != nil {
			quotes = append(quotes, section(plain(side.name+": “"+fitQuote(side.q.Text, quoteLen)+"”")),
				byline(side.q.Author, side.q.Position, side.q.URL))
		}
	}
	if len(quotes) > 0 {
		out = append(out, units(quotes...))
	}
	return out
}

// argumentUnits are the arguments heading and one section per argument.
func argumentUnits(d digest.Digest, max, quoteLen int) []unit {
	args := d.Arguments
	shown := len(args)
	if max > 0 && shown > max {
		shown = max
	}
	head := "*Arguments*"
	if len(args) == 0 {
		return []unit{units(section(mrkdwn(head)), section(plain("No argument is made by more than one commenter.")))}
	}
	if shown < len(args) {
		head += fmt.Sprintf(" · %d of %d shown", shown, len(args))
	}
	out := []unit{units(section(mrkdwn(head)))}
	for _, a := range args[:shown] {
		var b strings.Builder
		fmt.Fprintf(&b, "%d. %s\n%s %s (%s)\n“%s”",
			a.ID, fitLine(a.Label, labelLen),
			shares.Cells(a.Commenters, d.CommenterCount, 10), textutil.Plural(a.Commenters, "commenter", "commenters"),
			shares.Percent(shares.Of(a.Commenters, d.CommenterCount)),
			fitQuote(a.Statement, quoteLen))
		out = append(out, units(section(plain(b.String())), byline(a.Quote.Author, a.Quote.Position, a.Quote.URL)))
	}
	if note := digest.SharesNote(args[:shown], d.CommenterCount); note != "" {
		out = append(out, units(slackgo.NewContextBlock("", plain(note))))
	}
	return out
}

// rebuttalUnits are the rebuttals heading and one section per rebuttal.
func rebuttalUnits(d digest.Digest, quoteLen int) []unit {
	if len(d.Rebuttals) == 0 {
		return []unit{units(section(mrkdwn("*Rebuttals*")), section(plain("No reply pushes back on another comment.")))}
	}
	out := []unit{units(section(mrkdwn("*Rebuttals*")))}
	for _, r := range d.Rebuttals {
		text := fmt.Sprintf("%s answers %s\n“%s”\n↳ “%s”",
			fitLine(r.Author, 80), fitLine(r.ParentAuthor, 80),
			fitQuote(r.ParentExcerpt, quoteLen), fitQuote(r.Excerpt, quoteLen))
		blocks := []slackgo.Block{section(plain(text))}
		if ref, parent := commentRef(r.Position, r.URL), commentRef(r.ParentPosition, r.ParentURL); ref != "" && parent != "" {
			blocks = append(blocks, contextBlock(mrkdwn("reply "+ref+" to "+parent)))
		}
		out = append(out, units(blocks...))
	}
	return out
}

// byline is the line under a quote: its author, and the comment's place
// in the thread, linked to the comment when its source gave a URL. The
// author is untrusted (plain_text); the reference is ours (mrkdwn).
func byline(author string, position int, link string) *slackgo.ContextBlock {
	who := fitLine(author, 80)
	if who == "" {
		who = "anonymous"
	}
	elems := []slackgo.MixedElement{plain("— " + who)}
	if ref := commentRef(position, link); ref != "" {
		elems = append(elems, mrkdwn(ref))
	}
	return contextBlock(elems...)
}

// commentRef names a comment by its position, "#12", as a link to it when
// link is an http(s) URL (digest.SafeURL): "<https://…|#12>". "" when the
// position is unknown.
func commentRef(position int, link string) string {
	if position <= 0 {
		return ""
	}
	ref := "#" + strconv.Itoa(position)
	if u := digest.SafeURL(link); u != "" {
		// Inside <url|text> Slack reads &, < and > as entities and | as
		// the separator: escape the first three, percent-encode the last.
		return "<" + escapeCleaned(strings.ReplaceAll(u, "|", "%7C")) + "|" + ref + ">"
	}
	return ref
}

// regionUnits are the regional split as a table, and the labels of the
// arguments it refers to. Arguments beyond maxArgs (when > 0) are not named.
func regionUnits(d digest.Digest, maxArgs int) []unit {
	if len(d.Regions) == 0 {
		return []unit{units(section(mrkdwn("*Regions*")), section(plain("No commenters to place.")))}
	}
	var tb strings.Builder
	tb.WriteString("```")
	fmt.Fprintf(&tb, "%-15s %3s %7s %7s %7s  %s", "Region", "n", "favor", "against", "none", "top")
	referenced := map[int]bool{}
	few := false
	for _, r := range d.Regions {
		top := "–"
		if r.TopArgument != nil {
			top = "#" + strconv.Itoa(*r.TopArgument)
			referenced[*r.TopArgument] = true
		}
		// A region too small to generalise from is marked, as the note
		// under the table says.
		name := regionName(r.Region)
		if shares.Few(r.Commenters) {
			name, few = name+" *", true
		}
		p := shares.Percents(r.Favor, r.Against, r.None)
		fmt.Fprintf(&tb, "\n%-15s %3d %7s %7s %7s  %s", name, r.Commenters,
			strconv.Itoa(p[0])+"%", strconv.Itoa(p[1])+"%", strconv.Itoa(p[2])+"%", top)
	}
	tb.WriteString("```")
	blocks := []slackgo.Block{
		section(mrkdwn("*Regions* · commenters (n) and their stance; top = argument most made there")),
		section(mrkdwn(tb.String())),
	}
	if few {
		blocks = append(blocks, contextBlock(plain("* "+shares.FewNote+".")))
	}
	var legend []string
	for _, a := range d.Arguments {
		if referenced[a.ID] {
			legend = append(legend, "#"+strconv.Itoa(a.ID)+" "+textutil.OneLine(a.Label))
		}
	}
	if len(legend) > 0 {
		blocks = append(blocks, contextBlock(plain(fit(strings.Join(legend, " · "), 1000))))
	}
	return []unit{units(blocks...)}
}

// regionName keeps a region's name within the table's first column; the
// names come from geo's fixed set.
func regionName(r geo.Region) string {
	s := string(r)
	if utf8.RuneCountInString(s) > 13 {
		return textutil.Truncate(s, 13, ellipsis)
	}
	return s
}

func fallbackForDigest(thread string, d digest.Digest) string {
	var b strings.Builder
	if thread != "" {
		b.WriteString(thread + ": ")
	}
	if d.Context != nil {
		fmt.Fprintf(&b, "%s, %d in all", textutil.Plural(d.Context.NewComments, "new comment", "new comments"), d.Context.TotalComments)
	} else {
		fmt.Fprintf(&b, "%s by %s", textutil.Plural(d.CommentCount, "comment", "comments"), textutil.Plural(d.CommenterCount, "commenter", "commenters"))
	}
	s := d.Stance
	if s.Total() > 0 {
		fmt.Fprintf(&b, "; stance: %d favor, %d against, %d none", s.Favor, s.Against, s.None)
	}
	return fitLine(b.String(), MaxFallbackText)
}

func fallbackForStance(thread string, d digest.Digest) string {
	s := d.Stance
	target := s.Target
	if target == "" {
		target = d.Target
	}
	line := fmt.Sprintf("%s: %d favor, %d against, %d none", thread, s.Favor, s.Against, s.None)
	if target != "" {
		line = fmt.Sprintf("%s: toward %s, %d favor, %d against, %d none", thread, target, s.Favor, s.Against, s.None)
	}
	return fitLine(line, MaxFallbackText)
}
