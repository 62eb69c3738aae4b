package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/internal/connstate"
	"github.com/threaddigest/threaddigest/internal/later"
	"github.com/threaddigest/threaddigest/internal/replay"
	"github.com/threaddigest/threaddigest/internal/retry"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// Answerer answers /thread requests; bot/commands provides it.
type Answerer interface {
	// Cached answers at once when no slow work is needed.
	Cached(bot.Request) (bot.Response, bool)
	// Answer does the work, however long it takes (within ctx).
	Answer(context.Context, bot.Request) bot.Response
}

// InteractionsConfig wires the interactions handler.
type InteractionsConfig struct {
	// PublicKey verifies requests to the HTTP endpoint (Config.PublicKey,
	// parsed with ParsePublicKey). Not needed for the gateway alone.
	PublicKey ed25519.PublicKey
	// Session makes the REST calls that follow an interaction: edits and
	// followups (authorised by the interaction's token), and, with a bot
	// token, channel posts for answers that outlive the token.
	Session *discordgo.Session
	// Commands answers the requests.
	Commands Answerer
	// ThreadNames lists the threads a channel follows, offered as
	// autocompletion of the "thread" option; nil offers none.
	ThreadNames func(guildID, channelID string) []string
	// Chart draws the regional split for answers that show one; nil for
	// none. Answers given at once carry no chart (an interaction's first
	// response is JSON); answers that were deferred do.
	Chart ChartFunc
	// Logger logs failures; never tokens or bodies.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AnswerTimeout bounds one slow answer; 0 means 5 minutes.
	AnswerTimeout time.Duration
	// MaxPending bounds the answers worked on at once; 0 means 32. Beyond
	// it, requests are told to try again.
	MaxPending int
}

// Interactions handles /thread interactions, from the HTTP endpoint
// (ServeHTTP, mounted at POST /discord/interactions) or from the gateway
// (RunGateway). Answers that need slow work are deferred and run in the
// background; Shutdown drains them.
type Interactions struct {
	cfg  InteractionsConfig
	work *later.Group  // slow answers (at most MaxPending) and the rest of long ones
	seen *replay.Guard // requests answered (requestKey), for maxClockSkew

	gateway connstate.State // the gateway connection, when RunGateway runs
}

const (
	maxInteractionBody = 256 << 10
	// maxClockSkew is how far X-Signature-Timestamp may be from our clock.
	// The signature alone does not stop a captured request from being
	// replayed later; the window does.
	maxClockSkew = 5 * time.Minute
	// tokenLife is how long an interaction token can edit and follow up;
	// tokenMargin keeps a call from starting just before it ends.
	tokenLife   = 15 * time.Minute
	tokenMargin = time.Minute
	// ackTimeout bounds a gateway interaction's first response: Discord
	// refuses it after three seconds anyway.
	ackTimeout = 3 * time.Second
)

