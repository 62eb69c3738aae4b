package discord

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/adapters/discord/discordfake"
)

func TestHTTPClientRewritesEveryDiscordURL(t *testing.T) {
	fake := discordfake.New(t)
	c, err := NewHTTPClient(fake.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{
		discordgo.EndpointGateway,
		"https://discord.com/api/v10/gateway",
		"https://discordapp.com/api/gateway",
	} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s through the rewrite: %s", u, resp.Status)
		}
	}
	if got := fake.Requests(); len(got) != 3 {
		t.Errorf("the fake saw %v", got)
	}
	if same, _ := NewHTTPClient("", http.DefaultClient); same != http.DefaultClient {
		t.Error("no api_url should leave the client as it is")
	}
	if _, err := NewHTTPClient("ftp://x", nil); err == nil {
		t.Error("a non-HTTP api_url was accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{BotToken: "abc.def", PublicKey: strings.Repeat("ab", 32), ApplicationID: "1100000000000000002", APIURL: "http://127.0.0.1:1/api/v9/"}
	if errs := good.Validate(true); len(errs) != 0 {
		t.Errorf("valid config: %v", errs)
	}
	tests := []struct {
		cfg     Config
		needBot bool
		key     string
	}{
		{Config{}, true, "discord.bot_token"},
		{Config{Gateway: true}, false, "discord.bot_token"},
		{Config{BotToken: "Bot abc"}, false, "discord.bot_token"},
		{Config{PublicKey: "xyz"}, false, "discord.public_key"},
		{Config{PublicKey: "abcd"}, false, "discord.public_key"},
		{Config{ApplicationID: "my-app"}, false, "discord.application_id"},
		{Config{APIURL: "not a url"}, false, "discord.api_url"},
	}
	for _, tt := range tests {
		errs := tt.cfg.Validate(tt.needBot)
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tt.key+":") {
			t.Errorf("%+v: %v, want one problem with %s", tt.cfg, errs, tt.key)
		}
	}
}

func TestBridgeLibraryLog(t *testing.T) {
	defer func() { discordgo.Logger = nil }()
	var buf bytes.Buffer
	BridgeLibraryLog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	discordgo.Logger(discordgo.LogError, 1, "failed %s", "https://discord.com/api/v9/webhooks/1/secret-token/messages/@original")
	discordgo.Logger(discordgo.LogInformational, 1, "connected")
	out := buf.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "level=INFO") || !strings.Contains(out, "source=discordgo") {
		t.Errorf("log %q", out)
	}
	if strings.Contains(out, "secret-token") {
		t.Errorf("log shows a token: %q", out)
	}
}

func TestSessionNeverRetries429ByItself(t *testing.T) {
	fake := discordfake.New(t)
	s := fakeSession(t, fake)
	body, h := discordfake.RateLimit(30)
	fake.Fail(5, "PUT", `^applications/`, 429, body, h)
	_, err := Register(context.Background(), s, appID, "")
	if err == nil || !strings.Contains(err.Error(), "rate limited") {
		t.Fatalf("err = %v", err)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
