package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/chart"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/internal/retry"
)

// ChartFunc draws the regional-split chart of a digest as a PNG. The
// adapter's destinations call it when one is set (chart.RegionalSplit fits,
// wrapped with its options).
type ChartFunc func(d digest.Digest) ([]byte, error)

// Webhook posts digests to a Discord channel through an incoming webhook:
// the "discord-webhook:URL" destination. It needs no bot. A digest longer
// than one message is posted as several, in order; if one of them fails,
// a retry of the same post resumes after the last one that went through.
//
// Wiring: dest := discord.NewWebhook(url, httpClient, logger).WithChart(f).
type Webhook struct {
	url    string // with wait=true, so the reply names the message
	where  string // the URL with its token hidden, for errors and logs
	err    error  // set when the URL is unusable; Deliver returns it
	client *http.Client
	logger *slog.Logger
	chart  ChartFunc
	sent   *progress
}

// NewWebhook returns a destination posting to the webhook URL
// (https://discord.com/api/webhooks/ID/TOKEN, as Discord shows it). client
// carries the transport and its timeouts; each Deliver also honours its
// context's deadline. A malformed URL is reported by ValidateWebhookURL and,
// at the latest, by Deliver as a permanent error.
func NewWebhook(rawURL string, client *http.Client, logger *slog.Logger) *Webhook {
	if client == nil {
		client = http.DefaultClient
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	w := &Webhook{client: client, logger: logger, sent: newProgress(), where: "discord webhook " + redactURL(rawURL)}
	if err := ValidateWebhookURL(rawURL); err != nil {
		w.err = &bot.PermanentError{Err: err}
		return w
	}
	u, _ := url.Parse(rawURL)
	q := u.Query()
	q.Set("wait", "true")
	u.RawQuery = q.Encode()
	w.url = u.String()
	return w
}

// WithChart makes the webhook attach the regional-split chart, drawn by f,
// to each digest. It returns w.
func (w *Webhook) WithChart(f ChartFunc) *Webhook {
	w.chart = f
	return w
}

// ValidateWebhookURL checks that u is a Discord webhook URL:
// https://HOST/api[/vN]/webhooks/ID/TOKEN. Plain http is accepted only for
// loopback hosts (local fakes and proxies). The error never shows the token.
func ValidateWebhookURL(u string) error {
	parsed, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("discord webhook URL %q: not a URL", redactURL(u))
	}
	if parsed.Scheme != "https" && !(parsed.Scheme == "http" && isLoopback(parsed.Hostname())) {
		return fmt.Errorf("discord webhook URL %s: want https:// (http:// only for a loopback host)", redactURL(u))
	}
	parts := strings.Split(strings.Trim(parsed.Path, "/"), "/")
	if len(parts) >= 2 && parts[0] == "api" && strings.HasPrefix(parts[1], "v") {
		parts = append(parts[:1], parts[2:]...)
	}
	if len(parts) != 4 || parts[0] != "api" || parts[1] != "webhooks" || !isSnowflake(parts[2]) || parts[3] == "" {
		return fmt.Errorf("discord webhook URL %s: want https://discord.com/api/webhooks/ID/TOKEN", redactURL(u))
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isSnowflake reports whether s is a Discord id: a decimal uint64.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// Deliver posts p as one or more messages and returns their message ids,
// comma-separated.
func (w *Webhook) Deliver(ctx context.Context, p bot.Post) (string, error) {
	if w.err != nil {
		return "", w.err
	}
	msgs := RenderDigest(p.Digest, Options{Thread: p.Thread, Slot: p.Slot, MaxArguments: p.MaxArguments, MayRepeat: p.MayRepeat, Chart: drawChart(w.chart, p.Digest, w.logger)})
	bodies := make([]encodedMessage, len(msgs))
	for i, m := range msgs {
		b, err := encodeMessage(m)
		if err != nil {
			return "", &bot.PermanentError{Err: fmt.Errorf("%s: encoding message %d: %w", w.where, i+1, err)}
		}
		bodies[i] = b
	}
	return w.sent.run(ctx, messagesKey(msgs), len(bodies), func(ctx context.Context, i int) (string, time.Duration, error) {
		return w.post(ctx, bodies[i], i, len(bodies))
	})
}

// post sends one message and returns its id and how long Discord asks to
// wait before the next request on this webhook.
func (w *Webhook) post(ctx context.Context, m encodedMessage, i, n int) (string, time.Duration, error) {
	where := w.where
	if n > 1 {
		where = fmt.Sprintf("%s (message %d of %d)", w.where, i+1, n)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(m.body))
	if err != nil {
		return "", 0, &bot.PermanentError{Err: fmt.Errorf("%s: %w", where, redact(err))}
	}
	req.Header.Set("Content-Type", m.contentType)
	req.Header.Set("User-Agent", userAgent)
	resp, err := w.client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", where, redact(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return "", 0, fmt.Errorf("%s: reading the reply: %w", where, redact(err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", 0, statusError(where, resp.StatusCode, resp.Header, body)
	}
	var msg struct {
		ID string `json:"id"`
	}
	if resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(body, &msg); err != nil {
			w.logger.Warn("discord webhook reply is not a message", "where", where, "error", err)
		}
	}
	return msg.ID, bucketWait(resp.Header), nil
}

