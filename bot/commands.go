package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/schedule"
	"github.com/threaddigest/threaddigest/retention"
	"github.com/threaddigest/threaddigest/store"
)

// Commands answers /thread commands from any chat platform. The Slack and
// Discord adapters call Cached inside the platform's three-second
// acknowledgement and, when it has no answer, Answer from work that outlives
// the request.
type Commands struct {
	s *Service
	// cachedBudget bounds the store reads Cached may make.
	cachedBudget time.Duration
}

// Commands returns the service's command handler.
func (s *Service) Commands() *Commands {
	return &Commands{s: s, cachedBudget: time.Second}
}

// subcommands that the metrics label by name; anything else is "unknown".
var knownSubs = map[string]bool{
	"stance": true, "digest": true, "arguments": true, "rebuttals": true, "regions": true,
	"follow": true, "unfollow": true, "list": true, "help": true,
}

func subLabel(sub string) string {
	if knownSubs[sub] {
		return sub
	}
	return "unknown"
}

func text(msg string, ephemeral bool) Response {
	return Response{Kind: KindText, Text: msg, Ephemeral: ephemeral}
}

// Cached answers without slow work: help and usage, list, and a digest or
// stance already cached for the thread at its current version. It makes at
// most a few quick store reads, bounded by a short deadline. ok is false when
// the answer needs Answer.
func (c *Commands) Cached(req Request) (Response, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cachedBudget)
	defer cancel()
	resp, ok := c.cached(ctx, req)
	if ok {
		c.s.deps.Metrics.command(subLabel(req.Sub), true)
	}
	return resp, ok
}

func (c *Commands) cached(ctx context.Context, req Request) (Response, bool) {
	switch req.Sub {
	case "", "help":
		return text(Help(req.Platform), true), true
	case "list":
		return c.list(ctx, req), true
	case "follow", "unfollow":
		return Response{}, false
	case "stance", "digest", "arguments", "rebuttals", "regions":
		thread, ar, resp, ok := c.query(ctx, req)
		if !ok {
			return resp, true // a usage mistake: answered at once
		}
		res, hit := c.s.cachedDigest(ctx, thread, ar)
		if !hit {
			return Response{}, false
		}
		if req.Sub == "digest" && res.NewCount == 0 {
			if !ar.Since.IsZero() {
				return c.nothingSince(req, ar.Since), true
			}
			whole, hit := c.s.cachedDigest(ctx, thread, wholeOf(ar))
			if !hit {
				return Response{}, false
			}
			return c.wholeInstead(req, thread, whole), true
		}
		return digestResponse(req.Sub, thread, res), true
	}
	return text(fmt.Sprintf("Unknown subcommand %q.\n%s", req.Sub, Help(req.Platform)), true), true
}

// Answer gives the full answer, computing a digest when none is cached, and
// carries out follow and unfollow.
func (c *Commands) Answer(ctx context.Context, req Request) Response {
	c.s.deps.Metrics.command(subLabel(req.Sub), false)
	switch req.Sub {
	case "follow":
		return c.follow(ctx, req)
	case "unfollow":
		return c.unfollow(ctx, req)
	case "stance", "digest", "arguments", "rebuttals", "regions":
		thread, ar, resp, ok := c.query(ctx, req)
		if !ok {
			return resp
		}
		res, err := c.s.digestOf(ctx, thread, ar)
		if err == nil && req.Sub == "digest" && res.NewCount == 0 {
			if !ar.Since.IsZero() {
				return c.nothingSince(req, ar.Since)
			}
			if res, err = c.s.digestOf(ctx, thread, wholeOf(ar)); err == nil {
				return c.wholeInstead(req, thread, res)
			}
		}
		if err != nil {
			c.s.log.Error("answering a command failed", "sub", req.Sub, "thread", thread, "err", err)
			return text("Sorry, the digest could not be computed right now; try again in a minute.", true)
		}
		return digestResponse(req.Sub, thread, res)
	}
	resp, _ := c.cached(ctx, req)
	return resp
}

// wholeOf is the request for the whole thread in place of ar.
func wholeOf(ar analysisRequest) analysisRequest {
	return analysisRequest{Target: ar.Target, Whole: true, MaxArguments: ar.MaxArguments}
}

// wholeInstead answers /thread digest when nothing is new since the last
// digest posted here: with the whole thread rather than an empty card, and
// how to ask for a window.
func (c *Commands) wholeInstead(req Request, thread string, res analysisResult) Response {
	r := digestResponse(req.Sub, thread, res)
	r.Text = "No new comments since the last digest posted here, so this is the whole thread. For the comments of a time window: " +
		windowExample(req.Platform) + "."
	return r
}

