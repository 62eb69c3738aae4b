package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/threaddigest/threaddigest/internal/retry"
)

// RunGateway receives interactions over the bot's gateway connection
// instead of the HTTP endpoint, and answers them like ServeHTTP does, the
// first response going back over REST. The session (NewSession) identifies
// with no intents: interactions need none, and the bot never reads messages.
// It returns when ctx ends; a connection that cannot be opened is retried
// with backoff, and discordgo reconnects a dropped one by itself.
func (h *Interactions) RunGateway(ctx context.Context, s *discordgo.Session) error {
	if s.Token == "" {
		return fmt.Errorf("discord gateway: no bot token (discord.bot_token)")
	}
	s.Identify.Intents = discordgo.IntentsNone
	remove := s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		h.fromGateway(s, ic.Interaction)
	})
	defer remove()
	removeConnect := s.AddHandler(func(*discordgo.Session, *discordgo.Connect) { h.gateway.Set(true, "connected", time.Now()) })
	defer removeConnect()
	removeDisconnect := s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) {
		h.gateway.Set(false, "disconnected; discordgo reconnects", time.Now())
	})
	defer removeDisconnect()
	backoff := time.Second
	for {
		err := s.Open()
		if err == nil {
			break
		}
		var ce *websocket.CloseError
		h.gateway.Set(false, "cannot connect: "+redact(err).Error(), time.Now())
		if errors.As(err, &ce) && fatalClose(ce.Code) {
			h.gateway.Set(false, fmt.Sprintf("stopped: Discord closed the connection: %d %s", ce.Code, ce.Text), time.Now())
			return fmt.Errorf("discord gateway: Discord closed the connection: %d %s (no retry: check discord.bot_token)", ce.Code, ce.Text)
		}
		h.cfg.Logger.Error("discord gateway: cannot connect; retrying", "in", backoff, "error", redact(err))
		if retry.Sleep(ctx, backoff) != nil {
			h.gateway.Set(false, "stopped", time.Now())
			return nil
		}
		backoff = min(2*backoff, time.Minute)
	}
	h.gateway.Set(true, "connected", time.Now())
	h.cfg.Logger.Info("discord gateway: connected")
	<-ctx.Done()
	h.gateway.Set(false, "stopped", time.Now())
	if err := s.Close(); err != nil {
		return fmt.Errorf("discord gateway: closing: %w", err)
	}
	return nil
}

// GatewayStatus says whether the gateway connection is up, for /readyz.
func (h *Interactions) GatewayStatus() (up bool, detail string) { return h.gateway.Get() }

// fatalClose reports whether a gateway close code means that reconnecting
// cannot help: authentication failed, or the session was asked for what this
// bot cannot have.
func fatalClose(code int) bool {
	switch code {
	case 4004, 4010, 4011, 4012, 4013, 4014:
		return true
	}
	return false
}

func (h *Interactions) fromGateway(s *discordgo.Session, i *discordgo.Interaction) {
	if i == nil {
		return
	}
	rep := h.respond(i, h.cfg.Now())
	ctx, cancel := context.WithTimeout(h.work.Context(), ackTimeout)
	defer cancel()
	url := discordgo.EndpointInteractionResponse(i.ID, i.Token)
	_, err := s.RequestWithBucketID(http.MethodPost, url, rep.resp, interactionBucket("callback", i.ID), restOpts(ctx)...)
	rep.acked(sessionError("discord: responding to an interaction", err))
}
