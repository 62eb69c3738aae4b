package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/slack/slackfake"
	"github.com/threaddigest/threaddigest/bot"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// fakeAnswerer is a hand-written Answerer with function fields.
type fakeAnswerer struct {
	cached func(bot.Request) (bot.Response, bool)
	answer func(context.Context, bot.Request) bot.Response

	mu       sync.Mutex
	requests []bot.Request
}

func (f *fakeAnswerer) Cached(req bot.Request) (bot.Response, bool) {
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	if f.cached == nil {
		return bot.Response{}, false
	}
	return f.cached(req)
}

func (f *fakeAnswerer) Answer(ctx context.Context, req bot.Request) bot.Response {
	if f.answer == nil {
		return bot.Response{Kind: bot.KindText, Text: "answered", Ephemeral: true}
	}
	return f.answer(ctx, req)
}

func (f *fakeAnswerer) seen() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.requests...)
}

func stanceCached(req bot.Request) (bot.Response, bool) {
	d := sampleDigest()
	return bot.Response{Kind: bot.KindStance, Ephemeral: true, Thread: "huawei-europe", Digest: &d}, true
}

// signed builds a slash-command request as Slack signs it.
func signed(secret string, at time.Time, form url.Values) *http.Request {
	body := form.Encode()
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return r
}

func commandForm(text, responseURL string) url.Values {
	return url.Values{
		"token": {"legacy"}, "team_id": {"T0001"}, "team_domain": {"newsroom"}, "channel_id": {"C0123ABCD"},
		"channel_name": {"audience-desk"}, "user_id": {"U0USER1"}, "user_name": {"sam"}, "command": {"/thread"},
		"text": {text}, "response_url": {responseURL}, "trigger_id": {"1.2.3"}, "api_app_id": {"A0001"},
	}
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestCommandCachedAnswerIsTheAck(t *testing.T) {
	fake := slackfake.New(t)
	a := &fakeAnswerer{cached: stanceCached}
	h := NewHandler(testSecret, a, nil, nil)
	start := time.Now()
	w := serve(h.Commands(), signed(testSecret, time.Now(), commandForm(`stance huawei-europe "Deutsche Telekom"`, fake.ResponseURL("r1"))))
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("ack took %s", d)
	}
	var ack struct {
		ResponseType string            `json:"response_type"`
		Text         string            `json:"text"`
		Blocks       []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil {
		t.Fatal(err)
	}
	if ack.ResponseType != "ephemeral" || !strings.Contains(ack.Text, "5 favor, 9 against, 4 none") || len(ack.Blocks) == 0 {
		t.Errorf("ack %s", w.Body)
	}
	if !strings.Contains(w.Body.String(), `"action_id":"threaddigest_share"`) {
		t.Error("no Share to channel button on an ephemeral answer")
	}
	reqs := a.seen()
	want := bot.Request{Platform: "slack", Workspace: "T0001", Channel: "C0123ABCD", User: "U0USER1", Sub: "stance",
		Args: []string{"huawei-europe", "Deutsche Telekom"}}
	if len(reqs) != 1 || fmt.Sprint(reqs[0]) != fmt.Sprint(want) {
		t.Errorf("request %+v, want %+v", reqs, want)
	}
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Messages()); n != 0 {
		t.Errorf("%d posts to response_url for an answer given in the ack", n)
	}
}

