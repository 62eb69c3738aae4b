// Package slackfake is a local stand-in for Slack in tests: the Web API
// methods threaddigest calls, incoming webhooks, response_url and Socket Mode,
// on one httptest server speaking Slack's wire formats. It records every
// message and upload, checks messages against Slack's limits as Slack does,
// and fails on request (HTTP 429 with Retry-After, 500, a slow reply, or an
// `ok:false` error code).
//
// Point slack-go at it with slack.OptionAPIURL(srv.APIURL()); use
// srv.WebhookURL() as an incoming webhook and srv.ResponseURL() as a slash
// command's response_url.
package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Tokens the fake accepts unless the test sets others.
const (
	BotToken = "xoxb-test-bot-token"
	AppToken = "xapp-test-app-token"
)

// Message is one message that reached the fake, by any route.
type Message struct {
	// Route is "chat.postMessage", "webhook" or "response_url".
	Route string
	// Channel is the channel posted to (chat.postMessage), or the id the
	// test gave the response_url.
	Channel string
	// TS is the timestamp the fake gave the message (chat.postMessage).
	TS string
	// ThreadTS is the message a reply was posted under (thread_ts); "" for
	// a message in the channel itself.
	ThreadTS string
	// Text is the fallback text, Blocks the raw JSON of the blocks.
	Text   string
	Blocks json.RawMessage
	// Mrkdwn is the message's mrkdwn flag; nil when not sent.
	Mrkdwn *bool
	// ResponseType, ReplaceOriginal and DeleteOriginal are response_url fields.
	ResponseType    string
	ReplaceOriginal bool
	DeleteOriginal  bool
	// At is when the fake received it.
	At time.Time
}

// File is one upload through the files upload v2 flow.
type File struct {
	ID       string
	Filename string
	Title    string
	AltText  string
	Length   int // as declared to files.getUploadURLExternal
	Data     []byte
	// Channel and ThreadTS are set by files.completeUploadExternal.
	Channel   string
	ThreadTS  string
	Completed bool
}

// Failure is an answer the fake gives instead of the normal one.
type Failure struct {
	// Status is the HTTP status (e.g. 429, 500); 0 means 200 with ok:false.
	Status int
	// RetryAfter is sent as the Retry-After header when set.
	RetryAfter string
	// SlackError is the error code of an ok:false answer ("channel_not_found").
	SlackError string
	// Delay holds the answer this long first (to test deadlines).
	Delay time.Duration
}

// Channel is a conversation conversations.list returns.
type Channel struct {
	ID   string
	Name string
}

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	srv *httptest.Server

	// BotToken and AppToken are the tokens the fake accepts.
	BotToken string
	AppToken string

	mu        sync.Mutex
	messages  []Message
	files     []*File
	failures  map[string][]Failure
	calls     []string
	channels  []Channel
	listCalls int
	nextTS    int
	nextFile  int
	socket    *socketState
	notify    chan struct{}
}

// New starts a fake on a local port; it is closed when tb ends.
func New(tb testing.TB) *Server {
	s := &Server{
		BotToken: BotToken,
		AppToken: AppToken,
		failures: map[string][]Failure{},
		notify:   make(chan struct{}),
		socket:   newSocketState(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat.postMessage", s.chatPostMessage)
	mux.HandleFunc("POST /api/conversations.list", s.conversationsList)
	mux.HandleFunc("POST /api/files.getUploadURLExternal", s.getUploadURL)
	mux.HandleFunc("POST /upload/{id}", s.upload)
	mux.HandleFunc("POST /api/files.completeUploadExternal", s.completeUpload)
	mux.HandleFunc("POST /api/auth.test", s.authTest)
	mux.HandleFunc("POST /api/apps.connections.open", s.connectionsOpen)
	mux.HandleFunc("GET /socket", s.socketConn)
	mux.HandleFunc("POST /hooks/{rest...}", s.webhook)
	mux.HandleFunc("POST /response/{id}", s.responseURL)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record("unknown " + r.Method + " " + r.URL.Path)
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	})
	s.srv = httptest.NewServer(mux)
	tb.Cleanup(s.Close)
	return s
}

