package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/internal/retry"
)

// messageSpacing is the pause between two messages to one channel: Slack
// allows about one message per second per channel.
const messageSpacing = 1100 * time.Millisecond

// Webhook is the `slack-webhook:URL` destination: it posts digests to a Slack
// incoming webhook, which needs no bot token and no app beyond the webhook
// itself. Incoming webhooks cannot upload files, so it posts no chart.
//
// Wiring (serve): for each `slack-webhook:URL` in a [[digest]]'s `to`, call
// NewWebhook(URL, httpClient, logger) once and use it as the bot.Destination.
type Webhook struct {
	url     string
	client  *http.Client
	logger  *slog.Logger
	spacing time.Duration
	resume  *resumeLog
}

// NewWebhook returns a destination posting to the incoming-webhook url with
// client (http.DefaultClient when nil). The url is a secret: it is never
// logged or put in errors beyond its host.
func NewWebhook(url string, client *http.Client, logger *slog.Logger) *Webhook {
	if client == nil {
		client = http.DefaultClient
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Webhook{url: url, client: client, logger: logger, spacing: messageSpacing, resume: newResumeLog()}
}

// String names the destination without its secret path.
func (w *Webhook) String() string { return "slack-webhook:" + redactURL(w.url) }

// webhookPayload is the JSON an incoming webhook takes. mrkdwn:false keeps
// the fallback text from being formatted; unfurling is off so that no link
// in a title grows a preview.
type webhookPayload struct {
	Text        string          `json:"text"`
	Blocks      []slackgo.Block `json:"blocks"`
	Mrkdwn      bool            `json:"mrkdwn"`
	UnfurlLinks bool            `json:"unfurl_links"`
	UnfurlMedia bool            `json:"unfurl_media"`
}

// Deliver posts p as one or more messages. A digest too long for one message
// is split; when a later part fails, a retry of the same post (same thread
// and slot) resumes after the parts already posted instead of repeating
// them. It returns "" as ref: incoming webhooks do not say what they posted.
func (w *Webhook) Deliver(ctx context.Context, p bot.Post) (string, error) {
	msgs := RenderPost(p, PostOptions{})
	key := resumeKey(p)
	start := w.resume.get(key, len(msgs)).sent
	for i := start; i < len(msgs); i++ {
		if i > start {
			if err := retry.Sleep(ctx, w.spacing); err != nil {
				return "", fmt.Errorf("%s: waiting to post part %d of %d: %w", w, i+1, len(msgs), err)
			}
		}
		body, err := json.Marshal(webhookPayload{Text: msgs[i].Text, Blocks: msgs[i].Blocks})
		if err != nil {
			return "", &bot.PermanentError{Err: fmt.Errorf("%s: encoding message: %w", w, err)}
		}
		if err := postJSON(ctx, w.client, w.url, w.String(), body); err != nil {
			if i > 0 {
				w.resume.set(key, resumePoint{total: len(msgs), sent: i})
				err = fmt.Errorf("part %d of %d (earlier parts posted): %w", i+1, len(msgs), err)
			}
			return "", err
		}
	}
	w.resume.done(key)
	w.logger.Debug("slack webhook posted", "destination", w.String(), "thread", p.Thread, "messages", len(msgs)-start)
	return "", nil
}

// resumeKey identifies a post across retries within one process; "" for
// on-demand posts, which have no slot.
func resumeKey(p bot.Post) string {
	if p.Slot.IsZero() {
		return ""
	}
	return p.Thread + "@" + p.Slot.UTC().Format(time.RFC3339Nano)
}

// resumeLog remembers, per post, how many of its messages were posted before
// a failure, so that the runner's retry posts only the rest.
type resumeLog struct {
	mu   sync.Mutex
	sent map[string]resumePoint
}

type resumePoint struct {
	total, sent int    // messages of the post, and how many were posted
	ref         string // the first message's reference, once posted
	at          time.Time
}

// resumeTTL bounds how long a partial post is remembered: retries happen
// within a slot, and a stale entry must not make a later run skip parts.
const resumeTTL = 6 * time.Hour

func newResumeLog() *resumeLog { return &resumeLog{sent: map[string]resumePoint{}} }

// get returns how far the post of key and total messages got before it
// failed; the zero point when it was not tried.
func (r *resumeLog) get(key string, total int) resumePoint {
	if key == "" {
		return resumePoint{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.sent[key]
	if !ok || p.total != total || time.Since(p.at) > resumeTTL {
		return resumePoint{}
	}
	return p
}

func (r *resumeLog) set(key string, p resumePoint) {
	if key == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	for k, old := range r.sent {
		if now.Sub(old.at) > resumeTTL {
			delete(r.sent, k)
		}
	}
	p.at = now
	r.sent[key] = p
}

func (r *resumeLog) done(key string) {
	if key == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sent, key)
}
