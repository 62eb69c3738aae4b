package discord

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/discord/discordfake"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/testkit/nasty"
)

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func post(d digest.Digest) bot.Post {
	return bot.Post{Thread: "huawei-europe", Digest: d, Slot: slot}
}

func TestWebhookPostsEmbedsWithNoMentions(t *testing.T) {
	var got struct {
		query, contentType string
		body               map[string]json.RawMessage
	}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.query, got.contentType = r.URL.RawQuery, r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &got.body); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		io.WriteString(w, `{"id":"1200000000000000001","channel_id":"1"}`)
	}))
	defer sink.Close()
	w := NewWebhook(sink.URL+"/api/webhooks/123/secret-token", sink.Client(), testLogger(t))
	ref, err := w.Deliver(context.Background(), post(exampleDigest()))
	if err != nil {
		t.Fatal(err)
	}
	if ref != "1200000000000000001" {
		t.Errorf("ref = %q, want the message id", ref)
	}
	if got.query != "wait=true" || got.contentType != "application/json" {
		t.Errorf("query %q, content type %q; want wait=true, application/json", got.query, got.contentType)
	}
	if string(got.body["allowed_mentions"]) != `{"parse":[],"replied_user":false}` {
		t.Errorf("allowed_mentions = %s, want parse nothing", got.body["allowed_mentions"])
	}
	var embeds []map[string]any
	json.Unmarshal(got.body["embeds"], &embeds)
	if len(embeds) != 4 {
		t.Errorf("%d embeds, want overview, arguments, rebuttals, regions", len(embeds))
	}
}

func TestWebhookAttachesChart(t *testing.T) {
	fake := discordfake.New(t)
	png := []byte("\x89PNG\r\n\x1a\nfake chart")
	w := NewWebhook(fake.NewWebhook(), nil, testLogger(t)).WithChart(func(digest.Digest) ([]byte, error) { return png, nil })
	if _, err := w.Deliver(context.Background(), post(exampleDigest())); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if len(m.Files) != 1 || m.Files[0].Filename != ChartFile || string(m.Files[0].Data) != string(png) || m.Files[0].Type != "image/png" {
		t.Fatalf("files = %+v, want the chart as %s", m.Files, ChartFile)
	}
	if img := m.Payload.Embeds[0].Image; img == nil || img.URL != "attachment://"+ChartFile {
		t.Errorf("first embed image = %+v, want attachment://%s", img, ChartFile)
	}
	if m.Payload.AllowedMentions == nil || m.Payload.AllowedMentions.Parse == nil || len(m.Payload.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v, want parse: []", m.Payload.AllowedMentions)
	}
}

func TestWebhookChartFailureStillPosts(t *testing.T) {
	fake := discordfake.New(t)
	w := NewWebhook(fake.NewWebhook(), nil, testLogger(t)).WithChart(func(digest.Digest) ([]byte, error) { return nil, errors.New("no font") })
	if _, err := w.Deliver(context.Background(), post(exampleDigest())); err != nil {
		t.Fatal(err)
	}
	if m := fake.Messages(); len(m) != 1 || len(m[0].Files) != 0 || m[0].Payload.Embeds[0].Image != nil {
		t.Errorf("want the digest without chart, got %d messages", len(m))
	}
}

func TestWebhookFailures(t *testing.T) {
	rl, rlHeader := discordfake.RateLimit(2.5)
	tests := []struct {
		name       string
		status     int
		body       string
		header     http.Header
		permanent  bool
		retryAfter time.Duration
		mention    string
	}{
		{name: "server error", status: 500, body: `{"message": "500: Internal Server Error", "code": 0}`, mention: "HTTP 500"},
		{name: "bad gateway", status: 502, body: "<html>bad gateway</html>", mention: "HTTP 502"},
		{name: "unavailable, retry after", status: 503, body: "down for maintenance", header: http.Header{"Retry-After": {"120"}}, retryAfter: 2 * time.Minute, mention: "HTTP 503"},
		{name: "rate limited, body", status: 429, body: rl, header: rlHeader, retryAfter: 2500 * time.Millisecond, mention: "HTTP 429"},
		{name: "rate limited, header only", status: 429, body: "slow down", header: http.Header{"Retry-After": {"3"}}, retryAfter: 3 * time.Second, mention: "HTTP 429"},
		{name: "unknown webhook", status: 404, body: discordfake.ErrorBody(10015, "Unknown Webhook"), permanent: true, mention: "Unknown Webhook (code 10015)"},
		{name: "invalid form body", status: 400, body: discordfake.ErrorBody(50035, "Invalid Form Body"), permanent: true, mention: "code 50035"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := discordfake.New(t)
			url := fake.NewWebhook()
			fake.Fail(1, "POST", `^webhooks/`, tt.status, tt.body, tt.header)
			_, err := NewWebhook(url, nil, testLogger(t)).Deliver(context.Background(), post(exampleDigest()))
			if err == nil {
				t.Fatal("Deliver succeeded; want an error")
			}
			if bot.IsPermanent(err) != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", bot.IsPermanent(err), tt.permanent, err)
			}
			var ra *bot.RetryAfterError
			if errors.As(err, &ra) != (tt.retryAfter > 0) || (ra != nil && ra.After != tt.retryAfter) {
				t.Errorf("error %v: want retry after %v", err, tt.retryAfter)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
			if strings.Contains(err.Error(), "wh-token") {
				t.Errorf("error %q shows the webhook token", err)
			}
			// The failure was transient on the fake's side: the next try posts.
			if !tt.permanent {
				if _, err := NewWebhook(url, nil, testLogger(t)).Deliver(context.Background(), post(exampleDigest())); err != nil {
					t.Errorf("second try: %v", err)
				}
			}
		})
	}
}

