package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/adapters/discord/discordfake"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/testkit/nasty"
)

// fakeCommands is the command handler, with function fields.
type fakeCommands struct {
	cached func(bot.Request) (bot.Response, bool)
	answer func(context.Context, bot.Request) bot.Response

	mu   sync.Mutex
	seen []bot.Request
}

func (f *fakeCommands) Cached(r bot.Request) (bot.Response, bool) {
	f.mu.Lock()
	f.seen = append(f.seen, r)
	f.mu.Unlock()
	if f.cached == nil {
		return bot.Response{}, false
	}
	return f.cached(r)
}

func (f *fakeCommands) Answer(ctx context.Context, r bot.Request) bot.Response {
	if f.answer == nil {
		return bot.Response{Kind: bot.KindText, Text: "answered " + r.Sub, Ephemeral: true}
	}
	return f.answer(ctx, r)
}

func (f *fakeCommands) requests() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.seen...)
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	appID   = "1100000000000000002"
	guildID = "1100000000000000010"
	userIDx = "1100000000000000020"
)

type ixEnv struct {
	fake     *discordfake.Server
	signer   discordfake.Signer
	cmds     *fakeCommands
	h        *Interactions
	srv      *httptest.Server
	channel  string
	clock    *clock
	chartPNG []byte
}

