package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/adapters/discord/discordfake"
	"github.com/threaddigest/threaddigest/testkit/nasty"
)

// discordHostileThread carries Discord's mention, link, Markdown and
// line-start syntax in its title, names and comments.
const discordHostileThread = `@everyone Huawei **5G** ban [read more](https://evil.example/a)

Dec 27, 2019 · 6 comments

Mallory <@123456789012345678> (Boulder, Co)
@everyone I support Huawei in our 5G networks, **the cheapest gear wins** and [click here](https://evil.example/b) proves it.

Eve ||spoiler|| (köln)
@here Huawei is a security risk for 5G networks, __no__ vendor bound by a state intelligence law belongs in the core. ` + "`rm -rf`" + `

Trent (Lyon, France)
@Mallory <@&42> Huawei is a security risk; the 5G core must be built by vendors we can audit, ~~not~~ by Huawei.

Peggy (Edmonton AB)
I support Huawei; the 5G rollout would cost billions more without it and <#99> everyone pays.

Victor (NYC)
# Heading
Huawei in 5G networks is a security risk, plain and simple. https://evil.example/c

Walter (Sydney)
-# Cheaper Huawei gear means faster 5G networks for everyone; I support Huawei.
`

// discordHostileFragments must never reach Discord unescaped.
var discordHostileFragments = []string{
	"@everyone", "@here", "<@123456789012345678>", "<@&42>", "<#99>", "[read more](", "[click here](",
	"**5G**", "**the cheapest gear wins**", "||spoiler||", "__no__", "~~not~~", "`rm -rf`", "://evil.example",
}

const discordE2EConfig = `
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
to = ["discord:CHANNEL", "discord-webhook:WEBHOOK"]

[discord]
bot_token = "${DISCORD_BOT_TOKEN}"
public_key = "${DISCORD_PUBLIC_KEY}"
application_id = "1100000000000000002"
api_url = "API"
`

