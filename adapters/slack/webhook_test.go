package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/slack/slackfake"
	"github.com/threaddigest/threaddigest/bot"
)

func testPost() bot.Post {
	return bot.Post{Thread: "huawei-europe", Digest: sampleDigest(), Slot: time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)}
}

func TestWebhookPostsTextAndBlocks(t *testing.T) {
	fake := slackfake.New(t)
	w := NewWebhook(fake.WebhookURL(), nil, nil)
	ref, err := w.Deliver(context.Background(), testPost())
	if err != nil {
		t.Fatal(err)
	}
	if ref != "" {
		t.Errorf("ref = %q, want none", ref)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Route != "webhook" || m.Text != "huawei-europe: 18 new comments, 52 in all; stance: 5 favor, 9 against, 4 none" {
		t.Errorf("got %s %q", m.Route, m.Text)
	}
	if m.Mrkdwn == nil || *m.Mrkdwn {
		t.Error("fallback text must be sent with mrkdwn:false")
	}
	// The blocks that arrive are exactly the rendering.
	want, _ := json.Marshal(RenderPost(testPost(), PostOptions{})[0].Blocks)
	if string(m.Blocks) != string(want) {
		t.Errorf("blocks differ from the rendering:\n%s", m.Blocks)
	}
}

func TestWebhookFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		failure   slackfake.Failure
		permanent bool
		retry     time.Duration // > 0: want a RetryAfterError of this length
	}{
		{"server error", slackfake.Failure{Status: 500}, false, 0},
		{"bad gateway", slackfake.Failure{Status: 502}, false, 0},
		{"rate limited", slackfake.Failure{Status: 429, RetryAfter: "7"}, false, 7 * time.Second},
		{"rate limited, no header", slackfake.Failure{Status: 429}, false, defaultRetryAfter},
		{"invalid payload", slackfake.Failure{Status: 400, SlackError: "invalid_payload"}, true, 0},
		{"channel archived", slackfake.Failure{Status: 410, SlackError: "channel_is_archived"}, true, 0},
		{"revoked", slackfake.Failure{Status: 403, SlackError: "action_prohibited"}, true, 0},
		{"no service", slackfake.Failure{Status: 404, SlackError: "no_service"}, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := slackfake.New(t)
			fake.FailNext("webhook", tc.failure)
			w := NewWebhook(fake.WebhookURL(), nil, nil)
			_, err := w.Deliver(context.Background(), testPost())
			if err == nil {
				t.Fatal("no error")
			}
			if got := bot.IsPermanent(err); got != tc.permanent {
				t.Errorf("permanent = %v, want %v: %v", got, tc.permanent, err)
			}
			var ra *bot.RetryAfterError
			if errors.As(err, &ra) != (tc.retry > 0) || (tc.retry > 0 && ra.After != tc.retry) {
				t.Errorf("retry-after: %v", err)
			}
			if strings.Contains(err.Error(), "secretpath") {
				t.Errorf("error reveals the webhook URL: %v", err)
			}
			if tc.failure.SlackError != "" && !strings.Contains(err.Error(), tc.failure.SlackError) {
				t.Errorf("error does not say what Slack said: %v", err)
			}
			// The next attempt succeeds: nothing stuck.
			if _, err := w.Deliver(context.Background(), testPost()); err != nil {
				t.Errorf("retry: %v", err)
			}
			if n := len(fake.Messages()); n != 1 {
				t.Errorf("%d messages after the retry, want 1", n)
			}
		})
	}
}

func TestWebhookSlowReplyHonoursDeadline(t *testing.T) {
	fake := slackfake.New(t)
	fake.FailNext("webhook", slackfake.Failure{Delay: 5 * time.Second, Status: 500})
	w := NewWebhook(fake.WebhookURL(), nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := w.Deliver(ctx, testPost())
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if bot.IsPermanent(err) {
		t.Error("a timeout must be retryable")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Deliver took %s past a 150ms deadline", d)
	}
	if strings.Contains(err.Error(), "secretpath") {
		t.Errorf("error reveals the webhook URL: %v", err)
	}
}

func TestWebhookSplitsAndResumes(t *testing.T) {
	fake := slackfake.New(t)
	w := NewWebhook(fake.WebhookURL(), nil, nil)
	w.spacing = 10 * time.Millisecond
	p := testPost()
	p.Digest = longDigest(40)
	parts := len(RenderPost(p, PostOptions{}))
	if parts < 3 {
		t.Fatalf("test digest renders to %d messages; need at least 3", parts)
	}
	// Part 1 passes, part 2 fails: the retry posts parts 2.. only.
	fake.FailNext("webhook", slackfake.Failure{Delay: time.Millisecond}, slackfake.Failure{Status: 503})
	if _, err := w.Deliver(context.Background(), p); err == nil || !strings.Contains(err.Error(), "part 2 of") {
		t.Fatalf("err = %v, want a failure of part 2", err)
	}
	if _, err := w.Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != parts {
		t.Fatalf("%d messages, want each of the %d parts once", len(msgs), parts)
	}
	for i, m := range msgs {
		if !strings.HasSuffix(m.Text, "(part "+strconv.Itoa(i+1)+" of "+strconv.Itoa(parts)+")") {
			t.Errorf("message %d is %q", i, m.Text)
		}
		if i > 0 && m.At.Sub(msgs[i-1].At) < 10*time.Millisecond && i != 1 {
			t.Errorf("messages %d and %d not spaced", i-1, i)
		}
	}
	// A later, unrelated delivery of the same post starts from the top.
	if _, err := w.Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Messages()); n != 2*parts {
		t.Errorf("%d messages, want %d", n, 2*parts)
	}
}

func TestWebhookHostileCommentArrivesInert(t *testing.T) {
	fake := slackfake.New(t)
	w := NewWebhook(fake.WebhookURL(), nil, nil)
	p := testPost()
	p.Digest = hostileDigest()
	if _, err := w.Deliver(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) == 0 {
		t.Fatal("nothing arrived")
	}
	for _, m := range msgs {
		checkInertJSON(t, m.Text, m.Blocks)
	}
}

// deadlineRecorder is a RoundTripper that records each request's deadline
// and answers 200 ok.
type deadlineRecorder struct {
	mu        sync.Mutex
	deadlines []time.Time
}

func (d *deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	dl, _ := r.Context().Deadline()
	d.mu.Lock()
	d.deadlines = append(d.deadlines, dl)
	d.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}, Request: r}, nil
}

// TestSlackCallGetsTheAttemptsThirtySeconds checks the README's promise
// that a delivery attempt has 30 s: a Slack call within an attempt of 30 s
// is not given less by the adapter, and a call made without a deadline gets
// 30 s.
func TestSlackCallGetsTheAttemptsThirtySeconds(t *testing.T) {
	rec := &deadlineRecorder{}
	w := NewWebhook("https://hooks.slack.example/services/T1/B1/secret", &http.Client{Transport: rec}, nil)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.Deliver(ctx, bot.Post{Thread: "t", Digest: sampleDigest(), Slot: start.Truncate(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := postJSON(context.Background(), &http.Client{Transport: rec}, "https://hooks.slack.example/x", "response_url", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.deadlines) < 2 {
		t.Fatalf("%d calls", len(rec.deadlines))
	}
	for i, dl := range rec.deadlines {
		if got := dl.Sub(start); got < 29*time.Second || got > 31*time.Second {
			t.Errorf("call %d had %v to answer, want the attempt's 30s", i+1, got.Round(time.Second))
		}
	}
}
