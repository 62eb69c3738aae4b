package slack

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/threaddigest/threaddigest/internal/connstate"
	"github.com/threaddigest/threaddigest/internal/replay"
	"github.com/threaddigest/threaddigest/internal/retry"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// SocketMode receives /thread commands and button clicks over Slack's Socket
// Mode: a WebSocket the app opens with its app-level token, so no public URL
// is needed.
//
// Wiring (serve): when [slack] socket_mode is true,
// sm := NewSocketMode(cfg, commands, httpClient, logger); run sm.Run(ctx) in
// its own goroutine (it returns when ctx ends, or at once with an error when
// the tokens are refused), and call sm.Shutdown(ctx) on the way out so that
// answers still being computed are posted.
type SocketMode struct {
	client  *socketmode.Client
	handler *socketmode.SocketmodeHandler
	answers *responder
	logger  *slog.Logger
	seen    *replay.Guard
	slots   chan struct{} // bounds the handlers running at once
	conn    connstate.State

	// backoff between reconnections after a non-fatal failure.
	minBackoff, maxBackoff time.Duration
}

// maxHandlers bounds the events handled at once: slack-go starts a goroutine
// per event without limit.
const maxHandlers = 64

// NewSocketMode returns a Socket Mode receiver using cfg's app-level token
// (and bot token, which slack-go requires) and API URL.
func NewSocketMode(cfg Config, a Answerer, httpClient *http.Client, logger *slog.Logger) *SocketMode {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	opts := []slackgo.Option{slackgo.OptionHTTPClient(httpClient), slackgo.OptionAppLevelToken(cfg.AppToken)}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slackgo.OptionAPIURL(u))
	}
	api := slackgo.New(cfg.BotToken, opts...)
	client := socketmode.New(api, socketmode.OptionLog(slogOutput{logger}))
	s := &SocketMode{
		client:     client,
		answers:    newResponder(a, httpClient, logger),
		logger:     logger,
		seen:       replay.New(dedupeTTL, 10_000),
		slots:      make(chan struct{}, maxHandlers),
		minBackoff: time.Second,
		maxBackoff: time.Minute,
	}
	h := socketmode.NewSocketmodeHandler(client)
	// By event type rather than by command name, so that the command works
	// whatever the app's manifest calls it.
	h.Handle(socketmode.EventTypeSlashCommand, s.bounded(s.onSlashCommand))
	h.Handle(socketmode.EventTypeInteractive, s.bounded(s.onInteraction))
	h.HandleDefault(s.onOther)
	s.handler = h
	return s
}

// slogOutput lets slack-go's logger write to slog at debug level.
type slogOutput struct{ l *slog.Logger }

func (o slogOutput) Output(_ int, s string) error {
	o.l.Debug("slack socket mode: " + strings.TrimSpace(s))
	return nil
}

// fatalConnectErrors are the answers to apps.connections.open that no retry
// can fix.
var fatalConnectErrors = []string{"invalid_auth", "account_inactive", "not_authed", "token_revoked", "not_allowed_token_type"}

// Run connects and handles events until ctx ends. It reconnects with backoff
// when the connection fails, and returns an error only when Slack refuses
// the tokens.
func (s *SocketMode) Run(ctx context.Context) error {
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	events := make(chan struct{})
	go func() {
		defer close(events)
		for {
			select {
			case evt, ok := <-s.client.Events:
				if !ok {
					return
				}
				s.handler.DispatchEvent(evt)
			case <-loopCtx.Done():
				return
			}
		}
	}()
	defer func() {
		stopLoop()
		<-events
	}()

	backoff := s.minBackoff
	for {
		started := time.Now()
		err := s.client.RunContext(ctx)
		if ctx.Err() != nil {
			s.conn.Set(false, "stopped", time.Now())
			return nil
		}
		if fatal(err) {
			s.conn.Set(false, fmt.Sprintf("stopped: Slack refused the tokens (%v)", err), time.Now())
			return fmt.Errorf("slack socket mode: Slack refused the tokens (%v): check SLACK_APP_TOKEN (xapp-…, with connections:write) and SLACK_BOT_TOKEN", err)
		}
		if time.Since(started) > 5*time.Minute {
			backoff = s.minBackoff // it ran a good while: start over
		}
		s.conn.Set(false, fmt.Sprintf("connection lost (%v); reconnecting", err), time.Now())
		s.logger.Warn("slack socket mode: connection lost; reconnecting", "err", err, "in", backoff)
		if retry.Sleep(ctx, backoff) != nil {
			return nil
		}
		backoff = min(2*backoff, s.maxBackoff)
	}
}

func fatal(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, code := range fatalConnectErrors {
		if msg == code || strings.Contains(msg, code) {
			return true
		}
	}
	var sc slackgo.StatusCodeError
	return errors.As(err, &sc) && (sc.Code == http.StatusNotFound || sc.Code == http.StatusUnauthorized || sc.Code == http.StatusForbidden)
}