// nothingSince answers /thread digest SINCE when no comment was written
// since then.
func (c *Commands) nothingSince(req Request, since time.Time) Response {
	zone := c.s.channelZone(req.Platform, req.Channel)
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

func digestResponse(sub, thread string, res analysisResult) Response {
	d := res.Digest
	return Response{Kind: ResponseKind(sub), Ephemeral: true, Thread: thread, Digest: &d}
}

// query works out the thread and the digest a query asks for. When ok is
// false, resp is the answer (a usage mistake).
func (c *Commands) query(ctx context.Context, req Request) (thread string, ar analysisRequest, resp Response, ok bool) {
	thread, rest, resp, ok := c.pickThread(req, req.Args)
	if !ok {
		return "", ar, resp, false
	}
	spec, _ := c.s.thread(thread)
	ar = analysisRequest{Target: spec.Target, Whole: true}
	switch req.Sub {
	case "stance":
		if len(rest) > 0 {
			ar.Target = strings.Join(rest, " ")
		}
	case "digest":
		ar.Whole = false
		if len(rest) > 0 {
			since, err := parseSince(strings.Join(rest, " "), c.s.deps.Clock.Now(), c.s.channelZone(req.Platform, req.Channel))
			if err != nil {
				return "", ar, text(err.Error()+"\nUsage: "+Syntax(req.Platform, "digest"), true), false
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
	return thread, ar, Response{}, true
}

// postedHere returns the coverage of the last digest of thread posted to the
// request's channel, by any digest (configured or followed) that posts there.
func (c *Commands) postedHere(ctx context.Context, req Request, thread string) (int64, error) {
	var from int64
	for _, d := range c.s.snapshotDigests() {
		if d.Thread != thread {
			continue
		}
		for _, to := range d.To {
			if p, ch, ok := c.s.channelOf(to); ok && p == req.Platform && ch == req.Channel {
				f, err := c.s.coveredFrom(ctx, d.Name, to.Key())
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
	for _, d := range c.s.snapshotDigests() {
		for _, to := range d.To {
			if p, ch, ok := c.s.channelOf(to); ok && p == platform && ch == channel {
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
	for _, t := range c.s.snapshotThreads() {
		if !seen[t.spec.Name] {
			names = append(names, t.spec.Name)
		}
	}
	return names
}

// pickThread finds the thread a command is about: Request.Thread, else a
// first argument naming a thread of the service, else the only thread the
// channel follows.
func (c *Commands) pickThread(req Request, args []string) (string, []string, Response, bool) {
	here := c.channelThreads(req.Platform, req.Channel)
	if req.Thread != "" {
		if _, ok := c.s.thread(req.Thread); !ok {
			return "", nil, text(fmt.Sprintf("There is no thread named %q.%s", req.Thread, followsLine(here)), true), false
		}
		return req.Thread, args, Response{}, true
	}
	if len(args) > 0 {
		if _, ok := c.s.thread(args[0]); ok {
			return args[0], args[1:], Response{}, true
		}
	}
	switch len(here) {
	case 1:
		return here[0], args, Response{}, true
	case 0:
		return "", nil, text("This channel follows no thread. Follow one with "+Syntax(req.Platform, "follow")+", or name a thread: "+Naming(req.Platform, req.Sub)+"."+c.allThreadsLine(), true), false
	}
	return "", nil, text(fmt.Sprintf("This channel follows %d threads; name one: %s (%s).", len(here), Naming(req.Platform, req.Sub), strings.Join(here, ", ")), true), false
}

func followsLine(here []string) string {
	if len(here) == 0 {
		return " This channel follows no thread."
	}
	return " This channel follows: " + strings.Join(here, ", ") + "."
}

func (c *Commands) allThreadsLine() string {
	var names []string
	for _, t := range c.s.snapshotThreads() {
		names = append(names, t.spec.Name)
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
func (c *Commands) list(ctx context.Context, req Request) Response {
	here := c.channelThreads(req.Platform, req.Channel)
	if len(here) == 0 {
		return Response{Kind: KindList, Ephemeral: true, Text: "This channel follows no thread. Follow one with " + Syntax(req.Platform, "follow") + "." + c.allThreadsLine()}
	}
	now := c.s.deps.Clock.Now()
	var lines []string
	for _, name := range here {
		spec, _ := c.s.thread(name)
		var parts []string
		parts = append(parts, name+" — "+spec.Source)
		for _, d := range c.s.snapshotDigests() {
			if d.Thread != name {
				continue
			}
			for _, to := range d.To {
				p, ch, ok := c.s.channelOf(to)
				if !ok || p != req.Platform || ch != req.Channel {
					continue
				}
				how := "configured"
				if strings.HasPrefix(d.Name, "follow:") {
					how = "followed"
				}
				next := d.Schedule.Next(now).In(d.Schedule.Location())
				parts = append(parts, fmt.Sprintf("digests %s (%s; next %s)", d.Schedule, how, next.Format("2006-01-02 15:04 MST")))
				if r, ok, err := c.s.deps.Store.LastPosted(ctx, d.Name, to.Key()); err == nil && ok {
					parts = append(parts, "last posted "+r.Slot.In(d.Schedule.Location()).Format("2006-01-02 15:04 MST"))
				}
			}
		}
		parts = append(parts, c.sourceStatus(ctx, name))
		lines = append(lines, "• "+strings.Join(parts, " — "))
	}
	return Response{Kind: KindList, Ephemeral: true, Text: strings.Join(lines, "\n")}
}

func (c *Commands) sourceStatus(ctx context.Context, thread string) string {
	if q := c.s.set.QuietAfter; q > 0 {
		if rec, err := c.s.deps.Store.Thread(ctx, thread); err == nil && !rec.ActiveAt.IsZero() &&
			c.s.deps.Clock.Now().Sub(rec.ActiveAt) >= q {
			return fmt.Sprintf("quiet since %s: no new comment for %s, no longer polled (follow it again to resume)",
				rec.ActiveAt.UTC().Format("2006-01-02 15:04 UTC"), retention.Days(q))
		}
	}
	raw, err := c.s.deps.Store.SourceState(ctx, thread)
	if err != nil {
		return "source: status unknown"
	}
	st := decodePollState(raw)
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

func (c *Commands) follow(ctx context.Context, req Request) Response {
	s := c.s
	if len(req.Args) == 0 {
		return text("Usage: "+Syntax(req.Platform, "follow")+" — the source is a live thread (a Reddit, Hacker News or Discourse URL, hn:ID, feed:URL, …); the cron schedule defaults to daily at 09:00 here.", true)
	}
	src := strings.TrimSpace(req.Args[0])
	if !liveSource(src) {
		return text(fmt.Sprintf("%q is not a live source address. Follow a URL, or reddit:URL, hn:ID, discourse:URL, disqus:FORUM/ID, feed:URL, json:URL. Files can be followed only from the configuration.", src), true)
	}
	if req.Platform != "slack" && req.Platform != "discord" {
		return text("Following is possible only in a Slack or Discord channel.", true)
	}
	zone := s.channelZone(req.Platform, req.Channel)
	spec := s.set.FollowSchedule
	if len(req.Args) > 1 {
		spec = strings.Join(req.Args[1:], " ")
	}
	if !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") {
		spec = "CRON_TZ=" + zone.String() + " " + spec
	}
	sched, err := schedule.Parse(spec, zone)
	if err != nil {
		return text(fmt.Sprintf("The schedule does not parse: %v", err), true)
	}
	// A channel member may set the schedule: keep it to one digest an hour
	// at most, whatever the spec's form ("* * * * *", "@every 5m").
	if n1 := sched.Next(s.deps.Clock.Now()); sched.Next(n1).Sub(n1) < time.Hour {
		return text("A followed thread can be digested at most hourly; use a schedule such as \"0 * * * *\" or \"0 9 * * *\".", true)
	}
	dest := addr.Addr{Kind: addr.Kind(req.Platform), Target: req.Channel}
	if _, err := s.destination(dest); err != nil {
		return text(fmt.Sprintf("Digests cannot be posted to this channel: %v", err), true)
	}

	threads, err := s.deps.Store.Threads(ctx)
	if err != nil {
		s.log.Error("follow: listing threads failed", "err", err)
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
		if len(threads) >= s.set.MaxThreads {
			return text(fmt.Sprintf("This service already follows %d threads, its limit; unfollow one first.", len(threads)), true)
		}
		if _, err := s.deps.OpenSource(ThreadSpec{Source: src}); err != nil {
			return text(fmt.Sprintf("That source cannot be read: %v", err), true)
		}
		name = uniqueName(nameFromSource(src), names)
		if err := s.deps.Store.SaveThread(ctx, store.ThreadRecord{Name: name, Source: src}); err != nil {
			s.log.Error("follow: saving the thread failed", "thread", name, "err", err)
			return text("Sorry, the thread could not be saved; try again in a minute.", true)
		}
	}
	f := store.Follow{Platform: req.Platform, Channel: req.Channel, Thread: name, Schedule: sched.String(), CreatedBy: req.User, CreatedAt: s.deps.Clock.Now()}
	if err := s.deps.Store.AddFollow(ctx, f); err != nil {
		s.log.Error("follow: saving the follow failed", "thread", name, "err", err)
		return text("Sorry, the follow could not be saved; try again in a minute.", true)
	}
	// A new follow wakes a thread that had gone quiet, and starts a new
	// thread's quiet clock.
	if err := s.deps.Store.MarkActive(ctx, name, s.deps.Clock.Now()); err != nil {
		s.log.Warn("follow: marking the thread active failed", "thread", name, "err", err)
	}
	if err := s.reconcile(ctx); err != nil {
		s.log.Error("follow: scheduling failed", "thread", name, "err", err)
	}
	s.log.Info("channel follows a thread", "platform", req.Platform, "channel", req.Channel, "thread", name, "schedule", sched.String(), "by", req.User)
	// Read the thread now, so that the first questions have an answer.
	s.mu.Lock()
	ts := s.threads[name]
	s.mu.Unlock()
	next := sched.Next(s.deps.Clock.Now()).In(sched.Location())
	followed := fmt.Sprintf("This channel now follows %s (%s). Digests of its new comments: %s; the next at %s.",
		name, src, sched, next.Format("2006-01-02 15:04 MST"))
	if ts != nil {
		s.pollNow(ctx, ts)
		if reason, failing := c.failing(ctx, name); failing {
			// Said to the asker only, in plain words: the channel need
			// not see a source's trouble, and its error stays in the log.
			return Response{Kind: KindText, Ephemeral: true, Thread: name, Text: fmt.Sprintf(
				"%s But its source could not be read yet: %s. It is tried again every %s; %s shows how it is doing.",
				followed, reason, ts.spec.Poll, Syntax(req.Platform, "list"))}
		}
	}
	status := " " + strings.ToUpper(c.sourceStatus(ctx, name)[:1]) + c.sourceStatus(ctx, name)[1:] + "."
	return Response{Kind: KindText, Thread: name, Text: fmt.Sprintf("%s%s Ask with %s.", followed, status, strings.Replace(Naming(req.Platform, "stance"), "NAME", name, 1))}
}

// failing reports whether the thread's source failed its last poll, and
// why in plain words.
func (c *Commands) failing(ctx context.Context, thread string) (string, bool) {
	raw, err := c.s.deps.Store.SourceState(ctx, thread)
	if err != nil {
		return "", false
	}
	st := decodePollState(raw)
	if st.Failures == 0 {
		return "", false
	}
	if st.Reason == "" {
		return "the source could not be read", true
	}
	return st.Reason, true
}

func (c *Commands) unfollow(ctx context.Context, req Request) Response {
	s := c.s
	follows, err := s.deps.Store.Follows(ctx, req.Platform, req.Channel)
	if err != nil {
		s.log.Error("unfollow: listing follows failed", "err", err)
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
			return text("This channel follows several threads; name one: "+Naming(req.Platform, "unfollow")+" ("+strings.Join(names, ", ")+").", true)
		}
	}
	err = s.deps.Store.RemoveFollow(ctx, req.Platform, req.Channel, name)
	if errors.Is(err, store.ErrNotFound) {
		return text(fmt.Sprintf("This channel does not follow %q with /thread follow.", name)+configuredHere(c, req), true)
	}
	if err != nil {
		s.log.Error("unfollow failed", "thread", name, "err", err)
		return text("Sorry, the follow could not be removed; try again in a minute.", true)
	}
	if err := s.reconcile(ctx); err != nil {
		s.log.Error("unfollow: rescheduling failed", "err", err)
	}
	s.log.Info("channel unfollowed a thread", "platform", req.Platform, "channel", req.Channel, "thread", name, "by", req.User)
	return Response{Kind: KindText, Thread: name, Text: fmt.Sprintf("This channel no longer follows %s.", name)}
}

func configuredHere(c *Commands, req Request) string {
	var names []string
	for _, d := range c.s.snapshotDigests() {
		if strings.HasPrefix(d.Name, "follow:") {
			continue
		}
		for _, to := range d.To {
			if p, ch, ok := c.s.channelOf(to); ok && p == req.Platform && ch == req.Channel {
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