// Close stops the fake and its WebSocket connections.
func (s *Server) Close() {
	s.socket.closeAll()
	s.srv.Close()
}

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the Web API base for slack.OptionAPIURL (trailing slash included).
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// WebhookURL is an incoming-webhook URL on the fake.
func (s *Server) WebhookURL() string { return s.srv.URL + "/hooks/T0000/B0000/secretpath" }

// ResponseURL is a response_url on the fake; id is recorded as the
// message's Channel so tests can tell response URLs apart.
func (s *Server) ResponseURL(id string) string { return s.srv.URL + "/response/" + id }

// SetChannels sets what conversations.list returns.
func (s *Server) SetChannels(chs ...Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = append([]Channel(nil), chs...)
}

// ListCalls counts conversations.list calls.
func (s *Server) ListCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listCalls
}

// FailNext makes the next calls of route (a Web API method name such as
// "chat.postMessage", or "webhook", "upload", "response_url") fail, one
// failure per call, in order.
func (s *Server) FailNext(route string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[route] = append(s.failures[route], fs...)
}

// Messages returns a copy of every message received, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Files returns a copy of every upload, in order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, len(s.files))
	for i, f := range s.files {
		out[i] = *f
		out[i].Data = append([]byte(nil), f.Data...)
	}
	return out
}

// Calls lists every request by route, failed ones included, in order.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// WaitMessages waits until at least n messages arrived or d passed, and
// returns the messages.
func (s *Server) WaitMessages(n int, d time.Duration) []Message {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.messages) >= n {
			out := append([]Message(nil), s.messages...)
			s.mu.Unlock()
			return out
		}
		ch := s.notify
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return s.Messages()
		}
	}
}

// changed wakes waiters; call with s.mu held.
func (s *Server) changed() {
	close(s.notify)
	s.notify = make(chan struct{})
}

func (s *Server) record(call string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
}

// takeFailure pops the next failure of route.
func (s *Server) takeFailure(route string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.failures[route]
	if len(fs) == 0 {
		return Failure{}, false
	}
	s.failures[route] = fs[1:]
	return fs[0], true
}

// fail answers with the next failure of route, if any, reporting whether it
// did. Web API routes answer errors as JSON; others as plain text, as Slack's
// webhooks do.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, route string, webAPI bool) bool {
	s.record(route)
	f, ok := s.takeFailure(route)
	if !ok {
		return false
	}
	// Read the body first: the server notices a client hanging up only once
	// the body is consumed, and a delayed answer must end when it does.
	body, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Status == 0 && f.SlackError == "" {
		return false // only a delay
	}
	if f.Status == 0 {
		if webAPI {
			writeJSON(w, map[string]any{"ok": false, "error": f.SlackError})
		} else {
			http.Error(w, f.SlackError, http.StatusBadRequest)
		}
		return true
	}
	msg := f.SlackError
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	if webAPI && f.Status == http.StatusTooManyRequests {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, `{"ok":false,"error":"ratelimited"}`)
		return true
	}
	http.Error(w, msg, f.Status)
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// token reads the token of a Web API call: the form field or the bearer header.
func token(r *http.Request) string {
	if t := r.PostFormValue("token"); t != "" {
		return t
	}
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func (s *Server) authOK(w http.ResponseWriter, r *http.Request, want string) bool {
	if token(r) != want {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return false
	}
	return true
}

func (s *Server) authTest(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "auth.test", true) || !s.authOK(w, r, s.BotToken) {
		return
	}
	writeJSON(w, map[string]any{"ok": true, "user_id": "UBOT", "team_id": "T0000", "bot_id": "BBOT"})
}