func TestCommandVerification(t *testing.T) {
	now := time.Now()
	valid := commandForm("stance", "http://127.0.0.1:1/unused")
	for _, tc := range []struct {
		name string
		req  func() *http.Request
		want int
		// reason is what the rejection's log line must say.
		reason string
	}{
		{"valid", func() *http.Request { return signed(testSecret, now, valid) }, http.StatusOK, ""},
		{"wrong secret", func() *http.Request { return signed("not-the-secret", now, valid) }, http.StatusUnauthorized, `reason="signature does not match"`},
		{"stale timestamp", func() *http.Request { return signed(testSecret, now.Add(-6*time.Minute), valid) }, http.StatusUnauthorized,
			`old, more than 5m0s: a stale or replayed request"`},
		{"future timestamp", func() *http.Request { return signed(testSecret, now.Add(6*time.Minute), valid) }, http.StatusUnauthorized,
			`in the future, more than 5m0s ahead of this server's clock (check the clocks)"`},
		{"within the window", func() *http.Request { return signed(testSecret, now.Add(-4*time.Minute), valid) }, http.StatusOK, ""},
		{"missing headers", func() *http.Request {
			r := signed(testSecret, now, valid)
			r.Header.Del("X-Slack-Signature")
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized, ""},
		{"missing signature", func() *http.Request {
			r := signed(testSecret, now, valid)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized, ""},
		{"garbled signature", func() *http.Request {
			r := signed(testSecret, now, valid)
			r.Header.Set("X-Slack-Signature", "v0=zz")
			return r
		}, http.StatusUnauthorized, ""},
		{"body changed after signing", func() *http.Request {
			r := signed(testSecret, now, valid)
			changed := commandForm("follow https://evil.example", "http://127.0.0.1:1/unused").Encode()
			r.Body = ioNopCloser(changed)
			r.ContentLength = int64(len(changed))
			return r
		}, http.StatusUnauthorized, ""},
		{"oversized body", func() *http.Request {
			big := commandForm(strings.Repeat("x", 70<<10), "")
			return signed(testSecret, now, big)
		}, http.StatusRequestEntityTooLarge, ""},
		{"GET", func() *http.Request {
			r := signed(testSecret, now, valid)
			r.Method = http.MethodGet
			return r
		}, http.StatusMethodNotAllowed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			a := &fakeAnswerer{cached: stanceCached}
			h := NewHandler(testSecret, a, nil, slog.New(slog.NewTextHandler(&logs, nil)))
			w := serve(h.Commands(), tc.req())
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.want, w.Body)
			}
			if tc.want != http.StatusOK {
				if n := len(a.seen()); n != 0 {
					t.Errorf("a rejected request reached the command handler %d times", n)
				}
				if tc.want != http.StatusMethodNotAllowed && !strings.Contains(logs.String(), "request rejected") {
					t.Errorf("rejection not logged: %s", logs.String())
				}
				if strings.Contains(logs.String(), "stance") || strings.Contains(logs.String(), "evil.example") || strings.Contains(logs.String(), "U0USER1") {
					t.Errorf("the log holds the request body: %s", logs.String())
				}
				if !strings.Contains(logs.String(), tc.reason) || strings.Contains(logs.String(), "err=<nil>") {
					t.Errorf("rejection log %q, want %s and no err=<nil>", logs.String(), tc.reason)
				}
			}
			_ = h.Shutdown(context.Background())
		})
	}
}

func ioNopCloser(s string) *nopCloser { return &nopCloser{strings.NewReader(s)} }

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func TestCommandReplayIsRefused(t *testing.T) {
	a := &fakeAnswerer{cached: stanceCached}
	h := NewHandler(testSecret, a, nil, nil)
	form := commandForm("follow https://example.com/thread", "http://127.0.0.1:1/unused")
	at := time.Now()
	first := serve(h.Commands(), signed(testSecret, at, form))
	again := serve(h.Commands(), signed(testSecret, at, form))
	if first.Code != http.StatusOK || again.Code != http.StatusUnauthorized {
		t.Errorf("first %d, replay %d; want 200 then 401", first.Code, again.Code)
	}
	if n := len(a.seen()); n != 1 {
		t.Errorf("the command ran %d times", n)
	}
	// The same command sent again by the user is a new request (new
	// timestamp, new signature) and runs.
	if w := serve(h.Commands(), signed(testSecret, at.Add(time.Second), form)); w.Code != http.StatusOK {
		t.Errorf("a new request was refused: %d", w.Code)
	}
	_ = h.Shutdown(context.Background())
}

// recase returns r's signature header with its hex digits re-cased: all
// upper, or one letter flipped. Either is the same signature to the
// verifier, which decodes the hex.
func recase(r *http.Request, all bool) *http.Request {
	sig := r.Header.Get("X-Slack-Signature")
	prefix, digits, _ := strings.Cut(sig, "=")
	if all {
		digits = strings.ToUpper(digits)
	} else if i := strings.IndexAny(digits, "abcdef"); i >= 0 {
		digits = digits[:i] + strings.ToUpper(digits[i:i+1]) + digits[i+1:]
	}
	r.Header.Set("X-Slack-Signature", prefix+"="+digits)
	return r
}

// TestCommandReplayWithRecasedSignatureIsRefused replays a captured command
// with its signature's hex digits re-cased, through the real handler: the
// verifier accepts the signature (hex is read without regard to case), and
// the replay guard must still see the same request.
func TestCommandReplayWithRecasedSignatureIsRefused(t *testing.T) {
	a := &fakeAnswerer{cached: stanceCached}
	h := NewHandler(testSecret, a, nil, nil)
	defer h.Shutdown(context.Background())
	form := commandForm("stance", "http://127.0.0.1:1/unused")
	at := time.Now()
	if w := serve(h.Commands(), signed(testSecret, at, form)); w.Code != http.StatusOK {
		t.Fatalf("the first request: status %d", w.Code)
	}
	for _, all := range []bool{true, false} {
		if w := serve(h.Commands(), recase(signed(testSecret, at, form), all)); w.Code != http.StatusUnauthorized {
			t.Errorf("replay with the signature re-cased (all %v): status %d, want 401", all, w.Code)
		}
	}
	if n := len(a.seen()); n != 1 {
		t.Errorf("the command ran %d times, want once", n)
	}
}

