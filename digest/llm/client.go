package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/threaddigest/threaddigest/internal/retry"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// Structured-output modes: how a request asks for the answer's shape.
const (
	modeAuto       = "auto"
	modeJSONSchema = "json_schema"
	modeJSONObject = "json_object"
	modeNone       = "none"
)

// Waits between attempts when the server names none.
const (
	firstBackoff = time.Second
	maxBackoff   = 30 * time.Second
	// maxRetryAfter is the longest Retry-After honoured: a server asking for
	// more is not retried within this digest.
	maxRetryAfter = 2 * time.Minute
)

// Kinds of failure of a request, the outcomes counted in /metrics.
const (
	failTimeout     = "timeout"
	failRateLimited = "rate_limited"
	failServer      = "server_error"
	failHTTP        = "http_error"
	failTransport   = "transport"
	failMalformed   = "malformed"
	failTruncated   = "truncated"
	failRefused     = "refused"
	failCanceled    = "canceled"
)

// callError is a request that failed, after the retries its kind allows.
type callError struct {
	kind string
	// reason says what happened in words fit for a digest's footer: no
	// model output, no server text, no key.
	reason string
	// detail adds, for the log, what the server or model said (cut short).
	detail string
	wait   time.Duration // the server's Retry-After, when it gave one
	status int           // the HTTP status, when the server answered
	param  string        // the request parameter the server's error names
}

func (e *callError) Error() string {
	if e.detail == "" {
		return e.reason
	}
	return e.reason + ": " + e.detail
}

// retryable reports whether another attempt may help.
func (e *callError) retryable() bool {
	switch e.kind {
	case failTimeout, failRateLimited, failServer, failTransport:
		return true
	}
	return false
}

// usage is what one answer cost.
type usage struct {
	prompt, completion int
}

// call sends one request and returns the JSON object the model answered
// with. Timeouts, 429 (after its Retry-After), 5xx and broken connections
// are tried again, up to Options.Retries times; in auto mode a server that
// refuses the response format is asked again with a plainer one (and from
// then on). What every attempt cost is added to spent, answered or not.
func (e *Engine) call(ctx context.Context, system, user, schemaName string, schema map[string]any, spent func(usage)) (map[string]json.RawMessage, error) {
	for attempt := 0; ; attempt++ {
		mode, temperature := e.settings()
		params := openai.ChatCompletionNewParams{
			Model: e.opt.Model,
			Messages: []openai.ChatCompletionMessageParamUnion{
				openai.SystemMessage(system),
				openai.UserMessage(user),
			},
		}
		if temperature {
			params.Temperature = openai.Float(0)
		}
		switch mode {
		case modeJSONSchema:
			params.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{
				OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name: schemaName, Strict: openai.Bool(true), Schema: schema,
				}},
			}
		case modeJSONObject:
			params.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}
		}
		actx, cancel := context.WithTimeout(ctx, e.opt.Timeout)
		comp, err := e.chat.New(actx, params)
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		if err == nil {
			spent(usage{int(comp.Usage.PromptTokens), int(comp.Usage.CompletionTokens)})
			obj, cerr := readAnswer(comp)
			if cerr != nil {
				e.metrics.request(cerr.kind)
				return nil, cerr
			}
			e.metrics.request("ok")
			return obj, nil
		}
		spent(usage{})
		ce := e.classify(ctx, err, timedOut)
		if (ce.status == http.StatusBadRequest || ce.status == http.StatusUnprocessableEntity) && e.adapt(mode, temperature, ce) {
			attempt--
			continue
		}
		e.metrics.request(ce.kind)
		if !ce.retryable() || attempt >= e.opt.Retries || ctx.Err() != nil {
			return nil, ce
		}
		wait := ce.wait
		if wait == 0 {
			wait = min(firstBackoff<<attempt, maxBackoff)
		}
		e.log.Debug("language model request failed; trying again", "err", ce.Error(), "attempt", attempt+1, "wait", wait)
		if err := e.sleep(ctx, wait); err != nil {
			return nil, &callError{kind: failCanceled, reason: "the digest's time for the model ran out"}
		}
	}
}

// classify turns a failed request into a callError.
func (e *Engine) classify(ctx context.Context, err error, timedOut bool) *callError {
	var apiErr *openai.Error
	switch {
	case ctx.Err() != nil:
		return &callError{kind: failCanceled, reason: "the digest's time for the model ran out"}
	case errors.As(err, &apiErr):
		status := fmt.Sprintf("%d %s", apiErr.StatusCode, http.StatusText(apiErr.StatusCode))
		ce := &callError{detail: oneLine(apiErr.Message, 200), status: apiErr.StatusCode, param: apiErr.Param}
		switch code := apiErr.StatusCode; {
		case code == http.StatusTooManyRequests:
			ce.kind, ce.reason = failRateLimited, "the model server kept refusing for too many requests ("+status+")"
			if wait, ok := retryAfterOf(apiErr.Response); ok {
				if wait > maxRetryAfter {
					ce.kind = failHTTP // not worth waiting for within a digest
					ce.reason = fmt.Sprintf("the model server asked to wait %s (%s)", wait, status)
				}
				ce.wait = wait
			}
		case code >= 500 || code == http.StatusRequestTimeout || code == http.StatusConflict:
			ce.kind, ce.reason = failServer, "the model server failed ("+status+")"
		default:
			ce.kind, ce.reason = failHTTP, "the model server refused the request ("+status+")"
		}
		return ce
	case timedOut:
		return &callError{kind: failTimeout, reason: fmt.Sprintf("the model did not answer within %s", e.opt.Timeout)}
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end of JSON"):
		return &callError{kind: failMalformed, reason: "the model server's answer was not the Chat Completions JSON", detail: oneLine(err.Error(), 200)}
	}
	return &callError{kind: failTransport, reason: "the model server could not be reached", detail: oneLine(err.Error(), 200)}
}

