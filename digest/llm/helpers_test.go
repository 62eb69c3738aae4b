package llm_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/digest/llm"
	"github.com/threaddigest/threaddigest/digest/llm/llmfake"
	"github.com/threaddigest/threaddigest/testkit/examples"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/sqldb"
	"github.com/threaddigest/threaddigest/store/sqlite"
)

const (
	model  = "fake-llama-8b"
	target = "fare-free buses"
)

// busArguments are the arguments of examples/fare-free-buses.jsonl as the
// script's "model" reads them, and the comments each word list finds.
var busArguments = []llmfake.ScriptArgument{
	// c3 (Dana)
	{Claim: "Fares cost almost as much to collect as they bring in", Side: "favor", Words: []string{"fare boxes"}},
	// c2 (Pete), c12 (Ruth)
	{Claim: "Taxpayers who never ride would pay for it", Side: "against", Words: []string{"property taxes", "permanent cost"}},
	// c7 (Lupe)
	{Claim: "Free fares help families who depend on the bus", Side: "favor", Words: []string{"families"}},
	// c1 (Maria), c13 (Alex)
	{Claim: "Fare-free buses have worked in other cities", Side: "favor", Words: []string{"kansas city", "flagstaff"}},
	// c5 (Sam), c6 (Maria)
	{Claim: "Frequent service matters more than the fare", Side: "none", Words: []string{"every ten minutes", "frequency"}},
}

// carsArgument is made by c10 (Tom), c11 (Pete) and c16 (Lupe): three
// commenters, enough to grow a set that lacks it.
var carsArgument = llmfake.ScriptArgument{
	Claim: "Free transit takes cars off the road", Side: "favor", Words: []string{"car trip", "from cars", "one less car"},
}

func busScript() llmfake.Script {
	return llmfake.Script{
		Subject:   "fare-free buses",
		Arguments: append([]llmfake.ScriptArgument(nil), busArguments...),
		// favor: c1 "Do it." c3 c7 c9 c10 c13 c14 c16; against: c2 c4 c8 c11 c12 c15
		Favor:     []string{"do it", "barely", "would help", "not my experience", "cheapest", "it works", "on evidence", "one less car"},
		Against:   []string{"nothing is free", "show me", "rolling shelters", "tiny", "put it to the voters", "instead"},
		Rebuttal:  []string{"barely", "show me", "not my experience", "tiny", "already", "every person"},
		Agreement: []string{"exactly"},
	}
}

// Expected labels of the bus thread under busScript, by comment id.
var (
	wantFavor   = []string{"c1", "c3", "c7", "c9", "c10", "c13", "c14", "c16"}
	wantAgainst = []string{"c2", "c4", "c8", "c11", "c12", "c15"}
	// c5 and c6 take no side.
)

func busThread(t *testing.T) threaddigest.Thread {
	t.Helper()
	return examples.Thread(t, "fare-free-buses.jsonl")
}

// sleeps records the waits between attempts, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// fixture is an engine on a fake server with an in-memory store.
type fixture struct {
	t      *testing.T
	fake   *llmfake.Server
	store  *sqldb.Store
	engine *llm.Engine
	logs   *bytes.Buffer
	sleeps *sleeps
	opt    llm.Options
}

func newFixture(t *testing.T, script llmfake.Script, adjust func(*llm.Options)) *fixture {
	t.Helper()
	fake := llmfake.New(t, script, model)
	fake.RequireKey()
	st, err := sqlite.Open(context.Background(), sqlite.Memory, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SaveThread(context.Background(), store.ThreadRecord{Name: "buses", Source: "examples/fare-free-buses.jsonl"}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, fake: fake, store: st, logs: &bytes.Buffer{}, sleeps: &sleeps{}}
	f.opt = llm.Options{
		BaseURL:     fake.BaseURL(),
		Model:       model,
		APIKey:      llmfake.Key,
		Timeout:     5 * time.Second,
		Retries:     2,
		Concurrency: 2,
		BatchSize:   6,
		Labels:      st,
		Arguments:   st,
		Logger:      slog.New(slog.NewTextHandler(lockedWriter{f}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sleep:       f.sleeps.sleep,
	}
	if adjust != nil {
		adjust(&f.opt)
	}
	f.engine, err = llm.New(f.opt)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var logMu sync.Mutex

type lockedWriter struct{ f *fixture }

func (w lockedWriter) Write(p []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	return w.f.logs.Write(p)
}

func (f *fixture) log() string {
	logMu.Lock()
	defer logMu.Unlock()
	return f.logs.String()
}

func (f *fixture) digest(th threaddigest.Thread, opt digest.Options) (digest.Digest, llm.Report) {
	f.t.Helper()
	if opt.Target == "" {
		opt.Target = target
	}
	return f.engine.Digest(context.Background(), "buses", th, opt)
}

// labelRequests are the requests that asked for labels, and the comments
// they carried in all.
func labelRequests(reqs []llmfake.Request) (n, comments int) {
	for _, r := range reqs {
		if r.Task == "label_comments" {
			n++
			comments += len(r.Comments)
		}
	}
	return n, comments
}

func byID(d digest.Digest) map[string]digest.CommentResult {
	m := map[string]digest.CommentResult{}
	for _, c := range d.Comments {
		m[c.ID] = c
	}
	return m
}

// checkVerbatim fails the test for every quote or excerpt of d that is not
// a passage of its comment.
func checkVerbatim(t *testing.T, th threaddigest.Thread, d digest.Digest) {
	t.Helper()
	bodies := map[string]string{}
	for _, c := range th.Comments {
		bodies[c.ID] = c.Body
	}
	check := func(what, id, text string) {
		t.Helper()
		if text == "" || !strings.Contains(bodies[id], text) {
			t.Errorf("%s %q is not verbatim in comment %s", what, text, id)
		}
	}
	for _, a := range d.Arguments {
		check("statement", a.Quote.CommentID, a.Statement)
	}
	for _, r := range d.Rebuttals {
		check("rebuttal excerpt", r.CommentID, r.Excerpt)
		check("parent excerpt", r.ReplyTo, r.ParentExcerpt)
	}
	for _, q := range []*digest.Quote{d.Stance.FavorQuote, d.Stance.AgainstQuote} {
		if q != nil {
			check("stance quote", q.CommentID, q.Text)
		}
	}
}
