// Package sources opens any thread address as a source.Source: a file path
// or a live comment section ("reddit:URL", "hn:ID", "discourse:URL",
// "disqus:FORUM/THREAD-ID", "feed:URL", "json:URL" or "json:NAME", and bare
// Reddit and Hacker News URLs). The service and the command line both open
// threads through Open, so an address means the same everywhere.
package sources

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/internal/duration"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/discourse"
	"github.com/threaddigest/threaddigest/source/disqus"
	"github.com/threaddigest/threaddigest/source/feed"
	"github.com/threaddigest/threaddigest/source/fetch"
	"github.com/threaddigest/threaddigest/source/file"
	"github.com/threaddigest/threaddigest/source/hackernews"
	"github.com/threaddigest/threaddigest/source/jsonapi"
	"github.com/threaddigest/threaddigest/source/reddit"
	"golang.org/x/time/rate"
)

// Settings are the [sources] table of the configuration: credentials and
// knobs of the live sources. The zero value works for every source that
// needs no credentials.
type Settings struct {
	// UserAgent is sent with every request; Reddit asks for a descriptive
	// one naming the app and a contact.
	UserAgent string `toml:"user_agent"`
	// Timeout is the deadline of one request ("20s").
	Timeout duration.Duration `toml:"timeout"`
	// MaxPages caps the requests of one poll of one thread (20), so that a
	// giant thread cannot stall the others; the rest is read at later polls.
	MaxPages int `toml:"max_pages"`
	// MaxBodyBytes caps one response (8 MiB).
	MaxBodyBytes int64 `toml:"max_body_bytes"`
	// RequestsPerMinute limits requests to each host (60), in bursts of 5.
	RequestsPerMinute float64 `toml:"requests_per_minute"`
	// Retries after a failed request (3), with exponential backoff.
	Retries int `toml:"retries"`

	Reddit reddit.Config     `toml:"reddit"`
	HN     hackernews.Config `toml:"hn"`
	Disqus disqus.Config     `toml:"disqus"`
	// JSON holds the mappings of generic JSON endpoints, by name.
	JSON map[string]jsonapi.Mapping `toml:"json"`
}

// Defaults of [sources]: what each field left out (or zero) stands for.
const (
	DefaultTimeout           = 20 * time.Second
	DefaultMaxPages          = 20
	DefaultMaxBodyBytes      = 8 << 20
	DefaultRequestsPerMinute = 60
	DefaultRetries           = 3
	DefaultHNRefreshEvery    = 6
)

// WithDefaults returns s with every field left out set to the value it
// stands for, so that a printed configuration (check-config --print) shows
// what is used. Opening sources with it or without gives the same sources.
func (s Settings) WithDefaults() Settings {
	if s.UserAgent == "" {
		s.UserAgent = fetch.DefaultUserAgent()
	}
	if s.Timeout == 0 {
		s.Timeout = duration.Duration(DefaultTimeout)
	}
	if s.MaxPages == 0 {
		s.MaxPages = DefaultMaxPages
	}
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.RequestsPerMinute == 0 {
		s.RequestsPerMinute = DefaultRequestsPerMinute
	}
	if s.Retries == 0 {
		s.Retries = DefaultRetries
	}
	if s.Reddit.TokenURL == "" {
		s.Reddit.TokenURL = reddit.DefaultTokenURL
	}
	if s.Reddit.APIURL == "" {
		s.Reddit.APIURL = reddit.DefaultAPIURL
	}
	if s.HN.AlgoliaURL == "" {
		s.HN.AlgoliaURL = hackernews.DefaultAlgoliaURL
	}
	if s.HN.FirebaseURL == "" {
		s.HN.FirebaseURL = hackernews.DefaultFirebaseURL
	}
	if s.HN.RefreshEvery == 0 {
		s.HN.RefreshEvery = DefaultHNRefreshEvery
	}
	if s.Disqus.APIURL == "" {
		s.Disqus.APIURL = disqus.DefaultAPIURL
	}
	return s
}

// Deps are what Open needs from its caller.
type Deps struct {
	// HTTP sends every request; nil uses a client of its own.
	HTTP *http.Client
	// Limits are the per-host rate limits; share one (NewLimits) across
	// every source of a process. nil makes limits for this source alone.
	Limits *fetch.Limits
	// Log receives skipped records and retries.
	Log *slog.Logger
	// Getenv supplies credentials missing from Settings
	// (THREADDIGEST_REDDIT_CLIENT_ID, THREADDIGEST_REDDIT_CLIENT_SECRET,
	// THREADDIGEST_DISQUS_API_KEY); nil reads none.
	Getenv func(string) string
	// Now is the clock (for OAuth token expiry); nil is time.Now.
	Now func() time.Time
	// Fetch tunes the HTTP client beyond Settings (tests seed the jitter
	// and record waits here).
	Fetch fetch.Config
	// File and Thread are the input options and thread id for file
	// addresses.
	File   input.Options
	Thread string
}

// NewLimits returns per-host limits as Settings ask, to share across
// sources.
func NewLimits(s Settings) *fetch.Limits {
	perMinute := s.RequestsPerMinute
	if perMinute <= 0 {
		perMinute = 60
	}
	return fetch.NewLimits(rate.Limit(perMinute/60), fetch.DefaultBurst)
}

// Kinds of address.
const (
	KindFile      = "file"
	KindReddit    = "reddit"
	KindHN        = "hn"
	KindDiscourse = "discourse"
	KindDisqus    = "disqus"
	KindFeed      = "feed"
	KindJSON      = "json"
)

// Address is a parsed thread address.
type Address struct {
	Kind   string
	Target string // the URL, id, FORUM/THREAD, mapping name or file path
}

