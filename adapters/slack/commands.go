package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/internal/replay"
)

// maxRequestBody caps what the command and interaction endpoints read. A
// slash command is a few hundred bytes; an interaction payload carries the
// message it came from, a few kilobytes.
const maxRequestBody = 64 << 10

// signatureWindow is how far a request's timestamp may be from now, either
// way (slack-go's verifier enforces it; replays are remembered as long).
const signatureWindow = 5 * time.Minute

// Handler serves Slack's HTTP requests: slash commands at
// POST /slack/commands and button clicks at POST /slack/interactions. Every
// request is verified with the signing secret before anything in it is
// parsed.
//
// Wiring (serve): when [slack] signing_secret is set and socket_mode is off,
// h := NewHandler(signingSecret, commands, httpClient, logger); mount
// h.Commands() at "POST /slack/commands" and h.Interactions() at
// "POST /slack/interactions" on the [http] listen server, and call
// h.Shutdown(ctx) before closing the store, so that answers still being
// computed are posted.
type Handler struct {
	secret  string
	logger  *slog.Logger
	answers *responder
	replays *replay.Guard
}

// NewHandler returns the HTTP handler for slash commands and interactions.
// httpClient posts answers to response_url (http.DefaultClient when nil).
func NewHandler(signingSecret string, a Answerer, httpClient *http.Client, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		secret:  signingSecret,
		logger:  logger,
		answers: newResponder(a, httpClient, logger),
		replays: replay.New(replayWindow, maxRemembered),
	}
}

// Shutdown stops taking commands that need background work and waits for
// the running answers to be posted, until ctx ends.
func (h *Handler) Shutdown(ctx context.Context) error { return h.answers.shutdown(ctx) }

// Commands is the handler of POST /slack/commands.
func (h *Handler) Commands() http.Handler { return http.HandlerFunc(h.serveCommand) }

// Interactions is the handler of POST /slack/interactions.
func (h *Handler) Interactions() http.Handler { return http.HandlerFunc(h.serveInteraction) }

// verified reads the body of r, at most maxRequestBody, and checks its
// signature, timestamp and freshness. On failure it has answered the request
// and returns ok false. Failures are logged with the reason and the remote
// address, never the body.
func (h *Handler) verified(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	reject := func(status int, reason string, err error) {
		attrs := []any{"path", r.URL.Path, "remote", r.RemoteAddr, "status", status, "reason", reason}
		if err != nil {
			attrs = append(attrs, "err", err)
		}
		h.logger.Warn("slack: request rejected", attrs...)
		http.Error(w, http.StatusText(status), status)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			reject(http.StatusRequestEntityTooLarge, "body over 64 KB", nil)
		} else {
			reject(http.StatusBadRequest, "body unreadable", err)
		}
		return nil, false
	}
	sv, err := slackgo.NewSecretsVerifier(r.Header, h.secret)
	if err != nil {
		reason := "bad signature headers"
		switch {
		case errors.Is(err, slackgo.ErrMissingHeaders):
			reason = "signature headers missing"
		case errors.Is(err, slackgo.ErrExpiredTimestamp):
			// slack-go calls any timestamp off by more than 5 minutes
			// "too old"; say which way it is off.
			reject(http.StatusUnauthorized, staleness(r.Header.Get("X-Slack-Request-Timestamp"), time.Now()), nil)
			return nil, false
		case errors.Is(err, slackgo.ErrInvalidConfiguration):
			reason = "no signing secret configured"
		}
		reject(http.StatusUnauthorized, reason, err)
		return nil, false
	}
	if _, err := sv.Write(body); err != nil {
		reject(http.StatusUnauthorized, "signature not computed", err)
		return nil, false
	}
	if err := sv.Ensure(); err != nil {
		reject(http.StatusUnauthorized, "signature does not match", nil)
		return nil, false
	}
	if !h.replays.First(requestKey(r.Header.Get("X-Slack-Request-Timestamp"), body), time.Now()) {
		// Slack never sends a command twice; a second copy of a signed
		// request is someone replaying it. It is refused, not run again,
		// whatever the spelling of its signature header.
		reject(http.StatusUnauthorized, "replayed request", nil)
		return nil, false
	}
	return body, true
}

// staleness says how a request's timestamp (Unix seconds) is off our
// clock: too old (stale, or replayed) or in the future (a clock is wrong).
func staleness(header string, now time.Time) string {
	sec, err := strconv.ParseInt(header, 10, 64)
	if err != nil {
		return "timestamp is not Unix seconds"
	}
	off := now.Sub(time.Unix(sec, 0)).Round(time.Second)
	if off < 0 {
		return fmt.Sprintf("timestamp %s in the future, more than %s ahead of this server's clock (check the clocks)", -off, signatureWindow)
	}
	return fmt.Sprintf("timestamp %s old, more than %s: a stale or replayed request", off, signatureWindow)
}

