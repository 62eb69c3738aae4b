package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
)

// Config is the [slack] section of the configuration file, read and
// checked by package config. Secrets can stay out of the file:
// THREADDIGEST_SLACK_BOT_TOKEN, …_SIGNING_SECRET and …_APP_TOKEN, or ${VAR}
// in a value.
type Config struct {
	// BotToken is the bot user OAuth token (xoxb-…).
	BotToken string `toml:"bot_token" secret:"true"`
	// SigningSecret verifies HTTP requests from Slack.
	SigningSecret string `toml:"signing_secret" secret:"true"`
	// AppToken is the app-level token (xapp-…) for Socket Mode.
	AppToken string `toml:"app_token" secret:"true"`
	// SocketMode receives commands over a Socket Mode connection instead
	// of the HTTP endpoints.
	SocketMode bool `toml:"socket_mode"`
	// APIURL is the Web API base ending in a slash; "" means Slack's own.
	// Set it to reach a proxy or a local fake.
	APIURL string `toml:"api_url"`
}

// Client is the Slack Web API as the bot uses it: posting to channels,
// uploading charts, resolving #names. One Client serves every `slack:CHANNEL`
// destination of a workspace, so that the channel-name cache and the pacing
// of posts per channel are shared.
//
// Wiring (serve): when [slack] bot_token is set, call
// NewClient(cfg, httpClient, logger) once; for each `slack:CHANNEL` in a
// [[digest]]'s `to`, use client.Channel(CHANNEL) as the bot.Destination.
type Client struct {
	api     *slackgo.Client
	logger  *slog.Logger
	spacing time.Duration
	chart   func(bot.Post) ([]byte, error)

	mu        sync.Mutex
	names     map[string]string // channel name (without #) → id
	namesAt   time.Time         // when names was last listed
	listing   chan struct{}     // closed when a running listing ends
	channels  map[string]*channelState
	resume    *resumeLog
	listEvery time.Duration
}

// channelState paces the posts to one channel and keeps two digests for it
// from interleaving.
type channelState struct {
	mu   sync.Mutex
	last time.Time
}

// NewClient returns a Web API client using cfg's bot token and API URL, with
// httpClient (http.DefaultClient when nil).
func NewClient(cfg Config, httpClient *http.Client, logger *slog.Logger) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts := []slackgo.Option{slackgo.OptionHTTPClient(httpClient)}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/" // slack-go appends method names to it
		}
		opts = append(opts, slackgo.OptionAPIURL(u))
	}
	return &Client{
		api:       slackgo.New(cfg.BotToken, opts...),
		logger:    logger,
		spacing:   messageSpacing,
		chart:     regionalChart,
		names:     map[string]string{},
		channels:  map[string]*channelState{},
		resume:    newResumeLog(),
		listEvery: time.Minute,
	}
}

// API is the underlying slack-go client, for Socket Mode.
func (c *Client) API() *slackgo.Client { return c.api }

// ParseChannel checks a `slack:` destination's channel: a channel id
// (C0123ABCD) or a public channel's #name (addr.SlackChannel, the check the
// configuration makes too).
func ParseChannel(spec string) error { return addr.SlackChannel(spec) }