// retryAfterOf reads how long a 429 asks to wait: Retry-After-Ms (OpenAI's,
// in milliseconds), else Retry-After (seconds or an HTTP date).
func retryAfterOf(res *http.Response) (time.Duration, bool) {
	if res == nil {
		return 0, false
	}
	if v := strings.TrimSpace(res.Header.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < float64(time.Hour/time.Millisecond) {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	return retry.After(res.Header.Get("Retry-After"), time.Now())
}

// settings are the structured-output mode requests use now, and whether
// they set the temperature.
func (e *Engine) settings() (mode string, temperature bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.format, !e.noTemperature
}

// adapt changes what requests ask for after the server refused one as bad
// (400, 422), and reports whether the request should be sent again. A model
// that takes only its default temperature (as OpenAI's reasoning models do)
// names the parameter: requests stop setting it. Otherwise, in auto mode, a
// server that does not take JSON schemas (or JSON mode) is asked for a
// plainer response format; the answer is still parsed strictly.
func (e *Engine) adapt(mode string, temperature bool, ce *callError) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if temperature && (ce.param == "temperature" || strings.Contains(strings.ToLower(ce.detail), "temperature")) {
		if !e.noTemperature {
			e.noTemperature = true
			e.log.Warn("the language model takes no temperature; leaving it to the model from now on", "err", ce.Error())
		}
		return true
	}
	if e.opt.StructuredOutput != modeAuto {
		return false
	}
	if e.format != mode {
		return true // another request already moved it on: try again as it is now
	}
	switch mode {
	case modeJSONSchema:
		e.format = modeJSONObject
	case modeJSONObject:
		e.format = modeNone
	default:
		return false
	}
	e.log.Warn("the language model server refused a response format; asking for JSON in the instructions only from now on",
		"refused", mode, "now", e.format, "err", ce.Error())
	return true
}

// readAnswer takes the JSON object out of a completion, strictly: one
// object, optionally inside a ``` fence, and nothing else.
func readAnswer(comp *openai.ChatCompletion) (map[string]json.RawMessage, *callError) {
	if len(comp.Choices) == 0 {
		return nil, &callError{kind: failMalformed, reason: "the model's answer held no choice"}
	}
	ch := comp.Choices[0]
	switch {
	case ch.Message.Refusal != "":
		return nil, &callError{kind: failRefused, reason: "the model refused to answer", detail: oneLine(ch.Message.Refusal, 200)}
	case ch.FinishReason == "content_filter":
		return nil, &callError{kind: failRefused, reason: "the model's answer was withheld by its content filter"}
	case ch.FinishReason == "length":
		return nil, &callError{kind: failTruncated, reason: "the model's answer was cut short"}
	}
	obj, err := parseObject(ch.Message.Content)
	if err != nil {
		kind, reason := failMalformed, "the model's answer was not the JSON asked for"
		if errors.Is(err, io.ErrUnexpectedEOF) {
			kind, reason = failTruncated, "the model's answer was cut short"
		}
		return nil, &callError{kind: kind, reason: reason, detail: oneLine(err.Error(), 200)}
	}
	return obj, nil
}

// parseObject reads content as exactly one JSON object, allowing white space
// and one Markdown code fence around it.
func parseObject(content string) (map[string]json.RawMessage, error) {
	s := strings.TrimSpace(content)
	if rest, ok := strings.CutPrefix(s, "```"); ok {
		// The fence's first line may name a language ("```json").
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.Contains(rest[:nl], "{") {
			rest = rest[nl+1:]
		}
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "```"))
	}
	if s == "" {
		return nil, errors.New("the answer is empty")
	}
	if s[0] != '{' {
		return nil, fmt.Errorf("the answer starts with %q, not a JSON object", textutil.FirstRunes(s, 20))
	}
	dec := json.NewDecoder(strings.NewReader(s))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("the JSON ends early: %w", io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	if rest := strings.TrimSpace(s[dec.InputOffset():]); rest != "" {
		return nil, fmt.Errorf("text follows the JSON object: %q", textutil.FirstRunes(rest, 20))
	}
	return obj, nil
}

func oneLine(s string, n int) string {
	return textutil.FirstRunes(strings.TrimSpace(textutil.OneLine(s)), n)
}
