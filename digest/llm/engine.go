// Package llm is the language-model engine: a digest whose comments are
// labelled by a model on any OpenAI-compatible Chat Completions endpoint
// (a hosted API, or Ollama, llama.cpp's server, vLLM on one's own machine).
//
// The model only labels and phrases. It proposes the thread's arguments as
// short claims, and labels each comment: its stance toward the target, the
// arguments it makes, how a reply answers its parent, each with a passage of
// the comment it cites. Everything else is this package's and digest's: ids
// are ours (the model sees keys we give and answers with them), every cited
// passage is checked to be in its comment (else the label is dropped and
// counted), unknown keys and values are dropped and counted, and the digest
// is assembled by digest.Assemble, which counts by distinct commenter and
// quotes only checked passages, exactly as the offline analysis does.
//
// Labels are cached per comment (keyed by its text, its parent's, the
// target, the argument set, the model and the prompt), so a scheduled digest
// asks the model only about new comments. A thread's argument set is kept
// across digests and grows only when enough comments make arguments outside
// it. What the model cannot label — the digest would exceed its token
// budget, requests time out or fail, answers are malformed, cut short,
// refused or incomplete — the offline analysis labels, and the digest's
// Engine (shown in every rendering's footer) says so.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"golang.org/x/text/unicode/norm"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
)

// LabelCache keeps checked labels by key, per thread. The store is one.
type LabelCache interface {
	ModelLabels(ctx context.Context, thread string, keys []string) (map[string][]byte, error)
	SaveModelLabels(ctx context.Context, thread string, labels map[string][]byte, now time.Time) error
}

// ArgumentSets keeps each thread's argument set by scope. The store is
// one.
type ArgumentSets interface {
	ArgumentSet(ctx context.Context, thread, scope string) ([]byte, bool, error)
	SaveArgumentSet(ctx context.Context, thread, scope string, set []byte, now time.Time) error
}

