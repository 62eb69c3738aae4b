// Package scheduler runs threaddigest as a service: it polls each thread's
// source and stores what changed, schedules each digest's slots, claims each
// slot exactly once in the store, computes the digest of the new comments
// and delivers it to its destinations, and catches up what was missed. What
// /thread commands need of it (the threads and digests it follows, their
// coverage, a poll now) bot/commands asks through an interface of its own.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/digests"
	"github.com/threaddigest/threaddigest/bot/schedule"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/store"
)

// ThreadSpec is a thread the service follows.
type ThreadSpec struct {
	Name   string
	Source string
	// Target is the stance target; "" lets the digest find it.
	Target string
	// Poll is how often the source is read; 0 means Settings.PollInterval.
	Poll time.Duration
	// File and ThreadID say how a file source is read: its format and
	// field map, and which thread of a file holding several. Each thread
	// keeps its own, even when two read one file; zero for live sources.
	File     input.Options
	ThreadID string
}

// DigestSpec is a scheduled digest of one thread to its destinations.
type DigestSpec struct {
	// Name keys the digest's runs in the store.
	Name   string
	Thread string
	// Schedule says when the digest is due (see bot/schedule).
	Schedule *schedule.Schedule
	To       []addr.Addr
	// MinNew: a slot with fewer new comments posts nothing (recorded as a
	// run covering nothing, so the comments stay new). 0 posts even when
	// nothing is new.
	MinNew int
	// MaxArguments caps the arguments analysed and shown; 0 for the
	// digest's default.
	MaxArguments int
	// CatchUp runs the most recent missed slot (and takes over stale claims)
	// within Settings.CatchUpWindow.
	CatchUp bool
}

// Store is what the scheduler needs of the store (store/sqldb).
type Store interface {
	SaveThread(ctx context.Context, t store.ThreadRecord) error
	Thread(ctx context.Context, name string) (store.ThreadRecord, error)
	MarkActive(ctx context.Context, thread string, now time.Time) error
	UpsertComments(ctx context.Context, thread string, cs []threaddigest.Comment, now time.Time) (store.UpsertResult, error)
	Comments(ctx context.Context, thread string) ([]store.CommentRecord, error)

	ClaimRun(ctx context.Context, key store.RunKey, thread, holder string, lease time.Duration, now time.Time) (store.Run, bool, error)
	MarkPosting(ctx context.Context, runID int64, holder string, lease time.Duration, now time.Time) error
	CompleteRun(ctx context.Context, runID int64, holder string, coveredTo int64, ref string, now time.Time) error
	FailRun(ctx context.Context, runID int64, holder, reason string, now time.Time) error
	LastPosted(ctx context.Context, digest, destination string) (store.Run, bool, error)
	LastRun(ctx context.Context, digest, destination string) (store.Run, bool, error)
	Runs(ctx context.Context, digest string, limit int) ([]store.Run, error)

	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	SourceState(ctx context.Context, thread string) (string, error)
	SetSourceState(ctx context.Context, thread, state string) error

	Follows(ctx context.Context, platform, channel string) ([]store.Follow, error)
}

// Deps are what the service is built from.
type Deps struct {
	Store  Store
	Logger *slog.Logger
	Clock  bot.Clock
	// Holder names this replica in claims and leases.
	Holder string
	// Digests computes the digests of the runs, and keeps the default
	// digest of every thread a chat channel follows warm after each poll.
	Digests *digests.Cache
	// OpenSource opens the source of a thread: its Source address read with
	// the options of that thread (a file's format, map and thread id), not
	// of another thread on the same address. Name is "" when a /thread
	// follow checks an address before the thread exists.
	OpenSource func(t ThreadSpec) (source.Source, error)
	// OpenDestination turns a destination address into a Destination. It
	// is called once per address; the result is shared by every digest
	// posting there.
	OpenDestination func(a addr.Addr) (bot.Destination, error)
	// Metrics may be nil.
	Metrics *Metrics
	// ChannelID resolves a chat destination given by name ("slack:#general")
	// to the channel id that commands from it carry, so that the channel
	// follows the thread; nil leaves names unresolved.
	ChannelID func(ctx context.Context, a addr.Addr) (string, error)
}

