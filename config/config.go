// Package config reads threaddigest's TOML configuration file: where state
// lives, which threads to follow, which digests to post where and when, and
// the Slack and Discord settings.
//
// Loading never stops at the first mistake. Every problem is reported with
// the file, line and key it concerns, and what was expected, so that
// `threaddigest check-config` can list them all at once. Unknown keys are
// problems too: a misspelt key would otherwise be silently ignored.
//
// Secrets can stay out of the file: any string value may contain ${VAR},
// replaced by the environment variable VAR, and the THREADDIGEST_… variables
// listed in Overrides replace single keys outright. Redacted returns a copy
// fit for logs.
package config

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/adapters/discord"
	"github.com/threaddigest/threaddigest/adapters/slack"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/schedule"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/internal/duration"
	"github.com/threaddigest/threaddigest/source/sources"
)

// Config is a loaded and validated configuration. After Load succeeds every
// default is filled in, so callers never need to apply their own.
type Config struct {
	Store    Store          `toml:"store"`
	HTTP     HTTP           `toml:"http"`
	Bot      Bot            `toml:"bot"`
	Log      Log            `toml:"log"`
	Threads  []Thread       `toml:"thread"`
	Digests  []Digest       `toml:"digest"`
	Channels []Channel      `toml:"channel"`
	Slack    slack.Config   `toml:"slack"`
	Discord  discord.Config `toml:"discord"`
	Analysis Analysis       `toml:"analysis"`
	LLM      LLM            `toml:"llm"`
	// Sources holds the live sources' credentials and limits (README,
	// "Live sources").
	Sources sources.Settings `toml:"sources"`

	// File is the path the configuration was read from.
	File string `toml:"-"`
	// lines maps key paths ("digest[2].schedule") to the line they are on.
	lines map[string]int
}

// Store says where state lives.
type Store struct {
	// URL is "sqlite:PATH" (the default, "sqlite:threaddigest.db"), a bare
	// path, or "postgres://…". It may carry a password, so it is redacted.
	URL string `toml:"url" secret:"url"`
	// Lease is how long a claim on a digest run or a thread's poll holds
	// before another replica may take it over. Default 30s.
	Lease Duration `toml:"lease"`
	// PoolSize caps the database connections; 0 leaves the driver's default.
	PoolSize int `toml:"pool_size"`
	// Retention says how long what is kept (README "Retention").
	Retention Retention `toml:"retention"`
}

// Retention says what the store keeps and for how long. Each is set after
// Load (defaults filled in); "0" keeps that kind of record for ever (or, for
// QuietThreads, polls every thread for ever, and for Every, leaves pruning
// to `threaddigest prune`).
type Retention struct {
	// SkippedRuns: runs of slots that posted nothing (too few new
	// comments) are deleted this long after their slot. Default 30d.
	SkippedRuns *Duration `toml:"skipped_runs"`
	// FailedRuns: failed and uncertain runs are deleted this long after
	// their slot. Default 90d.
	FailedRuns *Duration `toml:"failed_runs"`
	// UnfollowedThreads: a thread neither configured nor followed from a
	// chat channel is forgotten, with its comments, this long after a prune
	// first found it so. Default 30d.
	UnfollowedThreads *Duration `toml:"unfollowed_threads"`
	// QuietThreads: a thread with no comment added or changed for this long
	// is no longer polled. Default 30d.
	QuietThreads *Duration `toml:"quiet_threads"`
	// Every is how often `serve` prunes. Default 1h.
	Every *Duration `toml:"every"`
}

// HTTP configures the server for /healthz, /metrics and the chat endpoints.
type HTTP struct {
	// Listen is the address, default "127.0.0.1:8080"; "off" runs no server.
	Listen string `toml:"listen"`
}

