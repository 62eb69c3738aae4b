package bot

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/schedule"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/internal/testkit/examples"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/store/sqlite"
)

// exampleComments reads the example thread, the comments the tests feed to
// sources a few at a time.
func exampleComments(t testing.TB) (string, []threaddigest.Comment) {
	t.Helper()
	th := examples.Thread(t, "huawei-europe.txt")
	if len(th.Comments) < 40 {
		t.Fatalf("example thread has %d comments", len(th.Comments))
	}
	return th.Title, th.Comments
}

// fakeSource serves a thread that grows as the test adds comments. It reads
// like a file source: the whole thread each time, NotModified when nothing
// changed since state.
type fakeSource struct {
	mu       sync.Mutex
	title    string
	comments []threaddigest.Comment
	fail     error
	fetches  int
	// active counts Fetch calls in progress, to catch overlapping polls.
	active, maxActive int
	delay             time.Duration
}

func (f *fakeSource) Fetch(ctx context.Context, state string) (source.Result, error) {
	f.mu.Lock()
	f.fetches++
	f.active++
	f.maxActive = max(f.maxActive, f.active)
	delay := f.delay
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.active--; f.mu.Unlock() }()
	if delay > 0 {
		time.Sleep(delay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return source.Result{}, f.fail
	}
	st := strconv.Itoa(len(f.comments))
	if st == state {
		return source.Result{NotModified: true, State: st}, nil
	}
	return source.Result{Title: f.title, Comments: append([]threaddigest.Comment(nil), f.comments...), State: st}, nil
}

func (f *fakeSource) add(cs ...threaddigest.Comment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.comments = append(f.comments, cs...)
}

func (f *fakeSource) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// recorder is a Destination that records what it delivers; deliver, when
// set, decides each attempt's outcome.
type recorder struct {
	mu       sync.Mutex
	posts    []Post
	attempts int
	deliver  func(ctx context.Context, attempt int, p Post) (string, error)
}

func (r *recorder) Deliver(ctx context.Context, p Post) (string, error) {
	r.mu.Lock()
	r.attempts++
	n := r.attempts
	fn := r.deliver
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

func (r *recorder) got() []Post {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Post(nil), r.posts...)
}

func (r *recorder) slots() []string {
	var out []string
	for _, p := range r.got() {
		out = append(out, p.Slot.UTC().Format(time.RFC3339))
	}
	return out
}

// openStore opens an SQLite store on a file in dir (two stores on one file
// act like two processes).
func openStore(t testing.TB, dir string) Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type harness struct {
	t       testing.TB
	store   Store
	sources map[string]*fakeSource
	dests   map[string]Destination
	logs    *logBuffer
	// channelIDs resolves destinations given by name, by key.
	channelIDs map[string]string
}

func newHarness(t testing.TB, st Store) *harness {
	return &harness{t: t, store: st, sources: map[string]*fakeSource{}, dests: map[string]Destination{}, logs: &logBuffer{}}
}

// service builds a service on the harness's store, sources and destinations.
func (h *harness) service(holder string, set Settings, threads []ThreadSpec, digests []DigestSpec) *Service {
	h.t.Helper()
	s, err := New(Deps{
		Store:  h.store,
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:  SystemClock{},
		Holder: holder,
		Analyze: func(_ context.Context, _ string, t threaddigest.Thread, opt digest.Options) digest.Digest {
			return digest.Analyze(t, opt)
		},
		OpenSource: func(t ThreadSpec) (source.Source, error) {
			if src, ok := h.sources[t.Source]; ok {
				return src, nil
			}
			return nil, fmt.Errorf("no such source %q", t.Source)
		},
		OpenDestination: func(a addr.Addr) (Destination, error) {
			if d, ok := h.dests[a.Key()]; ok {
				return d, nil
			}
			return nil, fmt.Errorf("no destination %s", a.Key())
		},
		ChannelID: func(ctx context.Context, a addr.Addr) (string, error) {
			if id, ok := h.channelIDs[a.Key()]; ok {
				return id, nil
			}
			return "", fmt.Errorf("no channel named %s", a.Target)
		},
	}, set, threads, digests)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func mustSchedule(t testing.TB, spec string) *schedule.Schedule {
	t.Helper()
	s, err := schedule.Parse(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAddr(t testing.TB, s string) addr.Addr {
	t.Helper()
	a, err := addr.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// start runs s until the returned stop function is called; stop waits for
// Run to return.
func start(t testing.TB, s *Service) (stop func()) {
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

// sleepUntil advances a synctest bubble's clock to at.
func sleepUntil(at time.Time) { time.Sleep(time.Until(at)) }

type logBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}
