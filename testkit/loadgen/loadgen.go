// Package loadgen sends Slack slash commands to a running threaddigest at a
// fixed rate, signed as Slack signs them, and measures how long each takes to
// be answered.
//
// The load is open-loop: request i is sent at start + i/rate whatever the
// previous ones are doing, and its latency is counted from that planned time,
// so a slow server cannot hide its slowness by slowing the sender down
// (coordinated omission).
//
// A command is answered either in the HTTP acknowledgement itself (the digest
// was cached) or later, by a POST to the command's response_url (Slack's way
// for answers that take longer than three seconds). Run serves the
// response_url itself on loopback and counts both; the latency of a deferred
// answer runs until its POST arrives.
package loadgen

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sign returns the X-Slack-Signature of body sent at the Unix time ts:
// "v0=" and the hex HMAC-SHA256, keyed by the signing secret, of
// "v0:TS:BODY" (Slack's request signing, version 0).
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Command is the slash command sent, as Slack's form fields.
type Command struct {
	Command   string // "/thread"
	Text      string // "stance"
	TeamID    string
	ChannelID string
	UserID    string
}

// DefaultCommand is `/thread stance` from a made-up workspace, channel and user.
func DefaultCommand(channel string) Command {
	return Command{Command: "/thread", Text: "stance", TeamID: "T0LOADGEN", ChannelID: channel, UserID: "U0LOADGEN"}
}

// Client sends signed commands to one endpoint.
type Client struct {
	// URL is the command endpoint: http://HOST:PORT/slack/commands.
	URL string
	// Secret is the app's signing secret.
	Secret string
	// HTTP sends the requests.
	HTTP *http.Client
	// Now gives the time stamped on requests; time.Now when nil.
	Now func() time.Time
}

// Ack is what came back from one command.
type Ack struct {
	Status int
	// Answered is true when the acknowledgement carries the answer: a
	// message whose blocks open with a header starting with the expected
	// prefix.
	Answered bool
	// Header is the text of the first header block, "" when none.
	Header string
	// Text is the acknowledgement's text field.
	Text string
}

// body is the form Slack posts for a slash command. Every request carries a
// distinct trigger_id, as Slack's do, so no two requests have the same
// signature (the server refuses replays).
func (c Command) body(seq int, responseURL string) []byte {
	v := url.Values{}
	v.Set("token", "loadgen")
	v.Set("team_id", c.TeamID)
	v.Set("team_domain", "loadgen")
	v.Set("channel_id", c.ChannelID)
	v.Set("channel_name", "loadgen")
	v.Set("user_id", c.UserID)
	v.Set("user_name", "loadgen")
	v.Set("command", c.Command)
	v.Set("text", c.Text)
	v.Set("api_app_id", "A0LOADGEN")
	v.Set("is_enterprise_install", "false")
	v.Set("response_url", responseURL)
	v.Set("trigger_id", fmt.Sprintf("%d.%d.loadgen", seq, time.Now().UnixNano()))
	return []byte(v.Encode())
}

// Send posts one signed command and reads the acknowledgement. expect is the
// prefix of the header block of a good answer ("Stance").
func (c *Client) Send(ctx context.Context, cmd Command, seq int, responseURL, expect string) (Ack, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	body := cmd.body(seq, responseURL)
	ts := now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return Ack{}, fmt.Errorf("request to %s: %w", c.URL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", Sign(c.Secret, ts, body))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Ack{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return Ack{Status: resp.StatusCode}, fmt.Errorf("reading the acknowledgement: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return Ack{Status: resp.StatusCode}, fmt.Errorf("status %d: %s", resp.StatusCode, oneLine(b, 120))
	}
	ack, err := readMessage(b, expect)
	ack.Status = resp.StatusCode
	return ack, err
}

// readMessage reads a Slack message payload (an acknowledgement or a
// response_url post) and says whether it is the expected answer.
func readMessage(b []byte, expect string) (Ack, error) {
	var m struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return Ack{}, fmt.Errorf("the answer is not a JSON message (%v): %s", err, oneLine(b, 120))
	}
	a := Ack{Text: m.Text}
	for _, bl := range m.Blocks {
		if bl.Type == "header" && bl.Text != nil {
			a.Header = bl.Text.Text
			break
		}
	}
	a.Answered = a.Header != "" && strings.HasPrefix(a.Header, expect)
	return a, nil
}