// Options configure an Engine. BaseURL and Model are required; the zero
// value of every other field takes the default documented on it.
type Options struct {
	// BaseURL is the API base ("http://localhost:11434/v1"); requests go to
	// BaseURL/chat/completions.
	BaseURL string
	// Model names the model as the server knows it.
	Model string
	// APIKey is sent as a bearer token; "" sends none. It is never logged.
	APIKey string
	// Timeout bounds one request. Default 2m.
	Timeout time.Duration
	// DigestTimeout bounds the model's work on one digest. Default 10m.
	DigestTimeout time.Duration
	// Retries is how often a request that timed out, was rate-limited or
	// failed on the server is tried again; 0 tries each once.
	Retries int
	// Concurrency is the requests in flight at once. Default 2.
	Concurrency int
	// BatchSize is the comments one labelling request carries. Default 20.
	BatchSize int
	// TokenBudget caps the tokens of one digest; 0 for no cap.
	TokenBudget int
	// StructuredOutput: "auto" (default), "json_schema", "json_object" or
	// "none".
	StructuredOutput string
	// InputPrice and OutputPrice are US dollars per million tokens.
	InputPrice, OutputPrice float64

	// HTTPClient makes the requests; default a client without its own
	// timeout (each request carries Timeout).
	HTTPClient *http.Client
	// Logger receives one line per digest and the failures; nil discards.
	Logger *slog.Logger
	// Labels and Arguments keep what the model said between digests; nil
	// keeps nothing (every digest asks again).
	Labels    LabelCache
	Arguments ArgumentSets
	// Metrics may be nil.
	Metrics *Metrics
	// Now and Sleep are the clock; defaults time.Now and a timer that ends
	// early with ctx.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Engine labels comments with a language model. It is safe for concurrent
// use; one Engine serves every digest of a process.
type Engine struct {
	opt     Options
	chat    openai.ChatCompletionService
	log     *slog.Logger
	metrics *Metrics

	mu            sync.Mutex
	format        string // the structured-output mode in use (auto moves down)
	noTemperature bool   // the model refused a temperature: send none
}

// New makes an Engine.
func New(opt Options) (*Engine, error) {
	if opt.BaseURL == "" || opt.Model == "" {
		return nil, errors.New("llm: a base URL and a model are required")
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 2 * time.Minute
	}
	if opt.DigestTimeout <= 0 {
		opt.DigestTimeout = 10 * time.Minute
	}
	opt.Retries = max(opt.Retries, 0)
	if opt.Concurrency <= 0 {
		opt.Concurrency = 2
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 20
	}
	switch opt.StructuredOutput {
	case "":
		opt.StructuredOutput = modeAuto
	case modeAuto, modeJSONSchema, modeJSONObject, modeNone:
	default:
		return nil, fmt.Errorf("llm: structured output %q: expected auto, json_schema, json_object or none", opt.StructuredOutput)
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	// Only the options given here: the client reads nothing from the
	// environment, and retries are this package's (a timed-out attempt is
	// retried too, which the client's own retries do not do).
	reqOpts := []option.RequestOption{
		option.WithBaseURL(opt.BaseURL),
		option.WithHTTPClient(opt.HTTPClient),
		option.WithMaxRetries(0),
	}
	if opt.APIKey != "" {
		reqOpts = append(reqOpts, option.WithAPIKey(opt.APIKey))
	}
	format := opt.StructuredOutput
	if format == modeAuto {
		format = modeJSONSchema
	}
	return &Engine{
		opt:     opt,
		chat:    openai.NewChatCompletionService(reqOpts...),
		log:     opt.Logger,
		metrics: opt.Metrics,
		format:  format,
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Engine) sleep(ctx context.Context, d time.Duration) error { return e.opt.Sleep(ctx, d) }

// Model is the model the engine asks.
func (e *Engine) Model() string { return e.opt.Model }

// Report is what one digest asked of the model and what came of it.
type Report struct {
	// Comments counts the thread's live comments, all of which are
	// labelled (a digest of new comments places them in the whole thread).
	Comments int
	// Cached, Labelled and Offline count those whose labels came from the
	// cache, from the model now, and from the offline analysis.
	Cached, Labelled, Offline int
	// Requests counts the requests sent (retries included).
	Requests int
	// PromptTokens and CompletionTokens are what the model was sent and
	// wrote; Cost their price.
	PromptTokens, CompletionTokens int
	Cost                           float64
	// Estimate is the tokens the digest was expected to need before any
	// request; 0 when everything came from the cache.
	Estimate int
	// Dropped counts the parts of answers discarded, by reason.
	Dropped map[string]int
	// Reason says why the offline analysis labelled comments; "".
	Reason string
	// ArgumentsProposed and ArgumentsAdded: the set was made in this digest,
	// or grew by this many.
	ArgumentsProposed bool
	ArgumentsAdded    int
}

// Tokens is PromptTokens + CompletionTokens.
func (r Report) Tokens() int { return r.PromptTokens + r.CompletionTokens }

// Analyze is Digest without the report: the shape the service calls.
func (e *Engine) Analyze(ctx context.Context, thread string, t threaddigest.Thread, opt digest.Options) digest.Digest {
	d, _ := e.Digest(ctx, thread, t, opt)
	return d
}

// Digest digests t (stored as thread; "" keeps nothing between digests)
// with the model's labels. It never fails: whatever the model cannot label,
// the offline analysis labels, and d.Engine says which did what and why.
func (e *Engine) Digest(ctx context.Context, thread string, t threaddigest.Thread, opt digest.Options) (digest.Digest, Report) {
	start := e.opt.Now()
	ctx, cancel := context.WithTimeout(ctx, e.opt.DigestTimeout)
	defer cancel()
	r := e.newRun(thread, t, opt)
	r.label(ctx)
	d := r.assemble()
	rep := r.report()
	e.metrics.digest(rep, d.Engine)
	e.log.Info("digest labelled by the language model",
		"thread", thread, "model", e.opt.Model, "comments", rep.Comments,
		"cached", rep.Cached, "labelled", rep.Labelled, "offline", rep.Offline,
		"requests", rep.Requests, "prompt_tokens", rep.PromptTokens, "completion_tokens", rep.CompletionTokens,
		"cost_usd", rep.Cost, "dropped", dropSummary(rep.Dropped), "reason", rep.Reason,
		"seconds", e.opt.Now().Sub(start).Seconds())
	return d, rep
}

func dropSummary(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, ",")
}

// run is one digest's work.
type run struct {
	e      *Engine
	thread string
	t      threaddigest.Thread
	opt    digest.Options
	base   digest.Labels // the offline analysis's labels: links, target, fallback
	target string        // as given or found offline; the set may name a subject

	set    *argumentSet
	labels map[int]modelLabel // by comment index
	cached map[int]bool

	prompt, completion atomic.Int64
	requests           atomic.Int64

	mu        sync.Mutex
	dropped   map[string]int
	reasons   []string // why comments fell back, first first
	committed int      // tokens expected of the requests in flight
	est       int
	proposed  bool
	added     int
}

func (e *Engine) newRun(thread string, t threaddigest.Thread, opt digest.Options) *run {
	base := digest.OfflineLabels(t, digest.Options{Target: opt.Target})
	return &run{
		e: e, thread: thread, t: t, opt: opt, base: base, target: base.Target,
		labels: map[int]modelLabel{}, cached: map[int]bool{}, dropped: map[string]int{},
	}
}

func (r *run) spend(u usage) {
	r.requests.Add(1)
	r.prompt.Add(int64(u.prompt))
	r.completion.Add(int64(u.completion))
}

func (r *run) spent() int { return int(r.prompt.Load() + r.completion.Load()) }

// failed records why comments fall back to the offline analysis.
func (r *run) failed(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.reasons {
		if have == reason {
			return
		}
	}
	r.reasons = append(r.reasons, reason)
}

func (r *run) drop(m map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, n := range m {
		r.dropped[k] += n
	}
}

// item is a live comment to label.
type item struct {
	i      int
	text   string // as shown to the model
	parent string // the parent's text as shown; "" for a top-level comment
	reply  bool
	key    string // cache key
	quiet  bool   // reads like instructions to the model: labelled alone
}

func (r *run) items() []item {
	var out []item
	for i, c := range r.t.Comments {
		if c.Deleted {
			continue
		}
		it := item{i: i, text: shown(c.Body, maxCommentBytes)}
		if p := r.base.Comments[i].ReplyTo; p >= 0 {
			it.reply = true
			it.parent = shown(r.t.Comments[p].Body, maxParentBytes)
		}
		it.quiet = looksLikeInstructions(c.Body)
		out = append(out, it)
	}
	return out
}

// label fills r.set and r.labels: the argument set (stored, or proposed),
// then every comment's labels (cached, or asked for in batches), then the
// set grown when enough comments fall outside it.
func (r *run) label(ctx context.Context) {
	items := r.items()
	if len(items) == 0 {
		r.set = &argumentSet{}
		return
	}
	set, stored := r.loadSet(ctx)
	todo := items
	if stored {
		todo = r.fromCache(ctx, set, items)
	}
	est := r.estimate(set, todo, !stored, items)
	r.est = est
	if b := r.e.opt.TokenBudget; b > 0 && est > b {
		r.failed(fmt.Sprintf("the digest would need about %d tokens, over its budget of %d", est, b))
		r.set = &argumentSet{}
		r.labels = map[int]modelLabel{}
		r.cached = map[int]bool{}
		return
	}
	if !stored {
		var err error
		set, err = r.propose(ctx, items)
		if err != nil {
			r.failed(reasonOf(err))
			r.set = &argumentSet{}
			return
		}
		r.saveSet(ctx, set)
		todo = r.fromCache(ctx, set, items)
	}
	r.set = set
	r.ask(ctx, set, todo)
	r.grow(ctx, items)
}

// loadSet reads the thread's stored argument set.
func (r *run) loadSet(ctx context.Context) (*argumentSet, bool) {
	if r.e.opt.Arguments == nil || r.thread == "" {
		return nil, false
	}
	raw, ok, err := r.e.opt.Arguments.ArgumentSet(ctx, r.thread, setScope(r.e.opt.Model, r.target))
	if err != nil {
		r.e.log.Warn("reading the thread's argument set failed; proposing one", "thread", r.thread, "err", err)
		return nil, false
	}
	if !ok {
		return nil, false
	}
	var set argumentSet
	if err := json.Unmarshal(raw, &set); err != nil || len(set.Arguments) > maxArguments {
		r.e.log.Warn("the stored argument set is unreadable; proposing one", "thread", r.thread, "err", err)
		return nil, false
	}
	return &set, true
}

func (r *run) saveSet(ctx context.Context, set *argumentSet) {
	if r.e.opt.Arguments == nil || r.thread == "" {
		return
	}
	raw, _ := json.Marshal(set)
	if err := r.e.opt.Arguments.SaveArgumentSet(ctx, r.thread, setScope(r.e.opt.Model, r.target), raw, r.e.opt.Now()); err != nil {
		r.e.log.Warn("saving the thread's argument set failed", "thread", r.thread, "err", err)
	}
}

// fromCache takes the cached labels of items against set and returns the
// items still to label.
func (r *run) fromCache(ctx context.Context, set *argumentSet, items []item) []item {
	target, h := set.target(r.target), set.hash()
	keys := make([]string, len(items))
	for k := range items {
		items[k].key = labelKey(r.e.opt.Model, target, h, items[k].text, items[k].parent, items[k].reply)
		keys[k] = items[k].key
	}
	if r.e.opt.Labels == nil || r.thread == "" {
		return items
	}
	got, err := r.e.opt.Labels.ModelLabels(ctx, r.thread, keys)
	if err != nil {
		r.e.log.Warn("reading cached labels failed; asking the model again", "thread", r.thread, "err", err)
		return items
	}
	var todo []item
	for _, it := range items {
		var l modelLabel
		raw, ok := got[it.key]
		if ok && json.Unmarshal(raw, &l) == nil && l.valid(it.text, it.parent, it.reply, set) {
			r.labels[it.i] = l
			r.cached[it.i] = true
			continue
		}
		todo = append(todo, it)
	}
	return todo
}

// Token estimates: a token is about four bytes of English; an answer takes
// about this many tokens per comment.
const (
	bytesPerToken     = 4
	answerPerComment  = 120
	answerPerProposal = 1200
)

func tokens(s string) int { return len(s)/bytesPerToken + 1 }

// estimate is the tokens the digest is expected to need: the proposal when
// no set is stored, and the labelling of todo.
func (r *run) estimate(set *argumentSet, todo []item, propose bool, all []item) int {
	n := 0
	described := maxArguments * 40
	if set != nil {
		described = len(set.describe())
	}
	if propose {
		_, shownText := r.proposalSample(all)
		n += tokens(proposeSystem(r.target)) + tokens(userMessage(taskPropose, shownText)) + answerPerProposal
	}
	system := tokens(labelSystem(r.target, &argumentSet{})) + described/bytesPerToken
	for _, b := range batches(todo, r.e.opt.BatchSize) {
		n += system + tokens(userMessage(taskLabel, labelItems(b))) + answerPerComment*len(b)
	}
	return n
}

// batches cuts items into requests of at most size comments; a comment that
// reads like instructions to the model goes alone, so that whatever it makes
// the model do touches no other comment's labels.
func batches(items []item, size int) [][]item {
	var out [][]item
	var cur []item
	for _, it := range items {
		if it.quiet {
			out = append(out, []item{it})
			continue
		}
		cur = append(cur, it)
		if len(cur) == size {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// labelItems are the batch as the model sees it, keyed c1, c2, … in order.
func labelItems(b []item) []labelItem {
	out := make([]labelItem, len(b))
	for k, it := range b {
		out[k] = labelItem{Key: fmt.Sprintf("c%d", k+1), Text: it.text, Parent: it.parent}
	}
	return out
}

// ask labels todo in batches, Concurrency at a time, within the budget.
func (r *run) ask(ctx context.Context, set *argumentSet, todo []item) {
	if len(todo) == 0 {
		return
	}
	var mu sync.Mutex
	fresh := map[string][]byte{}
	sem := make(chan struct{}, r.e.opt.Concurrency)
	var wg sync.WaitGroup
	system := labelSystem(r.target, set)
	for _, b := range batches(todo, r.e.opt.BatchSize) {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			got := r.labelBatch(ctx, system, set, b, 0)
			mu.Lock()
			defer mu.Unlock()
			for _, it := range b {
				l, ok := got[it.i]
				if !ok {
					continue
				}
				r.labels[it.i] = l
				if raw, err := json.Marshal(l); err == nil && it.key != "" {
					fresh[it.key] = raw
				}
			}
		}()
	}
	wg.Wait()
	if len(fresh) > 0 && r.e.opt.Labels != nil && r.thread != "" {
		if err := r.e.opt.Labels.SaveModelLabels(ctx, r.thread, fresh, r.e.opt.Now()); err != nil {
			r.e.log.Warn("caching the model's labels failed", "thread", r.thread, "err", err)
		}
	}
}

// commit reserves the expected cost of a request about to be sent, and
// reports false when it would take the digest past its budget: what was
// spent, what requests in flight are expected to spend, and this.
func (r *run) commit(cost int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.e.opt.TokenBudget; b > 0 && r.spent()+r.committed+cost > b {
		return false
	}
	r.committed += cost
	return true
}

func (r *run) uncommit(cost int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.committed -= cost
}

// Content retries: an answer that is malformed, cut short or refused is
// asked for once more (a cut-short batch in halves); comments a valid
// answer left out are asked for once more.
const contentRetries = 1

// labelBatch asks for one batch's labels and returns those that came back.
func (r *run) labelBatch(ctx context.Context, system string, set *argumentSet, b []item, depth int) map[int]modelLabel {
	out := map[int]modelLabel{}
	shownItems := labelItems(b)
	user := userMessage(taskLabel, shownItems)
	cost := tokens(system) + tokens(user) + answerPerComment*len(b)
	if !r.commit(cost) {
		r.failed(fmt.Sprintf("the digest's token budget of %d ran out", r.e.opt.TokenBudget))
		return out
	}
	obj, err := r.e.call(ctx, system, user, "comment_labels", labelSchema(), r.spend)
	r.uncommit(cost)
	if err != nil {
		var ce *callError
		errors.As(err, &ce)
		switch {
		case ce != nil && ce.kind == failTruncated && len(b) > 1 && depth <= 2*contentRetries:
			half := len(b) / 2
			for _, part := range [][]item{b[:half], b[half:]} {
				for i, l := range r.labelBatch(ctx, system, set, part, depth+1) {
					out[i] = l
				}
			}
			return out
		case ce != nil && (ce.kind == failMalformed || ce.kind == failTruncated || ce.kind == failRefused) && depth < contentRetries:
			return r.labelBatch(ctx, system, set, b, depth+1)
		}
		r.failed(reasonOf(err))
		r.e.log.Warn("the language model could not label a batch; the offline analysis labels it", "thread", r.thread, "comments", len(b), "err", err)
		return out
	}
	drops := map[string]int{}
	byKey := map[string]int{}
	for k := range shownItems {
		byKey[shownItems[k].Key] = k
	}
	for k, v := range obj {
		if k != "labels" {
			drops[dropUnknownKey]++
			continue
		}
		var list []map[string]json.RawMessage
		if json.Unmarshal(v, &list) != nil {
			drops[dropBadValue]++
			continue
		}
		for _, lobj := range list {
			var key string
			if json.Unmarshal(lobj["comment"], &key) != nil {
				drops[dropUnknownComment]++
				continue
			}
			k, ok := byKey[key]
			if !ok {
				drops[dropUnknownComment]++
				continue
			}
			it := b[k]
			if _, dup := out[it.i]; dup {
				drops[dropDuplicate]++
				continue
			}
			out[it.i] = readLabel(lobj, it.text, it.parent, it.reply, set.target(r.target) != "", set, drops)
		}
	}
	r.drop(drops)
	var missing []item
	for _, it := range b {
		if _, ok := out[it.i]; !ok {
			missing = append(missing, it)
		}
	}
	if len(missing) > 0 {
		if depth < contentRetries {
			for i, l := range r.labelBatch(ctx, system, set, missing, depth+1) {
				out[i] = l
			}
		} else {
			r.failed(fmt.Sprintf("the model left %d of %d comments unlabelled", len(missing), len(b)))
		}
	}
	return out
}

// reasonOf is what a failure says in a digest's footer: what happened, not
// what the server or the model wrote (that goes to the log).
func reasonOf(err error) string {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.reason
	}
	return err.Error()
}

// proposalSample is the comments shown to propose arguments: up to
// proposalBudget bytes of them, spread over the thread, none that reads like
// instructions to the model; keyed c1, c2, … It returns their items by key
// too.
func (r *run) proposalSample(items []item) (map[string]item, []proposalItem) {
	var pool []item
	for _, it := range items {
		if !it.quiet {
			pool = append(pool, it)
		}
	}
	total := 0
	for _, it := range pool {
		total += len(shown(it.text, maxProposalBytes))
	}
	step := 1
	for total/step > proposalBudget {
		step++
	}
	byKey := map[string]item{}
	var shownItems []proposalItem
	for k := 0; k < len(pool); k += step {
		key := fmt.Sprintf("c%d", len(shownItems)+1)
		byKey[key] = pool[k]
		shownItems = append(shownItems, proposalItem{Key: key, Text: shown(pool[k].text, maxProposalBytes)})
	}
	return byKey, shownItems
}

// propose asks the model for the thread's arguments.
func (r *run) propose(ctx context.Context, items []item) (*argumentSet, error) {
	_, shownItems := r.proposalSample(items)
	shownText := map[string]string{}
	for _, s := range shownItems {
		shownText[s.Key] = s.Text
	}
	obj, err := r.e.call(ctx, proposeSystem(r.target), userMessage(taskPropose, shownItems), "thread_arguments", proposalSchema(), r.spend)
	if err != nil {
		r.e.log.Warn("the language model could not propose the thread's arguments; the offline analysis labels the digest", "thread", r.thread, "err", err)
		return nil, err
	}
	drops := map[string]int{}
	p := readProposal(obj, shownText, nil, drops)
	r.drop(drops)
	set := &argumentSet{}
	if r.target == "" {
		set.Subject = p.Subject
	}
	set.add(p.Arguments)
	r.proposed = true
	return set, nil
}

// Growth: the set gains arguments when at least this many distinct
// commenters, and this share of all, make arguments outside it.
const (
	growMinCommenters = 3
	growMinShare      = 0.1
)

// grow extends the set when enough comments fall outside it, and labels
// every comment again against the grown set (budget allowing).
func (r *run) grow(ctx context.Context, items []item) {
	if len(r.set.Arguments) >= maxArguments {
		return
	}
	outside := map[string]bool{}
	all := map[string]bool{}
	var sample []item
	for _, it := range items {
		all[r.t.Comments[it.i].CommenterKey()] = true
		if l, ok := r.labels[it.i]; ok && l.Outside && !it.quiet {
			outside[r.t.Comments[it.i].CommenterKey()] = true
			sample = append(sample, it)
		}
	}
	if len(outside) < growMinCommenters || float64(len(outside)) < growMinShare*float64(len(all)) {
		return
	}
	relabel := r.estimate(r.set, items, false, items)
	ext := tokens(extendSystem(r.target, r.set)) + answerPerProposal
	for _, it := range sample {
		ext += tokens(shown(it.text, maxProposalBytes)) + 8
	}
	if b := r.e.opt.TokenBudget; b > 0 && r.spent()+ext+relabel > b {
		r.e.log.Info("comments fall outside the thread's arguments, but growing the set would exceed the token budget", "thread", r.thread, "commenters", len(outside))
		return
	}
	var shownItems []proposalItem
	shownText := map[string]string{}
	for k, it := range sample {
		key := fmt.Sprintf("c%d", k+1)
		shownItems = append(shownItems, proposalItem{Key: key, Text: shown(it.text, maxProposalBytes)})
		shownText[key] = shownItems[k].Text
	}
	obj, err := r.e.call(ctx, extendSystem(r.target, r.set), userMessage(taskExtend, shownItems), "thread_arguments", proposalSchema(), r.spend)
	if err != nil {
		r.e.log.Warn("growing the thread's arguments failed; keeping them as they are", "thread", r.thread, "err", err)
		return
	}
	drops := map[string]int{}
	p := readProposal(obj, shownText, r.set, drops)
	r.drop(drops)
	grown := &argumentSet{Subject: r.set.Subject, Arguments: append([]setArgument(nil), r.set.Arguments...)}
	added := grown.add(p.Arguments)
	if added == 0 {
		return
	}
	r.saveSet(ctx, grown)
	r.added = added
	r.set = grown
	prev := r.labels
	r.labels = map[int]modelLabel{}
	r.cached = map[int]bool{}
	for k := range items {
		items[k].key = labelKey(r.e.opt.Model, grown.target(r.target), grown.hash(), items[k].text, items[k].parent, items[k].reply)
	}
	r.ask(ctx, grown, items)
	// Comments the second pass could not label keep their labels against
	// the smaller set, which are still true of them.
	for i, l := range prev {
		if _, ok := r.labels[i]; !ok {
			r.labels[i] = l
		}
	}
}

// Text that addresses a language model. A comment holding any of it is
// labelled in a request of its own and shown to no proposal.
var (
	instructionPhrases = []string{
		"system prompt", "new instructions", "you are now", "you are an ai", "you are a language model",
		"you are an assistant", "you are chatgpt", "as an ai", "<|im_start", "<|im_end", "[inst]", "[/inst]",
		"respond with", "respond only", "reply only with", "output only", "output exactly", "json",
		"assistant:", "assistant :", "system:", "system :",
	}
	overrideVerbs   = []string{"ignore", "disregard", "forget", "override"}
	overrideObjects = []string{"instruction", "prompt", "the rules", "your rules", "all rules", "directions",
		"above", "you were told", "previous message", "prior message", "context"}
)

// overrideReach is how far after "ignore" (and the like) an object such as
// "instructions" is looked for.
const overrideReach = 40

// looksLikeInstructions reports whether text reads like instructions to a
// language model: phrases that address one, or "ignore … instructions" and
// the like. It is read case-folded, after NFKC (so full-width and styled
// letters count) and with runs of white space as one space. Plain string
// search: a regular expression with a bounded gap backtracks on long
// comments.
func looksLikeInstructions(text string) bool {
	s := strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(text))), " ")
	for _, p := range instructionPhrases {
		if wordAt(s, p, 0) >= 0 {
			return true
		}
	}
	for _, v := range overrideVerbs {
		for from := 0; ; {
			i := wordAt(s, v, from)
			if i < 0 {
				break
			}
			end := i + len(v)
			window := s[end:min(len(s), end+overrideReach)]
			for _, o := range overrideObjects {
				if wordAt(window, o, 0) >= 0 {
					return true
				}
			}
			from = end
		}
	}
	return false
}

// wordAt finds p in s at or after from where it does not start inside a
// word ("system prompt" is not found in "ecosystem promptly"), and
// returns its index, or -1.
func wordAt(s, p string, from int) int {
	for from <= len(s) {
		i := strings.Index(s[from:], p)
		if i < 0 {
			return -1
		}
		i += from
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); i == 0 || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return i
		}
		from = i + 1
	}
	return -1
}