// TestShareReplayWithRecasedSignatureIsRefused replays a captured "Share to
// channel" click three times with its signature re-cased: the answer is
// shared once.
func TestShareReplayWithRecasedSignatureIsRefused(t *testing.T) {
	fake := slackfake.New(t)
	a := &fakeAnswerer{cached: stanceCached}
	h := NewHandler(testSecret, a, nil, nil)
	value := encodeShare(bot.Request{Sub: "stance", Args: []string{"huawei-europe"}})
	payload, _ := json.Marshal(sharePayload(value, fake.ResponseURL("share")))
	form := url.Values{"payload": {string(payload)}}
	at := time.Now()
	click := func() *http.Request {
		r := signed(testSecret, at, form)
		r.URL.Path = "/slack/interactions"
		return r
	}
	if w := serve(h.Interactions(), click()); w.Code != http.StatusOK {
		t.Fatalf("the click: status %d", w.Code)
	}
	for i, all := range []bool{true, false, true} {
		if w := serve(h.Interactions(), recase(click(), all)); w.Code != http.StatusUnauthorized {
			t.Errorf("replay %d: status %d, want 401", i+1, w.Code)
		}
	}
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	shared := 0
	for _, m := range fake.Messages() {
		if m.ResponseType == "in_channel" {
			shared++
		}
	}
	if shared != 1 {
		t.Errorf("the answer was shared to the channel %d times, want once", shared)
	}
}

func TestCommandSlowAnswerGoesToResponseURL(t *testing.T) {
	fake := slackfake.New(t)
	release := make(chan struct{})
	var answerCtxErr atomic.Value
	a := &fakeAnswerer{answer: func(ctx context.Context, req bot.Request) bot.Response {
		<-release
		answerCtxErr.Store(fmt.Sprint(ctx.Err()))
		d := sampleDigest()
		return bot.Response{Kind: bot.KindDigest, Ephemeral: true, Thread: "huawei-europe", Digest: &d}
	}}
	h := NewHandler(testSecret, a, nil, nil)
	w := serve(h.Commands(), signed(testSecret, time.Now(), commandForm("digest 24h", fake.ResponseURL("slow"))))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), workingText) || !strings.Contains(w.Body.String(), `"response_type":"ephemeral"`) {
		t.Fatalf("ack %d %s", w.Code, w.Body)
	}
	// The request is over (its context is cancelled); the answer still comes.
	close(release)
	msgs := fake.WaitMessages(1, 5*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d answers posted", len(msgs))
	}
	m := msgs[0]
	if m.Route != "response_url" || m.Channel != "slow" || m.ResponseType != "ephemeral" || m.ReplaceOriginal {
		t.Errorf("posted %+v", m)
	}
	checkInertJSON(t, m.Text, m.Blocks)
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := answerCtxErr.Load(); got != "<nil>" {
		t.Errorf("the answer's context was %v when it ran", got)
	}
}

func TestShutdownDrainsAndAbandons(t *testing.T) {
	fake := slackfake.New(t)
	release := make(chan struct{})
	a := &fakeAnswerer{answer: func(ctx context.Context, req bot.Request) bot.Response {
		select {
		case <-release:
		case <-ctx.Done():
			return bot.Response{Kind: bot.KindText, Text: "cancelled", Ephemeral: true}
		}
		return bot.Response{Kind: bot.KindText, Text: "done", Ephemeral: true}
	}}
	h := NewHandler(testSecret, a, nil, nil)
	serve(h.Commands(), signed(testSecret, time.Now(), commandForm("digest", fake.ResponseURL("a"))))

	// Drain: the answer finishes while Shutdown waits, and is posted.
	go func() { time.Sleep(50 * time.Millisecond); close(release) }()
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if msgs := fake.Messages(); len(msgs) != 1 || msgs[0].Text != "done" {
		t.Errorf("posted %+v", msgs)
	}
	// After shutdown, a command that needs work is told to retry.
	w := serve(h.Commands(), signed(testSecret, time.Now(), commandForm("digest", fake.ResponseURL("b"))))
	if !strings.Contains(w.Body.String(), "restarting") {
		t.Errorf("after shutdown: %s", w.Body)
	}

	// Abandon: an answer stuck past the shutdown deadline is cancelled.
	stuck := make(chan struct{})
	a2 := &fakeAnswerer{answer: func(ctx context.Context, req bot.Request) bot.Response {
		<-ctx.Done()
		close(stuck)
		return bot.Response{Kind: bot.KindText, Text: "late", Ephemeral: true}
	}}
	h2 := NewHandler(testSecret, a2, nil, nil)
	serve(h2.Commands(), signed(testSecret, time.Now(), commandForm("digest", fake.ResponseURL("c"))))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := h2.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want a deadline error", err)
	}
	select {
	case <-stuck:
	case <-time.After(time.Second):
		t.Error("the stuck answer was not cancelled")
	}
}

