package discord

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/internal/shares"
	"github.com/threaddigest/threaddigest/internal/textutil"
	"github.com/threaddigest/threaddigest/render"
)

// Discord's message limits, which the API enforces by refusing the message
// (400, code 50035) and discordgo does not check. Counted in units (see
// units).
const (
	maxEmbedsPerMessage = 10
	maxEmbedChars       = 6000 // title+description+fields+footer+author, across a message's embeds
	maxTitle            = 256
	maxDescription      = 4096
	maxFields           = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooter           = 2048
	maxContent          = 2000
)

// embedColor is the accent bar of every embed (a muted blue).
const embedColor = 0x4E79A7

// ChartFile is the attachment name of the regional-split chart; embeds show it
// as attachment://regional-split.png.
const ChartFile = "regional-split.png"

// Message is one Discord message, ready to send: content, embeds, and the
// files the embeds show.
type Message struct {
	Content string
	Embeds  []*discordgo.MessageEmbed
	Files   []File
}

// File is an attachment of a message.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Options shape a rendering.
type Options struct {
	// Thread is the configured name of the thread, shown in the footer.
	Thread string
	// Slot is the schedule time of a scheduled digest, shown in the footer;
	// zero for answers.
	Slot time.Time
	// MaxArguments and MaxRebuttals cap the arguments and rebuttals shown in a
	// whole digest; 0 shows all of the digest's.
	MaxArguments int
	MaxRebuttals int
	// Chart, when not nil, is the regional-split PNG: the first message
	// carries it as ChartFile and its first embed shows it.
	Chart []byte
	// MayRepeat shows bot.MayRepeatNote at the top of a scheduled digest
	// (bot.Post.MayRepeat).
	MayRepeat bool
}

// RenderDigest renders a whole digest as one or more messages, each within
// Discord's limits.
func RenderDigest(d digest.Digest, opt Options) []Message {
	return assemble(digestSections(d, opt), footer(opt, &d), opt.Chart)
}

// digestSections are the sections of a whole digest.
func digestSections(d digest.Digest, opt Options) []section {
	over := overview(d, opt.Chart != nil)
	if opt.MayRepeat {
		over.desc = "⚠️ *" + escapeMarkdown(bot.MayRepeatNote) + "*\n\n" + over.desc
	}
	secs := []section{over}
	if s, ok := argumentsSection(d, opt.MaxArguments, false); ok {
		secs = append(secs, s)
	}
	if s, ok := rebuttalsSection(d, opt.MaxRebuttals, false); ok {
		secs = append(secs, s)
	}
	if s, ok := regionsSection(d, false); ok {
		secs = append(secs, s)
	}
	return secs
}

// RenderResponse renders the answer to a /thread command. Digest-bearing
// kinds show their part of the digest in full; text kinds become message
// content (or an embed for lists).
func RenderResponse(r bot.Response, opt Options) []Message {
	if opt.Thread == "" {
		opt.Thread = r.Thread
	}
	if r.Digest == nil {
		switch r.Kind {
		case bot.KindList:
			return assemble([]section{{title: "Followed threads", desc: listBody(r.Text)}}, footer(opt, nil), nil)
		default:
			return textMessages(r.Text)
		}
	}
	d := *r.Digest
	var secs []section
	switch r.Kind {
	case bot.KindStance:
		s := section{title: digestTitle(d, opt.Thread), desc: stanceBlock(d.Stance), image: imageFor(opt.Chart)}
		secs = append(secs, s)
		if rs, ok := regionsSection(d, true); ok {
			secs = append(secs, rs)
		}
	case bot.KindArguments:
		s, _ := argumentsSection(d, 0, true)
		secs = append(secs, s)
	case bot.KindRebuttals:
		s, _ := rebuttalsSection(d, 0, true)
		secs = append(secs, s)
	case bot.KindRegions:
		s, _ := regionsSection(d, true)
		s.image = imageFor(opt.Chart)
		secs = append(secs, s)
	default: // KindDigest and anything new that carries a digest
		secs = digestSections(d, opt)
		if r.Text != "" {
			secs[0].desc = escapeMarkdown(r.Text) + "\n\n" + secs[0].desc
		}
		return assemble(secs, footer(opt, &d), opt.Chart)
	}
	if r.Text != "" {
		secs[0].desc = escapeMarkdown(r.Text) + "\n\n" + secs[0].desc
	}
	chart := opt.Chart
	if secs[0].image == "" {
		chart = nil
	}
	return assemble(secs, footer(opt, &d), chart)
}

func imageFor(chart []byte) string {
	if chart == nil {
		return ""
	}
	return "attachment://" + ChartFile
}

