// Package commands answers /thread commands from any chat platform: it
// turns a platform-neutral bot.Request into a bot.Response. The Slack and
// Discord adapters call Cached inside the platform's three-second
// acknowledgement and, when it has no answer, Answer from work that
// outlives the request.
package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/digests"
	"github.com/threaddigest/threaddigest/bot/schedule"
	"github.com/threaddigest/threaddigest/bot/scheduler"
	"github.com/threaddigest/threaddigest/retention"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/store"
)

// Following is what the service follows, and where: the threads it polls
// and the digests it posts (bot/scheduler).
type Following interface {
	Thread(name string) (scheduler.ThreadSpec, bool)
	Threads() []scheduler.ThreadSpec
	Digests() []scheduler.DigestSpec
	// ChannelOf returns the platform and channel id a chat destination
	// posts to.
	ChannelOf(a addr.Addr) (platform, channel string, ok bool)
	// CoveredFrom returns where the new comments of a digest to a
	// destination start.
	CoveredFrom(ctx context.Context, digest, destination string) (int64, error)
}

// Scheduling takes a follow or an unfollow into account at once.
type Scheduling interface {
	// Destination opens a channel's destination, to check that digests
	// can be posted there.
	Destination(a addr.Addr) (bot.Destination, error)
	// Reconcile schedules (or unschedules) what the store's follows say.
	Reconcile(ctx context.Context) error
	// PollNow reads a thread's source, so that the first questions have
	// an answer; false when the thread is not polled here.
	PollNow(ctx context.Context, thread string) bool
}

// Digests are the digests of the threads (bot/digests).
type Digests interface {
	Cached(ctx context.Context, thread string, req digests.Request) (digests.Result, bool)
	Digest(ctx context.Context, thread string, req digests.Request) (digests.Result, error)
}

// Store is what the commands read and write of the store.
type Store interface {
	Threads(ctx context.Context) ([]store.ThreadRecord, error)
	Thread(ctx context.Context, name string) (store.ThreadRecord, error)
	SaveThread(ctx context.Context, t store.ThreadRecord) error
	MarkActive(ctx context.Context, thread string, now time.Time) error
	SourceState(ctx context.Context, thread string) (string, error)
	LastPosted(ctx context.Context, digest, destination string) (store.Run, bool, error)
	AddFollow(ctx context.Context, f store.Follow) error
	RemoveFollow(ctx context.Context, platform, channel, thread string) error
	Follows(ctx context.Context, platform, channel string) ([]store.Follow, error)
}

// Deps are what the commands are built from.
type Deps struct {
	Store      Store
	Following  Following
	Scheduling Scheduling
	Digests    Digests
	// OpenSource opens a live source address, to check that a follow can
	// read it.
	OpenSource func(address string) (source.Source, error)
	Logger     *slog.Logger
	Clock      bot.Clock
	// Metrics may be nil.
	Metrics *Metrics
}

// Settings tune the commands. Zero values take the defaults documented on
// each field.
type Settings struct {
	// Zone reads dates given without a zone. Default UTC.
	Zone *time.Location
	// ChannelZone gives a chat channel's zone; nil uses Zone.
	ChannelZone func(platform, channel string) *time.Location
	// FollowSchedule is the schedule of /thread follow without a CRON,
	// read in the channel's zone unless it names its own (config parses
	// it once: [bot] follow_schedule). Default "0 9 * * *".
	FollowSchedule *schedule.Schedule
	// MaxThreads caps the threads /thread follow may create. Default 100.
	MaxThreads int
	// QuietAfter is how long a thread with no new comment is polled
	// ([store.retention] quiet_threads), for /thread list; 0 for ever.
	QuietAfter time.Duration
}

// Commands answers /thread commands.
type Commands struct {
	deps Deps
	set  Settings
	log  *slog.Logger
	// cachedBudget bounds the store reads Cached may make.
	cachedBudget time.Duration
}