func (h *Handler) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verified(w, r)
	if !ok {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cmd, err := slackgo.SlashCommandParse(r)
	if err != nil {
		h.logger.Warn("slack: slash command unreadable", "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	req := requestOf(cmd)
	ack := h.answer(r.Context(), req, cmd.ResponseURL, 0)
	writeJSONResponse(w, ack)
}

// answer returns the acknowledgement of req: the answer itself when it is
// cached and fits (ackLimit bytes, 0 for none), otherwise "Working on it…"
// with the answer posted to responseURL from background work.
func (h *Handler) answer(ctx context.Context, req bot.Request, responseURL string, ackLimit int) responsePayload {
	return answerCommand(ctx, h.answers, h.logger, req, responseURL, ackLimit)
}

func answerCommand(ctx context.Context, rs *responder, logger *slog.Logger, req bot.Request, responseURL string, ackLimit int) responsePayload {
	if resp, ok := rs.answerer.Cached(req); ok {
		msgs := RenderResponse(resp, ResponseOptions{ShareValue: encodeShare(req)})
		first := payloadOf(msgs[0], resp.Ephemeral)
		if fitsAck(first, ackLimit) {
			if len(msgs) > 1 {
				rest := msgs[1:]
				if !rs.goBackground(ctx, "rest of "+req.Sub, func(ctx context.Context) {
					rs.postAll(ctx, responseURL, rest, resp.Ephemeral, 0)
				}) {
					logger.Warn("slack: shutting down; the answer was cut to its first part", "sub", req.Sub)
				}
			}
			return first
		}
	}
	if !rs.goBackground(ctx, req.Sub, func(ctx context.Context) { rs.answerLater(ctx, req, responseURL) }) {
		return responsePayload{ResponseType: slackgo.ResponseTypeEphemeral, Text: "threaddigest is restarting; try again in a minute."}
	}
	return workingPayload()
}

// fitsAck reports whether p fits in an acknowledgement of at most limit
// bytes (0: no limit).
func fitsAck(p responsePayload, limit int) bool {
	if limit <= 0 {
		return true
	}
	b, err := json.Marshal(p)
	return err == nil && len(b) <= limit
}

// requestOf turns a slash command into the platform-neutral request.
func requestOf(cmd slackgo.SlashCommand) bot.Request {
	sub, args := ParseCommandText(cmd.Text)
	return bot.Request{
		Platform:  "slack",
		Workspace: cmd.TeamID,
		Channel:   cmd.ChannelID,
		User:      cmd.UserID,
		Sub:       sub,
		Args:      args,
	}
}

func writeJSONResponse(w http.ResponseWriter, p responsePayload) {
	b, err := json.Marshal(p)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

// serveInteraction handles the "Share to channel" button. Other
// interactions are acknowledged and ignored.
func (h *Handler) serveInteraction(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var cb slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		h.logger.Warn("slack: interaction payload unreadable", "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	h.interaction(r.Context(), cb)
	w.WriteHeader(http.StatusOK)
}

// interaction starts the work of a button click; it never blocks.
func (h *Handler) interaction(ctx context.Context, cb slackgo.InteractionCallback) {
	handleInteraction(ctx, h.answers, h.logger, cb)
}

func handleInteraction(ctx context.Context, rs *responder, logger *slog.Logger, cb slackgo.InteractionCallback) {
	if cb.Type != slackgo.InteractionTypeBlockActions {
		return
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || a.ActionID != ShareActionID {
			continue
		}
		sv, err := decodeShare(a.Value)
		if err != nil {
			logger.Warn("slack: share button unreadable", "err", err)
			return
		}
		req := bot.Request{Platform: "slack", Workspace: cb.Team.ID, Channel: cb.Channel.ID, User: cb.User.ID, Sub: sv.Sub, Args: sv.Args}
		if cb.ResponseURL == "" {
			logger.Warn("slack: share click without response_url")
			return
		}
		rs.goBackground(ctx, "share "+req.Sub, func(ctx context.Context) { rs.share(ctx, req, cb.ResponseURL) })
		return
	}
}

// requestKey identifies a verified request by what its signature signs:
// the timestamp and the body. The X-Slack-Signature header itself is no key:
// its hex digits are compared without regard to case (and slack-go decodes
// them), so one signature has many spellings, and a replay with its header
// re-cased would pass a guard that remembered the header as text.
func requestKey(timestamp string, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte("v0:" + timestamp + ":"))
	h.Write(body)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// replayWindow is how long a verified request is remembered: past it, a
// request with the same timestamp is refused as stale anyway.
const replayWindow = 2*signatureWindow + time.Minute

// maxRemembered bounds the requests remembered.
const maxRemembered = 100_000