// Settings tune the service. Zero values take the defaults documented on
// each field.
type Settings struct {
	// Lease is how long a run claim or poll lease holds. Default 30s.
	Lease time.Duration
	// CatchUpWindow bounds catch-up and take-over of stale claims. Default 24h.
	CatchUpWindow time.Duration
	// RunTimeout bounds one run's delivery, retries included. Default 5m.
	RunTimeout time.Duration
	// PollInterval is the default poll interval. Default 1m.
	PollInterval time.Duration
	// SweepInterval is how often the service looks for missed slots, stale
	// claims and follows made by other replicas. Default Lease/2 within
	// [1s, 30s].
	SweepInterval time.Duration
	// ShutdownGrace is how long Run waits at shutdown for posts in flight
	// before cancelling them. Default 10s.
	ShutdownGrace time.Duration
	// Retry is the delivery retry policy.
	Retry RetryPolicy
	// Zone reads schedules given without CRON_TZ=. Default UTC.
	Zone *time.Location
	// ChannelZone gives a chat channel's zone, in which its follows'
	// schedules are read; nil uses Zone.
	ChannelZone func(platform, channel string) *time.Location
	// QuietAfter: a thread with no comment added or changed for this long
	// (store.ThreadRecord.ActiveAt) is no longer polled, until it is marked
	// active again (a /thread follow, `threaddigest resume`). 0 polls every
	// thread for ever.
	QuietAfter time.Duration
}

// RetryPolicy says how a failed delivery is retried within its slot.
type RetryPolicy struct {
	// AttemptTimeout bounds one attempt (a slow reply). Default 30s.
	AttemptTimeout time.Duration
	// Backoff is the first wait; it doubles up to MaxBackoff. Defaults 1s
	// and 1m. A bot.RetryAfterError waits at least its After.
	Backoff    time.Duration
	MaxBackoff time.Duration
}

func (s *Settings) applyDefaults() {
	if s.Lease <= 0 {
		s.Lease = 30 * time.Second
	}
	if s.CatchUpWindow <= 0 {
		s.CatchUpWindow = 24 * time.Hour
	}
	if s.RunTimeout <= 0 {
		s.RunTimeout = 5 * time.Minute
	}
	if s.PollInterval <= 0 {
		s.PollInterval = time.Minute
	}
	if s.SweepInterval <= 0 {
		s.SweepInterval = min(max(s.Lease/2, time.Second), 30*time.Second)
	}
	if s.ShutdownGrace <= 0 {
		s.ShutdownGrace = 10 * time.Second
	}
	if s.Retry.AttemptTimeout <= 0 {
		s.Retry.AttemptTimeout = 30 * time.Second
	}
	if s.Retry.Backoff <= 0 {
		s.Retry.Backoff = time.Second
	}
	if s.Retry.MaxBackoff <= 0 {
		s.Retry.MaxBackoff = time.Minute
	}
	if s.Zone == nil {
		s.Zone = time.UTC
	}
}

// Service follows threads and posts their scheduled digests. It polls each
// thread's source under a store lease, so one replica polls a thread at a
// time; it claims each (digest, destination, slot) in the store before
// posting, so each slot is posted once whatever the number of replicas; and
// it answers /thread commands through Commands.
type Service struct {
	deps Deps
	set  Settings
	log  *slog.Logger

	configThreads []ThreadSpec
	configDigests []DigestSpec

	mu        sync.Mutex
	threads   map[string]*threadState
	scheduled map[string]*digestState
	// inflight holds the digests and destinations with a run going in this
	// process; the store keeps it to one run across processes.
	inflight map[pairKey]bool
	// skipSaid holds the digests and destinations whose skipped slot was
	// logged at info level since they last posted.
	skipSaid map[pairKey]bool
	dests    map[string]bot.Destination
	// chanIDs maps the key of a chat destination given by name to its
	// channel id, once resolved.
	chanIDs map[string]string
	cron    *cron.Cron
	runCtx  context.Context // parent of runs and polls; nil before Run
	wg      sync.WaitGroup  // runs and polls started by the service
	// pollLoopsStarted is set once Run has started the poll loops; threads
	// added later (follows) start polling at once.
	pollLoopsStarted bool
	// sweepNow asks Run for a sweep, when a thread's first poll has ended.
	sweepNow chan struct{}
	// scheduling is set while Run's schedule and sweep run (for /readyz).
	scheduling atomic.Bool
	stopping   atomic.Bool
	stopCh     chan struct{}
	running    atomic.Bool
}