func newIxEnv(t *testing.T, cmds *fakeCommands) *ixEnv {
	t.Helper()
	e := &ixEnv{fake: discordfake.New(t), signer: discordfake.NewSigner(), cmds: cmds, clock: &clock{t: time.Now()}, chartPNG: []byte("\x89PNG chart")}
	e.channel = e.fake.AddChannel()
	h, err := NewInteractions(InteractionsConfig{
		PublicKey: e.signer.Public,
		Session:   fakeSession(t, e.fake),
		Commands:  cmds,
		ThreadNames: func(guild, channel string) []string {
			if guild != guildID || channel != e.channel {
				return nil
			}
			return []string{"huawei-europe", "climate-pact", "Huawei US"}
		},
		Chart:  func(digest.Digest) ([]byte, error) { return e.chartPNG, nil },
		Logger: testLogger(t),
		Now:    e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	e.srv = httptest.NewServer(h)
	t.Cleanup(func() {
		e.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return e
}

func (e *ixEnv) command(sub string, perms int64, opts ...discordfake.Option) (string, []byte) {
	return e.fake.Interaction(discordfake.Command{ApplicationID: appID, GuildID: guildID, ChannelID: e.channel, UserID: userIDx,
		Permissions: perms, Name: "thread", Sub: sub, Options: opts})
}

// send posts a signed interaction and decodes the reply.
func (e *ixEnv) send(t *testing.T, id string, body []byte) wireResponse {
	t.Helper()
	status, reply, err := e.fake.Post(e.srv.URL, e.signer, id, body, e.clock.Now())
	if err != nil {
		t.Fatalf("posting the interaction: %v (reply %s)", err, reply)
	}
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, reply)
	}
	var r wireResponse
	if err := json.Unmarshal(reply, &r); err != nil {
		t.Fatalf("reply %s: %v", reply, err)
	}
	return r
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestInteractionPing(t *testing.T) {
	e := newIxEnv(t, &fakeCommands{})
	r := e.send(t, "", discordfake.Ping(appID))
	if r.Type != discordgo.InteractionResponsePong || r.Data != nil {
		t.Errorf("reply %+v, want {type: 1}", r)
	}
}

func TestInteractionSignatureChecks(t *testing.T) {
	e := newIxEnv(t, &fakeCommands{cached: func(bot.Request) (bot.Response, bool) {
		t.Error("a refused request reached the command handler")
		return bot.Response{}, false
	}})
	_, body := e.command("stance", 0)
	other := discordfake.NewSigner()
	now := e.clock.Now()
	tests := []struct {
		name   string
		method string
		body   []byte
		sign   func(*http.Request)
		want   int
	}{
		{"wrong key", "POST", body, func(r *http.Request) { other.Sign(r, body, now) }, 401},
		{"tampered body", "POST", bytes.Replace(body, []byte(`"stance"`), []byte(`"follow"`), 1), func(r *http.Request) { e.signer.Sign(r, body, now) }, 401},
		{"stale timestamp", "POST", body, func(r *http.Request) { e.signer.Sign(r, body, now.Add(-6*time.Minute)) }, 401},
		{"future timestamp", "POST", body, func(r *http.Request) { e.signer.Sign(r, body, now.Add(6*time.Minute)) }, 401},
		{"no signature", "POST", body, func(*http.Request) {}, 401},
		{"signature not hex", "POST", body, func(r *http.Request) {
			e.signer.Sign(r, body, now)
			r.Header.Set("X-Signature-Ed25519", "zz")
		}, 401},
		{"timestamp not a number", "POST", body, func(r *http.Request) {
			r.Header.Set("X-Signature-Timestamp", "yesterday")
			r.Header.Set("X-Signature-Ed25519", strings.Repeat("00", 64))
		}, 401},
		{"oversized body", "POST", bytes.Repeat([]byte("x"), maxInteractionBody+1), func(*http.Request) {}, 413},
		{"GET", "GET", nil, func(*http.Request) {}, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, e.srv.URL, bytes.NewReader(tt.body))
			tt.sign(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	// Just within the window is accepted.
	id, body := e.command("help", 0)
	e.cmds.cached = func(bot.Request) (bot.Response, bool) { return bot.Response{Kind: bot.KindText, Text: "usage"}, true }
	status, _, err := e.fake.Post(e.srv.URL, e.signer, id, body, now.Add(-4*time.Minute))
	if err != nil || status != 200 {
		t.Errorf("a request signed 4 minutes ago: status %d, %v; want 200", status, err)
	}
}

func stanceDigest() *digest.Digest {
	d := exampleDigest()
	d.Context = nil
	return &d
}

func TestInteractionCachedAnswerIsImmediateAndEphemeral(t *testing.T) {
	cmds := &fakeCommands{
		cached: func(r bot.Request) (bot.Response, bool) {
			return bot.Response{Kind: bot.KindStance, Ephemeral: true, Thread: "huawei-europe", Digest: stanceDigest()}, true
		},
		answer: func(context.Context, bot.Request) bot.Response {
			t.Error("Answer called for a cached answer")
			return bot.Response{}
		},
	}
	e := newIxEnv(t, cmds)
	id, body := e.command("stance", 0, discordfake.Option{Name: "thread", Value: "huawei-europe"})
	start := time.Now()
	r := e.send(t, id, body)
	if el := time.Since(start); el > time.Second {
		t.Errorf("answered in %v", el)
	}
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data == nil || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("reply %+v: want type 4, ephemeral", r)
	}
	if len(r.Data.Embeds) == 0 || !strings.Contains(r.Data.Embeds[0].Description, "**Stance toward Huawei**") {
		t.Errorf("reply embeds %+v lack the stance", r.Data.Embeds)
	}
	if r.Data.AllowedMentions == nil || r.Data.AllowedMentions.Parse == nil || len(r.Data.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions %+v", r.Data.AllowedMentions)
	}
	if got := cmds.requests(); len(got) != 1 || got[0].Thread != "huawei-europe" || got[0].Sub != "stance" {
		t.Errorf("requests %+v", got)
	}
}

func TestInteractionDeferredAnswerEditsOriginal(t *testing.T) {
	release := make(chan struct{})
	cmds := &fakeCommands{answer: func(ctx context.Context, r bot.Request) bot.Response {
		<-release
		return bot.Response{Kind: bot.KindStance, Ephemeral: true, Thread: "huawei-europe", Digest: stanceDigest()}
	}}
	e := newIxEnv(t, cmds)
	id, body := e.command("stance", 0, discordfake.Option{Name: "target", Value: "the EU"})
	r := e.send(t, id, body) // returns while Answer is still working
	if r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || r.Data == nil || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("reply %+v: want type 5, ephemeral", r)
	}
	close(release)
	waitFor(t, "the edited answer", func() bool { return len(e.fake.Messages()) > 0 })
	m := e.fake.Messages()[0]
	if m.Route != "edit" || m.InteractionID != id {
		t.Fatalf("message %+v: want an edit of the original response", m)
	}
	if len(m.Files) != 1 || m.Files[0].Filename != ChartFile || m.Payload.Embeds[0].Image == nil {
		t.Errorf("deferred stance answer without the chart: files %+v", m.Files)
	}
	if got := cmds.requests(); len(got) != 1 || !reflect.DeepEqual(got[0].Args, []string{"the EU"}) {
		t.Errorf("requests %+v: want Args [the EU]", got)
	}
}

func TestInteractionAnswerAfterTokenLifetimeGoesToChannel(t *testing.T) {
	release := make(chan struct{})
	cmds := &fakeCommands{answer: func(ctx context.Context, r bot.Request) bot.Response {
		<-release
		return bot.Response{Kind: bot.KindArguments, Ephemeral: true, Digest: stanceDigest()}
	}}
	e := newIxEnv(t, cmds)
	id, body := e.command("arguments", 0)
	e.send(t, id, body)
	e.clock.Advance(16 * time.Minute)
	close(release)
	waitFor(t, "the late answer", func() bool { return len(e.fake.Messages()) > 0 })
	m := e.fake.Messages()[0]
	if m.Route != "channel" || m.ChannelID != e.channel {
		t.Fatalf("message route %q channel %q: want a bot post to %s", m.Route, m.ChannelID, e.channel)
	}
	if !strings.Contains(m.Payload.Content, "/thread arguments") {
		t.Errorf("content %q does not say what it answers", m.Payload.Content)
	}
}

func TestInteractionExpiredTokenFallsBackToChannel(t *testing.T) {
	release := make(chan struct{})
	cmds := &fakeCommands{answer: func(ctx context.Context, r bot.Request) bot.Response {
		<-release
		return bot.Response{Kind: bot.KindText, Text: "done", Ephemeral: true}
	}}
	e := newIxEnv(t, cmds)
	id, body := e.command("digest", 0, discordfake.Option{Name: "since", Value: "24h"})
	e.send(t, id, body)
	e.fake.ExpireInteraction(id) // Discord answers 50027 from now on
	close(release)
	waitFor(t, "the fallback post", func() bool { return len(e.fake.Messages()) > 0 })
	if m := e.fake.Messages()[0]; m.Route != "channel" || !strings.Contains(m.Payload.Content, "done") {
		t.Errorf("message %+v: want the answer posted to the channel", m)
	}
}

func TestInteractionEditRetriedAfterRateLimit(t *testing.T) {
	cmds := &fakeCommands{}
	e := newIxEnv(t, cmds)
	body429, h := discordfake.RateLimit(0.05)
	e.fake.Fail(1, "PATCH", `^webhooks/`, 429, body429, h)
	id, body := e.command("rebuttals", 0)
	e.send(t, id, body)
	waitFor(t, "the edit", func() bool { return len(e.fake.Messages()) > 0 })
	if m := e.fake.Messages()[0]; m.Route != "edit" || !strings.Contains(m.Payload.Content, "answered rebuttals") {
		t.Errorf("message %+v", m)
	}
}

func TestInteractionFollowNeedsManageChannels(t *testing.T) {
	cmds := &fakeCommands{}
	e := newIxEnv(t, cmds)
	opts := []discordfake.Option{{Name: "source", Value: "https://news.example/article#comments"}, {Name: "cron", Value: "0 9 * * *"}}
	id, body := e.command("follow", discordgo.PermissionSendMessages, opts...)
	r := e.send(t, id, body)
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(r.Data.Content, "Manage Channels") {
		t.Errorf("reply %+v: want an ephemeral refusal naming Manage Channels", r.Data)
	}
	if n := len(cmds.requests()); n != 0 {
		t.Fatalf("the handler saw %d requests; want none", n)
	}
	for _, perms := range []int64{discordgo.PermissionManageChannels, discordgo.PermissionAdministrator} {
		id, body = e.command("follow", perms, opts...)
		r = e.send(t, id, body)
		if r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || r.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("perms %d: reply %+v, want a deferral to the asker (the answer may be an error)", perms, r)
		}
	}
	got := cmds.requests()
	if len(got) != 2 || got[0].Sub != "follow" || !reflect.DeepEqual(got[0].Args, []string{"https://news.example/article#comments", "0 9 * * *"}) {
		t.Errorf("requests %+v", got)
	}
	waitFor(t, "the follow answers", func() bool { return len(e.fake.Messages()) == 2 })
}

// TestInteractionFollowAnnouncedErrorsKeptToTheAsker checks that a follow
// made is announced to the channel in a public follow-up, while a follow
// that fails is told to the asker alone.
func TestInteractionFollowAnnouncedErrorsKeptToTheAsker(t *testing.T) {
	cmds := &fakeCommands{answer: func(_ context.Context, r bot.Request) bot.Response {
		if r.Args[0] == "hn:1" {
			return bot.Response{Kind: bot.KindText, Thread: "hn-1", Text: "This channel now follows hn-1 (hn:1)."}
		}
		return bot.Response{Kind: bot.KindText, Ephemeral: true, Text: "That source cannot be read: the site's name could not be found."}
	}}
	e := newIxEnv(t, cmds)
	id, body := e.command("follow", discordgo.PermissionManageChannels, discordfake.Option{Name: "source", Value: "hn:1"})
	e.send(t, id, body)
	waitFor(t, "the announcement", func() bool { return len(e.fake.Messages()) == 2 })
	msgs := e.fake.Messages()
	if msgs[0].Route != "edit" || msgs[0].Payload.Content != "Done: the channel is told." {
		t.Errorf("the asker's answer = %+v", msgs[0])
	}
	if msgs[1].Route != "followup" || msgs[1].Payload.Flags != 0 || !strings.Contains(msgs[1].Payload.Content, "now follows hn-1") {
		t.Errorf("the announcement = %+v, want a public follow-up", msgs[1])
	}
	id, body = e.command("follow", discordgo.PermissionManageChannels, discordfake.Option{Name: "source", Value: "hn:2"})
	if r := e.send(t, id, body); r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("deferral flags %d, want ephemeral", r.Data.Flags)
	}
	waitFor(t, "the refusal", func() bool { return len(e.fake.Messages()) == 3 })
	if m := e.fake.Messages()[2]; m.Route != "edit" || !strings.Contains(m.Payload.Content, "cannot be read") {
		t.Errorf("the refusal = %+v, want the asker's deferred answer edited", m)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(e.fake.Messages()); n != 3 {
		t.Errorf("%d messages: a failed follow reached the channel", n)
	}
}

func TestRequestFromInteraction(t *testing.T) {
	fake := discordfake.New(t)
	tests := []struct {
		sub  string
		opts []discordfake.Option
		want bot.Request
	}{
		{"stance", nil, bot.Request{Sub: "stance"}},
		{"stance", []discordfake.Option{{Name: "target", Value: " Huawei "}, {Name: "thread", Value: "huawei-europe"}},
			bot.Request{Sub: "stance", Args: []string{"Huawei"}, Thread: "huawei-europe"}},
		{"digest", []discordfake.Option{{Name: "since", Value: "24h"}}, bot.Request{Sub: "digest", Args: []string{"24h"}}},
		{"follow", []discordfake.Option{{Name: "source", Value: "file.txt"}}, bot.Request{Sub: "follow", Args: []string{"file.txt"}}},
		{"follow", []discordfake.Option{{Name: "cron", Value: "@daily"}, {Name: "source", Value: "file.txt"}}, bot.Request{Sub: "follow", Args: []string{"file.txt", "@daily"}}},
		{"unfollow", []discordfake.Option{{Name: "thread", Value: "climate"}}, bot.Request{Sub: "unfollow", Args: []string{"climate"}, Thread: "climate"}},
		{"list", nil, bot.Request{Sub: "list"}},
		{"help", nil, bot.Request{Sub: "help"}},
		{"", nil, bot.Request{Sub: "help"}},
	}
	for _, tt := range tests {
		_, body := fake.Interaction(discordfake.Command{ApplicationID: appID, GuildID: guildID, ChannelID: "77", UserID: userIDx, Name: "thread", Sub: tt.sub, Options: tt.opts})
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			t.Fatal(err)
		}
		got, err := requestFrom(&i)
		if err != nil {
			t.Fatal(err)
		}
		tt.want.Platform, tt.want.Workspace, tt.want.Channel, tt.want.User = "discord", guildID, "77", userIDx
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %v: got %+v, want %+v", tt.sub, tt.opts, got, tt.want)
		}
	}
}

