package slack_test

import (
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/slack"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/internal/nasty"
)

// The fuzz targets put the same hostile strings in every untrusted field of
// a digest (nasty.HostileDigest) and check each message with the checks of
// the hostile-input test: Slack's limits, no mention or link from any text,
// no comment text in mrkdwn. Seeds are in the code and in testdata/fuzz.

func addSeeds(f *testing.F) {
	f.Add("Should buses be free? <!channel> **Vote** @everyone", "buses", "Free buses cut traffic <https://evil.example|city.gov> <@U1> <#C1> `code`", "<!subteam^S1>", "Boulder, Co", uint8(0))
	f.Add("*T*", "", "\x1b[31mred\x1b[0m \u202eevil\u202c Z\u0301\u0302\u0303\u0304\u0305 &amp; &lt;!here&gt;", "_Name_\n>quote", "<!here>", uint8(7))
	f.Add("", "x", "<!date^1392734382^{date}|fake> :rotating_light: ~strike~ ```block```", "&", "www.evil.example", uint8(255))
	f.Add("\xff", "\xfe", "a\xffb", "c\xc3\x28", "\xed\xa0\x80", uint8(33))
}

func check(t *testing.T, what string, msgs []slack.Message, corpus *nasty.Corpus) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatalf("%s: no message", what)
	}
	for i, m := range msgs {
		b, err := m.JSON()
		if err != nil {
			t.Fatal(err)
		}
		sm, err := nasty.ParseSlack(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := nasty.CheckSlack(what, sm, corpus).Err(); err != nil {
			t.Fatalf("%s message %d: %v\n%s", what, i+1, err, b)
		}
	}
}

func FuzzRenderPost(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, title, target, text, author, location string, n uint8) {
		d, _ := nasty.HostileDigest(title, target, text, author, location, n)
		corpus := nasty.NewCorpus(title, target, text, author, location)
		p := bot.Post{Thread: "fuzz", Digest: d, Slot: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), MaxArguments: int(n % 3)}
		check(t, "post", slack.RenderPost(p, slack.PostOptions{ChartNote: n%2 == 0}), corpus)
	})
}

func FuzzRenderResponse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, title, target, text, author, location string, n uint8) {
		d, _ := nasty.HostileDigest(title, target, text, author, location, n)
		corpus := nasty.NewCorpus(title, target, text, author, location)
		for _, kind := range []bot.ResponseKind{bot.KindStance, bot.KindDigest, bot.KindArguments, bot.KindRebuttals, bot.KindRegions} {
			r := bot.Response{Kind: kind, Ephemeral: true, Thread: "fuzz", Digest: &d}
			check(t, string(kind), slack.RenderResponse(r, slack.ResponseOptions{ShareValue: `{"s":"stance"}`}), corpus)
		}
		for _, kind := range []bot.ResponseKind{bot.KindText, bot.KindList} {
			r := bot.Response{Kind: kind, Ephemeral: true, Text: title + "\n" + text + "\n" + author}
			check(t, string(kind), slack.RenderResponse(r, slack.ResponseOptions{}), corpus)
		}
	})
}
