package loadgen

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/threaddigest/threaddigest/adapters/slack"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/digest"
)

func TestSignIsWhatSlackGoVerifies(t *testing.T) {
	body := []byte("command=%2Fthread&text=stance&trigger_id=1.2.x")
	ts := time.Now().Unix()
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	h.Set("X-Slack-Signature", Sign("s3cret", ts, body))
	for _, tc := range []struct {
		secret string
		body   []byte
		ok     bool
	}{
		{"s3cret", body, true},
		{"other", body, false},
		{"s3cret", append(bytes.Clone(body), '!'), false},
	} {
		sv, err := slackgo.NewSecretsVerifier(h, tc.secret)
		if err != nil {
			t.Fatal(err)
		}
		sv.Write(tc.body)
		if err := sv.Ensure(); (err == nil) != tc.ok {
			t.Errorf("secret %q, body %q: verified %v, want %v (%v)", tc.secret, tc.body, err == nil, tc.ok, err)
		}
	}
	// The reference example from Slack's documentation of request signing.
	const docBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	const docSig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	if got := Sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, []byte(docBody)); got != docSig {
		t.Errorf("Sign of Slack's example = %s, want %s", got, docSig)
	}
}

// answerer is a hand-written fake of the command handler: cached says
// whether answers come from the cache; calls counts full answers.
type answerer struct {
	cached bool
	calls  atomic.Int64
}

func stanceResponse() bot.Response {
	d := digest.Digest{Title: "Load", CommentCount: 3, CommenterCount: 2,
		Stance: digest.Stance{Target: "buses", Favor: 2, Against: 1}}
	return bot.Response{Kind: bot.KindStance, Ephemeral: true, Thread: "load", Digest: &d}
}

func (a *answerer) Cached(req bot.Request) (bot.Response, bool) {
	if !a.cached || req.Sub != "stance" {
		return bot.Response{}, false
	}
	return stanceResponse(), true
}

func (a *answerer) Answer(ctx context.Context, req bot.Request) bot.Response {
	a.calls.Add(1)
	if req.Sub != "stance" {
		return bot.Response{Kind: bot.KindText, Text: "unknown"}
	}
	return stanceResponse()
}

// server is the real Slack command handler behind a loopback listener.
func server(t *testing.T, secret string, a slack.Answerer) string {
	t.Helper()
	h := slack.NewHandler(secret, a, nil, nil)
	mux := http.NewServeMux()
	mux.Handle("POST /slack/commands", h.Commands())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		srv.Close()
	})
	return srv.URL + "/slack/commands"
}

func TestRun(t *testing.T) {
	opt := Options{Rate: 100, Duration: 500 * time.Millisecond, Command: DefaultCommand("C1"), AnswerTimeout: 5 * time.Second}
	for _, tc := range []struct {
		name                       string
		cached                     bool
		serverSecret, clientSecret string
		text                       string
		answered, deferred, errors int
		errorHas                   string
	}{
		{name: "answered in the acknowledgement", cached: true, serverSecret: "s", clientSecret: "s", text: "stance", answered: 50},
		{name: "answered at the response_url", serverSecret: "s", clientSecret: "s", text: "stance", deferred: 50},
		{name: "wrong secret", cached: true, serverSecret: "s", clientSecret: "t", text: "stance", errors: 50, errorHas: "status 401"},
		{name: "a text answer instead", serverSecret: "s", clientSecret: "s", text: "nonsense", errors: 50, errorHas: "not the answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &answerer{cached: tc.cached}
			c := &Client{URL: server(t, tc.serverSecret, a), Secret: tc.clientSecret, HTTP: &http.Client{}}
			o := opt
			o.Command.Text = tc.text
			res, err := Run(context.Background(), c, o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Sent != 50 || res.Answered != tc.answered || res.Deferred != tc.deferred || res.Errors != tc.errors {
				t.Fatalf("sent %d, answered %d, deferred %d, errors %d; want 50, %d, %d, %d; errors: %q",
					res.Sent, res.Answered, res.Deferred, res.Errors, tc.answered, tc.deferred, tc.errors, res.ErrorSamples)
			}
			if len(res.Latencies) != res.Answered+res.Deferred {
				t.Errorf("%d latencies for %d answers", len(res.Latencies), res.Answered+res.Deferred)
			}
			if tc.errorHas != "" && (len(res.ErrorSamples) == 0 || !strings.Contains(res.ErrorSamples[0], tc.errorHas)) {
				t.Errorf("errors %q, want one with %q", res.ErrorSamples, tc.errorHas)
			}
			if tc.cached && a.calls.Load() != 0 {
				t.Errorf("%d full answers computed for cached ones", a.calls.Load())
			}
			// Open loop: 50 commands at 100/s take half a second to send.
			if res.Elapsed < 490*time.Millisecond {
				t.Errorf("run took %v, less than its schedule", res.Elapsed)
			}
		})
	}
}

func TestRunStopsWithContext(t *testing.T) {
	a := &answerer{cached: true}
	c := &Client{URL: server(t, "s", a), Secret: "s", HTTP: &http.Client{}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := Run(ctx, c, Options{Rate: 50, Duration: 10 * time.Second, Command: DefaultCommand("C1")})
	if err == nil || res == nil || res.Sent == 0 || res.Sent >= 500 {
		t.Fatalf("Run under a 200 ms context: %+v, %v", res, err)
	}
}

func TestRunRefusesNoLoad(t *testing.T) {
	if _, err := Run(context.Background(), &Client{}, Options{Rate: 0, Duration: time.Second}); err == nil {
		t.Error("rate 0 accepted")
	}
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	var hundred []int
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, i)
	}
	for _, tc := range []struct {
		lat  []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 51, 3 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 90, 90 * time.Millisecond},
		{ms(hundred...), 100, 100 * time.Millisecond},
		{ms(hundred...), 0.1, 1 * time.Millisecond},
	} {
		r := Result{Latencies: tc.lat}
		if got := r.Percentile(tc.p); got != tc.want {
			t.Errorf("p%v of %v = %v, want %v", tc.p, tc.lat, got, tc.want)
		}
	}
	r := Result{Latencies: ms(1, 2, 6)}
	if r.Max() != 6*time.Millisecond || r.Mean() != 3*time.Millisecond {
		t.Errorf("max %v mean %v", r.Max(), r.Mean())
	}
}
