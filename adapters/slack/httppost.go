package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/internal/retry"
)

// requestTimeout bounds every HTTP call to Slack, whatever the caller's
// context allows; the earlier deadline wins. It is the 30 seconds the README
// gives a delivery attempt (bot.RetryPolicy.AttemptTimeout's default), so
// that a slow Slack call within an attempt is not cut sooner than the
// attempt; it also bounds calls made without a deadline (answers posted to
// response_url, conversations.list).
const requestTimeout = 30 * time.Second

// defaultRetryAfter is used when Slack answers 429 without a usable
// Retry-After header.
const defaultRetryAfter = 5 * time.Second

// postJSON posts body to target and maps Slack's answer to the bot's error
// kinds: 429 → *bot.RetryAfterError, 5xx and transport failures → a plain
// (retryable) error, any other non-2xx → *bot.PermanentError. what names the
// target in errors without revealing its secret path.
func postJSON(ctx context.Context, client *http.Client, target, what string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return &bot.PermanentError{Err: fmt.Errorf("%s: %v", what, redactErr(err, target))}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, redactErr(err, target))
	}
	defer resp.Body.Close()
	// Slack's error bodies are short codes ("invalid_payload"); read a little
	// for the message and drain the rest so the connection can be reused.
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return statusError(what, resp.StatusCode, resp.Header, head)
}

// statusError maps an HTTP status to the bot's error kinds; nil for 2xx.
func statusError(what string, code int, h http.Header, body []byte) error {
	if code >= 200 && code < 300 {
		return nil
	}
	detail := strings.TrimSpace(string(bytes.ToValidUTF8(body, []byte("?"))))
	if detail == "" {
		detail = http.StatusText(code)
	}
	err := fmt.Errorf("%s: HTTP %d: %s", what, code, detail)
	switch {
	case code == http.StatusTooManyRequests:
		return &bot.RetryAfterError{After: retryAfter(h), Err: err}
	case code >= 500:
		return err
	default:
		return &bot.PermanentError{Err: err}
	}
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	if d, ok := retry.After(h.Get("Retry-After"), time.Now()); ok {
		return d
	}
	return defaultRetryAfter
}

// redactErr removes target from err's text: webhook and response URLs are
// secrets (anyone holding one can post), so they must not reach logs.
func redactErr(err error, target string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redactURL(target), ue.Err)
	}
	msg := strings.ReplaceAll(err.Error(), target, redactURL(target))
	return errors.New(msg)
}

// redactURL keeps a URL's scheme and host and hides its path and query.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(url)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