// New returns the command handler.
func New(deps Deps, set Settings) (*Commands, error) {
	if deps.Store == nil || deps.Following == nil || deps.Scheduling == nil || deps.Digests == nil || deps.OpenSource == nil {
		return nil, errors.New("commands: New needs Store, Following, Scheduling, Digests and OpenSource")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Clock == nil {
		deps.Clock = bot.SystemClock{}
	}
	if set.Zone == nil {
		set.Zone = time.UTC
	}
	if set.FollowSchedule == nil {
		daily, err := schedule.Parse("0 9 * * *", set.Zone)
		if err != nil {
			return nil, fmt.Errorf("commands: follow schedule: %w", err)
		}
		set.FollowSchedule = daily
	}
	if set.MaxThreads <= 0 {
		set.MaxThreads = 100
	}
	return &Commands{deps: deps, set: set, log: deps.Logger, cachedBudget: time.Second}, nil
}

// subLabel is a subcommand as the metrics label it: unknown ones alike.
func subLabel(sub string) string {
	if _, ok := bot.Lookup(sub); ok {
		return sub
	}
	return "unknown"
}

// channelZone is the zone of a chat channel.
func (c *Commands) channelZone(platform, channel string) *time.Location {
	if c.set.ChannelZone != nil {
		if z := c.set.ChannelZone(platform, channel); z != nil {
			return z
		}
	}
	return c.set.Zone
}

func text(msg string, ephemeral bool) bot.Response {
	return bot.Response{Kind: bot.KindText, Text: msg, Ephemeral: ephemeral}
}

// Cached answers without slow work: help and usage, list, and a digest or
// stance already cached for the thread at its current version. It makes at
// most a few quick store reads, bounded by a short deadline. ok is false when
// the answer needs Answer.
func (c *Commands) Cached(req bot.Request) (bot.Response, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cachedBudget)
	defer cancel()
	resp, ok := c.cached(ctx, req)
	if ok {
		c.deps.Metrics.command(subLabel(req.Sub), true)
	}
	return resp, ok
}

func (c *Commands) cached(ctx context.Context, req bot.Request) (bot.Response, bool) {
	sc, _ := bot.Lookup(req.Sub)
	switch {
	case req.Sub == "", req.Sub == "help":
		return text(bot.Help(req.Platform), true), true
	case req.Sub == "list":
		return c.list(ctx, req), true
	case sc.Changes:
		return bot.Response{}, false
	case sc.Query:
		thread, ar, resp, ok := c.query(ctx, req)
		if !ok {
			return resp, true // a usage mistake: answered at once
		}
		res, hit := c.deps.Digests.Cached(ctx, thread, ar)
		if !hit {
			return bot.Response{}, false
		}
		if req.Sub == "digest" && res.NewCount == 0 {
			if !ar.Since.IsZero() {
				return c.nothingSince(req, ar.Since), true
			}
			whole, hit := c.deps.Digests.Cached(ctx, thread, wholeOf(ar))
			if !hit {
				return bot.Response{}, false
			}
			return c.wholeInstead(req, thread, whole), true
		}
		return digestResponse(req.Sub, thread, res), true
	}
	return text(fmt.Sprintf("Unknown subcommand %q.\n%s", req.Sub, bot.Help(req.Platform)), true), true
}

// Answer gives the full answer, computing a digest when none is cached, and
// carries out follow and unfollow.
func (c *Commands) Answer(ctx context.Context, req bot.Request) bot.Response {
	c.deps.Metrics.command(subLabel(req.Sub), false)
	sc, _ := bot.Lookup(req.Sub)
	switch {
	case req.Sub == "follow":
		return c.follow(ctx, req)
	case req.Sub == "unfollow":
		return c.unfollow(ctx, req)
	case sc.Query:
		thread, ar, resp, ok := c.query(ctx, req)
		if !ok {
			return resp
		}
		res, err := c.deps.Digests.Digest(ctx, thread, ar)
		if err == nil && req.Sub == "digest" && res.NewCount == 0 {
			if !ar.Since.IsZero() {
				return c.nothingSince(req, ar.Since)
			}
			if res, err = c.deps.Digests.Digest(ctx, thread, wholeOf(ar)); err == nil {
				return c.wholeInstead(req, thread, res)
			}
		}
		if err != nil {
			c.log.Error("answering a command failed", "sub", req.Sub, "thread", thread, "err", err)
			return text("Sorry, the digest could not be computed right now; try again in a minute.", true)
		}
		return digestResponse(req.Sub, thread, res)
	}
	resp, _ := c.cached(ctx, req)
	return resp
}