// Status says whether the Socket Mode connection is up, for /readyz.
func (s *SocketMode) Status() (up bool, detail string) { return s.conn.Get() }

// Shutdown waits for the answers still being computed to be posted, until
// ctx ends. Cancel Run's context first.
func (s *SocketMode) Shutdown(ctx context.Context) error { return s.answers.shutdown(ctx) }

// bounded runs f only when a handler slot is free, and otherwise acks the
// event with a request to try again.
func (s *SocketMode) bounded(f socketmode.SocketmodeHandlerFunc) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
			f(evt, c)
		default:
			s.logger.Warn("slack socket mode: too many events at once; asking to retry", "type", evt.Type)
			if evt.Request != nil {
				s.ack(evt, responsePayload{ResponseType: slackgo.ResponseTypeEphemeral, Text: "threaddigest is busy; try again in a moment."})
			}
		}
	}
}

func (s *SocketMode) ack(evt *socketmode.Event, payload any) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var err error
	if payload == nil {
		err = s.client.AckCtx(ctx, evt.Request.EnvelopeID, nil)
	} else {
		err = s.client.AckCtx(ctx, evt.Request.EnvelopeID, payload)
	}
	if err != nil {
		s.logger.Error("slack socket mode: ack failed", "envelope", evt.Request.EnvelopeID, "err", err)
	}
}

func (s *SocketMode) onSlashCommand(evt *socketmode.Event, _ *socketmode.Client) {
	cmd, ok := evt.Data.(slackgo.SlashCommand)
	if !ok || evt.Request == nil {
		return
	}
	// Slack sends an envelope again when it saw no ack in time, with a new
	// envelope id and retry_attempt > 0. The command is the same (same
	// trigger id): ack the copy so Slack stops, and do not run it twice.
	if !s.seen.First(eventKey("cmd", evt.Request.Payload, cmd.TriggerID), time.Now()) {
		s.logger.Info("slack socket mode: retried command already being answered", "retry_attempt", evt.Request.RetryAttempt, "reason", evt.Request.RetryReason)
		s.ack(evt, nil)
		return
	}
	req := requestOf(cmd)
	ack := answerCommand(context.Background(), s.answers, s.logger, req, cmd.ResponseURL, maxAckBytes)
	s.ack(evt, ack)
}

func (s *SocketMode) onInteraction(evt *socketmode.Event, _ *socketmode.Client) {
	cb, ok := evt.Data.(slackgo.InteractionCallback)
	if !ok || evt.Request == nil {
		return
	}
	s.ack(evt, nil)
	ids := []string(nil)
	if cb.TriggerID != "" || cb.ActionTs != "" {
		ids = []string{cb.TriggerID, cb.ActionTs}
	}
	if !s.seen.First(eventKey("act", evt.Request.Payload, ids...), time.Now()) {
		return
	}
	handleInteraction(context.Background(), s.answers, s.logger, cb)
}

// onOther acks any other envelope (so Slack does not resend it) and ignores
// the client's own connection events.
func (s *SocketMode) onOther(evt *socketmode.Event, _ *socketmode.Client) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		s.conn.Set(false, "connecting", time.Now())
	case socketmode.EventTypeConnected, socketmode.EventTypeHello:
		if evt.Type == socketmode.EventTypeConnected {
			s.logger.Info("slack socket mode: connected")
		}
		s.conn.Set(true, "connected", time.Now())
	case socketmode.EventTypeConnectionError:
		s.conn.Set(false, "connection error: "+oneLineOf(evt.Data), time.Now())
		s.logger.Warn("slack socket mode: connection error", "data", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		s.conn.Set(false, "Slack refused the tokens", time.Now())
	case socketmode.EventTypeDisconnect:
		s.conn.Set(false, "disconnected by Slack; reconnecting", time.Now())
	}
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		s.ack(evt, nil)
	}
}

// oneLineOf is v's text on one line, cut to 200 bytes, for a status.
func oneLineOf(v any) string {
	return textutil.TruncateBytes(strings.Join(strings.Fields(fmt.Sprint(v)), " "), 200, "…")
}

// eventKey identifies a Socket Mode event across Slack's retries, which come
// in new envelopes (new envelope id, retry_attempt > 0) around the same
// event: by Slack's own ids of the event when it has them (a command's
// trigger id; a click's trigger id and action time), else by a hash of the
// payload itself. Never by the envelope, which a retry changes. The parts
// are length-prefixed so that no two lists of ids make one key.
func eventKey(kind string, payload []byte, ids ...string) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", kind)
	if len(ids) == 0 {
		h.Write([]byte("payload\x00"))
		h.Write(payload)
	}
	for _, id := range ids {
		fmt.Fprintf(h, "%d:%s", len(id), id)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// dedupeTTL is how long an event is remembered, so that one Slack sends
// again (its acknowledgement was slow) is answered once.
const dedupeTTL = 30 * time.Minute
