// Package bottest runs the bot in tests: a scheduler with its digest cache
// and command handler on an SQLite store, fed by sources and delivering to
// destinations the test controls, its log kept for the test to read.
package bottest

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/commands"
	"github.com/threaddigest/threaddigest/bot/digests"
	"github.com/threaddigest/threaddigest/bot/schedule"
	"github.com/threaddigest/threaddigest/bot/scheduler"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/store/sqlite"
	"github.com/threaddigest/threaddigest/testkit/examples"
)

// ExampleComments reads the example thread, the comments the tests feed to
// sources a few at a time.
func ExampleComments(t testing.TB) (string, []threaddigest.Comment) {
	t.Helper()
	th := examples.Thread(t, "huawei-europe.txt")
	if len(th.Comments) < 40 {
		t.Fatalf("example thread has %d comments", len(th.Comments))
	}
	return th.Title, th.Comments
}

// FakeSource serves a thread that grows as the test adds comments. It reads
// like a file source: the whole thread each time, NotModified when nothing
// changed since state.
type FakeSource struct {
	Title    string
	Comments []threaddigest.Comment
	// Delay holds every Fetch up.
	Delay time.Duration
	// Fail makes every Fetch fail; set it before the source is used, or
	// with SetFail.
	Fail error

	mu      sync.Mutex
	fetches int
	// active counts Fetch calls in progress, to catch overlapping polls.
	active, maxActive int
}

// Fetch returns the thread as it stands.
func (f *FakeSource) Fetch(ctx context.Context, state string) (source.Result, error) {
	f.mu.Lock()
	f.fetches++
	f.active++
	f.maxActive = max(f.maxActive, f.active)
	delay := f.Delay
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.active--; f.mu.Unlock() }()
	if delay > 0 {
		time.Sleep(delay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail != nil {
		return source.Result{}, f.Fail
	}
	st := strconv.Itoa(len(f.Comments))
	if st == state {
		return source.Result{NotModified: true, State: st}, nil
	}
	return source.Result{Title: f.Title, Comments: append([]threaddigest.Comment(nil), f.Comments...), State: st}, nil
}

// Add adds comments to the thread.
func (f *FakeSource) Add(cs ...threaddigest.Comment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Comments = append(f.Comments, cs...)
}

// SetFail makes every Fetch fail with err (nil: succeed again).
func (f *FakeSource) SetFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Fail = err
}

// Count is how many times the source was read.
func (f *FakeSource) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches
}

// MaxActive is the most reads that ran at once.
func (f *FakeSource) MaxActive() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxActive
}

// Recorder is a Destination that records what it delivers; OnDeliver,
// when set, decides each attempt's outcome.
type Recorder struct {
	OnDeliver func(ctx context.Context, attempt int, p bot.Post) (string, error)

	mu       sync.Mutex
	posts    []bot.Post
	attempts int
}

// Deliver records p, or does what OnDeliver says.
func (r *Recorder) Deliver(ctx context.Context, p bot.Post) (string, error) {
	r.mu.Lock()
	r.attempts++
	n := r.attempts
	fn := r.OnDeliver
	r.mu.Unlock()
	if fn != nil {
		ref, err := fn(ctx, n, p)
		if err != nil {
			return "", err
		}
		r.mu.Lock()
		r.posts = append(r.posts, p)
		r.mu.Unlock()
		return ref, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts = append(r.posts, p)
	return fmt.Sprintf("ref-%d", len(r.posts)), nil
}

// Got returns what was delivered.
func (r *Recorder) Got() []bot.Post {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Post(nil), r.posts...)
}

// Slots returns the slots delivered, in RFC 3339.
func (r *Recorder) Slots() []string {
	var out []string
	for _, p := range r.Got() {
		out = append(out, p.Slot.UTC().Format(time.RFC3339))
	}
	return out
}

// Store is what the bot needs of the store.
type Store interface {
	scheduler.Store
	commands.Store
	digests.Store
}

// OpenStore opens an SQLite store on a file in dir (two stores on one file
// act like two processes).
func OpenStore(t testing.TB, dir string) Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Harness builds services on one store, with the sources and destinations
// the test puts in its maps, by address.
type Harness struct {
	T       testing.TB
	Store   Store
	Sources map[string]*FakeSource
	Dests   map[string]bot.Destination
	Logs    *LogBuffer
	// ChannelIDs resolves destinations given by name, by key.
	ChannelIDs map[string]string
}