func TestInteractionAutocomplete(t *testing.T) {
	e := newIxEnv(t, &fakeCommands{})
	ask := func(typed string) []string {
		id, body := e.fake.Interaction(discordfake.Command{ApplicationID: appID, GuildID: guildID, ChannelID: e.channel, UserID: userIDx,
			Name: "thread", Sub: "stance", Autocomplete: true, Options: []discordfake.Option{{Name: "thread", Value: typed, Focused: true}}})
		r := e.send(t, id, body)
		if r.Type != discordgo.InteractionApplicationCommandAutocompleteResult || r.Data == nil || r.Data.Choices == nil {
			t.Fatalf("reply %+v: want type 8 with choices", r)
		}
		var names []string
		for _, c := range *r.Data.Choices {
			names = append(names, c.Value.(string))
		}
		return names
	}
	if got := ask("hua"); !reflect.DeepEqual(got, []string{"huawei-europe", "Huawei US"}) {
		t.Errorf("choices for hua: %v", got)
	}
	if got := ask(""); len(got) != 3 {
		t.Errorf("choices for nothing typed: %v, want all 3", got)
	}
	if got := ask("zzz"); len(got) != 0 {
		t.Errorf("choices for zzz: %v, want none", got)
	}
}

func TestInteractionLongCachedAnswerFollowsUp(t *testing.T) {
	d := longDigest()
	e := newIxEnv(t, &fakeCommands{cached: func(bot.Request) (bot.Response, bool) {
		return bot.Response{Kind: bot.KindArguments, Ephemeral: true, Digest: &d}, true
	}})
	want := len(RenderResponse(bot.Response{Kind: bot.KindArguments, Digest: &d}, Options{}))
	if want < 2 {
		t.Fatalf("the long digest's arguments fit one message")
	}
	id, body := e.command("arguments", 0)
	r := e.send(t, id, body)
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("reply type %d", r.Type)
	}
	waitFor(t, "the followups", func() bool { return len(e.fake.Messages()) == want-1 })
	for _, m := range e.fake.Messages() {
		if m.Route != "followup" || m.Payload.Flags != int(discordgo.MessageFlagsEphemeral) {
			t.Errorf("message route %q flags %d: want ephemeral followups", m.Route, m.Payload.Flags)
		}
	}
}