type threadState struct {
	spec       ThreadSpec
	fromConfig bool
	src        source.Source
	cancel     context.CancelFunc // stops the poll loop
	done       chan struct{}
	mu         sync.Mutex // one poll at a time
	quiet      bool       // said to be quiet and no longer polled; under mu
	// reading is set, under mu, while a read of the source abandoned at a
	// poll's deadline has not returned; closed when it does.
	reading chan struct{}
	health  pollHealth
}

type digestState struct {
	spec   DigestSpec
	follow *store.Follow // nil for configured digests
	entry  cron.EntryID
}

// New builds a service. threads and digests come from the configuration;
// follows made with /thread follow are read from the store when Run starts.
func New(deps Deps, set Settings, threads []ThreadSpec, digests []DigestSpec) (*Service, error) {
	if deps.Store == nil || deps.Digests == nil || deps.OpenSource == nil || deps.OpenDestination == nil {
		return nil, errors.New("scheduler: New needs Store, Digests, OpenSource and OpenDestination")
	}
	if deps.Holder == "" {
		return nil, errors.New("scheduler: New needs a Holder (the replica id)")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Clock == nil {
		deps.Clock = bot.SystemClock{}
	}
	set.applyDefaults()
	names := make(map[string]bool)
	for _, t := range threads {
		if names[t.Name] {
			return nil, fmt.Errorf("scheduler: thread %q is configured twice", t.Name)
		}
		names[t.Name] = true
	}
	for _, d := range digests {
		if !names[d.Thread] {
			return nil, fmt.Errorf("scheduler: digest %q names thread %q, which is not configured", d.Name, d.Thread)
		}
		if d.Schedule == nil || len(d.To) == 0 {
			return nil, fmt.Errorf("scheduler: digest %q needs a schedule and destinations", d.Name)
		}
	}
	s := &Service{
		deps:          deps,
		set:           set,
		log:           deps.Logger,
		configThreads: threads,
		configDigests: digests,
		threads:       make(map[string]*threadState),
		scheduled:     make(map[string]*digestState),
		inflight:      make(map[pairKey]bool),
		skipSaid:      make(map[pairKey]bool),
		dests:         make(map[string]bot.Destination),
		chanIDs:       make(map[string]string),
		stopCh:        make(chan struct{}),
		sweepNow:      make(chan struct{}, 1),
	}
	return s, nil
}

// cronLogger bridges robfig/cron's logger to slog; its chatty Info lines
// (every wake-up) go to debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}

// Run starts the service and blocks until ctx is cancelled. It then stops
// the schedule, lets posts in flight finish for up to Settings.ShutdownGrace
// (a post cut off after that stays in the store as claimed or posting and is
// settled by the state machine: retried after its lease, or marked
// uncertain), stops polling and returns. It does not close the store.
func (s *Service) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("scheduler: Run called twice")
	}
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	l := cronLogger{s.log}
	s.mu.Lock()
	s.runCtx = runCtx
	s.cron = cron.New(cron.WithLocation(time.UTC), cron.WithLogger(l),
		cron.WithChain(cron.SkipIfStillRunning(l), cron.Recover(l)))
	s.mu.Unlock()

	// Stopped while starting (ctx ended during these store calls): a clean
	// stop, not a failure.
	if err := s.saveConfigThreads(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if err := s.reconcile(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	s.cron.Start()
	s.scheduling.Store(true)
	s.log.Info("service started", "replica", s.deps.Holder, "threads", len(s.snapshotThreads()), "digests", len(s.Digests()))

	// Every thread polls on its own, at once. The sweep catches a digest up
	// once its thread's first poll has ended (a poll has a deadline), so
	// that a catch-up digest includes what arrived while the service was
	// down and a stuck source holds up only its own thread's digests.
	s.startPollLoops()
	s.sweep(ctx)

	tick := time.NewTicker(s.set.SweepInterval)
	defer tick.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-s.sweepNow:
			s.sweep(ctx)
		case <-tick.C:
			if err := s.reconcile(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("reloading follows failed", "err", err)
			}
			s.sweep(ctx)
		}
	}

	s.log.Info("service stopping")
	s.scheduling.Store(false)
	// Under the lock, so that no goRun adds work once the wait below began.
	s.mu.Lock()
	s.stopping.Store(true)
	s.mu.Unlock()
	close(s.stopCh)
	cronDone := s.cron.Stop()
	s.stopPollLoops()
	allDone := make(chan struct{})
	go func() {
		<-cronDone.Done()
		s.wg.Wait()
		close(allDone)
	}()
	select {
	case <-allDone:
	case <-time.After(s.set.ShutdownGrace):
		s.log.Warn("posts still in flight after the shutdown grace; cancelling them", "grace", s.set.ShutdownGrace)
		cancelRuns()
		select {
		case <-allDone:
		case <-time.After(abandonAfter):
			// Work that ignores its cancelled context (a write to a
			// blocked stream, a call the kernel does not interrupt) must
			// not keep the process from stopping: it is left behind. A
			// post cut off this way is settled by the store's state
			// machine (claimed: taken over; posting: uncertain).
			s.log.Warn("work still running after it was cancelled; stopping without it", "waited", abandonAfter)
		}
	}
	s.releasePollLeases()
	s.log.Info("service stopped")
	return nil
}