func oneLine(b []byte, max int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strconv.Quote(s)
}

// Options describe one run.
type Options struct {
	// Rate is the number of commands sent per second.
	Rate float64
	// Duration is how long commands are sent for; Rate×Duration are sent.
	Duration time.Duration
	// Command is the command sent each time.
	Command Command
	// Expect is the prefix of the header of a good answer. Default "Stance".
	Expect string
	// Timeout bounds each request. Default 10s.
	Timeout time.Duration
	// AnswerTimeout is how long a deferred answer is waited for after its
	// acknowledgement. Default 30s.
	AnswerTimeout time.Duration
}

func (o *Options) defaults() {
	if o.Expect == "" {
		o.Expect = "Stance"
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.AnswerTimeout <= 0 {
		o.AnswerTimeout = 30 * time.Second
	}
}

// Result is the outcome of a run.
type Result struct {
	// Sent counts the commands sent.
	Sent int
	// Answered counts those answered in the acknowledgement; Deferred those
	// acknowledged first and answered at the response_url.
	Answered, Deferred int
	// Errors counts the rest: transport errors, statuses other than 200,
	// acknowledgements that are neither the answer nor a promise of one, and
	// promised answers that never came.
	Errors int
	// ErrorSamples holds the first few errors, for the report.
	ErrorSamples []string
	// Latencies are those of the answered and deferred commands, sorted.
	Latencies []time.Duration
	// MaxLag is how late the sender itself was at its worst: the time
	// between when a command was planned and when it was sent.
	MaxLag time.Duration
	// Elapsed is the time from the first planned send to the last answer.
	Elapsed time.Duration
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of the latencies by
// the nearest-rank method: the smallest latency that at least p% of the
// answered commands do not exceed. Zero when nothing was answered.
func (r *Result) Percentile(p float64) time.Duration {
	n := len(r.Latencies)
	if n == 0 {
		return 0
	}
	rank := int(float64(n)*p/100 + 0.999999999)
	if rank < 1 {
		rank = 1
	}
	if rank > n {
		rank = n
	}
	return r.Latencies[rank-1]
}

// Max returns the largest latency.
func (r *Result) Max() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[len(r.Latencies)-1]
}

// Mean returns the mean latency.
func (r *Result) Mean() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range r.Latencies {
		sum += l
	}
	return sum / time.Duration(len(r.Latencies))
}

// maxSamples is how many error messages a Result keeps.
const maxSamples = 10

// outcome is one command's fate.
type outcome struct {
	latency time.Duration
	lag     time.Duration
	kind    int // answered, deferred or failed
	err     string
}

const (
	answered = iota
	deferred
	failed
)

// Run sends opt.Rate commands a second for opt.Duration through c and waits
// for every answer. It serves the response_url on a loopback port of its own
// for the run's length.
func Run(ctx context.Context, c *Client, opt Options) (*Result, error) {
	opt.defaults()
	if opt.Rate <= 0 || opt.Duration <= 0 {
		return nil, fmt.Errorf("loadgen: rate %v/s for %v sends nothing", opt.Rate, opt.Duration)
	}
	n := int(opt.Rate*opt.Duration.Seconds() + 0.5)
	interval := time.Duration(float64(time.Second) / opt.Rate)

	rs, err := newResponses(opt.Expect)
	if err != nil {
		return nil, err
	}
	defer rs.close()

	outs := make([]outcome, n)
	var wg sync.WaitGroup
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	sent := 0
send:
	for i := range n {
		planned := start.Add(time.Duration(i) * interval)
		if d := time.Until(planned); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				break send
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			break
		}
		sent++
		wait := rs.expect(i)
		wg.Go(func() {
			outs[i] = one(ctx, c, opt, i, planned, rs.url(i), wait)
		})
	}
	wg.Wait()
	res := &Result{Sent: sent, Elapsed: time.Since(start)}
	for _, o := range outs[:sent] {
		res.MaxLag = max(res.MaxLag, o.lag)
		switch o.kind {
		case answered:
			res.Answered++
			res.Latencies = append(res.Latencies, o.latency)
		case deferred:
			res.Deferred++
			res.Latencies = append(res.Latencies, o.latency)
		default:
			res.Errors++
			if len(res.ErrorSamples) < maxSamples {
				res.ErrorSamples = append(res.ErrorSamples, o.err)
			}
		}
	}
	slices.Sort(res.Latencies)
	if sent < n {
		return res, fmt.Errorf("loadgen: stopped after %d of %d commands: %w", sent, n, context.Cause(ctx))
	}
	return res, nil
}

