package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/slack/slackfake"
)

// hostileThread is a thread whose title, names and comments carry Slack's
// mention, link and formatting syntax.
const hostileThread = `<!channel> Huawei *5G* ban <http://evil.example|read more>

Dec 27, 2019 · 6 comments

Mallory <@U123ABC> (Boulder, Co)
<!channel> I support Huawei in our 5G networks, *the cheapest gear wins* and <http://evil.example|click here> proves it.

Eve *bold* (köln)
<!here> Huawei is a security risk for 5G networks, _no_ vendor bound by a state intelligence law belongs in the core. ` + "`rm -rf`" + `

Trent (Lyon, France)
@Mallory <@U123ABC> Huawei is a security risk; the 5G core must be built by vendors we can audit, ~not~ by Huawei.

Peggy (Edmonton AB)
I support Huawei; the 5G rollout would cost billions more without it & <b>everyone</b> pays.

Victor (NYC)
> quoted line
Huawei in 5G networks is a security risk, plain and simple.

Walter (Sydney)
Cheaper Huawei gear means faster 5G networks for everyone; I support Huawei.
`

// slackServe runs serve on hostileThread with cfgBody (FAKE, THREAD and DIR
// are replaced) until the test ends, and returns its log.
func slackServe(t *testing.T, fake *slackfake.Server, cfgBody string) *syncBuffer {
	t.Helper()
	return serveThread(t, hostileThread, cfgBody, map[string]string{
		"SLACK_BOT_TOKEN":      slackfake.BotToken,
		"SLACK_APP_TOKEN":      slackfake.AppToken,
		"SLACK_SIGNING_SECRET": "e2e-signing-secret",
	}, "FAKE", fake.URL())
}

const slackE2EConfig = `
[store]
url = "sqlite:DIR/state.db"
lease = "5s"

[http]
listen = "127.0.0.1:0"

[[thread]]
name = "huawei-europe"
source = "THREAD"
target = "Huawei"
poll = "1s"

[[digest]]
thread = "huawei-europe"
schedule = "@every 2s"
to = ["slack:C0000003", "slack-webhook:FAKE/hooks/T0/B0/secretpath"]

[slack]
bot_token = "${SLACK_BOT_TOKEN}"
signing_secret = "${SLACK_SIGNING_SECRET}"
api_url = "FAKE/api/"
`