// textMessages puts escaped text into message content, split at line breaks
// into messages of at most maxContent units.
func textMessages(text string) []Message {
	text = strings.TrimSpace(textutil.Clean(text))
	if text == "" {
		text = "(no answer)"
	}
	var msgs []Message
	for _, chunk := range splitLines(escapeLines(text), maxContent) {
		msgs = append(msgs, Message{Content: chunk})
	}
	return msgs
}

// escapeLines escapes each line of untrusted text on its own, so a line too
// long for any limit can later be cut without touching its neighbours.
func escapeLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = escapeMarkdown(l)
	}
	return strings.Join(lines, "\n")
}

func listBody(text string) string {
	text = strings.TrimSpace(textutil.Clean(text))
	if text == "" {
		return "This channel follows no thread yet. `/thread follow source` starts one."
	}
	return escapeLines(text)
}

// footer is the embeds' footer (plain text: Discord shows footers without
// markup): the thread and slot, and which engine labelled the comments of d
// when another than the offline analysis was asked to.
func footer(opt Options, d *digest.Digest) string {
	parts := []string{"threaddigest"}
	if opt.Thread != "" {
		parts = append(parts, opt.Thread)
	}
	if !opt.Slot.IsZero() {
		parts = append(parts, "slot "+opt.Slot.UTC().Format("2006-01-02 15:04 UTC"))
	}
	line := strings.Join(parts, " · ")
	if d != nil {
		if e := d.Engine.Footer(); e != "" {
			line += " · " + e
		}
	}
	return plain(line, maxFooter)
}

// section is one titled part of a rendering, before it is cut into embeds.
type section struct {
	title  string // markup, one line
	desc   string // markup; split at line breaks when longer than an embed allows
	fields []*discordgo.MessageEmbedField
	image  string
}

func digestTitle(d digest.Digest, thread string) string {
	switch {
	case strings.TrimSpace(d.Title) != "":
		return fitInline(d.Title, maxTitle)
	case thread != "":
		return fitInline("Thread "+thread, maxTitle)
	default:
		return "Thread digest"
	}
}

// overview is the head of a digest: counts, context, span and stance.
func overview(d digest.Digest, chart bool) section {
	var b strings.Builder
	if c := d.Context; c != nil {
		fmt.Fprintf(&b, "**%s** from %s · %s from %s in all",
			textutil.Plural(c.NewComments, "new comment", "new comments"), textutil.Plural(c.NewCommenters, "commenter", "commenters"),
			textutil.Plural(c.TotalComments, "comment", "comments"), textutil.Plural(c.TotalCommenters, "commenter", "commenters"))
		if strings.TrimSpace(c.Lean) != "" {
			b.WriteString("\n" + fitInline(c.Lean, 500))
		}
	} else {
		fmt.Fprintf(&b, "**%s** from %s", textutil.Plural(d.CommentCount, "comment", "comments"), textutil.Plural(d.CommenterCount, "commenter", "commenters"))
	}
	if d.Span != nil && !d.Span.First.IsZero() {
		fmt.Fprintf(&b, "\n<t:%d:f> – <t:%d:f>", d.Span.First.Unix(), d.Span.Last.Unix())
	}
	b.WriteString("\n\n" + stanceBlock(d.Stance))
	s := section{title: digestTitle(d, ""), desc: b.String()}
	if chart {
		s.image = "attachment://" + ChartFile
	}
	return s
}