// abandonAfter is how long Run waits, after the shutdown grace, for the
// work it cancelled to return.
const abandonAfter = 2 * time.Second

// go starts f as work the service waits for at shutdown, unless it is
// stopping.
func (s *Service) goRun(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping.Load() {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

func (s *Service) saveConfigThreads(ctx context.Context) error {
	for _, t := range s.configThreads {
		rec, err := s.deps.Store.Thread(ctx, t.Name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("scheduler: read thread %s: %w", t.Name, err)
		}
		if err == nil && rec.Source == t.Source && rec.Target == t.Target {
			continue
		}
		rec.Name, rec.Source, rec.Target = t.Name, t.Source, t.Target
		if err := s.deps.Store.SaveThread(ctx, rec); err != nil {
			return fmt.Errorf("scheduler: save thread %s: %w", t.Name, err)
		}
	}
	return nil
}

// followDigestName is the digest name of a chat follow's runs.
func followDigestName(f store.Follow) string {
	return "follow:" + f.Platform + ":" + f.Channel + ":" + f.Thread
}

// Reconcile brings the polled threads and scheduled digests in line with
// the configuration and the follows in the store, at once: after a follow
// or unfollow here. (Run does it every sweep interval for the follows other
// replicas make.)
func (s *Service) Reconcile(ctx context.Context) error { return s.reconcile(ctx) }

// reconcile brings the polled threads and scheduled digests in line with the
// configuration and the follows in the store (which other replicas change).
func (s *Service) reconcile(ctx context.Context) error {
	follows, err := s.deps.Store.Follows(ctx, "", "")
	if err != nil {
		return fmt.Errorf("scheduler: list follows: %w", err)
	}
	wantThreads := make(map[string]ThreadSpec)
	fromConfig := make(map[string]bool)
	for _, t := range s.configThreads {
		if t.Poll <= 0 {
			t.Poll = s.set.PollInterval
		}
		wantThreads[t.Name] = t
		fromConfig[t.Name] = true
	}
	wantDigests := make(map[string]*digestState)
	for _, d := range s.configDigests {
		wantDigests[d.Name] = &digestState{spec: d}
	}
	for _, f := range follows {
		if _, ok := wantThreads[f.Thread]; !ok {
			rec, err := s.deps.Store.Thread(ctx, f.Thread)
			if err != nil {
				s.log.Error("a follow names a thread the store lacks", "thread", f.Thread, "channel", f.Platform+":"+f.Channel, "err", err)
				continue
			}
			wantThreads[f.Thread] = ThreadSpec{Name: rec.Name, Source: rec.Source, Target: rec.Target, Poll: s.set.PollInterval}
		}
		ds, err := s.followDigest(f)
		if err != nil {
			s.log.Error("a follow has a schedule that does not parse", "thread", f.Thread, "channel", f.Platform+":"+f.Channel, "schedule", f.Schedule, "err", err)
			continue
		}
		fc := f
		wantDigests[ds.Name] = &digestState{spec: ds, follow: &fc}
	}

	s.resolveChannels(ctx, wantDigests)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping.Load() {
		return nil
	}
	if s.cron == nil {
		return errors.New("scheduler: the service is not running")
	}
	for name, ts := range s.threads {
		if want, ok := wantThreads[name]; !ok || want.Source != ts.spec.Source || want.Poll != ts.spec.Poll {
			s.stopThreadLocked(ts)
			delete(s.threads, name)
		} else {
			ts.spec.Target = want.Target
		}
	}
	for name, spec := range wantThreads {
		s.deps.Metrics.threadKnown(name)
		if _, ok := s.threads[name]; !ok {
			ts := &threadState{spec: spec, fromConfig: fromConfig[name]}
			s.threads[name] = ts
			if s.pollLoopsStarted {
				s.startPollLoopLocked(ts)
			}
		}
	}
	for name, ds := range s.scheduled {
		want, ok := wantDigests[name]
		if !ok || want.spec.Schedule.String() != ds.spec.Schedule.String() || len(want.spec.To) != len(ds.spec.To) {
			s.cron.Remove(ds.entry)
			delete(s.scheduled, name)
		}
	}
	for name, want := range wantDigests {
		if _, ok := s.scheduled[name]; ok {
			continue
		}
		spec := want.spec
		for _, to := range spec.To {
			s.deps.Metrics.digestKnown(spec.Name, to.Key())
		}
		want.entry = s.cron.Schedule(spec.Schedule, cron.FuncJob(func() { s.runDue(spec) }))
		s.scheduled[name] = want
	}
	return nil
}

// resolveChannels looks up the ids of chat channels named rather than
// given by id, once each.
func (s *Service) resolveChannels(ctx context.Context, digests map[string]*digestState) {
	if s.deps.ChannelID == nil {
		return
	}
	for _, d := range digests {
		for _, to := range d.spec.To {
			if _, _, ok := to.Channel(); !ok || !strings.HasPrefix(to.Target, "#") {
				continue
			}
			s.mu.Lock()
			_, done := s.chanIDs[to.Key()]
			s.mu.Unlock()
			if done {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			id, err := s.deps.ChannelID(rctx, to)
			cancel()
			if err != nil {
				s.mu.Lock()
				// Tried again at every sweep; said once.
				if _, said := s.chanIDs["!"+to.Key()]; !said {
					s.chanIDs["!"+to.Key()] = ""
					s.log.Warn("a channel given by name could not be resolved; /thread there needs the thread's name until it is", "destination", to.Key(), "err", err)
				}
				s.mu.Unlock()
				continue
			}
			s.mu.Lock()
			s.chanIDs[to.Key()] = id
			s.mu.Unlock()
		}
	}
}

// ChannelOf returns the platform and channel id of a chat destination,
// resolved from its name when it was given by name.
func (s *Service) ChannelOf(a addr.Addr) (platform, channel string, ok bool) {
	platform, channel, ok = a.Channel()
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, found := s.chanIDs[a.Key()]; found {
		channel = id
	}
	return
}

func (s *Service) followDigest(f store.Follow) (DigestSpec, error) {
	zone := s.channelZone(f.Platform, f.Channel)
	sched, err := schedule.Parse(f.Schedule, zone)
	if err != nil {
		return DigestSpec{}, err
	}
	return DigestSpec{
		Name:     followDigestName(f),
		Thread:   f.Thread,
		Schedule: sched,
		To:       []addr.Addr{{Kind: addr.Kind(f.Platform), Target: f.Channel}},
		MinNew:   1,
		CatchUp:  true,
	}, nil
}

// channelZone is the zone of a chat channel: its own, else the service's.
func (s *Service) channelZone(platform, channel string) *time.Location {
	if s.set.ChannelZone != nil {
		if z := s.set.ChannelZone(platform, channel); z != nil {
			return z
		}
	}
	return s.set.Zone
}

// Threads returns the specs of the threads polled (configured and
// followed), by name.
func (s *Service) Threads() []ThreadSpec {
	var out []ThreadSpec
	for _, ts := range s.snapshotThreads() {
		out = append(out, ts.spec)
	}
	return out
}

func (s *Service) snapshotThreads() []*threadState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*threadState, 0, len(s.threads))
	for _, t := range s.threads {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].spec.Name < out[j].spec.Name })
	return out
}