// New returns a harness on st.
func New(t testing.TB, st Store) *Harness {
	return &Harness{T: t, Store: st, Sources: map[string]*FakeSource{}, Dests: map[string]bot.Destination{}, Logs: &LogBuffer{}}
}

// Service is a scheduler with its digest cache and command handler.
type Service struct {
	*scheduler.Service
	Cache    *digests.Cache
	commands *commands.Commands
}

// Commands returns the service's command handler.
func (s *Service) Commands() *commands.Commands { return s.commands }

// Service builds a service on the harness's store, sources and destinations.
// The commands read dates in the scheduler's zones and follow on the default
// schedule.
func (h *Harness) Service(holder string, set scheduler.Settings, threads []scheduler.ThreadSpec, digestSpecs []scheduler.DigestSpec) *Service {
	h.T.Helper()
	logger := slog.New(slog.NewTextHandler(h.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cache, err := digests.New(digests.Deps{
		Store: h.Store,
		Analyze: func(_ context.Context, _ string, t threaddigest.Thread, opt digest.Options) digest.Digest {
			return digest.Analyze(t, opt)
		},
	}, digests.Limits{})
	if err != nil {
		h.T.Fatal(err)
	}
	open := func(address string) (source.Source, error) {
		if src, ok := h.Sources[address]; ok {
			return src, nil
		}
		return nil, fmt.Errorf("no such source %q", address)
	}
	s, err := scheduler.New(scheduler.Deps{
		Store:      h.Store,
		Logger:     logger,
		Clock:      bot.SystemClock{},
		Holder:     holder,
		Digests:    cache,
		OpenSource: func(t scheduler.ThreadSpec) (source.Source, error) { return open(t.Source) },
		OpenDestination: func(a addr.Addr) (bot.Destination, error) {
			if d, ok := h.Dests[a.Key()]; ok {
				return d, nil
			}
			return nil, fmt.Errorf("no destination %s", a.Key())
		},
		ChannelID: func(ctx context.Context, a addr.Addr) (string, error) {
			if id, ok := h.ChannelIDs[a.Key()]; ok {
				return id, nil
			}
			return "", fmt.Errorf("no channel named %s", a.Target)
		},
	}, set, threads, digestSpecs)
	if err != nil {
		h.T.Fatal(err)
	}
	c, err := commands.New(commands.Deps{
		Store:      h.Store,
		Following:  s,
		Scheduling: s,
		Digests:    cache,
		OpenSource: open,
		Logger:     logger,
		Clock:      bot.SystemClock{},
	}, commands.Settings{Zone: set.Zone, ChannelZone: set.ChannelZone, QuietAfter: set.QuietAfter})
	if err != nil {
		h.T.Fatal(err)
	}
	return &Service{Service: s, Cache: cache, commands: c}
}

// Comments returns the ids of the thread's stored comments.
func (h *Harness) Comments(t testing.TB, thread string) []string {
	t.Helper()
	cs, err := h.Store.Comments(context.Background(), thread)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// Schedule parses a schedule or fails the test.
func Schedule(t testing.TB, spec string) *schedule.Schedule {
	t.Helper()
	s, err := schedule.Parse(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Addr parses a destination address or fails the test.
func Addr(t testing.TB, s string) addr.Addr {
	t.Helper()
	a, err := addr.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Start runs s until the returned stop function is called; stop waits for
// Run to return.
func Start(t testing.TB, s interface{ Run(context.Context) error }) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// SleepUntil advances a synctest bubble's clock to at.
func SleepUntil(at time.Time) { time.Sleep(time.Until(at)) }

// Req is a command typed in a Slack channel: its subcommand lower-cased,
// its arguments split at spaces. The bot's tests type neither quotes nor
// links; reading those is the adapter's job (adapters/slack.ParseCommandText,
// tested there).
func Req(channel, text string) bot.Request {
	var sub string
	args := strings.Fields(text)
	if len(args) > 0 {
		sub, args = strings.ToLower(args[0]), args[1:]
	}
	return bot.Request{Platform: "slack", Workspace: "T1", Channel: channel, User: "U1", Sub: sub, Args: args}
}

// LogBuffer keeps a log for the test to read.
type LogBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	return len(p), nil
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}
