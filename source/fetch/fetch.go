// Package fetch is the HTTP client every live source shares: one place for
// deadlines, size caps, the User-Agent, per-host rate limits, retries with
// exponential backoff and jitter, Retry-After, redirect limits and
// conditional requests. Sources describe what they want; fetch decides how
// politely and how often to ask.
package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/threaddigest/threaddigest/internal/retry"
	"github.com/threaddigest/threaddigest/version"
)

// DefaultUserAgent names threaddigest and its version to the sites it reads,
// as Reddit and others require of API clients:
// "threaddigest/v1.2.0 (comment thread digests; +https://github.com/…)".
func DefaultUserAgent() string { return version.Get().UserAgent() }

// Client fetches pages for sources. Build it with New; the zero value is not
// usable.
type Client struct {
	http      *http.Client
	userAgent string
	maxBody   int64
	timeout   time.Duration
	retries   int
	backoff   time.Duration
	maxWait   time.Duration
	limits    *Limits
	log       *slog.Logger
	sleep     func(context.Context, time.Duration) error

	mu   sync.Mutex
	rand *rand.Rand
}

// Config tunes a Client. Zero fields take the defaults given.
type Config struct {
	// UserAgent is sent with every request (DefaultUserAgent()).
	UserAgent string
	// MaxBody caps a response body in bytes (8 MiB).
	MaxBody int64
	// Timeout is the deadline of one request, redirects included (20 s).
	Timeout time.Duration
	// Retries is how many times a failed request is tried again (3).
	// Negative means none.
	Retries int
	// Backoff is the first wait before a retry (1 s); each retry doubles it,
	// up to 1 minute, and waits a random part of it (full jitter).
	Backoff time.Duration
	// MaxWait caps a wait asked for by Retry-After (2 min); a server asking
	// for longer fails the poll, which the service retries later.
	MaxWait time.Duration
	// Seed seeds the jitter. Tests set it; 0 seeds from the clock.
	Seed uint64
	// Sleep waits; nil waits on a timer. Tests replace it to record waits.
	Sleep func(context.Context, time.Duration) error
}

// New returns a client sending through hc (nil: a client of its own),
// rate-limited by limits (nil: limits of its own) and logging to log.
func New(hc *http.Client, limits *Limits, log *slog.Logger, cfg Config) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	// A copy, so that the redirect rule is ours without changing the
	// caller's client; the transport is shared.
	own := *hc
	prevCheck := hc.CheckRedirect
	own.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return &RedirectError{URL: redact(via[0].URL), Hops: len(via)}
		}
		if prevCheck != nil {
			return prevCheck(req, via)
		}
		return nil
	}
	if limits == nil {
		limits = NewLimits(DefaultRate, DefaultBurst)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		http: &own, userAgent: cfg.UserAgent, maxBody: cfg.MaxBody, timeout: cfg.Timeout,
		retries: cfg.Retries, backoff: cfg.Backoff, maxWait: cfg.MaxWait, limits: limits, log: log, sleep: cfg.Sleep,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent()
	}
	if c.maxBody <= 0 {
		c.maxBody = 8 << 20
	}
	if c.timeout <= 0 {
		c.timeout = 20 * time.Second
	}
	if c.retries == 0 {
		c.retries = 3
	} else if c.retries < 0 {
		c.retries = 0
	}
	if c.backoff <= 0 {
		c.backoff = time.Second
	}
	if c.maxWait <= 0 {
		c.maxWait = 2 * time.Minute
	}
	if c.sleep == nil {
		c.sleep = retry.Sleep
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	c.rand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return c
}

const maxRedirects = 5

// Request is one request.
type Request struct {
	Method string // GET when ""
	URL    string
	Header http.Header
	// Form, when set, is sent as an application/x-www-form-urlencoded body.
	Form url.Values
	// ETag and LastModified from an earlier response make the request
	// conditional; an unchanged resource answers NotModified.
	ETag         string
	LastModified string
}

// Response is a successful response.
type Response struct {
	Status       int
	Header       http.Header
	Body         []byte
	ETag         string
	LastModified string
	// NotModified is true for a 304 answer to a conditional request.
	NotModified bool
	// URL is where the body came from, after redirects, with keys and
	// tokens redacted: it is for messages (PayloadError).
	URL string
}

// StatusError is a response with a status that is not success.
type StatusError struct {
	URL        string
	Status     int
	Snippet    string        // the start of the body, on one line
	RetryAfter time.Duration // from Retry-After, when given
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.Snippet != "" {
		msg += ": " + e.Snippet
	}
	return msg
}