// Digests returns the digests scheduled (configured and followed), by
// name.
func (s *Service) Digests() []DigestSpec {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DigestSpec, 0, len(s.scheduled))
	for _, d := range s.scheduled {
		out = append(out, d.spec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Thread returns the spec of a polled thread.
func (s *Service) Thread(name string) (ThreadSpec, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts, ok := s.threads[name]
	if !ok {
		return ThreadSpec{}, false
	}
	return ts.spec, true
}

// runDue is the cron job of a digest: it runs the slot that just came due to
// every destination, in parallel.
func (s *Service) runDue(d DigestSpec) {
	slot := d.Schedule.Prev(s.deps.Clock.Now())
	if slot.IsZero() {
		return
	}
	var wg sync.WaitGroup
	for _, to := range d.To {
		wg.Add(1)
		if !s.goRun(func() {
			defer wg.Done()
			s.runSlot(s.runCtx, d, to, slot, "")
		}) {
			wg.Done()
		}
	}
	wg.Wait()
}

// sweep looks, for every digest and destination, for a slot no replica ran
// (the service was down, the job was skipped while the previous one was
// still running, or it waited for a run of an earlier slot in flight) and
// for claims left by a replica that died, within Settings.CatchUpWindow. It
// runs the most recent missed slot: one catch-up digest covering everything
// not yet posted, not one per missed slot; its claim settles what a dead
// replica left of earlier slots. When no slot was missed it takes over the
// stale claim of the latest. A digest that never ran is not caught up: its
// first run is its next slot. A digest whose thread has not finished its
// first poll since the start waits for it (at most a poll's deadline), so
// that a catch-up includes what arrived while the service was down.
func (s *Service) sweep(ctx context.Context) {
	now := s.deps.Clock.Now()
	for _, d := range s.Digests() {
		if !d.CatchUp || !s.firstPollDone(d.Thread) {
			continue
		}
		latest := d.Schedule.Prev(now)
		runs, err := s.deps.Store.Runs(ctx, d.Name, 20*len(d.To))
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("listing runs failed", "digest", d.Name, "err", err)
			}
			continue
		}
		for _, to := range d.To {
			key := to.Key()
			var last *store.Run
			var stale []time.Time
			for i := range runs {
				r := runs[i]
				if r.Destination != key {
					continue
				}
				if last == nil {
					last = &runs[i]
				}
				if (r.State == store.RunClaimed || r.State == store.RunPosting) && !r.LeaseUntil.After(now) && now.Sub(r.Slot) <= s.set.CatchUpWindow {
					stale = append(stale, r.Slot)
				}
			}
			if last == nil {
				// Runs is capped; ask for this destination's last run.
				r, ok, err := s.deps.Store.LastRun(ctx, d.Name, key)
				if err != nil || !ok {
					continue
				}
				last = &r
			}
			// A slot that has just come due is the cron job's to run; the
			// sweep steps in only when it is still unrun a moment later.
			settled := now.Sub(latest) >= min(s.set.SweepInterval/2, 5*time.Second)
			if !latest.IsZero() && last.Slot.Before(latest) && settled && now.Sub(latest) <= s.set.CatchUpWindow {
				s.startSlot(d, to, latest, "catch-up")
				continue
			}
			for _, slot := range stale {
				s.startSlot(d, to, slot, "take-over")
			}
		}
	}
}

func (s *Service) startSlot(d DigestSpec, to addr.Addr, slot time.Time, why string) {
	s.mu.Lock()
	busy := s.inflight[pairKey{d.Name, to.Key()}]
	s.mu.Unlock()
	if busy {
		return
	}
	s.goRun(func() { s.runSlot(s.runCtx, d, to, slot, why) })
}

// Destination returns the Destination of an address, opened once and shared
// by every digest posting there.
func (s *Service) Destination(a addr.Addr) (bot.Destination, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.dests[a.Key()]; ok {
		return d, nil
	}
	d, err := s.deps.OpenDestination(a)
	if err != nil {
		return nil, err
	}
	s.dests[a.Key()] = d
	return d, nil
}

// oneLine makes an error fit a log attribute, a store column and a chat
// line: one line, bounded.
func oneLine(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if len(msg) > 500 {
		cut := 500
		for cut > 0 && msg[cut]&0xC0 == 0x80 {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
