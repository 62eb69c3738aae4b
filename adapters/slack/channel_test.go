package slack

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/slack/slackfake"
	"github.com/threaddigest/threaddigest/bot"
)

func newTestClient(t *testing.T, fake *slackfake.Server) *Client {
	t.Helper()
	c := NewClient(Config{BotToken: slackfake.BotToken, APIURL: fake.APIURL()}, nil, nil)
	c.spacing = 20 * time.Millisecond
	return c
}

func TestChannelPostsDigestAndChart(t *testing.T) {
	fake := slackfake.New(t)
	c := newTestClient(t, fake)
	ch, err := c.Channel("C0123ABCD")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ch.Deliver(context.Background(), testPost())
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if ref == "" || ref != m.TS {
		t.Errorf("ref %q, want the message ts %q", ref, m.TS)
	}
	if m.Channel != "C0123ABCD" || m.Text == "" || m.Mrkdwn == nil || *m.Mrkdwn {
		t.Errorf("message %+v", m)
	}
	if !strings.Contains(string(m.Blocks), "chart of the regional split below") {
		t.Error("the digest does not announce its chart")
	}
	files := fake.Files()
	if len(files) != 1 {
		t.Fatalf("%d uploads, want 1", len(files))
	}
	f := files[0]
	if !f.Completed || f.Channel != "C0123ABCD" || f.Length != len(f.Data) || f.Filename != "regional-split-2026-03-04-0800.png" {
		t.Errorf("upload %+v", f)
	}
	if !strings.Contains(f.AltText, "US 5 commenters") || f.Title != "Regional split · huawei-europe" {
		t.Errorf("alt %q title %q", f.AltText, f.Title)
	}
	if _, err := png.Decode(bytes.NewReader(f.Data)); err != nil {
		t.Errorf("the upload is not a PNG: %v", err)
	}
	want := []string{"chat.postMessage", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"}
	if got := fake.Calls(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("calls %v, want %v", got, want)
	}
}

func TestChannelResolvesNamesOnce(t *testing.T) {
	fake := slackfake.New(t)
	fake.SetChannels(slackfake.Channel{ID: "C0000001", Name: "general"}, slackfake.Channel{ID: "C0000002", Name: "random"},
		slackfake.Channel{ID: "C0000003", Name: "audience-desk"})
	c := newTestClient(t, fake)
	ch, err := c.Channel("#audience-desk")
	if err != nil {
		t.Fatal(err)
	}
	p := testPost()
	p.Digest.Regions = nil // no chart
	for i := 0; i < 2; i++ {
		p.Slot = p.Slot.Add(time.Hour)
		if _, err := ch.Deliver(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.ListCalls(); n != 2 {
		t.Errorf("conversations.list called %d times; want 2 (one listing of two pages, then cached)", n)
	}
	for _, m := range fake.Messages() {
		if m.Channel != "C0000003" {
			t.Errorf("posted to %s", m.Channel)
		}
	}
	// An unknown name is a permanent error, and does not list again within
	// a minute of the last listing.
	missing, _ := c.Channel("#nowhere")
	_, err = missing.Deliver(context.Background(), p)
	if !bot.IsPermanent(err) || !strings.Contains(err.Error(), "#nowhere") {
		t.Errorf("err = %v, want a permanent error naming the channel", err)
	}
	if n := fake.ListCalls(); n != 2 {
		t.Errorf("conversations.list called %d times; want still 2", n)
	}
	// Later, a miss lists again and finds a channel created since.
	c.listEvery = 0
	fake.SetChannels(slackfake.Channel{ID: "C0000004", Name: "nowhere"})
	if _, err := missing.Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if n := fake.ListCalls(); n != 3 {
		t.Errorf("conversations.list called %d times; want 3", n)
	}
}

func TestParseChannel(t *testing.T) {
	for spec, ok := range map[string]bool{
		"C0123ABCD": true, "G0123ABCD": true, "#general": true, "#audience-desk_2": true, "#köln": true,
		"general": false, "#": false, "#UPPER": false, "#has space": false, "c0123abcd": false, "": false,
		"#" + strings.Repeat("a", 81): false,
	} {
		if err := ParseChannel(spec); (err == nil) != ok {
			t.Errorf("ParseChannel(%q) = %v", spec, err)
		}
	}
}

func TestChannelFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		failure   slackfake.Failure
		permanent bool
		retry     time.Duration
	}{
		{"rate limited", slackfake.Failure{Status: 429, RetryAfter: "3"}, false, 3 * time.Second},
		{"server error", slackfake.Failure{Status: 500}, false, 0},
		{"ok:false ratelimited", slackfake.Failure{SlackError: "ratelimited"}, false, defaultRetryAfter},
		{"internal error", slackfake.Failure{SlackError: "internal_error"}, false, 0},
		{"channel not found", slackfake.Failure{SlackError: "channel_not_found"}, true, 0},
		{"not in channel", slackfake.Failure{SlackError: "not_in_channel"}, true, 0},
		{"token revoked", slackfake.Failure{SlackError: "token_revoked"}, true, 0},
		{"bad request", slackfake.Failure{Status: 400}, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := slackfake.New(t)
			c := newTestClient(t, fake)
			ch, _ := c.Channel("C0123ABCD")
			fake.FailNext("chat.postMessage", tc.failure)
			_, err := ch.Deliver(context.Background(), testPost())
			if err == nil {
				t.Fatal("no error")
			}
			if bot.IsPermanent(err) != tc.permanent {
				t.Errorf("permanent = %v: %v", bot.IsPermanent(err), err)
			}
			var ra *bot.RetryAfterError
			if errors.As(err, &ra) != (tc.retry > 0) || (ra != nil && ra.After != tc.retry) {
				t.Errorf("retry after: %v", err)
			}
			if strings.Contains(err.Error(), slackfake.BotToken) {
				t.Error("error reveals the token")
			}
			if len(fake.Files()) != 0 {
				t.Error("chart uploaded for a digest that was not posted")
			}
		})
	}
}