func TestInteractionHostileAnswerArrivesInert(t *testing.T) {
	d := hostileDigest()
	e := newIxEnv(t, &fakeCommands{cached: func(bot.Request) (bot.Response, bool) {
		return bot.Response{Kind: bot.KindDigest, Ephemeral: true, Digest: &d, Text: "@everyone"}, true
	}})
	id, body := e.command("digest", 0)
	r := e.send(t, id, body)
	var text []string
	for _, em := range r.Data.Embeds {
		text = append(text, em.Title, em.Description)
		for _, f := range em.Fields {
			text = append(text, f.Name, f.Value)
		}
	}
	all := strings.Join(text, "\n") + r.Data.Content
	for _, frag := range hostileFragments {
		if nasty.ContainsUnescaped(all, frag) {
			t.Errorf("%q arrived unescaped", frag)
		}
	}
}

func TestInteractionsShutdownDrains(t *testing.T) {
	var finished atomic.Bool
	release := make(chan struct{})
	cmds := &fakeCommands{answer: func(ctx context.Context, r bot.Request) bot.Response {
		<-release
		finished.Store(true)
		return bot.Response{Kind: bot.KindText, Text: "late but here", Ephemeral: true}
	}}
	e := newIxEnv(t, cmds)
	id, body := e.command("regions", 0)
	e.send(t, id, body)
	done := make(chan error, 1)
	go func() { done <- e.h.Shutdown(context.Background()) }()
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) while an answer was in progress", err)
	case <-time.After(50 * time.Millisecond):
	}
	// New slow work is refused while shutting down.
	id2, body2 := e.command("regions", 0)
	if r := e.send(t, id2, body2); r.Type != discordgo.InteractionResponseChannelMessageWithSource || !strings.Contains(r.Data.Content, "busy") {
		t.Errorf("during shutdown: reply %+v, want a busy message", r.Data)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Error("Shutdown returned before the answer finished")
	}
	if m := e.fake.Messages(); len(m) != 1 || m[0].Route != "edit" {
		t.Errorf("messages %+v: want the answer delivered before Shutdown returned", m)
	}
}

