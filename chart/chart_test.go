package chart

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
)

var out = flag.String("out", "", "also write the test chart to this PNG file, to look at it")

func sample() digest.Digest {
	one, two := 1, 2
	return digest.Digest{
		Target: "Huawei",
		Stance: digest.Stance{Target: "Huawei", Favor: 5, Against: 9, None: 4},
		Regions: []digest.Region{
			{Region: geo.US, Commenters: 12, Favor: 2, Against: 8, None: 2, TopArgument: &one},
			{Region: geo.Canada, Commenters: 5, Favor: 2, Against: 2, None: 1, TopArgument: &two},
			{Region: geo.LatinAmerica, Commenters: 1, Favor: 1},
			{Region: geo.Europe, Commenters: 14, Favor: 6, Against: 5, None: 3},
			{Region: geo.Asia, Commenters: 3, Favor: 0, Against: 0, None: 3},
			{Region: geo.Unknown, Commenters: 4, Favor: 1, Against: 2, None: 1},
		},
	}
}

func TestRegionalSplitDecodesAtItsSize(t *testing.T) {
	d := sample()
	b, err := RegionalSplit(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	w, h := Size(d, Options{})
	if got := img.Bounds().Size(); got != (image.Point{X: w, Y: h}) || w != 1200 {
		t.Errorf("size %v, want %dx%d", got, w, h)
	}
	// The three stance colours are all drawn (every one has a share somewhere).
	for name, want := range map[string]color.NRGBA{"favor": colorFavor, "against": colorAgainst, "none": colorNone} {
		if !hasColor(img, want) {
			t.Errorf("no %s pixels (%v)", name, want)
		}
	}
	path := filepath.Join(t.TempDir(), "regional-split.png")
	if *out != "" {
		path = *out
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("chart written to %s (%d bytes)", path, len(b))
}

func hasColor(img image.Image, want color.NRGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			if color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA) == want {
				return true
			}
		}
	}
	return false
}

func TestRegionalSplitIsDeterministic(t *testing.T) {
	a, err := RegionalSplit(sample(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := RegionalSplit(sample(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two charts of the same digest differ")
	}
	d := sample()
	d.Regions[0].Against--
	d.Regions[0].None++
	c, err := RegionalSplit(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Error("a different split drew the same chart")
	}
}

func TestRegionalSplitSizes(t *testing.T) {
	for _, w := range []int{600, 2400} {
		b, err := RegionalSplit(sample(), Options{Width: w, Title: "Custom <title> \u202e with a very long tail that goes on and on past the limit"})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width != w {
			t.Errorf("width %d, want %d", cfg.Width, w)
		}
	}
}

func TestRegionalSplitErrors(t *testing.T) {
	if _, err := RegionalSplit(digest.Digest{}, Options{}); !errors.Is(err, ErrNoRegions) {
		t.Errorf("no regions: err = %v", err)
	}
	bad := sample()
	bad.Regions[1].Favor = 9
	if _, err := RegionalSplit(bad, Options{}); err == nil {
		t.Error("counts that do not add up were drawn")
	}
	if _, err := RegionalSplit(sample(), Options{Width: 50}); err == nil {
		t.Error("a 50 px chart was drawn")
	}
}

func BenchmarkRegionalSplit(b *testing.B) {
	d := sample()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RegionalSplit(d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSmallRegionsSetApart checks that regions of fewer than five
// commenters are drawn pale and grouped after the others, and that a chart
// of only large regions has no pale colour.
func TestSmallRegionsSetApart(t *testing.T) {
	rows, small := grouped(sample().Regions)
	var order []string
	for _, r := range rows {
		order = append(order, string(r.Region))
	}
	if got := strings.Join(order, ","); got != "US,Canada,Europe,Latin America,Asia,Unknown" || small != 3 {
		t.Errorf("order %s with %d small, want the three small regions last", got, small)
	}
	decode := func(d digest.Digest) image.Image {
		b, err := RegionalSplit(d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	img := decode(sample())
	for name, want := range map[string]color.NRGBA{"favor": pale(colorFavor), "against": pale(colorAgainst), "none": pale(colorNone)} {
		if !hasColor(img, want) {
			t.Errorf("no pale %s pixels for the small regions", name)
		}
	}
	large := sample()
	large.Regions = large.Regions[:2]
	if img := decode(large); hasColor(img, pale(colorFavor)) || hasColor(img, pale(colorAgainst)) {
		t.Error("a chart of large regions has pale bars")
	}
	w, h := Size(large, Options{})
	if got := decode(large).Bounds().Size(); got != (image.Point{X: w, Y: h}) {
		t.Errorf("size %v, Size says %dx%d", got, w, h)
	}
}

func TestSourceLine(t *testing.T) {
	d := sample()
	d.Title = "Europe weighs whether to shut Huawei out"
	d.CommentCount, d.CommenterCount = 54, 49
	for _, tc := range []struct {
		name string
		edit func(*digest.Digest, *Options)
		want string
	}{
		{"no times", func(*digest.Digest, *Options) {}, "Europe weighs whether to shut Huawei out · 54 comments by 49 commenters"},
		{"latest comment", func(d *digest.Digest, _ *Options) {
			d.Span = &digest.Span{First: time.Date(2019, 12, 26, 9, 0, 0, 0, time.UTC), Last: time.Date(2019, 12, 27, 23, 0, 0, 0, time.UTC)}
		}, "Europe weighs whether to shut Huawei out · 54 comments by 49 commenters · 27 Dec 2019"},
		{"as of", func(_ *digest.Digest, o *Options) { o.AsOf = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) },
			"Europe weighs whether to shut Huawei out · 54 comments by 49 commenters · 2 Mar 2026"},
		{"new comments", func(d *digest.Digest, _ *Options) {
			d.Context = &digest.Context{NewComments: 1, TotalComments: 55}
		}, "Europe weighs whether to shut Huawei out · 1 new comment of 55"},
		{"no title", func(d *digest.Digest, o *Options) { d.Title, o.Thread = "", "huawei-europe" }, "huawei-europe · 54 comments by 49 commenters"},
	} {
		d := d
		var opt Options
		tc.edit(&d, &opt)
		if name, rest := sourceLine(d, opt); name+rest != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, name+rest, tc.want)
		}
	}
}
