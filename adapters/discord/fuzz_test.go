package discord_test

import (
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/discord"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/testkit/nasty"
)

// The fuzz targets put the same hostile strings in every untrusted field of
// a digest (nasty.HostileDigest) and check each message with the checks of
// the hostile-input test: Discord's limits, no mention, link or markup from
// untrusted text. Seeds are in the code and in testdata/fuzz.

func addSeeds(f *testing.F) {
	f.Add("Should buses be free? @everyone **Vote**", "buses", "Free buses cut traffic [x](https://evil.example) <@123> <@&1> <#1> <t:0:R> ||s|| `c`", "@here", "Boulder, Co", uint8(0))
	f.Add("# T", "", "\x1b[31mred\x1b[0m \u202eevil\u202c Z\u0301\u0302\u0303\u0304\u0305 -# sub\n> q\n1. x", "__Name__\n-", "<:e:1>", uint8(7))
	f.Add("", "x", "https://evil.example www.evil.example ~~s~~ *i* _u_", "\\", "\\@everyone", uint8(255))
	f.Add("\xff", "\xfe", "a\xffb", "c\xc3\x28", "\xed\xa0\x80", uint8(33))
}

// chart stands in for the regional chart's PNG: only its name and size
// matter to the messages.
var chart = make([]byte, 64<<10)

func check(t *testing.T, what string, msgs []discord.Message, corpus *nasty.Corpus) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatalf("%s: no message", what)
	}
	for i, m := range msgs {
		files := map[string]int{}
		for _, f := range m.Files {
			files[f.Name] = len(f.Data)
		}
		if err := nasty.CheckDiscord(what, nasty.FromDiscordgo(m.Content, m.Embeds, files), corpus).Err(); err != nil {
			t.Fatalf("%s message %d: %v", what, i+1, err)
		}
	}
}

func FuzzRenderDigest(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, title, target, text, author, location string, n uint8) {
		d, _ := nasty.HostileDigest(title, target, text, author, location, n)
		corpus := nasty.NewCorpus(title, target, text, author, location)
		opt := discord.Options{Thread: "fuzz", Slot: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), MaxArguments: int(n % 3), MaxRebuttals: int(n % 2)}
		if n%2 == 0 {
			opt.Chart = chart
		}
		check(t, "digest", discord.RenderDigest(d, opt), corpus)
	})
}

func FuzzRenderResponse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, title, target, text, author, location string, n uint8) {
		d, _ := nasty.HostileDigest(title, target, text, author, location, n)
		corpus := nasty.NewCorpus(title, target, text, author, location)
		for _, kind := range []bot.ResponseKind{bot.KindStance, bot.KindDigest, bot.KindArguments, bot.KindRebuttals, bot.KindRegions} {
			r := bot.Response{Kind: kind, Ephemeral: true, Thread: "fuzz", Digest: &d}
			check(t, string(kind), discord.RenderResponse(r, discord.Options{Chart: chart}), corpus)
		}
		for _, kind := range []bot.ResponseKind{bot.KindText, bot.KindList} {
			r := bot.Response{Kind: kind, Ephemeral: true, Text: title + "\n" + text + "\n" + author}
			check(t, string(kind), discord.RenderResponse(r, discord.Options{}), corpus)
		}
	})
}