func TestInteractionsShutdownCancelsAtDeadline(t *testing.T) {
	cmds := &fakeCommands{answer: func(ctx context.Context, r bot.Request) bot.Response {
		<-ctx.Done()
		return bot.Response{Kind: bot.KindText, Text: "cancelled"}
	}}
	e := newIxEnv(t, cmds)
	id, body := e.command("regions", 0)
	e.send(t, id, body)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := e.h.Shutdown(ctx); err == nil {
		t.Error("Shutdown reported a clean drain of a cancelled answer")
	}
}

func TestRegisterCommands(t *testing.T) {
	fake := discordfake.New(t)
	s := fakeSession(t, fake)
	for _, guild := range []string{guildID, ""} {
		cmds, err := Register(context.Background(), s, appID, guild)
		if err != nil {
			t.Fatal(err) // the fake refuses what Discord would
		}
		got, _ := fake.Commands(guild)
		if len(cmds) != 1 || len(got) != 1 || got[0].Name != "thread" {
			t.Fatalf("registered %+v", got)
		}
		var subs []string
		for _, o := range got[0].Options {
			subs = append(subs, o.Name)
		}
		want := []string{"stance", "digest", "arguments", "rebuttals", "regions", "follow", "unfollow", "list", "help"}
		if !reflect.DeepEqual(subs, want) {
			t.Errorf("subcommands %v, want %v", subs, want)
		}
		if got[0].DefaultMemberPermissions != nil {
			t.Errorf("default member permissions %d would hide the queries from members", *got[0].DefaultMemberPermissions)
		}
	}
	// Registering again overwrites; it does not add.
	if _, err := Register(context.Background(), s, appID, guildID); err != nil {
		t.Fatal(err)
	}
	got, n := fake.Commands(guildID)
	if len(got) != 1 || n != 3 {
		t.Errorf("%d commands after %d overwrites", len(got), n)
	}
	for _, r := range fake.Requests() {
		if !strings.HasPrefix(r, "PUT applications/"+appID+"/") {
			t.Errorf("unexpected request %s (never delete and recreate)", r)
		}
	}
	if _, err := Register(context.Background(), s, "not-an-id", ""); err == nil {
		t.Error("Register accepted a bad application id")
	}
}