// Reason says what went wrong in plain words (source.Reason), without the
// URL.
func (e *StatusError) Reason() string {
	switch {
	case e.Gone():
		return fmt.Sprintf("the thread is gone from the site (HTTP %d)", e.Status)
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return fmt.Sprintf("the site refused access (HTTP %d): check the source's credentials", e.Status)
	case e.Status == http.StatusTooManyRequests:
		return "the site asked to be read less often (HTTP 429)"
	case e.Status >= 500:
		return fmt.Sprintf("the site had an error (HTTP %d)", e.Status)
	}
	return fmt.Sprintf("the site answered HTTP %d", e.Status)
}

// Gone reports whether the resource no longer exists (404, 410).
func (e *StatusError) Gone() bool {
	return e.Status == http.StatusNotFound || e.Status == http.StatusGone
}

// RedirectError is a chain of redirects too long to follow, a loop most
// likely.
type RedirectError struct {
	URL  string
	Hops int
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("GET %s: stopped after %d redirects (a redirect loop?)", e.URL, e.Hops)
}

// Reason says what went wrong in plain words (source.Reason).
func (e *RedirectError) Reason() string { return "the site kept redirecting (a redirect loop)" }

// TooLargeError is a body over the size cap.
type TooLargeError struct {
	URL   string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("GET %s: response body larger than %d bytes", e.URL, e.Limit)
}

// Reason says what went wrong in plain words (source.Reason).
func (e *TooLargeError) Reason() string { return "the site's answer was too large to read" }

// IsGone reports whether err says the thread no longer exists at its source.
func IsGone(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Gone()
}

// Do sends req, waiting its turn for the host, and retries what is worth
// retrying: network errors, 429 and 5xx. 304 is a success with NotModified.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("invalid URL %q: expected http:// or https:// with a host", req.URL)
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := c.limits.Wait(ctx, u.Host); err != nil {
			return nil, err
		}
		resp, err := c.once(ctx, u, req)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		wait, retry := c.retryable(err, attempt)
		if !retry || attempt >= c.retries {
			return nil, lastErr
		}
		if ctx.Err() != nil {
			return nil, lastErr
		}
		c.log.Info("fetch: retrying", "url", redact(u), "attempt", attempt+1, "wait", wait, "error", err)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, lastErr
		}
	}
}