// one sends command i, planned at planned, and waits for its answer.
func one(ctx context.Context, c *Client, opt Options, i int, planned time.Time, responseURL string, answer <-chan answerAt) outcome {
	o := outcome{lag: time.Since(planned)}
	rctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	ack, err := c.Send(rctx, opt.Command, i, responseURL, opt.Expect)
	acked := time.Now()
	switch {
	case err != nil:
		o.kind, o.err = failed, fmt.Sprintf("command %d: %v", i, err)
		return o
	case ack.Answered:
		o.kind, o.latency = answered, acked.Sub(planned)
		return o
	}
	// Not the answer: it must be a promise of one, which then arrives at
	// the response_url.
	t := time.NewTimer(opt.AnswerTimeout)
	defer t.Stop()
	select {
	case a := <-answer:
		if a.err != nil {
			o.kind, o.err = failed, fmt.Sprintf("command %d: acknowledged with %q, then at the response_url: %v", i, ack.Text, a.err)
			return o
		}
		o.kind, o.latency = deferred, a.at.Sub(planned)
	case <-t.C:
		o.kind, o.err = failed, fmt.Sprintf("command %d: acknowledged with %q and no answer at the response_url within %v", i, ack.Text, opt.AnswerTimeout)
	case <-ctx.Done():
		o.kind, o.err = failed, fmt.Sprintf("command %d: %v", i, context.Cause(ctx))
	}
	return o
}

// answerAt is a response_url post: when the expected answer arrived, or
// what was wrong with what arrived.
type answerAt struct {
	at  time.Time
	err error
}

// responses is the loopback server standing in for Slack's response_url.
type responses struct {
	expectHeader string
	srv          *http.Server
	ln           net.Listener
	base         string

	mu      sync.Mutex
	waiting map[int]chan answerAt
}

func newResponses(expect string) (*responses, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loadgen: listening for response_url posts: %w", err)
	}
	rs := &responses{expectHeader: expect, ln: ln, base: "http://" + ln.Addr().String() + "/respond/", waiting: map[int]chan answerAt{}}
	rs.srv = &http.Server{Handler: http.HandlerFunc(rs.serve), ReadHeaderTimeout: 10 * time.Second}
	// When serving fails, the answers it should have received are
	// reported missing by the run.
	go func() { _ = rs.srv.Serve(ln) }()
	return rs, nil
}

func (rs *responses) url(i int) string { return rs.base + strconv.Itoa(i) }

// expect registers command i before it is sent, so its answer has somewhere
// to go however fast it comes.
func (rs *responses) expect(i int) <-chan answerAt {
	ch := make(chan answerAt, 8)
	rs.mu.Lock()
	rs.waiting[i] = ch
	rs.mu.Unlock()
	return ch
}

func (rs *responses) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/respond/"))
	rs.mu.Lock()
	ch := rs.waiting[i]
	rs.mu.Unlock()
	if err != nil || ch == nil || r.Method != http.MethodPost {
		http.Error(w, "unknown response_url", http.StatusNotFound)
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	// The first post is the one that counts: the answer's first message
	// (later parts of a long answer follow it and are not waited for).
	var a answerAt
	if err != nil {
		a.err = fmt.Errorf("reading the post: %w", err)
	} else if ack, err := readMessage(b, rs.expectHeader); err != nil {
		a.err = err
	} else if ack.Answered {
		a.at = at
	} else {
		a.err = fmt.Errorf("not the answer: header %q, text %q", ack.Header, ack.Text)
	}
	select {
	case ch <- a:
	default:
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (rs *responses) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = rs.srv.Shutdown(ctx)
}

// Sink is a loopback server that takes any response_url post and drops it,
// for commands whose deferred answers nobody waits for (readiness probes).
type Sink struct {
	URL string
	srv *http.Server
}

// NewSink starts a Sink.
func NewSink() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loadgen: listening for response_url posts: %w", err)
	}
	s := &Sink{URL: "http://" + ln.Addr().String() + "/sink", srv: &http.Server{ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 4<<20))
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		})}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the sink.
func (s *Sink) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}
