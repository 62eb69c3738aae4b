package render_test

import (
	"bytes"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/nasty"
	"github.com/threaddigest/threaddigest/render"
)

// The renderers' fuzz targets put the same hostile strings in every
// untrusted field of a digest (nasty.HostileDigest) and check the output
// with the checks of the hostile-input test. Seeds are in the code and in
// testdata/fuzz.

func addSeeds(f *testing.F) {
	f.Add("Should buses be free? <!channel> **Vote** @everyone", "buses", "Free buses cut traffic [x](https://evil.example) <@U1> `code`", "@here", "Boulder, Co", uint8(0))
	f.Add("# T", "", "\x1b[31mred\x1b[0m \u202eevil\u202c Z\u0301\u0302\u0303\u0304\u0305 \u200b", "**Bold**\nName", "<!here>", uint8(7))
	f.Add("", "x", "| a | b |\n|---|---|\n> q\n- l\n1. o\n===", "_x_", "www.evil.example", uint8(255))
	f.Add("\xff", "\xfe", "a\xffb", "c\xc3\x28", "\xed\xa0\x80", uint8(33))
}

func FuzzText(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, title, target, text, author, location string, n uint8) {
		d, _ := nasty.HostileDigest(title, target, text, author, location, n)
		for _, width := range []int{0, 60, 100} {
			var b bytes.Buffer
			if err := render.Text(&b, d, render.Options{Width: width, MaxArguments: int(n % 3)}); err != nil {
				t.Fatal(err)
			}
			cols := width
			if cols == 0 {
				cols = 80
			}
			if err := nasty.CheckTerminal(b.String(), cols).Err(); err != nil {
				t.Fatalf("width %d: %v\n%s", width, err, b.String())
			}
		}
	})
}

func FuzzMarkdown(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, title, target, text, author, location string, n uint8) {
		d, _ := nasty.HostileDigest(title, target, text, author, location, n)
		var b bytes.Buffer
		if err := render.Markdown(&b, d, render.Options{MaxRebuttals: int(n % 3)}); err != nil {
			t.Fatal(err)
		}
		if err := nasty.CheckMarkdown(b.String()).Err(); err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
	})
}

func FuzzJSON(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, title, target, text, author, location string, n uint8) {
		d, th := nasty.HostileDigest(title, target, text, author, location, n)
		var b bytes.Buffer
		if err := render.JSON(&b, d); err != nil {
			t.Fatal(err)
		}
		if err := nasty.CheckJSON(b.Bytes(), th).Err(); err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
	})
}