// channelID returns the id of spec, listing the workspace's public channels
// when spec is a name that is not cached. The list is fetched at most once a
// minute, so a wrong name does not hammer conversations.list.
func (c *Client) channelID(ctx context.Context, spec string) (string, error) {
	if !strings.HasPrefix(spec, "#") {
		return spec, nil
	}
	name := strings.TrimPrefix(spec, "#")
	for {
		c.mu.Lock()
		if id, ok := c.names[name]; ok {
			c.mu.Unlock()
			return id, nil
		}
		if c.listing != nil { // another caller is listing: wait for it
			wait := c.listing
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		if !c.namesAt.IsZero() && time.Since(c.namesAt) < c.listEvery {
			c.mu.Unlock()
			return "", &bot.PermanentError{Err: fmt.Errorf("slack channel %s not found among the public channels (invite the app, or give the channel id)", spec)}
		}
		done := make(chan struct{})
		c.listing = done
		c.mu.Unlock()

		names, err := c.listChannels(ctx)

		c.mu.Lock()
		c.listing = nil
		close(done)
		if err != nil {
			c.mu.Unlock()
			return "", err
		}
		c.names, c.namesAt = names, time.Now()
		id, ok := names[name]
		c.mu.Unlock()
		if !ok {
			return "", &bot.PermanentError{Err: fmt.Errorf("slack channel %s not found among the public channels (invite the app, or give the channel id)", spec)}
		}
		return id, nil
	}
}

// ResolveChannel returns the id of a `slack:` destination's channel: spec
// itself when it is an id, else the id of the public channel #name (listed
// with conversations.list, cached). Slash commands carry channel ids, so a
// destination given by #name is matched to them through this.
func (c *Client) ResolveChannel(ctx context.Context, spec string) (string, error) {
	if err := ParseChannel(spec); err != nil {
		return "", err
	}
	return c.channelID(ctx, spec)
}

// forgetChannel drops a cached name whose id Slack no longer knows (the
// channel was renamed, archived or deleted).
func (c *Client) forgetChannel(spec string) {
	if !strings.HasPrefix(spec, "#") {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.names, strings.TrimPrefix(spec, "#"))
	c.namesAt = time.Time{}
}

func (c *Client) listChannels(ctx context.Context) (map[string]string, error) {
	names := map[string]string{}
	cursor := ""
	for page := 0; page < 1000; page++ {
		cctx, cancel := context.WithTimeout(ctx, requestTimeout)
		chs, next, err := c.api.GetConversationsContext(cctx, &slackgo.GetConversationsParameters{
			Cursor: cursor, ExcludeArchived: true, Limit: 200, Types: []string{"public_channel"},
		})
		cancel()
		if err != nil {
			return nil, apiError("conversations.list", err)
		}
		for _, ch := range chs {
			names[ch.Name] = ch.ID
		}
		if next == "" {
			return names, nil
		}
		cursor = next
	}
	return nil, errors.New("slack conversations.list: more than 1000 pages")
}

// channelState returns the pacing state of channel id.
func (c *Client) channelState(id string) *channelState {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.channels[id]
	if !ok {
		st = &channelState{}
		c.channels[id] = st
	}
	return st
}

// retryableCodes are the Web API error codes that a later try can fix.
var retryableCodes = map[string]bool{
	"ratelimited": true, "internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "team_added_to_org": true,
}

// apiError maps a slack-go error to the bot's error kinds: a rate limit to
// *bot.RetryAfterError, 5xx, transport failures and transient codes to a
// plain error (retried), everything else (invalid_auth, channel_not_found,
// not_in_channel, missing_scope, invalid_blocks, …) to *bot.PermanentError.
func apiError(method string, err error) error {
	if err == nil {
		return nil
	}
	wrapped := fmt.Errorf("slack %s: %w", method, err)
	var rl *slackgo.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.RetryAfterError{After: rl.RetryAfter, Err: wrapped}
	}
	var sc slackgo.StatusCodeError
	if errors.As(err, &sc) {
		if sc.Code >= 500 {
			return wrapped
		}
		if sc.Code == http.StatusTooManyRequests {
			return &bot.RetryAfterError{After: defaultRetryAfter, Err: wrapped}
		}
		return &bot.PermanentError{Err: wrapped}
	}
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		if retryableCodes[se.Err] {
			if se.Err == "ratelimited" {
				return &bot.RetryAfterError{After: defaultRetryAfter, Err: wrapped}
			}
			return wrapped
		}
		if se.Needed != "" {
			wrapped = fmt.Errorf("slack %s: %s (the app needs scope %s; reinstall it from the manifest)", method, se.Err, se.Needed)
		}
		return &bot.PermanentError{Err: wrapped}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.As(err, &ne) {
		return wrapped
	}
	// Anything else is most likely a transport failure: retry.
	return wrapped
}

// slackErrorCode returns the Web API error code in err, or "".
func slackErrorCode(err error) string {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}
