package discord

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/internal/retry"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// Discord JSON error codes this package reacts to.
const (
	codeUnknownWebhook     = 10015
	codeUnknownInteraction = 10062 // the 3-second window was missed, or the token expired
	codeInvalidWebhookTok  = 50027 // an interaction token past its 15 minutes
)

// apiError is Discord's JSON error body.
type apiError struct {
	Code       int     `json:"code"`
	Message    string  `json:"message"`
	RetryAfter float64 `json:"retry_after"`
	Global     bool    `json:"global"`
}

// statusError classifies a non-2xx reply from Discord: 429 asks to wait
// (*bot.RetryAfterError), 5xx is worth retrying (a plain error, or a
// RetryAfterError when it says how long to wait), any other 4xx will not get
// better by retrying (*bot.PermanentError). where names the
// call without secrets.
func statusError(where string, status int, header http.Header, body []byte) error {
	var ae apiError
	_ = json.Unmarshal(body, &ae) // a body that is not Discord's JSON still has a status
	detail := ""
	if ae.Message != "" {
		detail = fmt.Sprintf(": %s (code %d)", textutil.Truncate(textutil.OneLine(ae.Message), 200, "…"), ae.Code)
	} else if len(body) > 0 {
		detail = ": " + textutil.Truncate(textutil.OneLine(string(body)), 200, "…")
	}
	err := &httpError{Status: status, Code: ae.Code, msg: fmt.Sprintf("%s: HTTP %d%s", where, status, detail)}
	switch {
	case status == http.StatusTooManyRequests:
		return &bot.RetryAfterError{After: retryAfter(ae.RetryAfter, header), Err: err}
	case status >= 500:
		if ae.RetryAfter > 0 || header.Get("Retry-After") != "" {
			return &bot.RetryAfterError{After: retryAfter(ae.RetryAfter, header), Err: err}
		}
		return err
	default:
		return &bot.PermanentError{Err: err}
	}
}

// retryAfter reads how long Discord asks to wait: the body's retry_after
// (seconds, with a fraction) when present, else the Retry-After header
// (whole seconds), else one second.
func retryAfter(bodySeconds float64, h http.Header) time.Duration {
	if bodySeconds > 0 {
		return time.Duration(bodySeconds * float64(time.Second))
	}
	v := h.Get("Retry-After")
	if d, ok := retry.Seconds(v); ok {
		return d
	}
	if d, ok := retry.After(v, time.Now()); ok {
		return d
	}
	if d, ok := retry.Seconds(h.Get("X-RateLimit-Reset-After")); ok {
		return d
	}
	return time.Second
}

// sessionError turns an error from a discordgo REST call into the bot's
// error kinds, with the call named and every token kept out of the message.
func sessionError(where string, err error) error {
	if err == nil {
		return nil
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		after := time.Second
		if rl.RateLimit != nil && rl.TooManyRequests != nil && rl.RetryAfter > 0 {
			after = rl.RetryAfter
		}
		// RateLimitError's own message holds the URL, and with it any
		// interaction token: leave it out.
		return &bot.RetryAfterError{After: after, Err: fmt.Errorf("%s: rate limited (HTTP 429)", where)}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return statusError(where, re.Response.StatusCode, re.Response.Header, re.ResponseBody)
	}
	return fmt.Errorf("%s: %w", where, redact(err))
}

// httpError is a non-2xx reply from Discord.
type httpError struct {
	Status int
	Code   int // Discord's JSON error code, 0 when the body had none
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// restCode returns the Discord JSON error code of an error from this
// package or from discordgo, or 0.
func restCode(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.Code
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// tokenInPath matches the secret part of Discord URLs: webhook and
// interaction tokens.
var tokenInPath = regexp.MustCompile(`(/(?:webhooks|interactions)/[^/?#]+/)[^/?#]+`)

// redactURL hides webhook and interaction tokens in a URL.
func redactURL(u string) string {
	return tokenInPath.ReplaceAllString(u, "${1}***")
}

// redact strips tokens from the URL a net/http error carries.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err}
	}
	return err
}
