package discord

import (
	"strings"
	"testing"
)

func BenchmarkRenderDigest(b *testing.B) {
	d := exampleDigest()
	b.ReportAllocs()
	for b.Loop() {
		RenderDigest(d, Options{Thread: "huawei-europe", Slot: slot, Chart: []byte("png")})
	}
}

func BenchmarkRenderLongDigest(b *testing.B) {
	d := longDigest()
	b.ReportAllocs()
	for b.Loop() {
		RenderDigest(d, Options{Thread: "huawei-europe", Slot: slot})
	}
}

func BenchmarkEscapeMarkdown(b *testing.B) {
	s := strings.Repeat("Ripping out **Huawei** kit will cost @everyone billions — see https://example.com [x](y). ", 20)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		escapeMarkdown(s)
	}
}

func BenchmarkFitInline(b *testing.B) {
	s := strings.Repeat("a long comment with *some* markup, 👍🏽 and words ", 200)
	b.ReportAllocs()
	for b.Loop() {
		fitInline(s, 700)
	}
}
