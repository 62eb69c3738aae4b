package slack_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/slack"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/testkit/loadgen"
	"github.com/threaddigest/threaddigest/testkit/nasty"
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

// echoAnswerer answers every command from the cache, echoing what the user
// typed the way the real handler's usage and error answers do, and showing
// a stance whose every text is the command's text.
type echoAnswerer struct{}

func (echoAnswerer) Cached(req bot.Request) (bot.Response, bool) {
	text := strings.Join(append([]string{req.Sub}, req.Args...), " ")
	if req.Sub != "stance" {
		return bot.Response{Kind: bot.KindText, Ephemeral: true, Text: fmt.Sprintf("Unknown subcommand %q.\n%s", req.Sub, text)}, true
	}
	d, _ := nasty.HostileDigest(text, text, text, req.User, req.Channel, uint8(len(text)))
	return bot.Response{Kind: bot.KindStance, Ephemeral: true, Thread: req.Channel, Digest: &d}, true
}

func (echoAnswerer) Answer(ctx context.Context, req bot.Request) bot.Response {
	return bot.Response{Kind: bot.KindText, Text: "unused"}
}

// FuzzCommandHandler posts any correctly signed body to the slash-command
// endpoint: no panic, a 200 or a 400, and an acknowledgement that stays
// within Slack's limits with nothing the user typed turned into a mention or
// a link.
func FuzzCommandHandler(f *testing.F) {
	for _, s := range []string{
		"command=%2Fthread&text=stance&team_id=T1&channel_id=C1&user_id=U1&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&trigger_id=1",
		"command=%2Fthread&text=stance+%3C%21channel%3E+%40everyone+%3Chttps%3A%2F%2Fevil.example%7Cx%3E&channel_id=C1",
		"command=%2Fthread&text=%3C%40U123%3E+*bold*+%E2%80%9Cquoted+%22&channel_id=%3C%21here%3E",
		"text=%ff%fe&text=second&channel_id=",
		"%zz=1&text",
		"",
	} {
		f.Add([]byte(s))
	}
	const secret = "fuzz-secret"
	h := slack.NewHandler(secret, echoAnswerer{}, nil, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		ts := time.Now().Unix()
		req := httptest.NewRequest(http.MethodPost, "/slack/commands", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		// A distinct signature each time: the handler refuses replays.
		req.Header.Set("X-Slack-Signature", loadgen.Sign(secret, ts, body))
		rec := httptest.NewRecorder()
		h.Commands().ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusUnauthorized:
			// Unreadable, or the same body signed in the same second again.
			return
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		m, err := nasty.ParseSlack(rec.Body.Bytes())
		if err != nil {
			t.Fatalf("%v: %s", err, rec.Body.Bytes())
		}
		if len(m.Blocks) == 0 {
			return // the "Working on it…" acknowledgement
		}
		if err := nasty.CheckSlack("ack", m, nil).Err(); err != nil {
			t.Fatalf("%v\n%s", err, rec.Body.Bytes())
		}
	})
}