func TestInteractionMalformedButSigned(t *testing.T) {
	e := newIxEnv(t, &fakeCommands{})
	for _, tt := range []struct {
		body []byte
		want int
	}{
		{[]byte(`{not json`), 400},
		{[]byte(`{"type": 2, "data": "not an object"}`), 400},
	} {
		status, reply, err := e.fake.Post(e.srv.URL, e.signer, "", tt.body, e.clock.Now())
		if err != nil || status != tt.want {
			t.Errorf("%s: status %d (%v) %s, want %d", tt.body, status, err, reply, tt.want)
		}
	}
	// A component click or modal (nothing threaddigest sends) and another
	// command get a short ephemeral answer, not an error.
	for _, body := range []string{
		`{"id":"1","application_id":"2","type":3,"token":"t","data":{"custom_id":"x","component_type":2}}`,
		`{"id":"1","application_id":"2","type":2,"token":"t","data":{"name":"other","type":1}}`,
	} {
		r := e.send(t, "", []byte(body))
		if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("%s: reply %+v", body, r)
		}
	}
}

func TestInteractionReplayRefused(t *testing.T) {
	cmds := &fakeCommands{cached: func(bot.Request) (bot.Response, bool) {
		return bot.Response{Kind: bot.KindText, Text: "ok", Ephemeral: true}, true
	}}
	e := newIxEnv(t, cmds)
	id, body := e.command("list", 0)
	e.send(t, id, body)
	status, _, _ := e.fake.Post(e.srv.URL, e.signer, "", body, e.clock.Now())
	if status != http.StatusUnauthorized {
		t.Errorf("replayed command: status %d, want 401", status)
	}
	if n := len(cmds.requests()); n != 1 {
		t.Errorf("the command ran %d times", n)
	}
}