// Bot holds the service-wide settings.
type Bot struct {
	// ReplicaID names this process in run claims and leases. Default:
	// hostname and process id; THREADDIGEST_REPLICA_ID overrides it.
	ReplicaID string `toml:"replica_id"`
	// Timezone is the zone of schedules written without CRON_TZ= and of
	// channels without their own. Default UTC.
	Timezone string `toml:"timezone"`
	// FollowSchedule is the schedule `/thread follow` uses when none is given,
	// read in the channel's zone. Default "0 9 * * *" (daily at 09:00).
	FollowSchedule string `toml:"follow_schedule"`

	// Zone is Timezone, and Follow is FollowSchedule read in it (a
	// channel's follows read it in theirs: schedule.Schedule.In); both set
	// by Load.
	Zone   *time.Location     `toml:"-"`
	Follow *schedule.Schedule `toml:"-"`
	// CatchUpWindow bounds catch-up: at start, a slot missed less than this
	// long ago is run once. Default 24h.
	CatchUpWindow Duration `toml:"catch_up_window"`
	// PollInterval is how often threads are polled when their own poll is
	// unset. Default 1m.
	PollInterval Duration `toml:"poll_interval"`
	// RunTimeout bounds one run's delivery, retries included. Default 5m.
	RunTimeout Duration `toml:"run_timeout"`
	// MaxThreads caps the threads /thread follow may create. Default 100.
	MaxThreads int `toml:"max_threads"`
	// HomeCountry is the ISO 3166-1 alpha-2 code of the country most
	// commenters are in; ambiguous places lean toward it ("Portland" is
	// Portland, OR for "US"). Default "US".
	HomeCountry string `toml:"home_country"`
}

// Log configures the structured log on stderr.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `toml:"level"`
	// Format is text or json. Default text.
	Format string `toml:"format"`
}

// Thread is a followed thread.
type Thread struct {
	// Name identifies the thread in digests, commands and the store.
	Name string `toml:"name"`
	// Source is where the thread is read from: a file path or a live source
	// address ("reddit:URL", "hn:ID", …).
	Source string `toml:"source"`
	// Target is the stance target; "" lets the digest find it.
	Target string `toml:"target"`
	// Poll is how often the source is read; default [bot] poll_interval.
	Poll Duration `toml:"poll"`
	// Format, Map and ThreadID apply to a file source: its input format
	// (auto, page, jsonl, csv; default auto), a field mapping as for
	// `threaddigest digest --map` ("id=tweet_id,body=text"), and which
	// thread of a file holding several.
	Format   string `toml:"format"`
	Map      string `toml:"map"`
	ThreadID string `toml:"thread_id"`

	// Input is Format and Map as read, set by Load.
	Input input.Options `toml:"-"`
}

// Digest is a scheduled digest of one thread's new comments.
type Digest struct {
	// Name identifies the digest in the store; default the thread's name.
	// Renaming it starts its history afresh.
	Name string `toml:"name"`
	// Thread names the [[thread]] it digests.
	Thread string `toml:"thread"`
	// Schedule is a cron spec, optionally with CRON_TZ=Zone.
	Schedule string `toml:"schedule"`
	// To lists the destinations.
	To []string `toml:"to"`
	// MinNewComments: a slot with fewer new comments posts nothing and
	// leaves them new for the next slot. Default 1; 0 posts even an empty
	// digest.
	MinNewComments *int `toml:"min_new_comments"`
	// MaxArguments caps the arguments shown; 0 for the digest's default.
	MaxArguments int `toml:"max_arguments"`
	// CatchUp runs the most recent missed slot at start. Default true.
	CatchUp *bool `toml:"catch_up"`

	// When is Schedule and Destinations is To, as read; set by Load.
	When         *schedule.Schedule `toml:"-"`
	Destinations []addr.Addr        `toml:"-"`
}

// MinNew returns MinNewComments with its default applied.
func (d Digest) MinNew() int {
	if d.MinNewComments == nil {
		return 1
	}
	return *d.MinNewComments
}

