package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/internal/later"
	"github.com/threaddigest/threaddigest/internal/retry"
)

// Answerer answers /thread commands; bot/commands is one.
type Answerer interface {
	// Cached answers at once when no slow work is needed, ok false otherwise.
	Cached(req bot.Request) (resp bot.Response, ok bool)
	// Answer gives the full answer, however long it takes.
	Answer(ctx context.Context, req bot.Request) bot.Response
}

// Timing of answers.
const (
	// answerTimeout bounds the background work of one answer. A response_url
	// takes posts for 30 minutes; an answer that takes longer than this is
	// not coming.
	answerTimeout = 5 * time.Minute
	// maxResponsePosts is how many posts Slack accepts on one response_url
	// (in 30 minutes).
	maxResponsePosts = 5
	// maxAckBytes keeps a Socket Mode acknowledgement under Slack's 20 KB.
	maxAckBytes = 19 * 1024
)

// workingText acknowledges a command whose answer follows.
const workingText = "Working on it…"

// responsePayload is a slash command's immediate answer, a Socket Mode ack
// payload and a response_url post.
type responsePayload struct {
	ResponseType    string          `json:"response_type,omitempty"`
	Text            string          `json:"text"`
	Blocks          []slackgo.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original,omitempty"`
}

func responseType(ephemeral bool) string {
	if ephemeral {
		return slackgo.ResponseTypeEphemeral
	}
	return slackgo.ResponseTypeInChannel
}

func payloadOf(m Message, ephemeral bool) responsePayload {
	return responsePayload{ResponseType: responseType(ephemeral), Text: m.Text, Blocks: m.Blocks}
}

// workingPayload is the acknowledgement of a command answered later.
func workingPayload() responsePayload {
	return responsePayload{ResponseType: slackgo.ResponseTypeEphemeral, Text: workingText}
}

// shareValue is what the "Share to channel" button carries: the command, so
// that sharing answers it again for the channel (from the cache, usually).
type shareValue struct {
	Sub  string   `json:"s"`
	Args []string `json:"a,omitempty"`
}

func encodeShare(req bot.Request) string {
	b, err := json.Marshal(shareValue{Sub: req.Sub, Args: req.Args})
	if err != nil || len(b) > MaxButtonValue {
		return "" // no button rather than a broken one
	}
	return string(b)
}

func decodeShare(v string) (shareValue, error) {
	var s shareValue
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return s, fmt.Errorf("share button value: %w", err)
	}
	if s.Sub == "" {
		return s, errors.New("share button value: no subcommand")
	}
	return s, nil
}

// responder runs the answers that outlive the request (or the Socket Mode
// event) that asked for them, posts them to response_url, and drains them
// on shutdown.
type responder struct {
	answerer Answerer
	client   *http.Client
	logger   *slog.Logger
	timeout  time.Duration
	work     *later.Group
}

func newResponder(a Answerer, client *http.Client, logger *slog.Logger) *responder {
	if client == nil {
		client = http.DefaultClient
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &responder{answerer: a, client: client, logger: logger, timeout: answerTimeout, work: later.New(0, logger)}
}

// goBackground runs f in the background with a context that keeps parent's
// values but not its cancellation (a request's context ends when its handler
// returns), bounded by the responder's timeout and cancelled by a shutdown
// that stops waiting. It reports false when shutting down.
func (r *responder) goBackground(parent context.Context, what string, f func(ctx context.Context)) bool {
	err := r.work.Go("slack: "+what, func(base context.Context) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), r.timeout)
		defer cancel()
		stop := context.AfterFunc(base, cancel)
		defer stop()
		f(ctx)
	})
	return err == nil
}

// shutdown stops new background work and waits for the running answers to
// be posted; when ctx ends first, it cancels them and returns ctx's error.
func (r *responder) shutdown(ctx context.Context) error {
	if err := r.work.Shutdown(ctx); err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	return nil
}

// answerLater computes the answer to req and posts it to responseURL.
func (r *responder) answerLater(ctx context.Context, req bot.Request, responseURL string) {
	resp := r.answerer.Answer(ctx, req)
	msgs := RenderResponse(resp, ResponseOptions{ShareValue: encodeShare(req)})
	r.postAll(ctx, responseURL, msgs, resp.Ephemeral, 0)
}

// postAll posts msgs to responseURL, at most maxResponsePosts-used of them;
// used counts the posts already made on it. A 429 or 5xx is retried once.
func (r *responder) postAll(ctx context.Context, responseURL string, msgs []Message, ephemeral bool, used int) {
	room := maxResponsePosts - used
	if room <= 0 {
		return
	}
	if len(msgs) > room {
		r.logger.Warn("slack: answer cut to the posts a response_url takes", "parts", len(msgs), "posted", room)
		more := len(msgs) - room
		msgs = append([]Message(nil), msgs[:room]...)
		last := &msgs[room-1]
		last.Blocks = append(append([]slackgo.Block(nil), last.Blocks...), contextBlock(mrkdwn(fmt.Sprintf(
			"_The rest of this answer (%d more parts) is longer than Slack takes in one reply._", more))))
	}
	for i, m := range msgs {
		if err := r.post(ctx, responseURL, payloadOf(m, ephemeral)); err != nil {
			r.logger.Error("slack: posting an answer to response_url failed", "part", i+1, "of", len(msgs), "err", err)
			return
		}
	}
}

// post posts one payload to a response_url, retrying once after a 429 or a
// 5xx.
func (r *responder) post(ctx context.Context, responseURL string, p responsePayload) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = postJSON(ctx, r.client, responseURL, "slack response_url", body)
	if err == nil || bot.IsPermanent(err) {
		return err
	}
	wait := time.Second
	var ra *bot.RetryAfterError
	if errors.As(err, &ra) {
		wait = ra.After
	}
	if retry.Sleep(ctx, wait) != nil {
		return err
	}
	return postJSON(ctx, r.client, responseURL, "slack response_url", body)
}

// share answers a "Share to channel" click: the answer is posted to the
// channel for everyone, and the asker's ephemeral copy is removed.
func (r *responder) share(ctx context.Context, req bot.Request, responseURL string) {
	resp, ok := r.answerer.Cached(req)
	if !ok {
		resp = r.answerer.Answer(ctx, req)
	}
	if resp.Kind == bot.KindText || resp.Digest == nil {
		// Nothing worth sharing changed into an error or usage: tell the
		// asker only.
		r.postAll(ctx, responseURL, RenderResponse(resp, ResponseOptions{}), true, 0)
		return
	}
	resp.Ephemeral = false
	msgs := RenderResponse(resp, ResponseOptions{SharedBy: req.User})
	if len(msgs) > maxResponsePosts-1 {
		msgs = msgs[:maxResponsePosts-1]
	}
	for _, m := range msgs {
		if err := r.post(ctx, responseURL, payloadOf(m, false)); err != nil {
			r.logger.Error("slack: sharing an answer failed", "err", err)
			return
		}
	}
	if err := r.post(ctx, responseURL, responsePayload{DeleteOriginal: true}); err != nil {
		r.logger.Warn("slack: removing the shared ephemeral answer failed", "err", err)
	}
}