// DoJSON is Do for an API that answers JSON: a body that is not JSON at all
// (empty, or an HTML error page served with 200) is an error saying so
// (CheckJSON). A 304 comes back as Do returns it, with no body.
func (c *Client) DoJSON(ctx context.Context, req Request) (*Response, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if !resp.NotModified {
		if err := CheckJSON(resp); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// retryable says whether to try again after err, and after how long.
func (c *Client) retryable(err error, attempt int) (time.Duration, bool) {
	var se *StatusError
	if errors.As(err, &se) {
		if se.Status != http.StatusTooManyRequests && se.Status < 500 {
			return 0, false
		}
		if se.RetryAfter > 0 {
			if se.RetryAfter > c.maxWait {
				return 0, false
			}
			return se.RetryAfter, true
		}
		return c.jitter(attempt), true
	}
	var re *RedirectError
	var tl *TooLargeError
	var pe *PayloadError
	if errors.As(err, &re) || errors.As(err, &tl) || errors.As(err, &pe) || errors.Is(err, context.Canceled) {
		return 0, false
	}
	return c.jitter(attempt), true // network error or timeout
}

// jitter is a random wait in [0, backoff·2^attempt], capped at a minute.
func (c *Client) jitter(attempt int) time.Duration {
	ceiling := c.backoff << min(attempt, 16)
	if ceiling > time.Minute || ceiling <= 0 {
		ceiling = time.Minute
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Duration(c.rand.Int64N(int64(ceiling) + 1))
}

func (c *Client) once(ctx context.Context, u *url.URL, req Request) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if req.Form != nil {
		body = strings.NewReader(req.Form.Encode())
	}
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hr.Header.Set("User-Agent", c.userAgent)
	if hr.Header.Get("Accept") == "" {
		hr.Header.Set("Accept", "application/json")
	}
	if req.Form != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		var re *RedirectError
		if errors.As(err, &re) {
			return nil, re
		}
		return nil, fmt.Errorf("%s %s: %w", method, redact(u), unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the body: %w", method, redact(u), err)
	}
	if int64(len(data)) > c.maxBody {
		return nil, &TooLargeError{URL: redact(u), Limit: c.maxBody}
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), URL: redact(resp.Request.URL)}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		out.Body = nil
		if out.ETag == "" {
			out.ETag = req.ETag
		}
		if out.LastModified == "" {
			out.LastModified = req.LastModified
		}
		return out, nil
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return out, nil
	}
	return nil, &StatusError{URL: redact(u), Status: resp.StatusCode, Snippet: snippet(data),
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redact drops secrets from a URL for messages and logs: query parameters
// that carry keys or tokens.
func redact(u *url.URL) string {
	q := u.Query()
	changed := false
	for k := range q {
		switch strings.ToLower(k) {
		case "api_key", "api_secret", "access_token", "key", "token", "client_secret":
			q.Set(k, "REDACTED")
			changed = true
		}
	}
	if !changed {
		return u.String()
	}
	v := *u
	v.RawQuery = q.Encode()
	return v.String()
}

// retryAfter reads Retry-After: seconds or an HTTP date; 0 when absent.
func retryAfter(h string, now time.Time) time.Duration {
	d, _ := retry.After(h, now)
	return d
}

// snippet is the start of a body on one line, for error messages.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(bytes.ToValidUTF8(b[:min(len(b), 120)], []byte("?")))), " ")
	if len(b) > 120 {
		s += "…"
	}
	return s
}

// PayloadError is a response that is not what the API promises.
type PayloadError struct {
	URL string
	Msg string
}

func (e *PayloadError) Error() string { return fmt.Sprintf("GET %s: %s", e.URL, e.Msg) }

// Reason says what went wrong in plain words (source.Reason).
func (e *PayloadError) Reason() string {
	return "the site's answer was not the comment thread expected (a changed API, or an error page)"
}

// CheckJSON says clearly when a body is not JSON at all: empty, or an HTML
// error page served with status 200.
func CheckJSON(resp *Response) error {
	body := bytes.TrimSpace(resp.Body)
	if len(body) == 0 {
		return &PayloadError{URL: resp.URL, Msg: "empty body: expected JSON"}
	}
	if body[0] == '<' {
		return &PayloadError{URL: resp.URL, Msg: fmt.Sprintf("expected JSON, got HTML or XML (%s; starts %q)", resp.Header.Get("Content-Type"), snippet(body))}
	}
	return nil
}

// Malformed wraps a parser's complaint about a JSON payload.
func Malformed(resp *Response, err error) error {
	return &PayloadError{URL: resp.URL, Msg: fmt.Sprintf("malformed JSON payload: %v", err)}
}

// DecodeJSON decodes a JSON body into v, saying clearly when the body is
// not JSON at all (an HTML error page served with 200) or is cut short.
func DecodeJSON(resp *Response, v any) error {
	if err := CheckJSON(resp); err != nil {
		return err
	}
	body := bytes.TrimSpace(resp.Body)
	if err := json.Unmarshal(body, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end") {
			return &PayloadError{URL: resp.URL, Msg: fmt.Sprintf("malformed or truncated JSON (%v)", err)}
		}
		return &PayloadError{URL: resp.URL, Msg: fmt.Sprintf("JSON not shaped as the API documents (%v)", err)}
	}
	return nil
}

// Missing returns a PayloadError for a field the API promises but the
// response lacks.
func Missing(resp *Response, field string) error {
	return &PayloadError{URL: resp.URL, Msg: fmt.Sprintf("response lacks %s", field)}
}

// Defaults of per-host rate limits: one request a second, bursts of five.
const (
	DefaultRate  = rate.Limit(1)
	DefaultBurst = 5
)

// Limits holds one rate limiter per host, shared by every source that
// reads from it, so that ten threads on one site do not multiply the load.
type Limits struct {
	mu      sync.Mutex
	perHost map[string]*rate.Limiter
	rate    rate.Limit
	burst   int
}

// NewLimits allows r requests a second to each host, in bursts of burst.
func NewLimits(r rate.Limit, burst int) *Limits {
	if burst < 1 {
		burst = 1
	}
	return &Limits{perHost: map[string]*rate.Limiter{}, rate: r, burst: burst}
}

// Wait blocks until a request to host may go, or ctx ends.
func (l *Limits) Wait(ctx context.Context, host string) error {
	l.mu.Lock()
	lim, ok := l.perHost[host]
	if !ok {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.perHost[host] = lim
	}
	l.mu.Unlock()
	return lim.Wait(ctx)
}