func TestChannelWrongTokenIsPermanent(t *testing.T) {
	fake := slackfake.New(t)
	c := NewClient(Config{BotToken: "xoxb-wrong", APIURL: fake.APIURL()}, nil, nil)
	ch, _ := c.Channel("C0123ABCD")
	_, err := ch.Deliver(context.Background(), testPost())
	if !bot.IsPermanent(err) || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("err = %v", err)
	}
}

func TestChannelSlowReplyHonoursDeadline(t *testing.T) {
	fake := slackfake.New(t)
	c := newTestClient(t, fake)
	ch, _ := c.Channel("C0123ABCD")
	fake.FailNext("chat.postMessage", slackfake.Failure{Delay: 5 * time.Second, Status: 500})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ch.Deliver(ctx, testPost())
	if err == nil || bot.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s past a 150ms deadline", d)
	}
}

func TestChannelSplitsPacesAndResumes(t *testing.T) {
	fake := slackfake.New(t)
	c := newTestClient(t, fake)
	c.spacing = 50 * time.Millisecond
	ch, _ := c.Channel("C0123ABCD")
	p := testPost()
	p.Digest = longDigest(40)
	parts := len(RenderPost(p, PostOptions{ChartNote: true}))
	if parts < 3 {
		t.Fatalf("%d parts; need 3 or more", parts)
	}
	fake.FailNext("chat.postMessage", slackfake.Failure{}, slackfake.Failure{Status: 429, RetryAfter: "1"})
	_, err := ch.Deliver(context.Background(), p)
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) {
		t.Fatalf("err = %v, want a rate limit on part 2", err)
	}
	ref, err := ch.Deliver(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != parts {
		t.Fatalf("%d messages, want each of %d parts once", len(msgs), parts)
	}
	if ref != msgs[0].TS {
		t.Errorf("ref %q, want the first part's ts %q", ref, msgs[0].TS)
	}
	// The first part is in the channel; the others reply in its thread,
	// those posted after the resume included.
	for i, m := range msgs {
		if want := map[bool]string{true: "", false: msgs[0].TS}[i == 0]; m.ThreadTS != want {
			t.Errorf("part %d: thread_ts %q, want %q", i+1, m.ThreadTS, want)
		}
	}
	for i := 1; i < len(msgs); i++ {
		if gap := msgs[i].At.Sub(msgs[i-1].At); gap < 45*time.Millisecond {
			t.Errorf("parts %d and %d only %s apart", i, i+1, gap)
		}
	}
	if len(fake.Files()) != 1 {
		t.Errorf("%d charts, want 1", len(fake.Files()))
	}
}

func TestChannelChartFailureDoesNotFailTheDigest(t *testing.T) {
	fake := slackfake.New(t)
	c := newTestClient(t, fake)
	ch, _ := c.Channel("C0123ABCD")
	fake.FailNext("files.getUploadURLExternal", slackfake.Failure{Status: 429, RetryAfter: "0"}, slackfake.Failure{Status: 500})
	ref, err := ch.Deliver(context.Background(), testPost())
	if err != nil || ref == "" {
		t.Fatalf("ref %q err %v: the digest was posted, so the delivery counts", ref, err)
	}
	if n := len(fake.Messages()); n != 1 {
		t.Errorf("%d messages", n)
	}
	if got := strings.Count(strings.Join(fake.Calls(), ","), "files.getUploadURLExternal"); got != 2 {
		t.Errorf("%d upload attempts, want 2 (one wait on the rate limit)", got)
	}
}

func TestChannelHostileCommentArrivesInert(t *testing.T) {
	fake := slackfake.New(t)
	c := newTestClient(t, fake)
	ch, _ := c.Channel("C0123ABCD")
	p := testPost()
	p.Digest = hostileDigest()
	if _, err := ch.Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	for _, m := range fake.Messages() {
		checkInertJSON(t, m.Text, m.Blocks)
	}
}