// bucketWait is how long the rate-limit headers of a successful reply ask to
// wait before the next request: the reset time when none remain.
func bucketWait(h http.Header) time.Duration {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return 0
	}
	f, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	if err != nil || f <= 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

const (
	userAgent     = "DiscordBot (https://github.com/threaddigest/threaddigest, 1)"
	maxReplyBytes = 1 << 20
)

// encodedMessage is a message as a webhook or interaction request body.
type encodedMessage struct {
	contentType string
	body        []byte
}

// wirePayload is the JSON of a message sent through a webhook.
type wirePayload struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Attachments     []wireAttachment                  `json:"attachments,omitempty"`
	Flags           int                               `json:"flags,omitempty"`
}

type wireAttachment struct {
	ID       int    `json:"id"`
	Filename string `json:"filename"`
}

// noMentions lets a message ping nobody, whatever its text says.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// encodeMessage builds the body of a webhook execution: JSON, or multipart
// with payload_json and files[n] when the message has files.
func encodeMessage(m Message) (encodedMessage, error) { return encodeFlagged(m, 0) }

// encodeFlagged is encodeMessage with message flags (64: ephemeral).
func encodeFlagged(m Message, flags int) (encodedMessage, error) {
	p := wirePayload{Content: m.Content, Embeds: m.Embeds, AllowedMentions: noMentions(), Flags: flags}
	for i, f := range m.Files {
		p.Attachments = append(p.Attachments, wireAttachment{ID: i, Filename: f.Name})
	}
	js, err := json.Marshal(p)
	if err != nil {
		return encodedMessage{}, err
	}
	if len(m.Files) == 0 {
		return encodedMessage{contentType: "application/json", body: js}, nil
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="payload_json"`)
	h.Set("Content-Type", "application/json")
	part, err := mw.CreatePart(h)
	if err != nil {
		return encodedMessage{}, err
	}
	if _, err := part.Write(js); err != nil {
		return encodedMessage{}, err
	}
	for i, f := range m.Files {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files[%d]"; filename=%q`, i, f.Name))
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		part, err := mw.CreatePart(h)
		if err != nil {
			return encodedMessage{}, err
		}
		if _, err := part.Write(f.Data); err != nil {
			return encodedMessage{}, err
		}
	}
	if err := mw.Close(); err != nil {
		return encodedMessage{}, err
	}
	return encodedMessage{contentType: mw.FormDataContentType(), body: buf.Bytes()}, nil
}

// drawChart draws the chart when f is set. A chart that cannot be drawn is
// logged and left out: the digest is worth more than its picture.
func drawChart(f ChartFunc, d digest.Digest, logger *slog.Logger) []byte {
	if f == nil {
		return nil
	}
	png, err := f(d)
	switch {
	case errors.Is(err, chart.ErrNoRegions):
		return nil // nothing to draw: no commenter in the digest
	case err != nil:
		logger.Warn("discord: regional chart left out", "error", err)
		return nil
	}
	return png
}

// progress remembers how far multi-message posts got, so that the runner's
// retry of a post that failed halfway resumes instead of repeating the
// messages already in the channel. Entries are keyed by the rendered content
// and forgotten when the post completes or after a day.
type progress struct {
	mu      sync.Mutex
	entries map[string]*progressEntry
}

type progressEntry struct {
	done int
	refs []string
	at   time.Time
}

func newProgress() *progress { return &progress{entries: make(map[string]*progressEntry)} }

const progressTTL = 24 * time.Hour

// run sends messages start..n-1 with send, after those an earlier run with
// the same key already sent. Between messages it waits as Discord asked,
// unless the wait would outlast ctx: then it returns a RetryAfterError and
// the next run resumes there.
func (p *progress) run(ctx context.Context, key string, n int, send func(context.Context, int) (string, time.Duration, error)) (string, error) {
	p.mu.Lock()
	now := time.Now()
	for k, e := range p.entries {
		if now.Sub(e.at) > progressTTL {
			delete(p.entries, k)
		}
	}
	e := p.entries[key]
	if e == nil {
		e = &progressEntry{at: now}
	}
	start, refs := e.done, append([]string(nil), e.refs...)
	p.mu.Unlock()

	save := func(done int) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if done == n {
			delete(p.entries, key)
			return
		}
		p.entries[key] = &progressEntry{done: done, refs: refs, at: time.Now()}
	}
	for i := start; i < n; i++ {
		ref, wait, err := send(ctx, i)
		if err != nil {
			save(i)
			return "", err
		}
		refs = append(refs, ref)
		if i+1 < n && wait > 0 {
			if err := retry.Sleep(ctx, wait); err != nil {
				save(i + 1)
				return "", &bot.RetryAfterError{After: wait, Err: fmt.Errorf("discord: waiting for the rate limit between messages: %w", err)}
			}
		}
	}
	save(n)
	return strings.Join(refs, ","), nil
}

var _ bot.Destination = (*Webhook)(nil)