// wholeOf is the request for the whole thread in place of ar.
func wholeOf(ar digests.Request) digests.Request {
	return digests.Request{Target: ar.Target, Whole: true, MaxArguments: ar.MaxArguments}
}

// wholeInstead answers /thread digest when nothing is new since the last
// digest posted here: with the whole thread rather than an empty card, and
// how to ask for a window.
func (c *Commands) wholeInstead(req bot.Request, thread string, res digests.Result) bot.Response {
	r := digestResponse(req.Sub, thread, res)
	r.Text = "No new comments since the last digest posted here, so this is the whole thread. For the comments of a time window: " +
		windowExample(req.Platform) + "."
	return r
}

// nothingSince answers /thread digest SINCE when no comment was written
// since then.
func (c *Commands) nothingSince(req bot.Request, since time.Time) bot.Response {
	zone := c.channelZone(req.Platform, req.Channel)
	return text(fmt.Sprintf("No comment was written since %s. Ask for a longer window (%s), or /thread digest alone for the comments since the last digest posted here (the whole thread when none is new).",
		since.In(zone).Format("2006-01-02 15:04 MST"), windowExample(req.Platform)), true)
}

// windowExample shows how to ask for a window on a platform.
func windowExample(platform string) string {
	if platform == "discord" {
		return "/thread digest since:24h, since:7d or since:2026-03-01"
	}
	return "/thread digest 24h, 7d or 2026-03-01"
}

func digestResponse(sub, thread string, res digests.Result) bot.Response {
	d := res.Digest
	return bot.Response{Kind: bot.ResponseKind(sub), Ephemeral: true, Thread: thread, Digest: &d}
}

// query works out the thread and the digest a query asks for. When ok is
// false, resp is the answer (a usage mistake).
func (c *Commands) query(ctx context.Context, req bot.Request) (thread string, ar digests.Request, resp bot.Response, ok bool) {
	thread, rest, resp, ok := c.pickThread(req, req.Args)
	if !ok {
		return "", ar, resp, false
	}
	spec, _ := c.deps.Following.Thread(thread)
	ar = digests.Request{Target: spec.Target, Whole: true}
	switch req.Sub {
	case "stance":
		if len(rest) > 0 {
			ar.Target = strings.Join(rest, " ")
		}
	case "digest":
		ar.Whole = false
		if len(rest) > 0 {
			since, err := parseSince(strings.Join(rest, " "), c.deps.Clock.Now(), c.channelZone(req.Platform, req.Channel))
			if err != nil {
				return "", ar, text(err.Error()+"\nUsage: "+bot.Syntax(req.Platform, "digest"), true), false
			}
			ar.Since = since
		} else {
			from, err := c.postedHere(ctx, req, thread)
			if err != nil {
				return "", ar, text("Sorry, the store could not be read right now; try again in a minute.", true), false
			}
			ar.AfterSeq = from
		}
	default:
		if len(rest) > 0 {
			return "", ar, text(fmt.Sprintf("/thread %s takes no argument besides a thread name; %q is not a thread here.", req.Sub, rest[0]), true), false
		}
	}
	return thread, ar, bot.Response{}, true
}

// postedHere returns the coverage of the last digest of thread posted to the
// request's channel, by any digest (configured or followed) that posts there.
func (c *Commands) postedHere(ctx context.Context, req bot.Request, thread string) (int64, error) {
	var from int64
	for _, d := range c.deps.Following.Digests() {
		if d.Thread != thread {
			continue
		}
		for _, to := range d.To {
			if p, ch, ok := c.deps.Following.ChannelOf(to); ok && p == req.Platform && ch == req.Channel {
				f, err := c.deps.Following.CoveredFrom(ctx, d.Name, to.Key())
				if err != nil {
					return 0, err
				}
				from = max(from, f)
			}
		}
	}
	return from, nil
}