func TestWebhookHonoursDeadline(t *testing.T) {
	fake := discordfake.New(t)
	url := fake.NewWebhook()
	fake.Delay(1, "POST", `^webhooks/`, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := NewWebhook(url, nil, testLogger(t)).Deliver(ctx, post(exampleDigest()))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Deliver returned after %v; want at its deadline", el)
	}
	if bot.IsPermanent(err) || strings.Contains(err.Error(), "wh-token") {
		t.Errorf("err = %v: want a retryable error without the token", err)
	}
}

func TestWebhookResumesSplitPostAfterFailure(t *testing.T) {
	fake := discordfake.New(t)
	w := NewWebhook(fake.NewWebhook(), nil, testLogger(t))
	p := post(longDigest())
	n := len(RenderDigest(p.Digest, Options{Thread: p.Thread, Slot: p.Slot}))
	if n < 3 {
		t.Fatalf("long digest renders as %d messages; the test needs 3 or more", n)
	}
	// The first message goes through, the second fails.
	fake.Pass(1, "POST", `^webhooks/`)
	fake.Fail(1, "POST", `^webhooks/`, 503, `{"message":"unavailable","code":0}`, nil)
	if _, err := w.Deliver(context.Background(), p); err == nil {
		t.Fatal("Deliver succeeded through a 503")
	}
	if got := len(fake.Messages()); got != 1 {
		t.Fatalf("%d messages posted before the failure, want 1", got)
	}
	ref, err := w.Deliver(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != n {
		t.Errorf("%d messages in the channel after the retry, want %d (no repeats)", len(msgs), n)
	}
	if ids := strings.Split(ref, ","); len(ids) != n || ids[0] != msgs[0].ID {
		t.Errorf("ref %q: want the %d message ids in order", ref, n)
	}
	for i, m := range msgs {
		if err := discordfake.Validate(m.Payload, m.Files); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	// A completed post is forgotten: posting it again posts it again.
	if _, err := w.Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if got := len(fake.Messages()); got != 2*n {
		t.Errorf("%d messages after a second complete post, want %d", got, 2*n)
	}
}

func TestWebhookHostileCommentArrivesInert(t *testing.T) {
	fake := discordfake.New(t)
	if _, err := NewWebhook(fake.NewWebhook(), nil, testLogger(t)).Deliver(context.Background(), post(hostileDigest())); err != nil {
		t.Fatal(err)
	}
	for _, m := range fake.Messages() {
		var all []string
		all = append(all, m.Payload.Content)
		for _, e := range m.Payload.Embeds {
			all = append(all, e.Title, e.Description)
			for _, f := range e.Fields {
				all = append(all, f.Name, f.Value)
			}
		}
		text := strings.Join(all, "\n")
		for _, frag := range hostileFragments {
			if nasty.ContainsUnescaped(text, frag) {
				t.Errorf("%q arrived unescaped", frag)
			}
		}
		if p := m.Payload.AllowedMentions; p == nil || len(p.Parse) != 0 || p.Parse == nil {
			t.Errorf("allowed_mentions = %+v", p)
		}
	}
}

func TestValidateWebhookURL(t *testing.T) {
	good := []string{
		"https://discord.com/api/webhooks/123456789012345678/abcDEF-_x",
		"https://discord.com/api/v10/webhooks/123456789012345678/abc",
		"http://127.0.0.1:8080/api/webhooks/1/t",
	}
	bad := []string{
		"http://discord.com/api/webhooks/1/secret-token",
		"https://discord.com/api/webhooks/notanid/secret-token",
		"https://discord.com/api/webhooks/1",
		"https://discord.com/channels/1/2",
		"::not a url",
	}
	for _, u := range good {
		if err := ValidateWebhookURL(u); err != nil {
			t.Errorf("ValidateWebhookURL(%q) = %v", u, err)
		}
	}
	for _, u := range bad {
		err := ValidateWebhookURL(u)
		if err == nil {
			t.Errorf("ValidateWebhookURL(%q) accepted it", u)
			continue
		}
		if strings.Contains(err.Error(), "secret-token") {
			t.Errorf("error %q shows the token", err)
		}
		_, derr := NewWebhook(u, nil, nil).Deliver(context.Background(), post(exampleDigest()))
		if !bot.IsPermanent(derr) {
			t.Errorf("Deliver to %q: %v, want a permanent error", u, derr)
		}
	}
}
