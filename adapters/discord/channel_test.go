package discord

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/adapters/discord/discordfake"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/testkit/nasty"
)

func fakeSession(t *testing.T, fake *discordfake.Server) *discordgo.Session {
	t.Helper()
	s, err := NewSession(Config{BotToken: fake.BotToken, APIURL: fake.APIURL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestChannelPostsWithBotToken(t *testing.T) {
	fake := discordfake.New(t)
	ch := fake.AddChannel()
	dest, err := NewChannel(fakeSession(t, fake), ch, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	dest.WithChart(func(digest.Digest) ([]byte, error) { return []byte("\x89PNG chart"), nil })
	ref, err := dest.Deliver(context.Background(), post(exampleDigest()))
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 || msgs[0].Route != "channel" || msgs[0].ChannelID != ch || ref != msgs[0].ID {
		t.Fatalf("messages %+v, ref %q: want one channel message with its id as ref", msgs, ref)
	}
	m := msgs[0]
	if len(m.Files) != 1 || m.Files[0].Filename != ChartFile || m.Payload.Embeds[0].Image.URL != "attachment://"+ChartFile {
		t.Errorf("chart not attached and shown: files %+v", m.Files)
	}
	if a := m.Payload.AllowedMentions; a == nil || a.Parse == nil || len(a.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v, want parse: []", a)
	}
	if !strings.Contains(string(m.Raw), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("raw payload lacks an empty parse list: %s", m.Raw)
	}
	for _, r := range fake.Requests() {
		if !strings.HasPrefix(r, "POST channels/") {
			t.Errorf("unexpected request %q", r)
		}
	}
}

func TestChannelErrors(t *testing.T) {
	rl, rlHeader := discordfake.RateLimit(7.25)
	tests := []struct {
		name       string
		status     int
		body       string
		header     http.Header
		permanent  bool
		retryAfter time.Duration
	}{
		{name: "rate limited", status: 429, body: rl, header: rlHeader, retryAfter: 7250 * time.Millisecond},
		{name: "server error", status: 500, body: `{"message":"500: Internal Server Error","code":0}`},
		{name: "missing access", status: 403, body: discordfake.ErrorBody(50001, "Missing Access"), permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := discordfake.New(t)
			ch := fake.AddChannel()
			fake.Fail(1, "POST", `^channels/`, tt.status, tt.body, tt.header)
			dest, _ := NewChannel(fakeSession(t, fake), ch, testLogger(t))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			_, err := dest.Deliver(ctx, post(exampleDigest()))
			if err == nil {
				t.Fatal("Deliver succeeded")
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("Deliver took %v: discordgo retried or slept", time.Since(start))
			}
			var ra *bot.RetryAfterError
			if errors.As(err, &ra) != (tt.retryAfter > 0) || (ra != nil && ra.After != tt.retryAfter) {
				t.Errorf("err = %v, want retry after %v", err, tt.retryAfter)
			}
			if bot.IsPermanent(err) != tt.permanent {
				t.Errorf("permanent = %v, want %v: %v", bot.IsPermanent(err), tt.permanent, err)
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("%d requests, want 1 (no silent retry)", n)
			}
		})
	}
}

func TestChannelUnknownIsPermanent(t *testing.T) {
	fake := discordfake.New(t)
	dest, _ := NewChannel(fakeSession(t, fake), "1234567890123", testLogger(t))
	_, err := dest.Deliver(context.Background(), post(exampleDigest()))
	if !bot.IsPermanent(err) || !strings.Contains(err.Error(), "Unknown Channel (code 10003)") {
		t.Errorf("err = %v, want a permanent Unknown Channel", err)
	}
	if _, err := NewChannel(nil, "#general", nil); err == nil {
		t.Error("NewChannel accepted a channel name; want an id")
	}
}

func TestChannelDeadline(t *testing.T) {
	fake := discordfake.New(t)
	ch := fake.AddChannel()
	fake.Delay(1, "POST", `^channels/`, 10*time.Second)
	dest, _ := NewChannel(fakeSession(t, fake), ch, testLogger(t))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := dest.Deliver(ctx, post(exampleDigest()))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}

func TestChannelRateLimitBucketDoesNotSleepPastDeadline(t *testing.T) {
	fake := discordfake.New(t)
	ch := fake.AddChannel()
	// The first post succeeds but empties the bucket for a minute.
	fake.Headers(1, "POST", `^channels/`, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-After": {"60"}, "X-Ratelimit-Bucket": {"b1"}})
	dest, _ := NewChannel(fakeSession(t, fake), ch, testLogger(t))
	if _, err := dest.Deliver(context.Background(), post(exampleDigest())); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	d := exampleDigest()
	d.CommentCount++ // another digest
	_, err := dest.Deliver(ctx, post(d))
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.After < 50*time.Second {
		t.Fatalf("err = %v, want a RetryAfterError of about a minute", err)
	}
	if time.Since(start) > 500*time.Millisecond {
		t.Errorf("Deliver blocked %v in discordgo's rate limiter", time.Since(start))
	}
	if n := len(fake.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestChannelHostileCommentArrivesInert(t *testing.T) {
	fake := discordfake.New(t)
	ch := fake.AddChannel()
	dest, _ := NewChannel(fakeSession(t, fake), ch, testLogger(t))
	if _, err := dest.Deliver(context.Background(), post(hostileDigest())); err != nil {
		t.Fatal(err)
	}
	for _, m := range fake.Messages() {
		for _, e := range m.Payload.Embeds {
			text := e.Title + "\n" + e.Description
			for _, f := range e.Fields {
				text += "\n" + f.Name + "\n" + f.Value
			}
			for _, frag := range hostileFragments {
				if nasty.ContainsUnescaped(text, frag) {
					t.Errorf("%q arrived unescaped", frag)
				}
			}
		}
	}
}

func TestSplitDigestToChannelWithinLimits(t *testing.T) {
	fake := discordfake.New(t)
	ch := fake.AddChannel()
	dest, _ := NewChannel(fakeSession(t, fake), ch, testLogger(t))
	dest.WithChart(func(digest.Digest) ([]byte, error) { return []byte("png"), nil })
	ref, err := dest.Deliver(context.Background(), post(longDigest()))
	if err != nil {
		t.Fatal(err) // the fake refuses any message over Discord's limits
	}
	msgs := fake.Messages()
	if len(msgs) < 2 || len(strings.Split(ref, ",")) != len(msgs) {
		t.Fatalf("%d messages, ref %q: want a split digest", len(msgs), ref)
	}
	if len(msgs[0].Files) != 1 {
		t.Error("chart not in the first message")
	}
}
