package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Config is the [discord] section of the configuration file, read and
// checked by package config (which also fills Key). Secrets can stay out of
// the file: THREADDIGEST_DISCORD_BOT_TOKEN, or ${VAR} in a value.
type Config struct {
	// BotToken is the bot's token (without "Bot "). Needed to post to
	// discord:CHANNEL_ID destinations, for the gateway, for `discord
	// register`, and to post answers that outlive an interaction's token.
	BotToken string `toml:"bot_token" secret:"true"`
	// PublicKey is the application's Ed25519 public key in hex, as the
	// developer portal shows it; needed for the HTTP interactions endpoint.
	PublicKey string `toml:"public_key"`
	// Key is PublicKey parsed (ParsePublicKey); nil when it is unset.
	Key ed25519.PublicKey `toml:"-"`
	// ApplicationID is the application's id (a snowflake).
	ApplicationID string `toml:"application_id"`
	// Gateway receives interactions over a bot connection instead of the
	// HTTP endpoint.
	Gateway bool `toml:"gateway"`
	// APIURL replaces Discord's REST API base for every call,
	// webhooks included: a proxy, or a local fake in tests.
	APIURL string `toml:"api_url"`
}

// ParsePublicKey reads the application's public key from its hex form.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("expected the application's public key: %d hexadecimal digits, as the developer portal shows it", 2*ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

func apiBase(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// discordAPI matches the REST base of every URL discordgo or a webhook URL
// uses: https://discord.com/api/ with an optional version.
var discordAPI = regexp.MustCompile(`^https://(?:discord|discordapp|ptb\.discord|canary\.discord)\.com/api/(?:v\d+/)?`)

// rewriteTransport sends every request for Discord's REST API to another
// base URL. Reassigning discordgo's Endpoint variables is not enough: most
// endpoints are computed from them when the package loads.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL.String()
	loc := discordAPI.FindStringIndex(u)
	if loc == nil {
		return t.next.RoundTrip(req)
	}
	to, err := url.Parse(t.base.String() + u[loc[1]:])
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.URL = to
	r.Host = ""
	return t.next.RoundTrip(r)
}

// NewHTTPClient returns a client like base whose requests for Discord's API
// (discordgo's, and webhook URLs) go to apiURL instead; base itself when
// apiURL is "" or Discord's own.
func NewHTTPClient(apiURL string, base *http.Client) (*http.Client, error) {
	if base == nil {
		base = &http.Client{Timeout: 30 * time.Second}
	}
	if apiURL == "" || apiURL == discordgo.EndpointAPI {
		return base, nil
	}
	u, err := apiBase(apiURL)
	if err != nil {
		return nil, fmt.Errorf("discord api_url: %w", err)
	}
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := *base
	c.Transport = &rewriteTransport{base: u, next: next}
	return &c, nil
}

// NewSession returns a discordgo session for the bot token (it may be ""
// when only interaction tokens will be used) whose REST calls go through
// client to cfg.APIURL. It never retries a 429 by itself (discordgo would,
// without end and deaf to contexts): callers get the wait as a
// *bot.RetryAfterError. For the gateway it identifies with no intents:
// interactions arrive regardless.
func NewSession(cfg Config, client *http.Client) (*discordgo.Session, error) {
	token := ""
	if cfg.BotToken != "" {
		token = "Bot " + cfg.BotToken
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	c, err := NewHTTPClient(cfg.APIURL, client)
	if err != nil {
		return nil, err
	}
	s.Client = c
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 1
	s.Identify.Intents = discordgo.IntentsNone
	s.StateEnabled = false
	s.UserAgent = userAgent
	s.LogLevel = discordgo.LogWarning
	return s, nil
}

// BridgeLibraryLog sends discordgo's own log lines to logger. discordgo keeps
// its logger in a package-level variable, so this must be called once, at
// program start (serve and the discord command do), before any session
// exists. Levels map to slog's; discordgo never logs tokens at these levels
// (only its Debug mode prints request headers, and sessions here never set
// it).
func BridgeLibraryLog(logger *slog.Logger) {
	discordgo.Logger = func(level, caller int, format string, a ...any) {
		l := slog.LevelDebug
		switch level {
		case discordgo.LogError:
			l = slog.LevelError
		case discordgo.LogWarning:
			l = slog.LevelWarn
		case discordgo.LogInformational:
			l = slog.LevelInfo
		}
		logger.Log(context.Background(), l, redactURL(fmt.Sprintf(format, a...)), "source", "discordgo")
	}
}

// restOpts are the options of every REST call: the caller's context, which
// must carry a deadline, and no silent retry on 429.
func restOpts(ctx context.Context) []discordgo.RequestOption {
	return []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
}

// withDeadline gives ctx a deadline of d when it has none: discordgo sleeps
// for rate limits without looking at the context, and only a deadline on the
// HTTP request bounds a call.
func withDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// bucketDelay is how long discordgo would sleep before its next request in
// the bucket, as learned from earlier replies' rate-limit headers. discordgo
// sleeps without looking at the context, so callers check this first and
// return a RetryAfterError instead of blocking past their deadline. A bucket
// busy with a request in flight reads as no delay.
func bucketDelay(s *discordgo.Session, bucketID string) time.Duration {
	b := s.Ratelimiter.GetBucket(bucketID)
	if !b.TryLock() {
		return 0
	}
	defer b.Unlock()
	return s.Ratelimiter.GetWaitTime(b, 1)
}