// TestDiscordEndToEnd: serve posts the scheduled digest to a Discord channel
// with the bot token and to a webhook, as embeds with the regional chart
// attached and every hostile text inert; /thread stance through the HTTP
// interactions endpoint is answered within Discord's three seconds; a
// request with a bad signature is refused.
func TestDiscordEndToEnd(t *testing.T) {
	fake := discordfake.New(t)
	channel := fake.AddChannel()
	webhook := fake.NewWebhook()
	signer := discordfake.NewSigner()

	log := discordServe(t, fake, strings.NewReplacer("CHANNEL", channel, "WEBHOOK", webhook).Replace(discordE2EConfig),
		map[string]string{"DISCORD_BOT_TOKEN": fake.BotToken, "DISCORD_PUBLIC_KEY": signer.PublicHex()})
	addr := waitFor(t, log, regexp.MustCompile(`msg="http server listening" addr=(\S+)`))

	// The scheduled digest reaches the channel and the webhook.
	var toChannel, toWebhook *discordfake.Message
	deadline := time.Now().Add(20 * time.Second)
	for (toChannel == nil || toWebhook == nil) && time.Now().Before(deadline) {
		for _, m := range fake.Messages() {
			switch {
			case m.Route == "channel" && toChannel == nil:
				toChannel = &m
			case m.Route == "webhook" && toWebhook == nil:
				toWebhook = &m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if toChannel == nil || toWebhook == nil {
		t.Fatalf("channel post %v, webhook post %v; requests %v; log:\n%s", toChannel != nil, toWebhook != nil, fake.Requests(), log)
	}
	if toChannel.ChannelID != channel {
		t.Errorf("posted to channel %s, want %s", toChannel.ChannelID, channel)
	}
	for _, m := range []*discordfake.Message{toChannel, toWebhook} {
		if len(m.Payload.Embeds) < 2 {
			t.Fatalf("%s: %d embeds", m.Route, len(m.Payload.Embeds))
		}
		first := m.Payload.Embeds[0]
		if !strings.Contains(first.Title, `\@everyone Huawei \*\*5G\*\* ban`) || !strings.Contains(first.Description, "6 new comments") {
			t.Errorf("%s: first embed %q / %.200q", m.Route, first.Title, first.Description)
		}
		if len(m.Files) != 1 || m.Files[0].Filename != "regional-split.png" || first.Image == nil || first.Image.URL != "attachment://regional-split.png" {
			t.Errorf("%s: chart not attached and shown (files %d)", m.Route, len(m.Files))
		} else if _, err := png.Decode(bytes.NewReader(m.Files[0].Data)); err != nil {
			t.Errorf("%s: chart is not a PNG: %v", m.Route, err)
		}
		if a := m.Payload.AllowedMentions; a == nil || a.Parse == nil || len(a.Parse) != 0 {
			t.Errorf("%s: allowed_mentions %+v, want parse: []", m.Route, a)
		}
		checkDiscordInert(t, m.Route, m.Payload.Content, embedTexts(m.Payload))
	}

	// /thread stance in the channel that receives the digest.
	id, ix := fake.Interaction(discordfake.Command{ApplicationID: "1100000000000000002", GuildID: "1100000000000000010", ChannelID: channel,
		UserID: "1100000000000000020", Name: "thread", Sub: "stance"})
	endpoint := "http://" + addr + "/discord/interactions"
	start := time.Now()
	status, reply, err := fake.Post(endpoint, signer, id, ix, time.Now())
	took := time.Since(start)
	if err != nil || status != 200 || took > 3*time.Second {
		t.Fatalf("stance: status %d after %s, %v: %s", status, took, err, reply)
	}
	var r struct {
		Type int                 `json:"type"`
		Data discordfake.Payload `json:"data"`
	}
	if err := json.Unmarshal(reply, &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("/thread stance answered with response type %d in %s", r.Type, took)
	answer := r.Data
	switch r.Type {
	case 4: // answered from the cache
	case 5: // deferred: the answer edits the original response
		edit := waitDiscordEdit(t, fake, id)
		answer = edit.Payload
	default:
		t.Fatalf("stance: response type %d: %s", r.Type, reply)
	}
	if r.Data.Flags != 64 {
		t.Errorf("stance answer flags %d, want ephemeral (64)", r.Data.Flags)
	}
	if len(answer.Embeds) == 0 || !strings.Contains(answer.Embeds[0].Description, "Stance toward Huawei") {
		t.Errorf("stance answer %.400s", reply)
	}
	checkDiscordInert(t, "stance answer", answer.Content, embedTexts(answer))

	// PING is answered; a wrongly signed request is refused.
	if status, reply, _ := fake.Post(endpoint, signer, "", discordfake.Ping("1100000000000000002"), time.Now()); status != 200 || strings.TrimSpace(string(reply)) != `{"type":1}` {
		t.Errorf("PING: %d %s", status, reply)
	}
	if status, _, _ := fake.Post(endpoint, discordfake.NewSigner(), "", ix, time.Now()); status != 401 {
		t.Errorf("wrongly signed interaction: status %d, want 401", status)
	}
}

// discordServe runs serve on discordHostileThread with cfgBody (DIR, THREAD
// and API replaced) and the environment env until the test ends, and returns
// its log.
func discordServe(t *testing.T, fake *discordfake.Server, cfgBody string, env map[string]string) *syncBuffer {
	t.Helper()
	var log *syncBuffer
	// Registered first, so that it runs last: after serve has stopped.
	t.Cleanup(func() {
		if log != nil && strings.Contains(log.String(), "wh-token") {
			t.Error("the webhook token reached the log")
		}
	})
	log = serveThread(t, discordHostileThread, cfgBody, env, "API", fake.APIURL())
	return log
}

// TestDiscordGatewayEndToEnd: with gateway = true, serve connects to the
// gateway with no intents and answers /thread stance over REST.
func TestDiscordGatewayEndToEnd(t *testing.T) {
	t.Parallel() // waits on real deadlines and connections more than it computes
	fake := discordfake.New(t)
	channel := fake.AddChannel()
	cfg := strings.NewReplacer("CHANNEL", channel, `, "discord-webhook:WEBHOOK"`, "", `public_key = "${DISCORD_PUBLIC_KEY}"`, "gateway = true",
		`listen = "127.0.0.1:0"`, `listen = "off"`).Replace(discordE2EConfig)
	log := discordServe(t, fake, cfg, map[string]string{"DISCORD_BOT_TOKEN": fake.BotToken})
	id, err := fake.WaitIdentify(20 * time.Second)
	if err != nil {
		t.Fatalf("%v; log:\n%s", err, log)
	}
	if id.Intents != 0 {
		t.Errorf("identified with intents %d, want none", id.Intents)
	}
	// The cache is warm once the digest went out.
	deadline := time.Now().Add(20 * time.Second)
	for len(fake.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ixID, ix := fake.Interaction(discordfake.Command{ApplicationID: "1100000000000000002", GuildID: "1100000000000000010", ChannelID: channel,
		UserID: "1100000000000000020", Name: "thread", Sub: "stance"})
	start := time.Now()
	if err := fake.Dispatch("INTERACTION_CREATE", ix); err != nil {
		t.Fatal(err)
	}
	var resp *discordfake.Response
	for resp == nil && time.Since(start) < 10*time.Second {
		for _, r := range fake.Responses() {
			if r.InteractionID == ixID {
				resp = &r
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if resp == nil {
		t.Fatalf("no response to the interaction; log:\n%s", log)
	}
	if took := resp.At.Sub(start); took > 3*time.Second {
		t.Errorf("responded after %s", took)
	}
	answer := resp.Data
	if resp.Type == 5 {
		edit := waitDiscordEdit(t, fake, ixID)
		answer = &edit.Payload
	}
	if answer == nil || len(answer.Embeds) == 0 || !strings.Contains(answer.Embeds[0].Description, "Stance toward Huawei") {
		t.Errorf("stance answer %+v", answer)
	}
}

func waitDiscordEdit(t *testing.T, fake *discordfake.Server, interactionID string) discordfake.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range fake.Messages() {
			if m.Route == "edit" && m.InteractionID == interactionID {
				return m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the deferred answer never edited the original response")
	return discordfake.Message{}
}

func embedTexts(p discordfake.Payload) []string {
	var out []string
	for _, e := range p.Embeds {
		out = append(out, e.Title, e.Description)
		for _, f := range e.Fields {
			out = append(out, f.Name, f.Value)
		}
	}
	return out
}

// checkDiscordInert fails when hostile syntax reached Discord unescaped, or
// a line of text starts with Markdown that comment text put there.
func checkDiscordInert(t *testing.T, where, content string, texts []string) {
	t.Helper()
	all := append([]string{content}, texts...)
	joined := strings.Join(all, "\n")
	for _, frag := range discordHostileFragments {
		if nasty.ContainsUnescaped(joined, frag) {
			t.Errorf("%s: %q arrived unescaped", where, frag)
		}
	}
	for _, s := range all {
		for _, line := range strings.Split(s, "\n") {
			for _, p := range []string{"# ", "-# ", "- ", "> ", "1. "} {
				if strings.HasPrefix(line, p) {
					t.Errorf("%s: line %q starts with Markdown %q", where, line, p)
				}
			}
		}
	}
}
