package bot

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/source/fetch"
)

// commandsFixture runs a service where channel C0000C1 follows huawei (as a
// destination of a configured digest), C0000C2 follows huawei and buses, and C0000C3
// follows nothing yet.
type commandsFixture struct {
	h       *harness
	s       *Service
	c       *Commands
	huawei  *fakeSource
	buses   *fakeSource
	c1, c3  *recorder
	stop    func()
	comment func(i int)
}

func newCommandsFixture(t *testing.T) *commandsFixture {
	t.Helper()
	h := newHarness(t, openStore(t, t.TempDir()))
	title, cs := exampleComments(t)
	f := &commandsFixture{h: h, huawei: &fakeSource{title: title, comments: cs[:20]},
		buses: &fakeSource{title: "Should city buses be free?", comments: cs[40:45]},
		c1:    &recorder{}, c3: &recorder{}}
	h.sources["huawei.txt"] = f.huawei
	h.sources["buses.txt"] = f.buses
	h.dests["slack:C0000C1"] = f.c1
	h.dests["slack:C0000C2"] = &recorder{}
	h.dests["slack:C0000C3"] = f.c3
	h.dests["stdout"] = &recorder{}
	h.dests["slack:#general"] = &recorder{}
	h.channelIDs = map[string]string{"slack:#general": "CGEN"}
	f.s = h.service("r1", Settings{PollInterval: time.Minute, SweepInterval: time.Hour, FollowSchedule: "0 9 * * *"},
		[]ThreadSpec{{Name: "huawei", Source: "huawei.txt", Target: "Huawei"}, {Name: "buses", Source: "buses.txt"}},
		[]DigestSpec{
			{Name: "huawei-daily", Thread: "huawei", Schedule: mustSchedule(t, "0 8 * * *"), To: []addr.Addr{mustAddr(t, "slack:C0000C1"), mustAddr(t, "slack:C0000C2")}, MinNew: 1, CatchUp: true},
			{Name: "buses-daily", Thread: "buses", Schedule: mustSchedule(t, "0 8 * * *"), To: []addr.Addr{mustAddr(t, "slack:C0000C2"), mustAddr(t, "stdout"), mustAddr(t, "slack:#general")}, MinNew: 1, CatchUp: true},
		})
	f.c = f.s.Commands()
	f.stop = start(t, f.s)
	f.comment = func(i int) { f.huawei.add(cs[i]) }
	synctest.Wait()
	return f
}

func req(channel, text string) Request {
	sub, args := ParseCommandText(text)
	return Request{Platform: "slack", Workspace: "T1", Channel: channel, User: "U1", Sub: sub, Args: args}
}

func TestCommandsAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(day0)
		f := newCommandsFixture(t)
		defer f.stop()

		// The followed thread's default digest was warmed by the first poll:
		// /thread stance answers from the cache.
		resp, ok := f.c.Cached(req("C0000C1", "stance"))
		if !ok || resp.Kind != KindStance || !resp.Ephemeral || resp.Thread != "huawei" || resp.Digest == nil {
			t.Fatalf("Cached stance = %+v, %v", resp, ok)
		}
		d := resp.Digest
		if d.Stance.Total() != d.CommentCount || d.CommentCount != 20 || d.Stance.Target != "Huawei" {
			t.Errorf("stance digest: %d comments, stance %+v", d.CommentCount, d.Stance)
		}

		for _, tt := range []struct {
			channel, text string
			kind          ResponseKind
			thread        string
			contains      string
		}{
			{"C0000C1", "help", KindText, "", "/thread stance [NAME] [TARGET]"},
			{"C0000C1", "", KindText, "", "/thread follow SOURCE [CRON]"},
			{"C0000C1", "frobnicate now", KindText, "", `Unknown subcommand "frobnicate"`},
			{"C0000C1", "arguments", KindArguments, "huawei", ""},
			{"C0000C1", "rebuttals", KindRebuttals, "huawei", ""},
			{"C0000C1", "regions", KindRegions, "huawei", ""},
			{"C0000C1", "regions extra", KindText, "", `"extra" is not a thread here`},
			{"C0000C2", "stance", KindText, "", "This channel follows 2 threads; name one: /thread stance NAME (buses, huawei)"},
			{"C0000C2", "stance buses", KindStance, "buses", ""},
			{"C0000C3", "stance", KindText, "", "This channel follows no thread"},
			{"C0000C3", "stance huawei", KindStance, "huawei", ""},
			{"C0000C1", "digest banana", KindText, "", "neither a duration nor a date"},
		} {
			resp := f.c.Answer(t.Context(), req(tt.channel, tt.text))
			if resp.Kind != tt.kind || resp.Thread != tt.thread || !strings.Contains(resp.Text, tt.contains) {
				t.Errorf("%s %q = kind %s thread %q text %q; want %s %q containing %q", tt.channel, tt.text, resp.Kind, resp.Thread, resp.Text, tt.kind, tt.thread, tt.contains)
			}
			if (resp.Digest != nil) != (tt.kind != KindText) {
				t.Errorf("%s %q: digest set = %v", tt.channel, tt.text, resp.Digest != nil)
			}
		}
		if got := strings.Join(f.c.ThreadNames("slack", "C0000C1"), " "); got != "huawei buses" {
			t.Errorf("ThreadNames(C0000C1) = %s", got)
		}
		// A destination given by #name follows the thread in the channel
		// the name resolves to.
		if resp := f.c.Answer(t.Context(), req("CGEN", "stance")); resp.Thread != "buses" || resp.Kind != KindStance {
			t.Errorf("stance in #general (CGEN) = %+v", resp)
		}
		// Request.Thread (Discord's option) picks the thread too.
		r := req("C0000C2", "stance")
		r.Thread = "buses"
		if resp := f.c.Answer(t.Context(), r); resp.Thread != "buses" || resp.Kind != KindStance {
			t.Errorf("stance with Request.Thread = %+v", resp)
		}
		r.Thread = "nope"
		if resp := f.c.Answer(t.Context(), r); !strings.Contains(resp.Text, `There is no thread named "nope"`) {
			t.Errorf("unknown Request.Thread = %+v", resp)
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
		sleepUntil(day0.Add(90 * time.Second))
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
		sleepUntil(day0)
		f := newCommandsFixture(t)
		defer f.stop()

		// Nothing was posted to C0000C1 yet: every comment is new.
		resp := f.c.Answer(t.Context(), req("C0000C1", "digest"))
		if resp.Kind != KindDigest || resp.Digest.Context == nil || resp.Digest.Context.NewComments != 20 {
			t.Fatalf("digest = %+v", resp)
		}
		// The 08:00 digest posts to C0000C1; three comments arrive after it.
		sleepUntil(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
		if len(f.c1.got()) != 1 {
			t.Fatalf("C0000C1 got %d posts", len(f.c1.got()))
		}
		// Nothing new since that post: the whole thread, not an empty card,
		// and how to ask for a window; from the cache too once computed.
		for _, answer := range []func(Request) (Response, bool){
			func(r Request) (Response, bool) { return f.c.Answer(t.Context(), r), true },
			f.c.Cached,
		} {
			resp, ok := answer(req("C0000C1", "digest"))
			if !ok || resp.Kind != KindDigest || resp.Digest.Context != nil || resp.Digest.CommentCount != 20 ||
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
		if resp := f.c.Answer(t.Context(), req("C0000C1", "digest 10m")); resp.Kind != KindText || !resp.Ephemeral ||
			!strings.HasPrefix(resp.Text, "No comment was written since 2026-03-02 08:20 UTC. Ask for a longer window") {
			t.Errorf("digest 10m with nothing in it = %+v", resp)
		}
		for i := 20; i < 23; i++ {
			f.comment(i)
		}
		sleepUntil(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
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
		sleepUntil(day0)
		f := newCommandsFixture(t)
		defer f.stop()
		_, cs := exampleComments(t)
		hn := &fakeSource{title: "Ask HN: 5G vendors", comments: cs[30:38]}
		f.h.sources["hn:4242"] = hn

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
		f.h.sources["hn:777"] = &fakeSource{fail: fmt.Errorf("fetch hn:777: %w", &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "no such host", Name: "hn.algolia.com", Server: "10.0.0.2:53", IsNotFound: true}})}
		down := f.c.Answer(t.Context(), req("C0000C3", "follow hn:777"))
		if !down.Ephemeral || down.Thread != "hn-777" || !strings.Contains(down.Text, "This channel now follows hn-777 (hn:777).") ||
			!strings.Contains(down.Text, "But its source could not be read yet: the site's name could not be found.") ||
			strings.Contains(down.Text, "10.0.0.2") || strings.Contains(down.Text, "algolia") {
			t.Errorf("follow of an unreadable source = %+v", down)
		}
		if !strings.Contains(f.h.logs.String(), "10.0.0.2:53") {
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
		if list.Kind != KindList || !strings.Contains(list.Text, "• hn-4242 — hn:4242 — digests CRON_TZ=UTC 0 9 * * * (followed; next 2026-03-02 09:00 UTC) — source ok") {
			t.Errorf("list = %q", list.Text)
		}
		// Following the same source again reuses the thread.
		resp = f.c.Answer(t.Context(), req("C0000C1", "follow hn:4242 0 7 * * *"))
		if resp.Thread != "hn-4242" {
			t.Errorf("second follow = %+v", resp)
		}
		// The follow's schedule posts to C0000C3.
		hn.add(cs[38:40]...)
		sleepUntil(time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC))
		if posts := f.c3.got(); len(posts) != 1 || posts[0].Thread != "hn-4242" || posts[0].Digest.Context.NewComments != 10 {
			t.Fatalf("C0000C3 posts = %d", len(posts))
		}
		// A failing source shows in the list, in plain words: the error
		// itself (its URL) stays in the log.
		hn.setFail(fmt.Errorf("fetch hn:4242: %w", &fetch.StatusError{URL: "https://hn.example/item/4242", Status: 503}))
		sleepUntil(time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC))
		list = f.c.Answer(t.Context(), req("C0000C3", "list"))
		if !strings.Contains(list.Text, "source FAILING since 2026-03-02 09:0") || !strings.Contains(list.Text, "the site had an error (HTTP 503)") ||
			strings.Contains(list.Text, "hn.example") {
			t.Errorf("list with a failing source = %q", list.Text)
		}
		if !strings.Contains(f.h.logs.String(), "polling a source failed") {
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
		hn.setFail(nil)
		hn.add(cs[40:42]...)
		sleepUntil(time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
		if n := len(f.c3.got()); n != 1 {
			t.Errorf("C0000C3 got %d posts after unfollowing, want still 1", n)
		}
		follows, _ := f.h.store.Follows(t.Context(), "", "")
		if len(follows) != 0 {
			t.Errorf("follows left: %+v", follows)
		}
		if _, err := f.h.store.Thread(t.Context(), "hn-4242"); err != nil {
			t.Errorf("the thread's history was dropped: %v", err)
		}
	})
}