// NewInteractions returns the handler.
func NewInteractions(cfg InteractionsConfig) (*Interactions, error) {
	if cfg.Commands == nil {
		return nil, errors.New("discord interactions: no command handler")
	}
	if cfg.Session == nil {
		return nil, errors.New("discord interactions: no session (discord.NewSession)")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AnswerTimeout <= 0 {
		cfg.AnswerTimeout = 5 * time.Minute
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 32
	}
	return &Interactions{cfg: cfg, work: later.New(cfg.MaxPending, cfg.Logger), seen: replay.New(2*maxClockSkew, 1024)}, nil
}

// ServeHTTP answers POST /discord/interactions. The body is read with a cap
// and its Ed25519 signature and timestamp are checked before anything in it
// is parsed; a request that fails gets 401.
func (h *Interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	received := h.cfg.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.cfg.PublicKey == nil {
		http.Error(w, "interactions endpoint has no public key configured", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.cfg.Logger.Warn("discord interaction refused: body too large", "limit", maxInteractionBody, "remote", r.RemoteAddr)
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading request body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !discordgo.VerifyInteraction(r, h.cfg.PublicKey) {
		h.cfg.Logger.Warn("discord interaction refused: bad signature", "remote", r.RemoteAddr)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	if err := fresh(r.Header.Get("X-Signature-Timestamp"), received); err != nil {
		h.cfg.Logger.Warn("discord interaction refused: "+err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		h.cfg.Logger.Warn("discord interaction refused: not an interaction", "error", err)
		http.Error(w, "body is not an interaction", http.StatusBadRequest)
		return
	}
	if !h.seen.First(requestKey(r.Header.Get("X-Signature-Timestamp"), body), received) {
		// Discord sends each interaction once; a second copy inside the
		// timestamp window is someone replaying a captured request, with
		// its signature spelt the same or not.
		h.cfg.Logger.Warn("discord interaction refused: replayed", "interaction", i.ID, "remote", r.RemoteAddr)
		http.Error(w, "interaction already received", http.StatusUnauthorized)
		return
	}
	rep := h.respond(&i, received)
	js, err := json.Marshal(rep.resp)
	if err != nil {
		rep.acked(err)
		http.Error(w, "encoding the response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(js)
	if f, ok := w.(http.Flusher); ok && err == nil {
		f.Flush()
	}
	rep.acked(err)
}

// requestKey identifies a verified request by what its Ed25519 signature
// signs: the timestamp and the body. The X-Signature-Ed25519 header is no
// key: its hex digits decode the same in either case, so one signature has
// many spellings.
func requestKey(timestamp string, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write(body)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// fresh checks a signature timestamp (Unix seconds) against now.
func fresh(ts string, now time.Time) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("signature timestamp is not Unix seconds")
	}
	skew := now.Sub(time.Unix(sec, 0)).Round(time.Second)
	switch {
	case skew > maxClockSkew:
		return fmt.Errorf("signature timestamp %s old, more than %s: a stale or replayed request", skew, maxClockSkew)
	case skew < -maxClockSkew:
		return fmt.Errorf("signature timestamp %s in the future, more than %s ahead of this server's clock (check the clocks)", -skew, maxClockSkew)
	}
	return nil
}

// wireResponse is an interaction response as Discord reads it. Own types
// rather than discordgo's keep the JSON exact: an autocomplete answer needs
// "choices" even when empty, and every message parses no mentions.
type wireResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data *wireResponseData                 `json:"data,omitempty"`
}

type wireResponseData struct {
	Content         string                                       `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed                    `json:"embeds,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions            `json:"allowed_mentions,omitempty"`
	Flags           discordgo.MessageFlags                       `json:"flags,omitempty"`
	Choices         *[]*discordgo.ApplicationCommandOptionChoice `json:"choices,omitempty"`
}

// reply is the first response to an interaction, and acked, which must be
// called once that response has been delivered (err nil) or could not be
// (err set): work that follows it waits for that.
type reply struct {
	resp  *wireResponse
	acked func(err error)
}

func (h *Interactions) respond(i *discordgo.Interaction, received time.Time) reply {
	switch i.Type {
	case discordgo.InteractionPing:
		return reply{resp: &wireResponse{Type: discordgo.InteractionResponsePong}, acked: h.logAck(i)}
	case discordgo.InteractionApplicationCommandAutocomplete:
		return reply{resp: h.autocomplete(i), acked: h.logAck(i)}
	case discordgo.InteractionApplicationCommand:
		return h.command(i, received)
	default:
		return h.immediate(i, textMessages("threaddigest only answers /thread."), true)
	}
}

// immediate answers at once with the first message; the others follow up.
func (h *Interactions) immediate(i *discordgo.Interaction, msgs []Message, ephemeral bool) reply {
	resp := &wireResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: responseData(msgs[0], ephemeral)}
	if len(msgs) == 1 {
		return reply{resp: resp, acked: h.logAck(i)}
	}
	done := make(chan error, 1)
	err := h.work.Finish("discord: rest of an answer", func(context.Context) {
		if err := <-done; err != nil {
			h.ackFailed(i, err)
			return
		}
		h.deliver(i, msgs[1:], ephemeral, false, time.Time{})
	})
	if err != nil {
		h.cfg.Logger.Warn("discord: shutting down; only the first message of a long answer is sent", "interaction", i.ID, "messages", len(msgs))
		return reply{resp: resp, acked: h.logAck(i)}
	}
	return reply{resp: resp, acked: func(err error) { done <- err }}
}

func responseData(m Message, ephemeral bool) *wireResponseData {
	d := &wireResponseData{Content: m.Content, Embeds: m.Embeds, AllowedMentions: noMentions()}
	if ephemeral {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	return d
}

func (h *Interactions) logAck(i *discordgo.Interaction) func(error) {
	return func(err error) {
		if err != nil {
			h.ackFailed(i, err)
		}
	}
}

func (h *Interactions) ackFailed(i *discordgo.Interaction, err error) {
	h.cfg.Logger.Error("discord: interaction response not delivered", "interaction", i.ID, "channel", i.ChannelID, "error", err)
}

func (h *Interactions) command(i *discordgo.Interaction, received time.Time) reply {
	req, err := requestFrom(i)
	if err != nil {
		return h.immediate(i, textMessages("threaddigest only answers /thread."), true)
	}
	h.cfg.Logger.Debug("discord: /thread", "sub", req.Sub, "guild", req.Workspace, "channel", req.Channel, "user", req.User)
	if needsManage(req.Sub) && !mayManage(i) {
		return h.immediate(i, textMessages("Following and unfollowing threads needs the Manage Channels permission in this channel."), true)
	}
	if r, ok := h.cfg.Commands.Cached(req); ok {
		return h.immediate(i, RenderResponse(r, Options{Thread: r.Thread}), r.Ephemeral)
	}
	// Every answer is deferred to the asker alone: whether it is for the
	// channel is known only once it is ready. A change of what the channel
	// follows is then announced to the channel in a follow-up; a refusal or
	// an error stays the asker's.
	flags := discordgo.MessageFlagsEphemeral
	done := make(chan error, 1)
	err = h.work.Go("discord: "+req.Sub, func(base context.Context) {
		ctx, cancel := context.WithTimeout(base, h.cfg.AnswerTimeout)
		r := h.cfg.Commands.Answer(ctx, req)
		cancel()
		opt := Options{Thread: r.Thread}
		if r.Digest != nil && (r.Kind == bot.KindDigest || r.Kind == bot.KindStance || r.Kind == bot.KindRegions) {
			opt.Chart = drawChart(h.cfg.Chart, *r.Digest, h.cfg.Logger)
		}
		msgs := RenderResponse(r, opt)
		if err := <-done; err != nil {
			// The deferral itself did not get through (the 3-second window
			// was missed): the token is useless, the channel is not.
			h.ackFailed(i, err)
			h.toChannel(i, req, msgs)
			return
		}
		if !r.Ephemeral {
			// For the channel: the asker's deferred answer says so, and
			// the answer follows up where everyone sees it.
			msgs = append(textMessages("Done: the channel is told."), msgs...)
		}
		h.deliver(i, msgs, r.Ephemeral, true, received)
	})
	if err != nil {
		return h.immediate(i, textMessages("threaddigest is busy; try again in a minute."), true)
	}
	return reply{
		resp:  &wireResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: &wireResponseData{Flags: flags}},
		acked: func(err error) { done <- err },
	}
}

// deliver sends the answer through the interaction's token: the first
// message edits the deferred response (when deferred), the others follow
// up. Once the token is (nearly) past its 15 minutes, or Discord says it
// is, the rest goes to the channel with the bot token.
func (h *Interactions) deliver(i *discordgo.Interaction, msgs []Message, ephemeral, deferred bool, received time.Time) {
	req, _ := requestFrom(i)
	for n, m := range msgs {
		if !received.IsZero() && h.cfg.Now().Sub(received) > tokenLife-tokenMargin {
			h.toChannel(i, req, msgs[n:])
			return
		}
		err := h.retry(func(ctx context.Context) error {
			if deferred && n == 0 {
				return h.editOriginal(ctx, i, m)
			}
			return h.followup(ctx, i, m, ephemeral)
		})
		switch {
		case err == nil:
		case tokenGone(err):
			h.cfg.Logger.Warn("discord: interaction token no longer valid; posting the answer to the channel", "interaction", i.ID, "error", err)
			h.toChannel(i, req, msgs[n:])
			return
		default:
			h.cfg.Logger.Error("discord: answer not delivered", "interaction", i.ID, "channel", i.ChannelID, "message", n+1, "of", len(msgs), "error", err)
			return
		}
	}
}

// tokenGone reports whether Discord refused an interaction call because its
// token expired or the interaction is unknown.
func tokenGone(err error) bool {
	switch restCode(err) {
	case codeUnknownInteraction, codeInvalidWebhookTok, codeUnknownWebhook:
		return true
	}
	return false
}

// retry runs call with a deadline, again after a 429 or 5xx, at most three
// times, waiting as Discord asks.
func (h *Interactions) retry(call func(context.Context) error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		ctx, cancel := withDeadline(h.work.Context(), callTimeout)
		err = call(ctx)
		cancel()
		if err == nil || bot.IsPermanent(err) || h.work.Context().Err() != nil {
			return err
		}
		wait := time.Duration(attempt+1) * time.Second
		var ra *bot.RetryAfterError
		if errors.As(err, &ra) {
			wait = ra.After
		}
		if wait > time.Minute {
			return err
		}
		if retry.Sleep(h.work.Context(), wait) != nil {
			return err
		}
	}
	return err
}

// interactionBucket spreads interaction calls over a few rate-limit buckets
// of discordgo's limiter. discordgo's own methods key a bucket by the URL,
// token included, and never forget it: one entry per interaction, for as
// long as the process runs.
func interactionBucket(kind, id string) string {
	f := fnv.New32a()
	io.WriteString(f, id)
	return fmt.Sprintf("threaddigest/%s/%d", kind, f.Sum32()%16)
}

func (h *Interactions) editOriginal(ctx context.Context, i *discordgo.Interaction, m Message) error {
	body, err := encodeMessage(m)
	if err != nil {
		return &bot.PermanentError{Err: err}
	}
	url := discordgo.EndpointWebhookMessage(i.AppID, i.Token, "@original")
	_, err = h.cfg.Session.RequestRaw(http.MethodPatch, url, body.contentType, body.body, interactionBucket("edit", i.ID), 0, restOpts(ctx)...)
	return sessionError("discord: editing the deferred answer", err)
}

func (h *Interactions) followup(ctx context.Context, i *discordgo.Interaction, m Message, ephemeral bool) error {
	flags := 0
	if ephemeral {
		flags = int(discordgo.MessageFlagsEphemeral)
	}
	body, err := encodeFlagged(m, flags)
	if err != nil {
		return &bot.PermanentError{Err: err}
	}
	url := discordgo.EndpointWebhookToken(i.AppID, i.Token) + "?wait=true"
	_, err = h.cfg.Session.RequestRaw(http.MethodPost, url, body.contentType, body.body, interactionBucket("followup", i.ID), 0, restOpts(ctx)...)
	return sessionError("discord: following up an answer", err)
}

// toChannel posts an answer the interaction token can no longer carry to
// the channel, with the bot token, saying what it answers. An ephemeral
// answer becomes visible to the channel this way: a late answer in the
// channel is more use than none.
func (h *Interactions) toChannel(i *discordgo.Interaction, req bot.Request, msgs []Message) {
	if h.cfg.Session.Token == "" {
		h.cfg.Logger.Error("discord: answer lost: the interaction token expired and no bot token is configured", "interaction", i.ID, "channel", i.ChannelID)
		return
	}
	if len(msgs) > 0 {
		note := fmt.Sprintf("Answer to `/thread %s`, which took longer than Discord lets an answer wait.", req.Sub)
		switch c := msgs[0].Content; {
		case c == "":
			msgs[0].Content = note
		case units(note)+1+units(c) <= maxContent:
			msgs[0].Content = note + "\n" + c
		default:
			msgs = append([]Message{{Content: note}}, msgs...)
		}
	}
	for n, m := range msgs {
		err := h.retry(func(ctx context.Context) error {
			_, err := sendToChannel(ctx, h.cfg.Session, i.ChannelID, m)
			return sessionError("discord channel "+i.ChannelID, err)
		})
		if err != nil {
			h.cfg.Logger.Error("discord: late answer not posted to the channel", "channel", i.ChannelID, "message", n+1, "of", len(msgs), "error", err)
			return
		}
	}
}

// autocomplete offers the channel's followed threads whose names contain
// what was typed.
func (h *Interactions) autocomplete(i *discordgo.Interaction) *wireResponse {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	name, typed := focusedOption(i)
	if name == "thread" && h.cfg.ThreadNames != nil {
		typed = strings.ToLower(strings.TrimSpace(typed))
		for _, n := range h.cfg.ThreadNames(i.GuildID, i.ChannelID) {
			if len(choices) == 25 {
				break
			}
			if n == "" || !strings.Contains(strings.ToLower(n), typed) || len([]rune(n)) > 100 {
				continue // a name longer than a choice may be cannot be chosen whole
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: textutil.OneLine(n), Value: n})
		}
	}
	return &wireResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &wireResponseData{Choices: &choices}}
}

// Shutdown stops taking slow work and waits for the answers in progress to
// be delivered. When ctx ends first it cancels them (their REST calls end;
// they finish shortly, unwaited for) and returns ctx's error.
func (h *Interactions) Shutdown(ctx context.Context) error {
	if err := h.work.Shutdown(ctx); err != nil {
		return fmt.Errorf("discord interactions: %w", err)
	}
	return nil
}