// CatchUpOn returns CatchUp with its default applied.
func (d Digest) CatchUpOn() bool { return d.CatchUp == nil || *d.CatchUp }

// Channel holds per-channel settings.
type Channel struct {
	// ID is the channel as a destination: "slack:C0123", "discord:1234".
	ID string `toml:"id"`
	// Timezone is the zone /thread follow schedules are read in.
	Timezone string `toml:"timezone"`

	// Addr is ID and Zone is Timezone, as read; set by Load.
	Addr addr.Addr      `toml:"-"`
	Zone *time.Location `toml:"-"`
}

// Duration is the configuration's one duration type ("30s", "1h30m",
// "30d"), shared with the [sources] settings.
type Duration = duration.Duration

// Problem is one mistake in the file.
type Problem struct {
	File string
	// Line is 1-based; 0 when the problem concerns no single line (a
	// missing key).
	Line int
	// Key is the path of the key concerned, with 1-based indexes for
	// [[arrays]] of tables: "digest[2].schedule".
	Key string
	Msg string
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found; it is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads and validates the file at path. getenv supplies the environment
// (os.Getenv in production). The error is Problems when the file was read but
// is wrong.
func Load(path string, getenv func(string) string) (*Config, error) {
	c, ps, err := LoadAll(path, getenv)
	if err != nil {
		return nil, err
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return c, nil
}

// LoadAll is Load for check-config: it returns the configuration as far as
// it could be read (the values refused left at their defaults) with every
// problem found, so that the checks that need more than the file can look
// at the rest. The configuration is nil only when the file cannot be read
// or is not TOML at all (err, or a single syntax problem).
func LoadAll(path string, getenv func(string) string) (*Config, Problems, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	c, ps := ParseAll(data, path, getenv)
	return c, ps, nil
}

// Parse reads and validates a configuration held in memory; name is used in
// problems.
func Parse(data []byte, name string, getenv func(string) string) (*Config, error) {
	c, ps := ParseAll(data, name, getenv)
	if len(ps) > 0 {
		return nil, ps
	}
	return c, nil
}

// ParseAll is Parse returning the configuration as far as it could be read
// beside every problem (see LoadAll).
func ParseAll(data []byte, name string, getenv func(string) string) (*Config, Problems) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	c := &Config{File: name}
	lines, _ := keyLines(data) // a syntax error is decode's to report
	c.lines = lines
	ps := c.decode(data, getenv)
	if len(ps) == 1 && ps[0].Line > 0 && ps[0].Key == "" && strings.Contains(ps[0].Msg, "not valid TOML") {
		return nil, ps
	}
	bad := make(map[string]bool, len(ps))
	for _, p := range ps {
		bad[p.Key] = true
	}
	ps = append(ps, c.applyOverrides(getenv)...)
	c.applyDefaults(getenv)
	// A key whose value was refused is reported once: not again as
	// missing or invalid once its default stands in.
	for _, p := range c.validate() {
		if !bad[p.Key] {
			ps = append(ps, p)
		}
	}
	ps.Sort()
	return c, ps
}

// Sort orders problems as the file runs: by line, problems of no single
// line (a missing key, the environment) last.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		li, lj := ps[i].Line, ps[j].Line
		if li == 0 || lj == 0 {
			return lj == 0 && li != 0
		}
		return li < lj
	})
}

// Line returns the line of key (e.g. "digest[2].schedule"), or 0 when the key
// is not in the file.
func (c *Config) Line(key string) int { return c.lines[key] }

// Problem builds a problem about key, for checks made outside this package
// (whether a source opens, say).
func (c *Config) Problem(key, format string, a ...any) Problem {
	return Problem{File: c.File, Line: c.Line(key), Key: key, Msg: fmt.Sprintf(format, a...)}
}

func stripIndexes(path string) string {
	var b strings.Builder
	skip := false
	for _, r := range path {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}