// Live reports whether the address is read over the network.
func (a Address) Live() bool { return a.Kind != KindFile }

// ParseAddress reads an address. A prefix names the kind; a bare http(s)
// URL is accepted when its host says which site it is (Reddit, Hacker
// News); anything else is a file path.
func ParseAddress(spec string) (Address, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return Address{}, fmt.Errorf("empty thread address: expected a file path or reddit:URL, hn:ID, discourse:URL, disqus:FORUM/THREAD-ID, feed:URL, json:URL")
	}
	if kind, rest, ok := strings.Cut(spec, ":"); ok {
		switch kind {
		case KindReddit, KindHN, KindDiscourse, KindDisqus, KindFeed, KindJSON, KindFile:
			rest = strings.TrimSpace(rest)
			if rest == "" {
				return Address{}, fmt.Errorf("thread address %q: nothing after %q", spec, kind+":")
			}
			return Address{Kind: kind, Target: rest}, nil
		case "http", "https":
			u, err := url.Parse(spec)
			if err != nil || u.Host == "" {
				return Address{}, fmt.Errorf("thread address %q is not a valid URL", spec)
			}
			host := strings.ToLower(u.Hostname())
			switch {
			case host == "reddit.com" || strings.HasSuffix(host, ".reddit.com"):
				return Address{Kind: KindReddit, Target: spec}, nil
			case host == "news.ycombinator.com" || host == "hn.algolia.com":
				return Address{Kind: KindHN, Target: spec}, nil
			}
			return Address{}, fmt.Errorf("thread address %q: cannot tell which kind of site %s is; write discourse:URL, feed:URL or json:URL", spec, u.Host)
		}
	}
	return Address{Kind: KindFile, Target: spec}, nil
}

// Open returns the source an address names.
func Open(spec string, s Settings, deps Deps) (source.Source, error) {
	addr, err := ParseAddress(spec)
	if err != nil {
		return nil, err
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if addr.Kind == KindFile {
		return file.New(addr.Target, deps.File, deps.Thread, log), nil
	}
	getenv := deps.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	limits := deps.Limits
	if limits == nil {
		limits = NewLimits(s)
	}
	cfg := deps.Fetch
	if cfg.UserAgent == "" {
		cfg.UserAgent = s.UserAgent
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = s.Timeout.D()
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = s.MaxBodyBytes
	}
	if cfg.Retries == 0 {
		cfg.Retries = s.Retries
	}
	client := fetch.New(deps.HTTP, limits, log.With("source", addr.Kind), cfg)
	switch addr.Kind {
	case KindReddit:
		rc := s.Reddit
		if rc.ClientID == "" {
			rc.ClientID = getenv("THREADDIGEST_REDDIT_CLIENT_ID")
		}
		if rc.ClientSecret == "" {
			rc.ClientSecret = getenv("THREADDIGEST_REDDIT_CLIENT_SECRET")
		}
		return reddit.New(addr.Target, rc, client, s.MaxPages, deps.Now)
	case KindHN:
		id, hc, err := hackernews.ParseAddress(addr.Target, s.HN)
		if err != nil {
			return nil, err
		}
		return hackernews.New(id, hc, client), nil
	case KindDiscourse:
		return discourse.New(addr.Target, client, s.MaxPages)
	case KindDisqus:
		forum, thread, err := disqus.ParseAddress(addr.Target)
		if err != nil {
			return nil, err
		}
		dc := s.Disqus
		if dc.APIKey == "" {
			dc.APIKey = getenv("THREADDIGEST_DISQUS_API_KEY")
		}
		return disqus.New(forum, thread, dc, client, s.MaxPages)
	case KindFeed:
		u, err := url.Parse(addr.Target)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("feed: %q: expected an http(s) URL of an RSS or Atom feed", addr.Target)
		}
		return feed.New(addr.Target, client), nil
	case KindJSON:
		target, m, err := pickMapping(addr.Target, s.JSON)
		if err != nil {
			return nil, err
		}
		return jsonapi.New(target, m, client, log, s.MaxPages)
	}
	return nil, fmt.Errorf("unknown address kind %q", addr.Kind)
}

// pickMapping finds the JSON mapping of json:NAME or json:URL.
func pickMapping(target string, maps map[string]jsonapi.Mapping) (string, jsonapi.Mapping, error) {
	names := make([]string, 0, len(maps))
	for name := range maps {
		names = append(names, name)
	}
	sort.Strings(names)
	if m, ok := maps[target]; ok {
		if m.URL == "" {
			return "", m, fmt.Errorf("json:%s: the mapping [sources.json.%s] has no url", target, target)
		}
		return m.URL, m, nil
	}
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		return "", jsonapi.Mapping{}, fmt.Errorf("json:%s: no mapping of that name in [sources.json] (mappings: %s)", target, listOrNone(names))
	}
	for _, name := range names {
		if maps[name].URL == target {
			return target, maps[name], nil
		}
	}
	best := ""
	for _, name := range names {
		if m := maps[name].Match; m != "" && strings.HasPrefix(target, m) && len(m) > len(maps[best].Match) {
			best = name
		}
	}
	if best != "" {
		return target, maps[best], nil
	}
	return "", jsonapi.Mapping{}, fmt.Errorf("json:%s: no mapping in [sources.json] has this url or a match prefix of it (mappings: %s)", target, listOrNone(names))
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Ensure the sources satisfy the interface.
var (
	_ source.Source = (*file.Source)(nil)
	_ source.Source = (*reddit.Source)(nil)
	_ source.Source = (*hackernews.Source)(nil)
	_ source.Source = (*discourse.Source)(nil)
	_ source.Source = (*disqus.Source)(nil)
	_ source.Source = (*feed.Source)(nil)
	_ source.Source = (*jsonapi.Source)(nil)
)
