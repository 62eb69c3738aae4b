package commands_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/commands"
	"github.com/threaddigest/threaddigest/bot/internal/bottest"
	"github.com/threaddigest/threaddigest/bot/scheduler"
	"github.com/threaddigest/threaddigest/source/fetch"
)

// commandsFixture runs a service where channel C0000C1 follows huawei (as a
// destination of a configured digest), C0000C2 follows huawei and buses, and C0000C3
// follows nothing yet.
type commandsFixture struct {
	h       *bottest.Harness
	s       *bottest.Service
	c       *commands.Commands
	huawei  *bottest.FakeSource
	buses   *bottest.FakeSource
	c1, c3  *bottest.Recorder
	stop    func()
	comment func(i int)
}

func newCommandsFixture(t *testing.T) *commandsFixture {
	t.Helper()
	h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
	title, cs := bottest.ExampleComments(t)
	f := &commandsFixture{h: h, huawei: &bottest.FakeSource{Title: title, Comments: cs[:20]},
		buses: &bottest.FakeSource{Title: "Should city buses be free?", Comments: cs[40:45]},
		c1:    &bottest.Recorder{}, c3: &bottest.Recorder{}}
	h.Sources["huawei.txt"] = f.huawei
	h.Sources["buses.txt"] = f.buses
	h.Dests["slack:C0000C1"] = f.c1
	h.Dests["slack:C0000C2"] = &bottest.Recorder{}
	h.Dests["slack:C0000C3"] = f.c3
	h.Dests["stdout"] = &bottest.Recorder{}
	h.Dests["slack:#general"] = &bottest.Recorder{}
	h.ChannelIDs = map[string]string{"slack:#general": "CGEN"}
	f.s = h.Service("r1", scheduler.Settings{PollInterval: time.Minute, SweepInterval: time.Hour},
		[]scheduler.ThreadSpec{{Name: "huawei", Source: "huawei.txt", Target: "Huawei"}, {Name: "buses", Source: "buses.txt"}},
		[]scheduler.DigestSpec{
			{Name: "huawei-daily", Thread: "huawei", Schedule: bottest.Schedule(t, "0 8 * * *"), To: []addr.Addr{bottest.Addr(t, "slack:C0000C1"), bottest.Addr(t, "slack:C0000C2")}, MinNew: 1, CatchUp: true},
			{Name: "buses-daily", Thread: "buses", Schedule: bottest.Schedule(t, "0 8 * * *"), To: []addr.Addr{bottest.Addr(t, "slack:C0000C2"), bottest.Addr(t, "stdout"), bottest.Addr(t, "slack:#general")}, MinNew: 1, CatchUp: true},
		})
	f.c = f.s.Commands()
	f.stop = bottest.Start(t, f.s)
	f.comment = func(i int) { f.huawei.Add(cs[i]) }
	synctest.Wait()
	return f
}

// req is a Slack command typed in channel.
var req = bottest.Req