func (s *Server) chatPostMessage(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "chat.postMessage", true) || !s.authOK(w, r, s.BotToken) {
		return
	}
	channel := r.PostFormValue("channel")
	if channel == "" {
		writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	m := Message{Route: "chat.postMessage", Channel: channel, Text: r.PostFormValue("text"), ThreadTS: r.PostFormValue("thread_ts"), At: time.Now()}
	if b := r.PostFormValue("blocks"); b != "" {
		m.Blocks = json.RawMessage(b)
	}
	if v := r.PostFormValue("mrkdwn"); v != "" {
		f := v == "true"
		m.Mrkdwn = &f
	}
	if code := CheckMessage(m.Text, m.Blocks); code != "" {
		writeJSON(w, map[string]any{"ok": false, "error": code})
		return
	}
	s.mu.Lock()
	s.nextTS++
	m.TS = fmt.Sprintf("1700000000.%06d", s.nextTS)
	s.messages = append(s.messages, m)
	s.changed()
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": m.TS, "message": map[string]any{"text": m.Text, "ts": m.TS}})
}

func (s *Server) conversationsList(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "conversations.list", true) || !s.authOK(w, r, s.BotToken) {
		return
	}
	s.mu.Lock()
	s.listCalls++
	chs := append([]Channel(nil), s.channels...)
	s.mu.Unlock()
	// Two per page, so that clients must follow the cursor.
	start, _ := strconv.Atoi(r.PostFormValue("cursor"))
	end := min(start+2, len(chs))
	if start > len(chs) {
		start = len(chs)
	}
	var list []map[string]any
	for _, c := range chs[start:end] {
		list = append(list, map[string]any{"id": c.ID, "name": c.Name, "is_channel": true})
	}
	next := ""
	if end < len(chs) {
		next = strconv.Itoa(end)
	}
	writeJSON(w, map[string]any{"ok": true, "channels": list, "response_metadata": map[string]any{"next_cursor": next}})
}

func (s *Server) getUploadURL(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "files.getUploadURLExternal", true) || !s.authOK(w, r, s.BotToken) {
		return
	}
	length, err := strconv.Atoi(r.PostFormValue("length"))
	name := r.PostFormValue("filename")
	if err != nil || length <= 0 || name == "" {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	s.mu.Lock()
	s.nextFile++
	f := &File{ID: fmt.Sprintf("F%07d", s.nextFile), Filename: name, Length: length, AltText: r.PostFormValue("alt_txt")}
	s.files = append(s.files, f)
	s.mu.Unlock()
	// The upload URL is on this server: slack-go sends the token only to
	// Slack's hosts or to the host of OptionAPIURL.
	writeJSON(w, map[string]any{"ok": true, "upload_url": s.srv.URL + "/upload/" + f.ID, "file_id": f.ID})
}

func (s *Server) file(id string) *File {
	for _, f := range s.files {
		if f.ID == id {
			return f
		}
	}
	return nil
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "upload", false) {
		return
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		http.Error(w, "bad multipart: "+err.Error(), http.StatusBadRequest)
		return
	}
	part, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file part", http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(part)
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.file(r.PathValue("id"))
	if f == nil {
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	}
	f.Data = data
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "OK - %d", len(data))
}

func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "files.completeUploadExternal", true) || !s.authOK(w, r, s.BotToken) {
		return
	}
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(r.PostFormValue("files")), &files); err != nil || len(files) == 0 {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var summaries []map[string]any
	for _, in := range files {
		f := s.file(in.ID)
		if f == nil || f.Data == nil {
			writeJSON(w, map[string]any{"ok": false, "error": "file_not_found"})
			return
		}
		if len(f.Data) != f.Length {
			writeJSON(w, map[string]any{"ok": false, "error": "file_size_mismatch"})
			return
		}
		f.Title = in.Title
		f.Channel = r.PostFormValue("channel_id")
		f.ThreadTS = r.PostFormValue("thread_ts")
		f.Completed = true
		summaries = append(summaries, map[string]any{"id": f.ID, "title": f.Title})
	}
	s.changed()
	writeJSON(w, map[string]any{"ok": true, "files": summaries})
}

