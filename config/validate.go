package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/adapters/discord"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/schedule"
	"github.com/threaddigest/threaddigest/input"
)

// Defaults, documented in config.example.toml.
const (
	DefaultStoreURL       = "sqlite:threaddigest.db"
	DefaultListen         = "127.0.0.1:8080"
	DefaultLease          = 30 * time.Second
	DefaultFollowSchedule = "0 9 * * *"
	DefaultCatchUpWindow  = 24 * time.Hour
	DefaultPollInterval   = time.Minute
	DefaultRunTimeout     = 5 * time.Minute
	DefaultMaxThreads     = 100

	DefaultKeepSkippedRuns       = 30 * 24 * time.Hour
	DefaultKeepFailedRuns        = 90 * 24 * time.Hour
	DefaultForgetUnfollowedAfter = 30 * 24 * time.Hour
	DefaultStopPollingQuietAfter = 30 * 24 * time.Hour
	DefaultPruneEvery            = time.Hour
)

func (c *Config) applyDefaults(getenv func(string) string) {
	if c.Store.URL == "" {
		c.Store.URL = DefaultStoreURL
	}
	if c.Store.Lease == 0 {
		c.Store.Lease = Duration(DefaultLease)
	}
	r := &c.Store.Retention
	for _, d := range []struct {
		v   **Duration
		def time.Duration
	}{{&r.SkippedRuns, DefaultKeepSkippedRuns}, {&r.FailedRuns, DefaultKeepFailedRuns},
		{&r.UnfollowedThreads, DefaultForgetUnfollowedAfter}, {&r.QuietThreads, DefaultStopPollingQuietAfter},
		{&r.Every, DefaultPruneEvery}} {
		if *d.v == nil {
			v := Duration(d.def)
			*d.v = &v
		}
	}
	if c.HTTP.Listen == "" {
		c.HTTP.Listen = DefaultListen
	}
	if c.Bot.ReplicaID == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "threaddigest"
		}
		c.Bot.ReplicaID = host + "-" + strconv.Itoa(os.Getpid())
	}
	if c.Bot.Timezone == "" {
		c.Bot.Timezone = "UTC"
	}
	if c.Bot.FollowSchedule == "" {
		c.Bot.FollowSchedule = DefaultFollowSchedule
	}
	if c.Bot.CatchUpWindow == 0 {
		c.Bot.CatchUpWindow = Duration(DefaultCatchUpWindow)
	}
	if c.Bot.PollInterval == 0 {
		c.Bot.PollInterval = Duration(DefaultPollInterval)
	}
	if c.Bot.RunTimeout == 0 {
		c.Bot.RunTimeout = Duration(DefaultRunTimeout)
	}
	if c.Bot.MaxThreads == 0 {
		c.Bot.MaxThreads = DefaultMaxThreads
	}
	if c.Bot.HomeCountry == "" {
		c.Bot.HomeCountry = "US"
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	for i := range c.Threads {
		if c.Threads[i].Poll == 0 {
			c.Threads[i].Poll = c.Bot.PollInterval
		}
	}
	for i := range c.Digests {
		if c.Digests[i].Name == "" {
			c.Digests[i].Name = c.Digests[i].Thread
		}
	}
	c.applyLLMDefaults(getenv)
	c.Sources = c.Sources.WithDefaults()
	if c.Slack.APIURL != "" && !strings.HasSuffix(c.Slack.APIURL, "/") {
		// slack-go joins method names onto it directly.
		c.Slack.APIURL += "/"
	}
}

// ChannelZone returns the zone of a channel ("slack", "C0123"): its
// [[channel]] timezone, else [bot] timezone.
func (c *Config) ChannelZone(platform, channel string) *time.Location {
	for _, ch := range c.Channels {
		if ch.Addr.Kind == addr.Kind(platform) && ch.Addr.Target == channel && ch.Zone != nil {
			return ch.Zone
		}
	}
	return c.Bot.Zone
}

// Thread returns the [[thread]] named name.
func (c *Config) Thread(name string) (Thread, bool) {
	for _, t := range c.Threads {
		if t.Name == name {
			return t, true
		}
	}
	return Thread{}, false
}