// day0 is when the services of the tests start.
var day0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestCommandsAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0)
		f := newCommandsFixture(t)
		defer f.stop()

		// The followed thread's default digest was warmed by the first poll:
		// /thread stance answers from the cache.
		resp, ok := f.c.Cached(req("C0000C1", "stance"))
		if !ok || resp.Kind != bot.KindStance || !resp.Ephemeral || resp.Thread != "huawei" || resp.Digest == nil {
			t.Fatalf("Cached stance = %+v, %v", resp, ok)
		}
		d := resp.Digest
		if d.Stance.Total() != d.CommentCount || d.CommentCount != 20 || d.Stance.Target != "Huawei" {
			t.Errorf("stance digest: %d comments, stance %+v", d.CommentCount, d.Stance)
		}

		for _, tt := range []struct {
			channel, text string
			kind          bot.ResponseKind
			thread        string
			contains      string
		}{
			{"C0000C1", "help", bot.KindText, "", "/thread stance [NAME] [TARGET]"},
			{"C0000C1", "", bot.KindText, "", "/thread follow SOURCE [CRON]"},
			{"C0000C1", "frobnicate now", bot.KindText, "", `Unknown subcommand "frobnicate"`},
			{"C0000C1", "arguments", bot.KindArguments, "huawei", ""},
			{"C0000C1", "rebuttals", bot.KindRebuttals, "huawei", ""},
			{"C0000C1", "regions", bot.KindRegions, "huawei", ""},
			{"C0000C1", "regions extra", bot.KindText, "", `"extra" is not a thread here`},
			{"C0000C2", "stance", bot.KindText, "", "This channel follows 2 threads; name one: /thread stance NAME (buses, huawei)"},
			{"C0000C2", "stance buses", bot.KindStance, "buses", ""},
			{"C0000C3", "stance", bot.KindText, "", "This channel follows no thread"},
			{"C0000C3", "stance huawei", bot.KindStance, "huawei", ""},
			{"C0000C1", "digest banana", bot.KindText, "", "neither a duration nor a date"},
		} {
			resp := f.c.Answer(t.Context(), req(tt.channel, tt.text))
			if resp.Kind != tt.kind || resp.Thread != tt.thread || !strings.Contains(resp.Text, tt.contains) {
				t.Errorf("%s %q = kind %s thread %q text %q; want %s %q containing %q", tt.channel, tt.text, resp.Kind, resp.Thread, resp.Text, tt.kind, tt.thread, tt.contains)
			}
			if (resp.Digest != nil) != (tt.kind != bot.KindText) {
				t.Errorf("%s %q: digest set = %v", tt.channel, tt.text, resp.Digest != nil)
			}
		}
		if got := strings.Join(f.c.ThreadNames("slack", "C0000C1"), " "); got != "huawei buses" {
			t.Errorf("ThreadNames(C0000C1) = %s", got)
		}
		// A destination given by #name follows the thread in the channel
		// the name resolves to.
		if resp := f.c.Answer(t.Context(), req("CGEN", "stance")); resp.Thread != "buses" || resp.Kind != bot.KindStance {
			t.Errorf("stance in #general (CGEN) = %+v", resp)
		}
		// bot.Request.Thread (Discord's option) picks the thread too.
		r := req("C0000C2", "stance")
		r.Thread = "buses"
		if resp := f.c.Answer(t.Context(), r); resp.Thread != "buses" || resp.Kind != bot.KindStance {
			t.Errorf("stance with bot.Request.Thread = %+v", resp)
		}
		r.Thread = "nope"
		if resp := f.c.Answer(t.Context(), r); !strings.Contains(resp.Text, `There is no thread named "nope"`) {
			t.Errorf("unknown bot.Request.Thread = %+v", resp)
		}

		// Another target is not cached until it has been asked once.
		if _, ok := f.c.Cached(req("C0000C1", `stance "Ericsson"`)); ok {
			t.Error("a new target answered from an empty cache")
		}
		if resp := f.c.Answer(t.Context(), req("C0000C1", `stance Ericsson`)); resp.Digest == nil || resp.Digest.Stance.Target != "Ericsson" {
			t.Errorf("stance Ericsson = %+v", resp)
		}
		if resp, ok := f.c.Cached(req("C0000C1", `stance Ericsson`)); !ok || resp.Digest.Stance.Target != "Ericsson" {
			t.Errorf("stance Ericsson was not cached")
		}
		// A new comment changes the thread's version: the cache no longer
		// answers until the poll warms it again.
		f.comment(20)
		bottest.SleepUntil(day0.Add(90 * time.Second))
		if resp, ok := f.c.Cached(req("C0000C1", "stance")); !ok || resp.Digest.CommentCount != 21 {
			t.Errorf("after a poll, Cached stance = %v with %d comments, want 21", ok, resp.Digest.CommentCount)
		}
		if _, ok := f.c.Cached(req("C0000C1", "stance Ericsson")); ok {
			t.Error("a stale digest was served from the cache")
		}
	})
}