func TestLongCachedAnswerContinuesOnResponseURL(t *testing.T) {
	fake := slackfake.New(t)
	d := longDigest(60)
	a := &fakeAnswerer{cached: func(bot.Request) (bot.Response, bool) {
		return bot.Response{Kind: bot.KindArguments, Ephemeral: true, Thread: "long", Digest: &d}, true
	}}
	h := NewHandler(testSecret, a, nil, nil)
	w := serve(h.Commands(), signed(testSecret, time.Now(), commandForm("arguments", fake.ResponseURL("long"))))
	if !strings.Contains(w.Body.String(), "part 1 of") {
		t.Fatalf("ack is not part 1: %.300s", w.Body)
	}
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	parts := len(RenderResponse(bot.Response{Kind: bot.KindArguments, Ephemeral: true, Thread: "long", Digest: &d}, ResponseOptions{}))
	want := min(parts-1, maxResponsePosts)
	msgs := fake.Messages()
	if len(msgs) != want {
		t.Fatalf("%d posts to response_url, want %d (parts 2..%d, at most %d)", len(msgs), want, parts, maxResponsePosts)
	}
	for i, m := range msgs {
		if !strings.Contains(m.Text, fmt.Sprintf("part %d of %d", i+2, parts)) {
			t.Errorf("post %d: %q", i, m.Text)
		}
	}
	if cut := parts - 1 - want; cut > 0 && !strings.Contains(string(msgs[len(msgs)-1].Blocks), fmt.Sprintf("(%d more parts)", cut)) {
		t.Errorf("the last post does not say %d parts were cut", cut)
	}
}

// interactionRequest is a signed block_actions request as Slack sends it.
func interactionRequest(secret string, payload any) *http.Request {
	b, _ := json.Marshal(payload)
	r := signed(secret, time.Now(), url.Values{"payload": {string(b)}})
	r.URL.Path = "/slack/interactions"
	return r
}

func sharePayload(value, responseURL string) map[string]any {
	return map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": "T0001"},
		"user":         map[string]any{"id": "U0USER1"},
		"channel":      map[string]any{"id": "C0123ABCD"},
		"response_url": responseURL,
		"actions":      []map[string]any{{"type": "button", "action_id": ShareActionID, "block_id": "threaddigest_actions", "value": value}},
	}
}

func TestShareToChannel(t *testing.T) {
	fake := slackfake.New(t)
	a := &fakeAnswerer{cached: stanceCached}
	h := NewHandler(testSecret, a, nil, nil)
	value := encodeShare(bot.Request{Sub: "stance", Args: []string{"huawei-europe"}})
	w := serve(h.Interactions(), interactionRequest(testSecret, sharePayload(value, fake.ResponseURL("share"))))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d posts, want the shared answer and the removal of the ephemeral one", len(msgs))
	}
	shared, removal := msgs[0], msgs[1]
	if shared.ResponseType != "in_channel" || shared.ReplaceOriginal || !strings.Contains(string(shared.Blocks), "Shared by \\u003c@U0USER1\\u003e") {
		t.Errorf("shared %+v %s", shared, shared.Blocks)
	}
	if strings.Contains(string(shared.Blocks), ShareActionID) {
		t.Error("the shared answer still has a share button")
	}
	if !removal.DeleteOriginal {
		t.Errorf("second post %+v", removal)
	}
	reqs := a.seen()
	if len(reqs) != 1 || reqs[0].Sub != "stance" || reqs[0].Channel != "C0123ABCD" || reqs[0].User != "U0USER1" || fmt.Sprint(reqs[0].Args) != "[huawei-europe]" {
		t.Errorf("requests %+v", reqs)
	}
	// An unsigned click is refused like any request.
	if w := serve(h.Interactions(), interactionRequest("wrong", sharePayload(value, fake.ResponseURL("x")))); w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned interaction: %d", w.Code)
	}
}

func TestResponseURLFailuresAreRetriedOnce(t *testing.T) {
	fake := slackfake.New(t)
	fake.FailNext("response_url", slackfake.Failure{Status: 500})
	a := &fakeAnswerer{}
	h := NewHandler(testSecret, a, nil, nil)
	serve(h.Commands(), signed(testSecret, time.Now(), commandForm("follow x", fake.ResponseURL("f"))))
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if msgs := fake.Messages(); len(msgs) != 1 || msgs[0].Text != "answered" {
		t.Errorf("posted %+v", msgs)
	}
}