// channelThreads lists the threads a channel follows: by /thread follow, or
// as a destination of a configured [[digest]].
func (c *Commands) channelThreads(platform, channel string) []string {
	seen := make(map[string]bool)
	for _, d := range c.deps.Following.Digests() {
		for _, to := range d.To {
			if p, ch, ok := c.deps.Following.ChannelOf(to); ok && p == platform && ch == channel {
				seen[d.Thread] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ThreadNames lists thread names for a platform's autocompletion: the
// threads the channel follows first, then the service's others.
func (c *Commands) ThreadNames(platform, channel string) []string {
	names := c.channelThreads(platform, channel)
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		seen[n] = true
	}
	for _, t := range c.deps.Following.Threads() {
		if !seen[t.Name] {
			names = append(names, t.Name)
		}
	}
	return names
}

// pickThread finds the thread a command is about: bot.Request.Thread, else a
// first argument naming a thread of the service, else the only thread the
// channel follows.
func (c *Commands) pickThread(req bot.Request, args []string) (string, []string, bot.Response, bool) {
	here := c.channelThreads(req.Platform, req.Channel)
	if req.Thread != "" {
		if _, ok := c.deps.Following.Thread(req.Thread); !ok {
			return "", nil, text(fmt.Sprintf("There is no thread named %q.%s", req.Thread, followsLine(here)), true), false
		}
		return req.Thread, args, bot.Response{}, true
	}
	if len(args) > 0 {
		if _, ok := c.deps.Following.Thread(args[0]); ok {
			return args[0], args[1:], bot.Response{}, true
		}
	}
	switch len(here) {
	case 1:
		return here[0], args, bot.Response{}, true
	case 0:
		return "", nil, text("This channel follows no thread. Follow one with "+bot.Syntax(req.Platform, "follow")+", or name a thread: "+bot.Naming(req.Platform, req.Sub)+"."+c.allThreadsLine(), true), false
	}
	return "", nil, text(fmt.Sprintf("This channel follows %d threads; name one: %s (%s).", len(here), bot.Naming(req.Platform, req.Sub), strings.Join(here, ", ")), true), false
}

func followsLine(here []string) string {
	if len(here) == 0 {
		return " This channel follows no thread."
	}
	return " This channel follows: " + strings.Join(here, ", ") + "."
}

func (c *Commands) allThreadsLine() string {
	var names []string
	for _, t := range c.deps.Following.Threads() {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return ""
	}
	if len(names) > 10 {
		names = append(names[:10], "…")
	}
	return " Threads on this service: " + strings.Join(names, ", ") + "."
}

// list answers /thread list: one line per thread the channel follows, with
// its schedule here, the last digest posted here and how its source is doing.
func (c *Commands) list(ctx context.Context, req bot.Request) bot.Response {
	here := c.channelThreads(req.Platform, req.Channel)
	if len(here) == 0 {
		return bot.Response{Kind: bot.KindList, Ephemeral: true, Text: "This channel follows no thread. Follow one with " + bot.Syntax(req.Platform, "follow") + "." + c.allThreadsLine()}
	}
	now := c.deps.Clock.Now()
	var lines []string
	for _, name := range here {
		spec, _ := c.deps.Following.Thread(name)
		var parts []string
		parts = append(parts, name+" — "+spec.Source)
		for _, d := range c.deps.Following.Digests() {
			if d.Thread != name {
				continue
			}
			for _, to := range d.To {
				p, ch, ok := c.deps.Following.ChannelOf(to)
				if !ok || p != req.Platform || ch != req.Channel {
					continue
				}
				how := "configured"
				if strings.HasPrefix(d.Name, "follow:") {
					how = "followed"
				}
				next := d.Schedule.Next(now).In(d.Schedule.Location())
				parts = append(parts, fmt.Sprintf("digests %s (%s; next %s)", d.Schedule, how, next.Format("2006-01-02 15:04 MST")))
				if r, ok, err := c.deps.Store.LastPosted(ctx, d.Name, to.Key()); err == nil && ok {
					parts = append(parts, "last posted "+r.Slot.In(d.Schedule.Location()).Format("2006-01-02 15:04 MST"))
				}
			}
		}
		parts = append(parts, c.sourceStatus(ctx, name))
		lines = append(lines, "• "+strings.Join(parts, " — "))
	}
	return bot.Response{Kind: bot.KindList, Ephemeral: true, Text: strings.Join(lines, "\n")}
}

func (c *Commands) sourceStatus(ctx context.Context, thread string) string {
	if q := c.set.QuietAfter; q > 0 {
		if rec, err := c.deps.Store.Thread(ctx, thread); err == nil && !rec.ActiveAt.IsZero() &&
			c.deps.Clock.Now().Sub(rec.ActiveAt) >= q {
			return fmt.Sprintf("quiet since %s: no new comment for %s, no longer polled (follow it again to resume)",
				rec.ActiveAt.UTC().Format("2006-01-02 15:04 UTC"), retention.Days(q))
		}
	}
	raw, err := c.deps.Store.SourceState(ctx, thread)
	if err != nil {
		return "source: status unknown"
	}
	st := scheduler.ReadPollState(raw)
	switch {
	case st.Failures > 0:
		// Plain words only: the error itself may name internal addresses,
		// and the log has it.
		reason := st.Reason
		if reason == "" {
			reason = "the source could not be read"
		}
		return fmt.Sprintf("source FAILING since %s (%d failed polls): %s", st.FailingSince.UTC().Format("2006-01-02 15:04 UTC"), st.Failures, reason)
	case st.LastOK.IsZero():
		return "source: not read yet"
	}
	msg := "source ok, read " + st.LastOK.UTC().Format("2006-01-02 15:04 UTC")
	if st.Skipped > 0 {
		msg += fmt.Sprintf(" (%d unreadable records skipped)", st.Skipped)
	}
	return msg
}

// liveSource reports whether a follow address names a live source. Chat
// users may only follow live threads: a file path would let anyone in the
// channel read files on the server.
func liveSource(src string) bool {
	if u, err := url.Parse(src); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return true
	}
	kind, rest, ok := strings.Cut(src, ":")
	if !ok || rest == "" {
		return false
	}
	switch kind {
	case "reddit", "hn", "discourse", "disqus", "feed", "json":
		return true
	}
	return false
}

func (c *Commands) follow(ctx context.Context, req bot.Request) bot.Response {
	if len(req.Args) == 0 {
		return text("Usage: "+bot.Syntax(req.Platform, "follow")+" — the source is a live thread (a Reddit, Hacker News or Discourse URL, hn:ID, feed:URL, …); the cron schedule defaults to daily at 09:00 here.", true)
	}
	src := strings.TrimSpace(req.Args[0])
	if !liveSource(src) {
		return text(fmt.Sprintf("%q is not a live source address. Follow a URL, or reddit:URL, hn:ID, discourse:URL, disqus:FORUM/ID, feed:URL, json:URL. Files can be followed only from the configuration.", src), true)
	}
	if req.Platform != "slack" && req.Platform != "discord" {
		return text("Following is possible only in a Slack or Discord channel.", true)
	}
	// The schedule is stored written with its zone (CRON_TZ=), so that
	// every replica reads the same slots whatever its configuration.
	zone := c.channelZone(req.Platform, req.Channel)
	sched := c.set.FollowSchedule.In(zone)
	if len(req.Args) > 1 {
		var err error
		if sched, err = schedule.Parse(strings.Join(req.Args[1:], " "), zone); err != nil {
			return text(fmt.Sprintf("The schedule does not parse: %v", err), true)
		}
		sched = sched.In(zone)
	}
	// A channel member may set the schedule: keep it to one digest an hour
	// at most, whatever the spec's form ("* * * * *", "@every 5m").
	if n1 := sched.Next(c.deps.Clock.Now()); sched.Next(n1).Sub(n1) < time.Hour {
		return text("A followed thread can be digested at most hourly; use a schedule such as \"0 * * * *\" or \"0 9 * * *\".", true)
	}
	dest := addr.Addr{Kind: addr.Kind(req.Platform), Target: req.Channel}
	if _, err := c.deps.Scheduling.Destination(dest); err != nil {
		return text(fmt.Sprintf("Digests cannot be posted to this channel: %v", err), true)
	}

	threads, err := c.deps.Store.Threads(ctx)
	if err != nil {
		c.log.Error("follow: listing threads failed", "err", err)
		return text("Sorry, the store could not be read right now; try again in a minute.", true)
	}
	name := ""
	names := make(map[string]bool)
	for _, t := range threads {
		names[t.Name] = true
		if t.Source == src {
			name = t.Name
		}
	}
	if name == "" {
		if len(threads) >= c.set.MaxThreads {
			return text(fmt.Sprintf("This service already follows %d threads, its limit; unfollow one first.", len(threads)), true)
		}
		if _, err := c.deps.OpenSource(src); err != nil {
			return text(fmt.Sprintf("That source cannot be read: %v", err), true)
		}
		name = uniqueName(nameFromSource(src), names)
		if err := c.deps.Store.SaveThread(ctx, store.ThreadRecord{Name: name, Source: src}); err != nil {
			c.log.Error("follow: saving the thread failed", "thread", name, "err", err)
			return text("Sorry, the thread could not be saved; try again in a minute.", true)
		}
	}
	f := store.Follow{Platform: req.Platform, Channel: req.Channel, Thread: name, Schedule: sched.String(), CreatedBy: req.User, CreatedAt: c.deps.Clock.Now()}
	if err := c.deps.Store.AddFollow(ctx, f); err != nil {
		c.log.Error("follow: saving the follow failed", "thread", name, "err", err)
		return text("Sorry, the follow could not be saved; try again in a minute.", true)
	}
	// A new follow wakes a thread that had gone quiet, and starts a new
	// thread's quiet clock.
	if err := c.deps.Store.MarkActive(ctx, name, c.deps.Clock.Now()); err != nil {
		c.log.Warn("follow: marking the thread active failed", "thread", name, "err", err)
	}
	if err := c.deps.Scheduling.Reconcile(ctx); err != nil {
		c.log.Error("follow: scheduling failed", "thread", name, "err", err)
	}
	c.log.Info("channel follows a thread", "platform", req.Platform, "channel", req.Channel, "thread", name, "schedule", sched.String(), "by", req.User)
	next := sched.Next(c.deps.Clock.Now()).In(sched.Location())
	followed := fmt.Sprintf("This channel now follows %s (%s). Digests of its new comments: %s; the next at %s.",
		name, src, sched, next.Format("2006-01-02 15:04 MST"))
	// Read the thread now, so that the first questions have an answer.
	if c.deps.Scheduling.PollNow(ctx, name) {
		spec, _ := c.deps.Following.Thread(name)
		if reason, failing := c.failing(ctx, name); failing {
			// Said to the asker only, in plain words: the channel need
			// not see a source's trouble, and its error stays in the log.
			return bot.Response{Kind: bot.KindText, Ephemeral: true, Thread: name, Text: fmt.Sprintf(
				"%s But its source could not be read yet: %s. It is tried again every %s; %s shows how it is doing.",
				followed, reason, spec.Poll, bot.Syntax(req.Platform, "list"))}
		}
	}
	status := " " + strings.ToUpper(c.sourceStatus(ctx, name)[:1]) + c.sourceStatus(ctx, name)[1:] + "."
	return bot.Response{Kind: bot.KindText, Thread: name, Text: fmt.Sprintf("%s%s Ask with %s.", followed, status, strings.Replace(bot.Naming(req.Platform, "stance"), "NAME", name, 1))}
}

// failing reports whether the thread's source failed its last poll, and
// why in plain words.
func (c *Commands) failing(ctx context.Context, thread string) (string, bool) {
	raw, err := c.deps.Store.SourceState(ctx, thread)
	if err != nil {
		return "", false
	}
	st := scheduler.ReadPollState(raw)
	if st.Failures == 0 {
		return "", false
	}
	if st.Reason == "" {
		return "the source could not be read", true
	}
	return st.Reason, true
}

func (c *Commands) unfollow(ctx context.Context, req bot.Request) bot.Response {
	follows, err := c.deps.Store.Follows(ctx, req.Platform, req.Channel)
	if err != nil {
		c.log.Error("unfollow: listing follows failed", "err", err)
		return text("Sorry, the store could not be read right now; try again in a minute.", true)
	}
	name := req.Thread
	if name == "" && len(req.Args) > 0 {
		name = req.Args[0]
	}
	if name == "" {
		switch len(follows) {
		case 0:
			return text("This channel follows no thread with /thread follow."+configuredHere(c, req), true)
		case 1:
			name = follows[0].Thread
		default:
			var names []string
			for _, f := range follows {
				names = append(names, f.Thread)
			}
			return text("This channel follows several threads; name one: "+bot.Naming(req.Platform, "unfollow")+" ("+strings.Join(names, ", ")+").", true)
		}
	}
	err = c.deps.Store.RemoveFollow(ctx, req.Platform, req.Channel, name)
	if errors.Is(err, store.ErrNotFound) {
		return text(fmt.Sprintf("This channel does not follow %q with /thread follow.", name)+configuredHere(c, req), true)
	}
	if err != nil {
		c.log.Error("unfollow failed", "thread", name, "err", err)
		return text("Sorry, the follow could not be removed; try again in a minute.", true)
	}
	if err := c.deps.Scheduling.Reconcile(ctx); err != nil {
		c.log.Error("unfollow: rescheduling failed", "err", err)
	}
	c.log.Info("channel unfollowed a thread", "platform", req.Platform, "channel", req.Channel, "thread", name, "by", req.User)
	return bot.Response{Kind: bot.KindText, Thread: name, Text: fmt.Sprintf("This channel no longer follows %s.", name)}
}

func configuredHere(c *Commands, req bot.Request) string {
	var names []string
	for _, d := range c.deps.Following.Digests() {
		if strings.HasPrefix(d.Name, "follow:") {
			continue
		}
		for _, to := range d.To {
			if p, ch, ok := c.deps.Following.ChannelOf(to); ok && p == req.Platform && ch == req.Channel {
				names = append(names, d.Name)
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " Digests configured in the service's file post here (" + strings.Join(names, ", ") + "); they are changed there."
}

// nameFromSource makes a thread name from a source address: the last
// meaningful part of its URL path (a Reddit post's slug, a topic's name),
// or its id, folded to letters, digits and '-'.
func nameFromSource(src string) string {
	kind, rest, _ := strings.Cut(src, ":")
	candidate := rest
	if u, err := url.Parse(src); err == nil && u.Host != "" {
		candidate = u.Host + u.Path
	} else if u, err := url.Parse(rest); err == nil && u.Host != "" {
		candidate = u.Host + u.Path
	} else if kind == "hn" {
		candidate = "hn-" + rest
	}
	// A Hacker News item is named by its id: its path ("/item") says
	// nothing.
	if id := hnItemID(src); id != "" {
		candidate = "hn-" + id
	}
	parts := strings.Split(strings.Trim(candidate, "/"), "/")
	best := ""
	for i := len(parts) - 1; i >= 0; i-- {
		p := strings.TrimSuffix(parts[i], path.Ext(parts[i]))
		if p == "" || p == "comments" || p == "feed" || p == "t" {
			continue
		}
		if strings.Trim(p, "0123456789") == "" && best == "" && i > 0 {
			// A bare number (a topic id) says less than the slug before it.
			best = p
			continue
		}
		best = p
		break
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(best) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "thread"
	}
	return name
}

// hnItemID returns the item id of a Hacker News address (hn:ID,
// hn:URL or the bare news.ycombinator.com/item?id= URL), or "".
func hnItemID(src string) string {
	rest, isHN := strings.CutPrefix(src, "hn:")
	if isHN && rest != "" && strings.Trim(rest, "0123456789") == "" {
		return rest
	}
	u, err := url.Parse(rest)
	if err != nil || !strings.HasSuffix(strings.ToLower(u.Host), "ycombinator.com") {
		return ""
	}
	if id := u.Query().Get("id"); id != "" && strings.Trim(id, "0123456789") == "" {
		return id
	}
	return ""
}

func uniqueName(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s-%d", base, i)
		if !taken[n] {
			return n
		}
	}
}

// Metrics are the commands' Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	commands *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threaddigest_commands_total",
			Help: "/thread commands answered, by subcommand and how (cache or full).",
		}, []string{"sub", "answered"}),
	}
	reg.MustRegister(m.commands)
	// Every series a dashboard or an alert may ask for exists from the
	// start, at zero: a rate() over a counter that appears only at its
	// first event misses that event, and an absent series alerts on nothing.
	for _, sc := range bot.Subcommands() {
		for _, how := range []string{"cache", "full"} {
			m.commands.WithLabelValues(sc.Name, how).Add(0)
		}
	}
	m.commands.WithLabelValues("unknown", "cache").Add(0)
	return m
}

func (m *Metrics) command(sub string, cached bool) {
	if m == nil {
		return
	}
	how := "full"
	if cached {
		how = "cache"
	}
	m.commands.WithLabelValues(sub, how).Inc()
}
