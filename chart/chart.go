// Package chart draws a digest's regional split as a PNG: for each region,
// one horizontal bar of its commenters' stances (favor, against, none) as
// shares that add up to 100%, labelled with the region and how many
// commenters the shares rest on. Regions of fewer than five commenters are
// set apart: grouped under their own heading below the others and drawn in
// paler colours, since their shares rest on too few people. A source line
// under the chart names the thread, its comments and the date, so that the
// image says what it is when it travels alone. Slack, Discord and the
// `digest --chart` flag share it.
//
// The chart is drawn with gonum.org/v1/plot (pure Go, fonts embedded), sized
// to stay legible when a phone shrinks it to the width of a chat column, in
// Okabe–Ito colours (blue, orange, grey) that stay apart under the common
// colour-vision deficiencies. The same digest and options give the same bytes.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/internal/shares"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// ErrNoRegions is returned for a digest without commenters to place: there is
// nothing to chart, and callers post the digest without one.
var ErrNoRegions = errors.New("chart: the digest has no regional split to draw")

// Options adjust the chart. The zero value gives the default.
type Options struct {
	// Width is the image width in pixels; 0 means 1200. Height follows from
	// the number of regions.
	Width int
	// Title replaces the default title ("Stance toward TARGET by region").
	Title string
	// Thread names the thread in the source line when the digest has no
	// title.
	Thread string
	// AsOf dates the source line; zero uses the day of the digest's latest
	// comment, and a digest without times shows no date.
	AsOf time.Time
}

// Okabe–Ito colours.
var (
	colorFavor   = color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF} // blue
	colorAgainst = color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF} // orange
	colorNone    = color.NRGBA{R: 0xBB, G: 0xBB, B: 0xBB, A: 0xFF} // grey
	colorText    = color.NRGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xFF}
	colorGrid    = color.NRGBA{R: 0xDD, G: 0xDD, B: 0xDD, A: 0xFF}
	colorNote    = color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xFF}
)

// pale is c mixed with white, for the regions too small to generalise from.
func pale(c color.NRGBA) color.NRGBA {
	mix := func(v uint8) uint8 { return uint8((int(v)*2 + 0xFF*3) / 5) }
	return color.NRGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 0xFF}
}

// Layout, in points at 96 dpi (so 1 pt = 4/3 px). A phone shows a chat image
// about 360 pt wide: a 1200 px image is scaled by about 0.4, so 26 pt text
// reads as about 10 pt.
const (
	dpi          = 96
	defaultWidth = 1200
	minWidth     = 600
	maxWidth     = 4000
	titleSize    = 30
	labelSize    = 26
	valueSize    = 24
	headerHeight = 130 // title and legend
	rowHeight    = 80
	axisHeight   = 90
	footerHeight = 50 // the source line
	margin       = 20
	sourceSize   = 20
	maxTitleLen  = 60
	maxRegions   = 20
)