// TestInteractionReplayWithRecasedSignatureRefused replays a captured
// command with its signature's hex digits upper-cased: the signature still
// verifies (hex decodes the same), and the replay is still refused.
func TestInteractionReplayWithRecasedSignatureRefused(t *testing.T) {
	cmds := &fakeCommands{cached: func(bot.Request) (bot.Response, bool) {
		return bot.Response{Kind: bot.KindText, Text: "ok", Ephemeral: true}, true
	}}
	e := newIxEnv(t, cmds)
	_, body := e.command("list", 0)
	at := e.clock.Now()
	post := func(recase bool) int {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		e.signer.Sign(req, body, at)
		if recase {
			req.Header.Set("X-Signature-Ed25519", strings.ToUpper(req.Header.Get("X-Signature-Ed25519")))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := post(false); status != http.StatusOK {
		t.Fatalf("the command: status %d", status)
	}
	if status := post(true); status != http.StatusUnauthorized {
		t.Errorf("replay with the signature upper-cased: status %d, want 401", status)
	}
	if n := len(cmds.requests()); n != 1 {
		t.Errorf("the command ran %d times, want once", n)
	}
}

// TestFreshSaysWhichWay checks that a timestamp outside the window is
// called old or in the future, as it is.
func TestFreshSaysWhichWay(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(-6 * time.Minute), "signature timestamp 6m0s old, more than 5m0s: a stale or replayed request"},
		{now.Add(6 * time.Minute), "signature timestamp 6m0s in the future, more than 5m0s ahead of this server's clock (check the clocks)"},
		{now.Add(-4 * time.Minute), ""},
		{now.Add(4 * time.Minute), ""},
	} {
		err := fresh(strconv.FormatInt(tc.at.Unix(), 10), now)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("fresh(%v) = %q, want %q", tc.at.Sub(now), got, tc.want)
		}
	}
}
