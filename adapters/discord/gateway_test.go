package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/adapters/discord/discordfake"
	"github.com/threaddigest/threaddigest/bot"
)

func TestGatewayAnswersInteractions(t *testing.T) {
	fake := discordfake.New(t)
	channel := fake.AddChannel()
	s := fakeSession(t, fake)
	cmds := &fakeCommands{
		cached: func(r bot.Request) (bot.Response, bool) {
			if r.Sub == "stance" {
				return bot.Response{Kind: bot.KindStance, Ephemeral: true, Digest: stanceDigest()}, true
			}
			return bot.Response{}, false
		},
	}
	h, err := NewInteractions(InteractionsConfig{Session: s, Commands: cmds, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- h.RunGateway(ctx, s) }()
	id, err := fake.WaitIdentify(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if id.Intents != int(discordgo.IntentsNone) || id.Token != "Bot "+fake.BotToken {
		t.Errorf("identify: intents %d (want none), token ok: %v", id.Intents, id.Token == "Bot "+fake.BotToken)
	}
	waitFor(t, "the gateway status to say connected", func() bool { up, _ := h.GatewayStatus(); return up })

	send := func(sub string) string {
		ixID, body := fake.Interaction(discordfake.Command{ApplicationID: appID, GuildID: guildID, ChannelID: channel, UserID: userIDx, Name: "thread", Sub: sub})
		if err := fake.Dispatch("INTERACTION_CREATE", body); err != nil {
			t.Fatal(err)
		}
		return ixID
	}
	responseOf := func(ixID string) *discordfake.Response {
		for _, r := range fake.Responses() {
			if r.InteractionID == ixID {
				return &r
			}
		}
		return nil
	}

	// A cached answer: type 4 over REST.
	stance := send("stance")
	waitFor(t, "the stance response", func() bool { return responseOf(stance) != nil })
	if r := responseOf(stance); r.Type != 4 || r.Data == nil || r.Data.Flags != int(discordgo.MessageFlagsEphemeral) || len(r.Data.Embeds) == 0 {
		t.Errorf("stance response %+v: want an ephemeral type 4 with embeds", r)
	}

	// A slow answer: type 5, then the edit.
	digestID := send("digest")
	waitFor(t, "the edit", func() bool {
		for _, m := range fake.Messages() {
			if m.Route == "edit" && m.InteractionID == digestID {
				return true
			}
		}
		return false
	})
	if r := responseOf(digestID); r == nil || r.Type != 5 {
		t.Errorf("digest response %+v: want type 5", r)
	}

	// The window missed (Discord answers 10062): the answer goes to the
	// channel with the bot token.
	lateID, body := fake.Interaction(discordfake.Command{ApplicationID: appID, GuildID: guildID, ChannelID: channel, UserID: userIDx, Name: "thread", Sub: "regions"})
	fake.MissWindow(lateID)
	if err := fake.Dispatch("INTERACTION_CREATE", body); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the channel post", func() bool {
		for _, m := range fake.Messages() {
			if m.Route == "channel" && strings.Contains(m.Payload.Content, "answered regions") {
				return true
			}
		}
		return false
	})

	cancel()
	select {
	case err := <-stopped:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunGateway did not return after cancel")
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := h.Shutdown(sctx); err != nil {
		t.Error(err)
	}
}

func TestGatewayNeedsBotToken(t *testing.T) {
	s, _ := NewSession(Config{}, nil)
	h, _ := NewInteractions(InteractionsConfig{Session: s, Commands: &fakeCommands{}})
	if err := h.RunGateway(context.Background(), s); err == nil {
		t.Error("RunGateway without a bot token did not fail")
	}
}

func TestGatewayStopsOnAuthenticationFailure(t *testing.T) {
	fake := discordfake.New(t)
	s, err := NewSession(Config{BotToken: "revoked", APIURL: fake.APIURL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := NewInteractions(InteractionsConfig{Session: s, Commands: &fakeCommands{}, Logger: testLogger(t)})
	done := make(chan error, 1)
	go func() { done <- h.RunGateway(context.Background(), s) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "4004") {
			t.Errorf("err = %v, want the 4004 close named", err)
		}
		if up, d := h.GatewayStatus(); up || !strings.Contains(d, "stopped: Discord closed the connection: 4004") {
			t.Errorf("status after the token was refused: %v, %q", up, d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunGateway kept retrying a refused token")
	}
}