// ValidName reports whether s can name a thread or digest: letters, digits,
// '-', '_' and '.', starting with a letter or digit, at most 64 bytes. Names
// appear in file names, commands and metrics, so nothing else is allowed.
func ValidName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '-' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// validate checks every setting and keeps what it parses (zones,
// schedules, destinations, input options) in the fields Load documents, so
// that nothing downstream parses a setting again.
func (c *Config) validate() Problems {
	var ps Problems
	add := func(key, format string, a ...any) { ps = append(ps, c.Problem(key, format, a...)) }

	if c.Store.Lease.D() < time.Second {
		add("store.lease", "%s is too short: expected at least 1s", c.Store.Lease.D())
	}
	if c.Store.PoolSize < 0 {
		add("store.pool_size", "must not be negative")
	}
	r := c.Store.Retention
	for _, d := range []struct {
		key string
		v   *Duration
	}{{"skipped_runs", r.SkippedRuns}, {"failed_runs", r.FailedRuns}, {"unfollowed_threads", r.UnfollowedThreads},
		{"quiet_threads", r.QuietThreads}, {"every", r.Every}} {
		if d.v != nil && d.v.D() < 0 {
			add("store.retention."+d.key, "must not be negative: expected a duration such as \"30d\", or \"0\" to keep for ever")
		}
	}
	if r.Every != nil && r.Every.D() > 0 && r.Every.D() < time.Minute {
		add("store.retention.every", "%s is too often: expected at least 1m, or \"0\" to prune only with `threaddigest prune`", r.Every.D())
	}
	if r.QuietThreads != nil && r.QuietThreads.D() > 0 && r.QuietThreads.D() < time.Hour {
		add("store.retention.quiet_threads", "%s is too short: expected at least 1h, or \"0\" to poll every thread for ever", r.QuietThreads.D())
	}
	if c.HTTP.Listen != "off" {
		if err := checkListen(c.HTTP.Listen); err != nil {
			add("http.listen", "%v", err)
		}
	}
	zone, err := time.LoadLocation(c.Bot.Timezone)
	if err != nil {
		add("bot.timezone", "unknown time zone %q: expected an IANA name such as Europe/Berlin", c.Bot.Timezone)
		zone = time.UTC
	}
	c.Bot.Zone = zone
	if c.Bot.Follow, err = schedule.Parse(c.Bot.FollowSchedule, zone); err != nil {
		add("bot.follow_schedule", "%v", err)
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{{"bot.catch_up_window", c.Bot.CatchUpWindow}, {"bot.poll_interval", c.Bot.PollInterval}, {"bot.run_timeout", c.Bot.RunTimeout}} {
		if d.v.D() < time.Second {
			add(d.key, "%s is too short: expected at least 1s", d.v.D())
		}
	}
	if c.Bot.MaxThreads < 0 {
		add("bot.max_threads", "must not be negative")
	}
	if h := c.Bot.HomeCountry; len(h) != 2 || strings.ToUpper(h) != h || strings.Trim(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		add("bot.home_country", "%q: expected an ISO 3166-1 alpha-2 code such as US, GB or DE", h)
	}
	if c.Sources.MaxPages < 0 {
		add("sources.max_pages", "must not be negative")
	}
	if c.Sources.MaxBodyBytes < 0 {
		add("sources.max_body_bytes", "must not be negative")
	}
	if c.Sources.RequestsPerMinute < 0 {
		add("sources.requests_per_minute", "must not be negative")
	}
	if c.Sources.Retries < 0 {
		add("sources.retries", "must not be negative")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "%q: expected debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add("log.format", "%q: expected text or json", c.Log.Format)
	}

	threads := make(map[string]int)
	for i := range c.Threads {
		t := &c.Threads[i]
		key := fmt.Sprintf("thread[%d]", i+1)
		switch {
		case t.Name == "":
			add(key+".name", "missing: every [[thread]] needs a name")
		case !ValidName(t.Name):
			add(key+".name", "%q: expected letters, digits, '-', '_' or '.', at most 64 characters, starting with a letter or digit", t.Name)
		case threads[t.Name] > 0:
			add(key+".name", "%q is already the name of thread[%d]", t.Name, threads[t.Name])
		default:
			threads[t.Name] = i + 1
		}
		if strings.TrimSpace(t.Source) == "" {
			add(key+".source", "missing: expected a file path or a live source address such as reddit:URL")
		}
		format, err := input.ParseFormat(t.Format)
		if err != nil {
			add(key+".format", "%v", err)
		}
		if m, err := input.ParseMap(t.Map); err != nil {
			add(key+".map", "%v", err)
		} else if format == input.Page && strings.TrimSpace(t.Map) != "" {
			add(key+".map", "a page file's fields are fixed: map applies only to csv and jsonl files; leave it out, or set format")
		} else {
			t.Input = input.Options{Format: format, Map: m}
		}
		if t.Poll.D() < time.Second {
			add(key+".poll", "%s is too short: expected at least 1s", t.Poll.D())
		}
	}

	digests := make(map[string]int)
	chat := map[addr.Kind]bool{}
	for i := range c.Digests {
		d := &c.Digests[i]
		d.Destinations = nil
		key := fmt.Sprintf("digest[%d]", i+1)
		switch {
		case d.Thread == "":
			add(key+".thread", "missing: expected the name of a [[thread]]")
		case threads[d.Thread] == 0:
			add(key+".thread", "%q names no [[thread]]%s", d.Thread, known(c.Threads))
		}
		switch {
		case d.Name == "":
		case !ValidName(d.Name):
			add(key+".name", "%q: expected letters, digits, '-', '_' or '.', at most 64 characters", d.Name)
		case digests[d.Name] > 0:
			add(key+".name", "%q is already the name of digest[%d]; give one of them a distinct name (the name keys its history)", d.Name, digests[d.Name])
		default:
			digests[d.Name] = i + 1
		}
		if d.When, err = schedule.Parse(d.Schedule, zone); err != nil {
			add(key+".schedule", "%v", err)
		}
		if len(d.To) == 0 {
			add(key+".to", "missing: expected a list of destinations, e.g. [\"stdout\"]")
		}
		seen := make(map[string]int)
		for j, to := range d.To {
			tkey := fmt.Sprintf("%s.to[%d]", key, j+1)
			a, err := addr.Parse(to)
			if err != nil {
				add(tkey, "%v", err)
				continue
			}
			if prev := seen[a.Key()]; prev > 0 {
				add(tkey, "%s is listed twice (also to[%d])", a.Key(), prev)
			}
			seen[a.Key()] = j + 1
			chat[a.Kind] = true
			d.Destinations = append(d.Destinations, a)
		}
		if d.MinNewComments != nil && *d.MinNewComments < 0 {
			add(key+".min_new_comments", "must not be negative")
		}
		if d.MaxArguments < 0 {
			add(key+".max_arguments", "must not be negative")
		}
	}

	for i := range c.Channels {
		ch := &c.Channels[i]
		key := fmt.Sprintf("channel[%d]", i+1)
		if a, err := addr.Parse(ch.ID); err != nil || (a.Kind != addr.Slack && a.Kind != addr.Discord) {
			add(key+".id", "%q: expected a chat channel such as \"slack:C0123ABCD\" or \"discord:123456789012345678\"", ch.ID)
		} else {
			ch.Addr = a
		}
		if loc, err := time.LoadLocation(ch.Timezone); ch.Timezone == "" || err != nil {
			add(key+".timezone", "unknown time zone %q: expected an IANA name such as America/Chicago", ch.Timezone)
		} else {
			ch.Zone = loc
		}
	}

	if chat[addr.Slack] && c.Slack.BotToken == "" {
		add("slack.bot_token", "missing: a [[digest]] posts to a slack: channel, which needs the bot token (set it, or THREADDIGEST_SLACK_BOT_TOKEN)")
	}
	if c.Slack.SocketMode && c.Slack.AppToken == "" {
		add("slack.app_token", "missing: socket_mode needs an app-level token (xapp-…)")
	}
	if c.Slack.SocketMode && c.Slack.BotToken == "" {
		add("slack.bot_token", "missing: socket_mode needs the bot token too")
	}
	if c.Slack.APIURL != "" {
		if u, err := url.Parse(c.Slack.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("slack.api_url", "%q is not an http(s) URL", c.Slack.APIURL)
		}
	}
	if chat[addr.Discord] && c.Discord.BotToken == "" {
		add("discord.bot_token", "missing: a [[digest]] posts to a discord: channel, which needs the bot token (set it, or THREADDIGEST_DISCORD_BOT_TOKEN)")
	}
	c.Discord.Key = nil
	if k := c.Discord.PublicKey; k != "" {
		if c.Discord.Key, err = discord.ParsePublicKey(k); err != nil {
			add("discord.public_key", "%v", err)
		}
	}
	if id := c.Discord.ApplicationID; id != "" && strings.Trim(id, "0123456789") != "" {
		add("discord.application_id", "%q: expected digits only", id)
	}
	if c.Discord.Gateway && c.Discord.BotToken == "" {
		add("discord.bot_token", "missing: gateway mode needs the bot token")
	}
	if c.Discord.APIURL != "" {
		if u, err := url.Parse(c.Discord.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("discord.api_url", "%q is not an http(s) URL", c.Discord.APIURL)
		}
	}
	ps = append(ps, c.validateLLM()...)
	return ps
}

func known(ts []Thread) string {
	if len(ts) == 0 {
		return " (there are none)"
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return " (threads: " + strings.Join(names, ", ") + ")"
}

// checkListen checks a listen address as far as the text goes: host:port,
// a port that is a number from 0 to 65535 or a service name, and a host
// that is empty (every interface), an IP address or a host name. Whether
// the address can be bound (an address of this machine, a free port) only
// binding tells: check-config tries it.
func checkListen(listen string) error {
	const want = `expected e.g. "127.0.0.1:8080", ":8080", "[::1]:8080" or "off"`
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" {
		return fmt.Errorf("%q is not a host:port address: %s", listen, want)
	}
	if n, err := strconv.Atoi(port); err == nil {
		if n < 0 || n > 65535 {
			return fmt.Errorf("%q: port %d is out of range: expected 0 to 65535", listen, n)
		}
	} else if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("%q: port %q is neither a number nor a known service: %s", listen, port, want)
	}
	if host == "" || net.ParseIP(host) != nil {
		return nil
	}
	if ip, zone, ok := strings.Cut(host, "%"); ok && zone != "" && net.ParseIP(ip) != nil {
		return nil // an IPv6 address with its zone: fe80::1%eth0
	}
	if !hostName(host) {
		return fmt.Errorf("%q: %q is neither an IP address nor a host name: %s", listen, host, want)
	}
	return nil
}

// hostName reports whether s is a host name as RFC 1123 has it: dot-separated
// labels of letters, digits and inner hyphens, at most 63 bytes each and 253
// in all, the last not all digits (so that 300.1.1.1 is no name).
func hostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}