// stanceBlock shows the stance counts with bars and a quote for each side.
func stanceBlock(s digest.Stance) string {
	var b strings.Builder
	if strings.TrimSpace(s.Target) != "" {
		b.WriteString("**Stance toward " + fitInline(s.Target, 200) + "**")
	} else {
		b.WriteString("**Stance** (no target found)")
	}
	total := s.Total()
	fmt.Fprintf(&b, " · %s\n", textutil.Plural(total, "comment", "comments"))
	pcts := shares.Percents(s.Favor, s.Against, s.None)
	for i, row := range []struct {
		label string
		n     int
	}{{"favor  ", s.Favor}, {"against", s.Against}, {"none   ", s.None}} {
		fmt.Fprintf(&b, "`%s` %s **%d%%** · %d\n", row.label, shares.Cells(row.n, total, 10), pcts[i], row.n)
	}
	if q := s.FavorQuote; q != nil {
		b.WriteString("**" + render.SideLabel(digest.StanceFavor) + ":** " + quote(*q, 700) + "\n")
	}
	if q := s.AgainstQuote; q != nil {
		b.WriteString("**" + render.SideLabel(digest.StanceAgainst) + ":** " + quote(*q, 700) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// quote shows verbatim text, its author and the comment's place in the
// thread (linked to it when the source gave a URL) within max units.
func quote(q digest.Quote, max int) string {
	author := fitInline(q.Author, 80)
	if author == "" {
		author = "anonymous"
	}
	tail := "” — " + author
	if r := commentRef(q.Position, q.URL); r != "" {
		tail += " (" + r + ")"
	}
	return "“" + fitInline(q.Text, max-units(tail)-1) + tail
}

// commentRef names a comment by its place in the thread, "#12", as a masked
// link to it when link is an http(s) URL: "[#12](https://…)", the URL
// percent-encoded where it could end the link. "" when the place is
// unknown. The URL comes from the source's data, never from comment text.
func commentRef(position int, link string) string {
	if position <= 0 {
		return ""
	}
	// The '#' escaped like any: no heading, however the line is cut.
	ref := `\#` + strconv.Itoa(position)
	if dest := render.MarkdownLinkDestination(link); dest != "" {
		return "[" + ref + "](" + dest + ")"
	}
	return ref
}

// refSuffix is " (#12)" after a name, or "" when the place is unknown.
func refSuffix(position int, link string) string {
	if r := commentRef(position, link); r != "" {
		return " (" + r + ")"
	}
	return ""
}

func argumentsSection(d digest.Digest, limit int, always bool) (section, bool) {
	args := d.Arguments
	if limit > 0 && len(args) > limit {
		args = args[:limit]
	}
	s := section{title: "Arguments"}
	if len(args) == 0 {
		s.desc = "No argument is made by several commenters."
		return s, always
	}
	if len(args) < len(d.Arguments) {
		s.desc = fmt.Sprintf("The %d most widely held of %d.", len(args), len(d.Arguments))
	}
	for _, a := range args {
		prefix := fmt.Sprintf("%d · ", a.ID) // "1. " would start a Markdown list
		name := prefix + fitInline(a.Label, maxFieldName-units(prefix))
		head := fmt.Sprintf("%s **%s** · %d of %s\n", shares.Cells(a.Commenters, d.CommenterCount, 10),
			shares.Percent(shares.Of(a.Commenters, d.CommenterCount)), a.Commenters, textutil.Plural(d.CommenterCount, "commenter", "commenters"))
		q := a.Quote
		if q.Text == "" {
			q.Text = a.Statement
		}
		s.fields = append(s.fields, &discordgo.MessageEmbedField{Name: name, Value: head + quote(q, maxFieldValue-units(head))})
	}
	if note := digest.SharesNote(args, d.CommenterCount); note != "" {
		s.desc = strings.TrimSpace(s.desc + " " + note)
	}
	return s, true
}

func rebuttalsSection(d digest.Digest, limit int, always bool) (section, bool) {
	rs := d.Rebuttals
	if limit > 0 && len(rs) > limit {
		rs = rs[:limit]
	}
	s := section{title: "Rebuttals"}
	if len(rs) == 0 {
		s.desc = "No reply pushes back on another comment."
		return s, always
	}
	for _, r := range rs {
		who, whom := fitInline(r.Author, 100), fitInline(r.ParentAuthor, 100)
		name := cutMarkup(who+" answers "+whom, maxFieldName)
		value := "**" + whom + "**" + refSuffix(r.ParentPosition, r.ParentURL) + ": “" + fitInline(r.ParentExcerpt, 440) + "”\n" +
			"**" + who + "**" + refSuffix(r.Position, r.URL) + ": “" + fitInline(r.Excerpt, 440) + "”"
		s.fields = append(s.fields, &discordgo.MessageEmbedField{Name: name, Value: cutMarkup(value, maxFieldValue)})
	}
	return s, true
}

func regionsSection(d digest.Digest, always bool) (section, bool) {
	s := section{title: "By region"}
	if len(d.Regions) == 0 {
		s.desc = "No commenter gave a location."
		return s, always
	}
	labels := make(map[int]string, len(d.Arguments))
	for _, a := range d.Arguments {
		labels[a.ID] = a.Label
	}
	s.desc = "Commenters by where they are, each counted once with their usual stance."
	few := false
	for _, r := range d.Regions {
		name := fitInline(string(r.Region), 100) + " · " + textutil.Plural(r.Commenters, "commenter", "commenters")
		if shares.Few(r.Commenters) {
			name += ` \*`
			few = true
		}
		p := shares.Percents(r.Favor, r.Against, r.None)
		var v strings.Builder
		fmt.Fprintf(&v, "favor %d%% (%d)\nagainst %d%% (%d)\nnone %d%% (%d)", p[0], r.Favor, p[1], r.Against, p[2], r.None)
		if r.TopArgument != nil {
			fmt.Fprintf(&v, "\nTop: %d · %s", *r.TopArgument, fitInline(labels[*r.TopArgument], 200))
		}
		s.fields = append(s.fields, &discordgo.MessageEmbedField{Name: cutMarkup(name, maxFieldName), Value: v.String(), Inline: true})
	}
	if few {
		s.desc += "\n\\* " + shares.FewNote + "."
	}
	return s, true
}

// splitLines cuts markup into chunks of at most max units at line breaks; a
// single line longer than max is cut with a marker.
func splitLines(text string, max int) []string {
	var chunks []string
	var cur strings.Builder
	n := 0
	for _, line := range strings.Split(text, "\n") {
		line = cutMarkup(line, max)
		w := units(line)
		if n > 0 && n+1+w > max {
			chunks = append(chunks, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte('\n')
			n++
		}
		cur.WriteString(line)
		n += w
	}
	if n > 0 || len(chunks) == 0 {
		chunks = append(chunks, cur.String())
	}
	return chunks
}

// embedSize counts what Discord counts toward the 6,000 limit.
func embedSize(e *discordgo.MessageEmbed) int {
	n := units(e.Title) + units(e.Description)
	for _, f := range e.Fields {
		n += units(f.Name) + units(f.Value)
	}
	if e.Footer != nil {
		n += units(e.Footer.Text)
	}
	if e.Author != nil {
		n += units(e.Author.Name)
	}
	return n
}

// assemble cuts sections into embeds within the per-embed limits, adds the
// footer to the last, and packs them into messages of at most ten embeds and
// 6,000 units. The chart goes with the first message.
func assemble(secs []section, foot string, chart []byte) []Message {
	budget := maxEmbedChars - units(foot) // any embed may end up carrying the footer
	var embeds []*discordgo.MessageEmbed
	for _, s := range secs {
		embeds = append(embeds, sectionEmbeds(s, budget)...)
	}
	if len(embeds) == 0 {
		return nil
	}
	if foot != "" {
		embeds[len(embeds)-1].Footer = &discordgo.MessageEmbedFooter{Text: foot}
	}
	var msgs []Message
	var cur []*discordgo.MessageEmbed
	size := 0
	for _, e := range embeds {
		w := embedSize(e)
		if len(cur) > 0 && (len(cur) == maxEmbedsPerMessage || size+w > maxEmbedChars) {
			msgs = append(msgs, Message{Embeds: cur})
			cur, size = nil, 0
		}
		cur = append(cur, e)
		size += w
	}
	msgs = append(msgs, Message{Embeds: cur})
	if chart != nil {
		msgs[0].Files = []File{{Name: ChartFile, ContentType: "image/png", Data: chart}}
	}
	return msgs
}

// sectionEmbeds turns one section into as many embeds as its description
// and fields need, each within the per-embed limits and budget units.
func sectionEmbeds(s section, budget int) []*discordgo.MessageEmbed {
	title := cutMarkup(s.title, maxTitle)
	contTitle := cutMarkup(s.title, maxTitle-units(" (continued)")) + " (continued)"
	newEmbed := func(first bool) *discordgo.MessageEmbed {
		e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: embedColor, Title: contTitle}
		if first {
			e.Title = title
		}
		return e
	}
	var out []*discordgo.MessageEmbed
	descMax := min(maxDescription, budget-units(contTitle))
	for i, chunk := range splitLines(s.desc, descMax) {
		if chunk == "" && i == 0 && s.desc == "" {
			break
		}
		e := newEmbed(i == 0)
		e.Description = chunk
		out = append(out, e)
	}
	if len(out) == 0 {
		out = append(out, newEmbed(true))
	}
	if s.image != "" {
		out[0].Image = &discordgo.MessageEmbedImage{URL: s.image}
	}
	cur := out[len(out)-1]
	for _, f := range s.fields {
		f = &discordgo.MessageEmbedField{Name: cutMarkup(f.Name, maxFieldName), Value: cutMarkup(f.Value, maxFieldValue), Inline: f.Inline}
		if strings.TrimSpace(f.Name) == "" {
			f.Name = "—"
		}
		if strings.TrimSpace(f.Value) == "" {
			f.Value = "—"
		}
		if len(cur.Fields) == maxFields || embedSize(cur)+units(f.Name)+units(f.Value) > budget {
			cur = newEmbed(false)
			out = append(out, cur)
		}
		cur.Fields = append(cur.Fields, f)
	}
	return out
}