// TestSlackEndToEnd: serve posts the scheduled digest to a Slack channel
// (blocks, fallback text, the chart uploaded) and to an incoming webhook,
// with every hostile comment inert; /thread stance over HTTP is answered
// within the acknowledgement.
func TestSlackEndToEnd(t *testing.T) {
	fake := slackfake.New(t)
	log := slackServe(t, fake, slackE2EConfig)
	addr := waitFor(t, log, regexp.MustCompile(`msg="http server listening" addr=(\S+)`))

	// The scheduled digest reaches the channel, the webhook, and the chart.
	var channel, webhook *slackfake.Message
	deadline := time.Now().Add(20 * time.Second)
	for (channel == nil || webhook == nil || len(completedFiles(fake)) == 0) && time.Now().Before(deadline) {
		for _, m := range fake.WaitMessages(1, time.Second) {
			switch {
			case m.Route == "chat.postMessage" && channel == nil:
				channel = &m
			case m.Route == "webhook" && webhook == nil:
				webhook = &m
			}
		}
	}
	if channel == nil || webhook == nil {
		t.Fatalf("channel %v webhook %v; log:\n%s", channel, webhook, log)
	}
	for _, m := range []*slackfake.Message{channel, webhook} {
		if !strings.Contains(m.Text, "huawei-europe: 6 new comments") {
			t.Errorf("%s fallback text %q", m.Route, m.Text)
		}
		if m.Mrkdwn == nil || *m.Mrkdwn {
			t.Errorf("%s: fallback text sent with mrkdwn on", m.Route)
		}
		checkSlackInert(t, m.Route, m.Text, m.Blocks, true)
	}
	if channel.Channel != "C0000003" {
		t.Errorf("posted to %s", channel.Channel)
	}
	files := completedFiles(fake)
	if len(files) == 0 {
		t.Fatalf("no chart uploaded; calls %v", fake.Calls())
	}
	if f := files[0]; f.Channel != "C0000003" || f.Length != len(f.Data) {
		t.Errorf("chart %+v", f)
	} else if _, err := png.Decode(bytes.NewReader(f.Data)); err != nil {
		t.Errorf("chart is not a PNG: %v", err)
	}

	// /thread stance in the channel that receives the digest: answered
	// from the cache, in the acknowledgement.
	form := url.Values{"team_id": {"T0001"}, "channel_id": {"C0000003"}, "user_id": {"U0USER1"}, "command": {"/thread"},
		"text": {"stance"}, "response_url": {fake.ResponseURL("stance")}, "trigger_id": {"1.2"}}
	start := time.Now()
	resp, ack := postSigned(t, "http://"+addr+"/slack/commands", "e2e-signing-secret", form)
	took := time.Since(start)
	if resp.StatusCode != http.StatusOK || took > 3*time.Second {
		t.Fatalf("status %d after %s: %s", resp.StatusCode, took, ack)
	}
	var p struct {
		ResponseType string          `json:"response_type"`
		Text         string          `json:"text"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(ack, &p); err != nil {
		t.Fatal(err)
	}
	if p.ResponseType != "ephemeral" || !strings.Contains(p.Text, "toward Huawei") || !strings.Contains(string(p.Blocks), "Stance") {
		t.Errorf("stance was not answered in the ack (%s): %.400s", took, ack)
	}
	checkSlackInert(t, "stance ack", p.Text, p.Blocks, false)

	// A request signed with another secret is refused.
	if resp, _ := postSigned(t, "http://"+addr+"/slack/commands", "wrong", form); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrongly signed command: %d", resp.StatusCode)
	}
}

// TestSlackSocketModeEndToEnd: with socket_mode on, /thread stance arrives
// over the WebSocket and the ack carries the answer.
func TestSlackSocketModeEndToEnd(t *testing.T) {
	t.Parallel() // waits on real deadlines and connections more than it computes
	fake := slackfake.New(t)
	cfg := strings.Replace(slackE2EConfig, `signing_secret = "${SLACK_SIGNING_SECRET}"`,
		"app_token = \"${SLACK_APP_TOKEN}\"\nsocket_mode = true", 1)
	cfg = strings.Replace(cfg, `listen = "127.0.0.1:0"`, `listen = "off"`, 1)
	log := slackServe(t, fake, cfg)
	if err := fake.WaitConnected(20 * time.Second); err != nil {
		t.Fatalf("%v; log:\n%s", err, log)
	}
	// The cache is warm once the digest went out.
	if msgs := fake.WaitMessages(1, 20*time.Second); len(msgs) == 0 {
		t.Fatalf("no digest posted; log:\n%s", log)
	}
	fields := map[string]string{"team_id": "T0001", "channel_id": "C0000003", "user_id": "U0USER1", "command": "/thread",
		"text": "stance", "response_url": fake.ResponseURL("sm"), "trigger_id": "9.9"}
	if err := fake.Send(slackfake.SlashCommandEnvelope("e2e-1", 0, fields)); err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitAck("e2e-1", 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "toward Huawei") || ack.Size >= 20<<10 {
		t.Errorf("ack of %d bytes: %.300s", ack.Size, ack.Payload)
	}
}

func completedFiles(fake *slackfake.Server) []slackfake.File {
	var out []slackfake.File
	for _, f := range fake.Files() {
		if f.Completed {
			out = append(out, f)
		}
	}
	return out
}

func postSigned(t *testing.T, target, secret string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	body := form.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// checkSlackInert fails when untrusted text could ping, link or format: no
// raw < or > in plain text, none of the hostile words in mrkdwn, and the
// hostile title shown escaped.
func checkSlackInert(t *testing.T, where, text string, blocks []byte, hostileShown bool) {
	t.Helper()
	own := regexp.MustCompile(`<!date\^\d+\^\{date_short\} \{time\}\|[0-9: -]+UTC>`)
	if strings.ContainsAny(text, "<>") {
		t.Errorf("%s: fallback text has raw < or >: %q", where, text)
	}
	var v any
	if err := json.Unmarshal(blocks, &v); err != nil {
		t.Fatalf("%s: blocks: %v", where, err)
	}
	var plains []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				switch v["type"] {
				case "plain_text":
					plains = append(plains, s)
					if strings.ContainsAny(s, "<>") {
						t.Errorf("%s: plain text with raw < or >: %q", where, s)
					}
				case "mrkdwn":
					rest := own.ReplaceAllString(s, "")
					for _, bad := range []string{"<", "channel", "U123ABC", "evil", "*bold*", "_no_", "~not~", "rm -rf", "quoted"} {
						if strings.Contains(rest, bad) {
							t.Errorf("%s: untrusted %q in mrkdwn: %q", where, bad, s)
						}
					}
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	if hostileShown && !strings.Contains(strings.Join(plains, "\n"), "&lt;!channel&gt;") {
		t.Errorf("%s: the hostile text did not arrive (escaped) at all", where)
	}
}