// webhook is an incoming webhook: JSON in, "ok" or a plain-text error out.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "webhook", false) {
		return
	}
	m, code := decodeJSONMessage(r)
	if code != "" {
		http.Error(w, code, http.StatusBadRequest)
		return
	}
	m.Route = "webhook"
	s.add(m)
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, "ok")
}

// responseURL is a slash command's response_url.
func (s *Server) responseURL(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "response_url", false) {
		return
	}
	m, code := decodeJSONMessage(r)
	if code != "" {
		http.Error(w, code, http.StatusBadRequest)
		return
	}
	m.Route = "response_url"
	m.Channel = r.PathValue("id")
	s.add(m)
	writeJSON(w, map[string]any{"ok": true})
}

func (s *Server) add(m Message) {
	m.At = time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	s.changed()
}

func decodeJSONMessage(r *http.Request) (Message, string) {
	var p struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		Mrkdwn          *bool           `json:"mrkdwn"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return Message{}, "invalid_payload"
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&p); err != nil {
		return Message{}, "invalid_payload"
	}
	if p.DeleteOriginal {
		return Message{DeleteOriginal: true, ResponseType: p.ResponseType}, ""
	}
	if code := CheckMessage(p.Text, p.Blocks); code != "" {
		return Message{}, code
	}
	if len(p.Blocks) == 0 && p.Text == "" {
		return Message{}, "no_text"
	}
	return Message{Text: p.Text, Blocks: p.Blocks, Mrkdwn: p.Mrkdwn, ResponseType: p.ResponseType,
		ReplaceOriginal: p.ReplaceOriginal}, ""
}

// CheckMessage checks a message as Slack does and returns Slack's error code,
// or "" when Slack would take it: at most 50 blocks; header text plain_text
// of at most 150 characters; section text and fields, context elements at
// most 3,000 characters and never empty; at most 10 context elements; and
// blocks text in all well under 12,000 characters (Slack's msg_blocks_too_long
// has been seen near 13,000; the fake refuses from 12,000).
func CheckMessage(text string, blocks json.RawMessage) string {
	if len(blocks) == 0 || string(blocks) == "null" {
		if text == "" {
			return "no_text"
		}
		return ""
	}
	var bs []struct {
		Type     string            `json:"type"`
		Text     *textObject       `json:"text"`
		Fields   []textObject      `json:"fields"`
		Elements []json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		return "invalid_blocks_format"
	}
	if len(bs) > 50 {
		return "invalid_blocks"
	}
	total := 0
	for _, b := range bs {
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" || !b.Text.valid(150) {
				return "invalid_blocks"
			}
			total += b.Text.length()
		case "section":
			if b.Text == nil && len(b.Fields) == 0 {
				return "invalid_blocks"
			}
			if b.Text != nil {
				if !b.Text.valid(3000) {
					return "invalid_blocks"
				}
				total += b.Text.length()
			}
			if len(b.Fields) > 10 {
				return "invalid_blocks"
			}
			for _, f := range b.Fields {
				if !f.valid(2000) {
					return "invalid_blocks"
				}
				total += f.length()
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > 10 {
				return "invalid_blocks"
			}
			for _, raw := range b.Elements {
				var t textObject
				if err := json.Unmarshal(raw, &t); err != nil {
					return "invalid_blocks"
				}
				if t.Type == "image" {
					continue
				}
				if !t.valid(3000) {
					return "invalid_blocks"
				}
				total += t.length()
			}
		case "divider", "actions", "image":
		default:
			return "invalid_blocks"
		}
	}
	if total >= 12000 {
		return "msg_blocks_too_long"
	}
	return ""
}

type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func (t textObject) length() int { return utf8.RuneCountInString(t.Text) }

func (t textObject) valid(max int) bool {
	if t.Type != "plain_text" && t.Type != "mrkdwn" {
		return false
	}
	n := t.length()
	return n >= 1 && n <= max && utf8.ValidString(t.Text)
}