// RegionalSplit draws d's regional split as a PNG.
func RegionalSplit(d digest.Digest, opt Options) ([]byte, error) {
	var rows []digest.Region
	for _, r := range d.Regions {
		if r.Commenters > 0 {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil, ErrNoRegions
	}
	if len(rows) > maxRegions {
		return nil, fmt.Errorf("chart: %d regions, at most %d can be drawn", len(rows), maxRegions)
	}
	for _, r := range rows {
		if r.Favor < 0 || r.Against < 0 || r.None < 0 || r.Favor+r.Against+r.None != r.Commenters {
			return nil, fmt.Errorf("chart: region %s: favor %d + against %d + none %d does not add up to its %d commenters",
				r.Region, r.Favor, r.Against, r.None, r.Commenters)
		}
	}
	widthPx := opt.Width
	if widthPx == 0 {
		widthPx = defaultWidth
	}
	if widthPx < minWidth || widthPx > maxWidth {
		return nil, fmt.Errorf("chart: width %d px is outside %d–%d", widthPx, minWidth, maxWidth)
	}
	rows, small := grouped(rows)
	width := pxToPt(widthPx)
	height := vg.Length(chartHeight(len(rows), small))

	title := opt.Title
	if title == "" {
		target := d.Stance.Target
		if target == "" {
			target = d.Target
		}
		if target != "" {
			title = "Stance toward " + target + " by region"
		} else {
			title = "Stance by region"
		}
	}
	title = textutil.Truncate(textutil.OneLine(title), maxTitleLen, "…")

	canvas := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
	dc := draw.New(canvas) // vgimg starts from a white background

	drawHeader(draw.Crop(dc, margin, -margin, height-headerHeight, 0), title)
	p, err := barPlot(rows, small)
	if err != nil {
		return nil, err
	}
	p.Draw(draw.Crop(dc, margin, -margin, footerHeight, -headerHeight))
	name, rest := sourceLine(d, opt)
	drawSource(draw.Crop(dc, margin, -margin, 0, -(height-footerHeight)), name, rest)

	// Fastest deflate: half the time of the default level for a few percent
	// more bytes, on an image of flat colours that compresses well anyway.
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, canvas.Image()); err != nil {
		return nil, fmt.Errorf("chart: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// pxToPt converts pixels at the chart's resolution to points.
func pxToPt(px int) vg.Length { return vg.Length(px) * 72 / dpi }

// Size returns the pixel size of the chart RegionalSplit draws for d.
func Size(d digest.Digest, opt Options) (w, h int) {
	var rows []digest.Region
	for _, r := range d.Regions {
		if r.Commenters > 0 {
			rows = append(rows, r)
		}
	}
	rows, small := grouped(rows)
	w = opt.Width
	if w == 0 {
		w = defaultWidth
	}
	return w, int(math.Round(chartHeight(len(rows), small) * dpi / 72))
}

// grouped puts the regions of fewer than five commenters after the others,
// each group in its own order, and says how many there are.
func grouped(rows []digest.Region) ([]digest.Region, int) {
	var big, few []digest.Region
	for _, r := range rows {
		if shares.Few(r.Commenters) {
			few = append(few, r)
		} else {
			big = append(big, r)
		}
	}
	return append(big, few...), len(few)
}

// chartHeight is the height in points of a chart of n regions of which
// small are too small to generalise from (they get a heading row).
func chartHeight(n, small int) float64 {
	if small > 0 {
		n++
	}
	return float64(headerHeight + rowHeight*n + axisHeight + footerHeight)
}

// sourceLine says what the chart is of: the thread, its comments and the
// date, e.g. "Source: Europe weighs … · 54 comments by 49 commenters ·
// 27 Dec 2019".
func sourceLine(d digest.Digest, opt Options) (name, rest string) {
	name = textutil.OneLine(d.Title)
	if name == "" {
		name = textutil.OneLine(opt.Thread)
	}
	if name == "" && textutil.OneLine(d.ThreadID) != "" {
		name = "thread " + textutil.OneLine(d.ThreadID)
	}
	if name == "" {
		name = "an untitled thread"
	}
	parts := []string{}
	if c := d.Context; c != nil {
		parts = append(parts, fmt.Sprintf("%s of %d", textutil.Plural(c.NewComments, "new comment", "new comments"), c.TotalComments))
	} else {
		parts = append(parts, textutil.Plural(d.CommentCount, "comment", "comments")+" by "+textutil.Plural(d.CommenterCount, "commenter", "commenters"))
	}
	at := opt.AsOf
	if at.IsZero() && d.Span != nil {
		at = d.Span.Last
	}
	if !at.IsZero() {
		parts = append(parts, at.UTC().Format("2 Jan 2006"))
	}
	return name, " · " + strings.Join(parts, " · ")
}

// drawSource writes the source line, the thread's name cut to leave room
// for the rest.
func drawSource(c draw.Canvas, name, rest string) {
	st := textStyle(sourceSize, colorNote)
	st.YAlign = draw.YCenter
	const lead = "Source: "
	room := c.Max.X - c.Min.X - st.Width(lead+rest)
	for n := utf8.RuneCountInString(name); n > 1 && st.Width(name) > room; n-- {
		name = textutil.Truncate(name, n-1, "…")
	}
	c.FillText(st, vg.Point{X: c.Min.X, Y: c.Min.Y + footerHeight/2}, lead+name+rest)
}

// sans is Liberation Sans, embedded with gonum/plot.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length, clr color.Color) text.Style {
	return text.Style{
		Color:   clr,
		Font:    font.From(sans, size),
		Handler: plot.DefaultTextHandler,
	}
}

// drawHeader writes the title and, under it, the legend as one row of
// swatches, so that the legend never covers a bar.
func drawHeader(c draw.Canvas, title string) {
	ts := textStyle(titleSize, colorText)
	ts.YAlign = draw.YTop
	c.FillText(ts, vg.Point{X: c.Min.X, Y: c.Max.Y - 10}, title)

	ls := textStyle(labelSize, colorText)
	ls.YAlign = draw.YCenter
	y := c.Min.Y + 30
	x := c.Min.X
	for _, e := range []struct {
		name string
		clr  color.Color
	}{{"favor", colorFavor}, {"against", colorAgainst}, {"none", colorNone}} {
		sw := vg.Length(labelSize)
		c.FillPolygon(e.clr, []vg.Point{{X: x, Y: y - sw/2}, {X: x + sw, Y: y - sw/2}, {X: x + sw, Y: y + sw/2}, {X: x, Y: y + sw/2}})
		x += sw + 8
		c.FillText(ls, vg.Point{X: x, Y: y}, e.name)
		x += ls.Width(e.name) + 30
	}
	ns := textStyle(valueSize, colorText)
	ns.XAlign = draw.XRight
	ns.YAlign = draw.YCenter
	c.FillText(ns, vg.Point{X: c.Max.X, Y: y}, "share of commenters, n = commenters")
}

// barPlot is the stacked horizontal bars, first region at the top; the last
// small regions, too few to generalise from, go under a heading row and are
// drawn pale.
func barPlot(rows []digest.Region, small int) (*plot.Plot, error) {
	n := len(rows)
	if small > 0 {
		n++ // the heading of the small regions
	}
	// Strong and pale series: a row has values in one of them, zero in the
	// other, so that each bar is drawn in its group's colours.
	var vals [6]plotter.Values
	for k := range vals {
		vals[k] = make(plotter.Values, n)
	}
	names := make([]string, n)
	var labels plotter.XYLabels
	var styles []text.Style
	y := n - 1 // the first region on top
	for i, r := range rows {
		few := i >= len(rows)-small
		if few && i == len(rows)-small {
			names[y] = "* " + shares.FewNote[:strings.Index(shares.FewNote, ":")] + ":"
			y--
		}
		total := float64(r.Commenters)
		f, a, o := 100*float64(r.Favor)/total, 100*float64(r.Against)/total, 100*float64(r.None)/total
		base := 0
		if few {
			base = 3
		}
		vals[base][y], vals[base+1][y], vals[base+2][y] = f, a, o
		names[y] = string(r.Region) + "  n=" + strconv.Itoa(r.Commenters)
		if few {
			names[y] += " *"
		}
		// The labels add up to 100 as shown (largest remainder).
		pcts := shares.Percents(r.Favor, r.Against, r.None)
		favorInk := color.Color(color.White)
		if few {
			favorInk = colorText
		}
		start := 0.0
		for k, seg := range []struct {
			share float64
			ink   color.Color
		}{{f, favorInk}, {a, colorText}, {o, colorText}} {
			// A segment narrower than its label shows no label; the
			// legend and the neighbouring labels still add up.
			if seg.share >= 9 {
				labels.XYs = append(labels.XYs, plotter.XY{X: start + seg.share/2, Y: float64(y)})
				labels.Labels = append(labels.Labels, strconv.Itoa(pcts[k])+"%")
				st := textStyle(valueSize, seg.ink)
				st.XAlign = draw.XCenter
				st.YAlign = draw.YCenter
				styles = append(styles, st)
			}
			start += seg.share
		}
		y--
	}

	p := plot.New()
	p.BackgroundColor = color.Transparent
	p.X.Min, p.X.Max = 0, 100
	p.X.Tick.Label = textStyle(valueSize, colorText)
	p.X.Tick.Label.XAlign = draw.XCenter
	p.X.Tick.Label.YAlign = draw.YTop
	p.X.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0%"}, {Value: 25, Label: "25%"}, {Value: 50, Label: "50%"}, {Value: 75, Label: "75%"}, {Value: 100, Label: "100%"}})
	p.X.Tick.Length = 8
	p.X.Padding = 0
	p.Y.Tick.Label = textStyle(labelSize, colorText)
	p.Y.Tick.Label.XAlign = draw.XRight
	p.Y.Tick.Label.YAlign = draw.YCenter
	p.NominalY(names...)
	p.Y.Padding = 0

	grid := plotter.NewGrid()
	grid.Vertical.Color = colorGrid
	grid.Horizontal.Width = 0
	p.Add(grid)

	barWidth := vg.Length(rowHeight) * 0.7
	var prev *plotter.BarChart
	for _, s := range []struct {
		vals plotter.Values
		clr  color.Color
	}{{vals[0], colorFavor}, {vals[1], colorAgainst}, {vals[2], colorNone},
		{vals[3], pale(colorFavor)}, {vals[4], pale(colorAgainst)}, {vals[5], pale(colorNone)}} {
		b, err := plotter.NewBarChart(s.vals, barWidth)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		b.Horizontal = true
		b.Color = s.clr
		b.LineStyle.Width = 0
		if prev != nil {
			b.StackOn(prev)
		}
		p.Add(b)
		prev = b
	}
	if len(labels.XYs) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		l.TextStyle = styles
		p.Add(l)
	}
	return p, nil
}