func TestCommandsDigestSince(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0)
		f := newCommandsFixture(t)
		defer f.stop()

		// Nothing was posted to C0000C1 yet: every comment is new.
		resp := f.c.Answer(t.Context(), req("C0000C1", "digest"))
		if resp.Kind != bot.KindDigest || resp.Digest.Context == nil || resp.Digest.Context.NewComments != 20 {
			t.Fatalf("digest = %+v", resp)
		}
		// The 08:00 digest posts to C0000C1; three comments arrive after it.
		bottest.SleepUntil(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
		if len(f.c1.Got()) != 1 {
			t.Fatalf("C0000C1 got %d posts", len(f.c1.Got()))
		}
		// Nothing new since that post: the whole thread, not an empty card,
		// and how to ask for a window; from the cache too once computed.
		for _, answer := range []func(bot.Request) (bot.Response, bool){
			func(r bot.Request) (bot.Response, bool) { return f.c.Answer(t.Context(), r), true },
			f.c.Cached,
		} {
			resp, ok := answer(req("C0000C1", "digest"))
			if !ok || resp.Kind != bot.KindDigest || resp.Digest.Context != nil || resp.Digest.CommentCount != 20 ||
				!strings.Contains(resp.Text, "No new comments since the last digest posted here, so this is the whole thread.") ||
				!strings.Contains(resp.Text, "/thread digest 24h, 7d or 2026-03-01") {
				t.Errorf("digest with nothing new = %v %+v", ok, resp)
			}
		}
		discordReq := req("C0000C1", "digest 10m")
		discordReq.Platform, discordReq.Thread = "discord", "huawei"
		if resp := f.c.Answer(t.Context(), discordReq); !strings.Contains(resp.Text, "(/thread digest since:24h, since:7d or since:2026-03-01)") {
			t.Errorf("Discord's hint = %q", resp.Text)
		}
		if resp := f.c.Answer(t.Context(), req("C0000C1", "digest 10m")); resp.Kind != bot.KindText || !resp.Ephemeral ||
			!strings.HasPrefix(resp.Text, "No comment was written since 2026-03-02 08:20 UTC. Ask for a longer window") {
			t.Errorf("digest 10m with nothing in it = %+v", resp)
		}
		for i := 20; i < 23; i++ {
			f.comment(i)
		}
		bottest.SleepUntil(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		resp = f.c.Answer(t.Context(), req("C0000C1", "digest"))
		if resp.Digest == nil || resp.Digest.Context.NewComments != 3 || resp.Digest.Context.TotalComments != 23 {
			t.Errorf("digest since the last post = %+v", resp.Digest.Context)
		}
		// The example has no comment times, so "since" counts from when the
		// service first saw each comment: the 3 arrived within the hour.
		resp = f.c.Answer(t.Context(), req("C0000C1", "digest 1h"))
		if resp.Digest == nil || resp.Digest.Context.NewComments != 3 {
			t.Errorf("digest 1h = %+v", resp)
		}
		resp = f.c.Answer(t.Context(), req("C0000C1", "digest huawei 2d"))
		if resp.Digest == nil || resp.Digest.Context.NewComments != 23 {
			t.Errorf("digest huawei 2d = %+v", resp)
		}
	})
}

