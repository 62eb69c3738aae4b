package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/slack/slackfake"
	"github.com/threaddigest/threaddigest/bot"
)

// startSocketMode runs a SocketMode against the fake until the test ends.
func startSocketMode(t *testing.T, fake *slackfake.Server, a Answerer, appToken string) (*SocketMode, chan error) {
	t.Helper()
	sm := NewSocketMode(Config{BotToken: slackfake.BotToken, AppToken: appToken, APIURL: fake.APIURL()}, a, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sm.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after its context ended")
		}
		_ = sm.Shutdown(context.Background())
	})
	return sm, done
}

func slashFields(trigger, text, responseURL string) map[string]string {
	return map[string]string{
		"team_id": "T0001", "channel_id": "C0123ABCD", "user_id": "U0USER1", "command": "/thread",
		"text": text, "response_url": responseURL, "trigger_id": trigger, "api_app_id": "A0001",
	}
}

func TestSocketModeCachedAnswerInTheAck(t *testing.T) {
	fake := slackfake.New(t)
	a := &fakeAnswerer{cached: stanceCached}
	sm, _ := startSocketMode(t, fake, a, slackfake.AppToken)
	if up, d := sm.Status(); up {
		t.Errorf("status before connecting: up, %q", d)
	}
	if err := fake.WaitConnected(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := fake.Send(slackfake.SlashCommandEnvelope("env-1", 0, slashFields("trig-1", "stance huawei-europe", fake.ResponseURL("sm")))); err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitAck("env-1", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if up, d := sm.Status(); !up || !strings.HasPrefix(d, "connected since ") {
		t.Errorf("status once connected: %v, %q", up, d)
	}
	var p struct {
		ResponseType string            `json:"response_type"`
		Text         string            `json:"text"`
		Blocks       []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(ack.Payload, &p); err != nil {
		t.Fatalf("ack payload %s: %v", ack.Payload, err)
	}
	if p.ResponseType != "ephemeral" || len(p.Blocks) == 0 || !strings.Contains(p.Text, "9 against") {
		t.Errorf("ack payload %s", ack.Payload)
	}
	if ack.Size >= 20<<10 {
		t.Errorf("ack of %d bytes; Slack drops 20 KB and more", ack.Size)
	}
	reqs := a.seen()
	if len(reqs) != 1 || reqs[0].Sub != "stance" || reqs[0].Channel != "C0123ABCD" || reqs[0].Workspace != "T0001" {
		t.Errorf("requests %+v", reqs)
	}

	// Slack resends an envelope it saw no ack for in time: a new envelope id,
	// retry_attempt 1, the same command. It is acked and not run again.
	if err := fake.Send(slackfake.SlashCommandEnvelope("env-2", 1, slashFields("trig-1", "stance huawei-europe", fake.ResponseURL("sm")))); err != nil {
		t.Fatal(err)
	}
	retry, err := fake.WaitAck("env-2", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(retry.Payload) != 0 && string(retry.Payload) != "null" {
		t.Errorf("the retry was answered again: %s", retry.Payload)
	}
	if n := len(a.seen()); n != 1 {
		t.Errorf("the command ran %d times", n)
	}
}

// TestSocketModeRetryWithoutTriggerIDRunsOnce resends a command that carries
// no trigger id in a new envelope: it is known by its payload, not by the
// envelope a retry changes, and runs once.
func TestSocketModeRetryWithoutTriggerIDRunsOnce(t *testing.T) {
	fake := slackfake.New(t)
	a := &fakeAnswerer{cached: stanceCached}
	startSocketMode(t, fake, a, slackfake.AppToken)
	if err := fake.WaitConnected(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	fields := slashFields("", "stance huawei-europe", fake.ResponseURL("sm"))
	for i, env := range []string{"env-a", "env-b"} {
		if err := fake.Send(slackfake.SlashCommandEnvelope(env, i, fields)); err != nil {
			t.Fatal(err)
		}
		if _, err := fake.WaitAck(env, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(a.seen()); n != 1 {
		t.Errorf("the command ran %d times, want once", n)
	}
}

func TestSocketModeSlowAndBigAnswersGoToResponseURL(t *testing.T) {
	fake := slackfake.New(t)
	// Emoji are one character each but four bytes: a message within Slack's
	// character limits that is too big for a Socket Mode ack.
	big := sampleDigest()
	for i := 4; i <= 6; i++ {
		a := big.Arguments[0]
		a.ID = i
		big.Arguments = append(big.Arguments, a)
	}
	for i := range big.Arguments {
		big.Arguments[i].Statement = strings.Repeat("🙂", 1200)
	}
	a := &fakeAnswerer{
		cached: func(req bot.Request) (bot.Response, bool) {
			if req.Sub == "arguments" {
				return bot.Response{Kind: bot.KindArguments, Ephemeral: true, Thread: "long", Digest: &big}, true
			}
			return bot.Response{}, false
		},
		answer: func(ctx context.Context, req bot.Request) bot.Response {
			return bot.Response{Kind: bot.KindText, Text: "followed " + strings.Join(req.Args, " "), Ephemeral: true}
		},
	}
	sm, _ := startSocketMode(t, fake, a, slackfake.AppToken)
	if err := fake.WaitConnected(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	_ = fake.Send(slackfake.SlashCommandEnvelope("slow", 0, slashFields("t-slow", "follow https://example.com/a", fake.ResponseURL("slow"))))
	_ = fake.Send(slackfake.SlashCommandEnvelope("big", 0, slashFields("t-big", "arguments", fake.ResponseURL("big"))))
	for _, env := range []string{"slow", "big"} {
		ack, err := fake.WaitAck(env, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(ack.Payload), workingText) {
			t.Errorf("%s: ack %.200s, want %q", env, ack.Payload, workingText)
		}
		if ack.Size >= 20<<10 {
			t.Errorf("%s: ack of %d bytes", env, ack.Size)
		}
	}
	if err := sm.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	var slow, bigParts int
	for _, m := range fake.Messages() {
		switch m.Channel {
		case "slow":
			slow++
			if m.Text != "followed https://example.com/a" {
				t.Errorf("slow answer %q", m.Text)
			}
		case "big":
			bigParts++
		}
	}
	if slow != 1 || bigParts < 1 || bigParts > maxResponsePosts {
		t.Errorf("posted %d slow and %d big parts", slow, bigParts)
	}
}

func TestSocketModeShareButton(t *testing.T) {
	fake := slackfake.New(t)
	a := &fakeAnswerer{cached: stanceCached}
	sm, _ := startSocketMode(t, fake, a, slackfake.AppToken)
	if err := fake.WaitConnected(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	payload := sharePayload(encodeShare(bot.Request{Sub: "stance"}), fake.ResponseURL("share"))
	payload["trigger_id"] = "trig-share"
	payload["action_ts"] = "1700000000.1"
	_ = fake.Send(slackfake.InteractiveEnvelope("int-1", payload))
	if _, err := fake.WaitAck("int-1", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs := fake.WaitMessages(2, 5*time.Second)
	if len(msgs) != 2 || msgs[0].ResponseType != "in_channel" || !msgs[1].DeleteOriginal {
		t.Errorf("posted %+v", msgs)
	}
	_ = sm.Shutdown(context.Background())
}

func TestSocketModeRefusedTokenStopsRun(t *testing.T) {
	fake := slackfake.New(t)
	sm, done := startSocketMode(t, fake, &fakeAnswerer{}, "xapp-wrong")
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
			t.Errorf("Run = %v, want an invalid_auth error", err)
		}
		if up, d := sm.Status(); up || !strings.Contains(d, "refused the tokens") {
			t.Errorf("status after the tokens were refused: %v, %q", up, d)
		}
		done <- err // let the cleanup see Run returned
	case <-time.After(5 * time.Second):
		t.Fatal("Run kept going with a refused token")
	}
}

func TestSocketModeReconnects(t *testing.T) {
	fake := slackfake.New(t)
	fake.FailNext("apps.connections.open", slackfake.Failure{Status: 500})
	a := &fakeAnswerer{cached: stanceCached}
	startSocketMode(t, fake, a, slackfake.AppToken)
	if err := fake.WaitConnected(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if n := fake.Opens(); n < 1 {
		t.Errorf("%d successful opens", n)
	}
	_ = fake.Send(slackfake.SlashCommandEnvelope("after", 0, slashFields("t-after", "stance", fake.ResponseURL("x"))))
	if _, err := fake.WaitAck("after", 5*time.Second); err != nil {
		t.Fatal(err)
	}
}
