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