func TestCommandsFollowListUnfollow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0)
		f := newCommandsFixture(t)
		defer f.stop()
		_, cs := bottest.ExampleComments(t)
		hn := &bottest.FakeSource{Title: "Ask HN: 5G vendors", Comments: cs[30:38]}
		f.h.Sources["hn:4242"] = hn

		for _, tt := range []struct{ text, want string }{
			{"follow", "Usage: /thread follow SOURCE [CRON]"},
			{"follow /etc/passwd", "is not a live source address"},
			{"follow huawei.txt", "is not a live source address"},
			{"follow hn:4242 every day", "The schedule does not parse"},
			{"follow hn:4242 @every 5m", "at most hourly"},
			{"follow hn:4242 */10 * * * *", "at most hourly"},
			{"follow hn:999", "That source cannot be read"},
		} {
			resp := f.c.Answer(t.Context(), req("C0000C3", tt.text))
			if !strings.Contains(resp.Text, tt.want) {
				t.Errorf("%q = %q, want %q", tt.text, resp.Text, tt.want)
			}
		}
		// A source that cannot be read at once: the follow is made, and the
		// asker alone hears why, in plain words, without the resolver's
		// address the error names.
		f.h.Sources["hn:777"] = &bottest.FakeSource{Fail: fmt.Errorf("fetch hn:777: %w", &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "no such host", Name: "hn.algolia.com", Server: "10.0.0.2:53", IsNotFound: true}})}
		down := f.c.Answer(t.Context(), req("C0000C3", "follow hn:777"))
		if !down.Ephemeral || down.Thread != "hn-777" || !strings.Contains(down.Text, "This channel now follows hn-777 (hn:777).") ||
			!strings.Contains(down.Text, "But its source could not be read yet: the site's name could not be found.") ||
			strings.Contains(down.Text, "10.0.0.2") || strings.Contains(down.Text, "algolia") {
			t.Errorf("follow of an unreadable source = %+v", down)
		}
		if !strings.Contains(f.h.Logs.String(), "10.0.0.2:53") {
			t.Error("the unreadable source's error is not in the log")
		}
		if r := f.c.Answer(t.Context(), req("C0000C3", "unfollow hn-777")); r.Text != "This channel no longer follows hn-777." {
			t.Fatalf("unfollow hn-777 = %q", r.Text)
		}
		if _, ok := f.c.Cached(req("C0000C3", "follow hn:4242")); ok {
			t.Error("follow answered from Cached")
		}
		resp := f.c.Answer(t.Context(), req("C0000C3", "follow hn:4242"))
		if resp.Ephemeral || resp.Thread != "hn-4242" || !strings.Contains(resp.Text, "This channel now follows hn-4242 (hn:4242). Digests of its new comments: CRON_TZ=UTC 0 9 * * *; the next at 2026-03-02 09:00 UTC.") ||
			!strings.Contains(resp.Text, "Source ok") {
			t.Fatalf("follow = %+v", resp)
		}
		// The thread was read at once: /thread stance needs no name in C0000C3.
		if resp := f.c.Answer(t.Context(), req("C0000C3", "stance")); resp.Thread != "hn-4242" || resp.Digest == nil || resp.Digest.CommentCount != 8 {
			t.Errorf("stance after follow = %+v", resp)
		}
		list := f.c.Answer(t.Context(), req("C0000C3", "list"))
		if list.Kind != bot.KindList || !strings.Contains(list.Text, "• hn-4242 — hn:4242 — digests CRON_TZ=UTC 0 9 * * * (followed; next 2026-03-02 09:00 UTC) — source ok") {
			t.Errorf("list = %q", list.Text)
		}
		// Following the same source again reuses the thread.
		resp = f.c.Answer(t.Context(), req("C0000C1", "follow hn:4242 0 7 * * *"))
		if resp.Thread != "hn-4242" {
			t.Errorf("second follow = %+v", resp)
		}
		// The follow's schedule posts to C0000C3.
		hn.Add(cs[38:40]...)
		bottest.SleepUntil(time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC))
		if posts := f.c3.Got(); len(posts) != 1 || posts[0].Thread != "hn-4242" || posts[0].Digest.Context.NewComments != 10 {
			t.Fatalf("C0000C3 posts = %d", len(posts))
		}
		// A failing source shows in the list, in plain words: the error
		// itself (its URL) stays in the log.
		hn.SetFail(fmt.Errorf("fetch hn:4242: %w", &fetch.StatusError{URL: "https://hn.example/item/4242", Status: 503}))
		bottest.SleepUntil(time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC))
		list = f.c.Answer(t.Context(), req("C0000C3", "list"))
		if !strings.Contains(list.Text, "source FAILING since 2026-03-02 09:0") || !strings.Contains(list.Text, "the site had an error (HTTP 503)") ||
			strings.Contains(list.Text, "hn.example") {
			t.Errorf("list with a failing source = %q", list.Text)
		}
		if !strings.Contains(f.h.Logs.String(), "polling a source failed") {
			t.Error("the failing source was not logged")
		}

		// C0000C1 follows huawei by configuration and hn-4242 by follow.
		if resp := f.c.Answer(t.Context(), req("C0000C1", "unfollow")); resp.Text != "This channel no longer follows hn-4242." {
			t.Errorf("unfollow in C0000C1 = %q", resp.Text)
		}
		if resp := f.c.Answer(t.Context(), req("C0000C1", "unfollow huawei")); !strings.Contains(resp.Text, `does not follow "huawei" with /thread follow`) || !strings.Contains(resp.Text, "huawei-daily") {
			t.Errorf("unfollow of a configured digest = %q", resp.Text)
		}
		if resp := f.c.Answer(t.Context(), req("C0000C3", "unfollow hn-4242")); resp.Text != "This channel no longer follows hn-4242." {
			t.Errorf("unfollow in C0000C3 = %q", resp.Text)
		}
		hn.SetFail(nil)
		hn.Add(cs[40:42]...)
		bottest.SleepUntil(time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
		if n := len(f.c3.Got()); n != 1 {
			t.Errorf("C0000C3 got %d posts after unfollowing, want still 1", n)
		}
		follows, _ := f.h.Store.Follows(t.Context(), "", "")
		if len(follows) != 0 {
			t.Errorf("follows left: %+v", follows)
		}
		if _, err := f.h.Store.Thread(t.Context(), "hn-4242"); err != nil {
			t.Errorf("the thread's history was dropped: %v", err)
		}
	})
}
