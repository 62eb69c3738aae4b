// Package discordfake is a local stand-in for Discord's REST API and
// gateway, for tests. It speaks Discord's wire format closely enough for
// discordgo and for plain webhook posts: it records every message (with its
// attachments), interaction response and command registration, enforces the
// message limits Discord enforces (so a message the real API would refuse is
// refused here too), and answers with injected failures on request: 429 with
// retry_after, 5xx, and Discord's JSON error codes such as 10062.
//
// Point discordgo at it with discord.NewSession(discord.Config{APIURL:
// fake.APIURL(), …}, nil): that session's HTTP client rewrites every request
// for discord.com to the fake.
package discordfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Server is the fake. Create it with New; it stops at the end of the test.
type Server struct {
	srv *httptest.Server
	// BotToken is the token (without "Bot ") that bot-authenticated routes
	// accept.
	BotToken string

	mu           sync.Mutex
	nextID       uint64
	channels     map[string]bool
	webhooks     map[string]string // webhook id → token
	interactions map[string]*interactionState
	messages     []Message
	responses    []Response
	commands     map[string][]*discordgo.ApplicationCommand // "" global, else guild id
	registers    int
	failures     []*failure
	requests     []string // "METHOD /path", tokens hidden
	gw           *gateway
}

// Message is a message the fake accepted.
type Message struct {
	// Route is how it came: "channel" (bot token), "webhook", "followup"
	// (an interaction's webhook), "edit" (an interaction's @original).
	Route string
	// ChannelID for channel posts; WebhookID for webhook posts;
	// InteractionID for followups and edits.
	ChannelID     string
	WebhookID     string
	InteractionID string
	ID            string
	Payload       Payload
	// Raw is the JSON payload exactly as sent.
	Raw   json.RawMessage
	Files []File
	At    time.Time
}

// Payload is the message part of a request body.
type Payload struct {
	Content         string                            `json:"content"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Flags           int                               `json:"flags"`
}

// File is an uploaded attachment.
type File struct {
	Field    string // files[0]
	Filename string
	Type     string
	Data     []byte
}

// Response is an interaction callback the fake received.
type Response struct {
	InteractionID string
	Type          int
	Data          *Payload
	Choices       []*discordgo.ApplicationCommandOptionChoice
	Raw           json.RawMessage
	At            time.Time
}

type interactionState struct {
	token    string
	acked    bool
	ackedCh  chan struct{} // closed when acked
	expired  bool          // token past its 15 minutes
	late     bool          // the 3-second window missed
	original *Message
}

type failure struct {
	method  string
	path    *regexp.Regexp
	status  int
	body    string
	header  http.Header
	delay   time.Duration
	remains int
}

// New starts a fake and stops it when the test ends.
func New(tb testing.TB) *Server {
	s := &Server{
		BotToken:     "fake-bot-token",
		nextID:       1_100_000_000_000_000_000,
		channels:     make(map[string]bool),
		webhooks:     make(map[string]string),
		interactions: make(map[string]*interactionState),
		commands:     make(map[string][]*discordgo.ApplicationCommand),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(func() {
		s.closeGateway()
		s.srv.Close()
	})
	return s
}

// URL is the fake's root, http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the REST base to configure as [discord] api_url.
func (s *Server) APIURL() string { return s.srv.URL + "/api/v9/" }

func (s *Server) id() string {
	s.nextID++
	return strconv.FormatUint(s.nextID, 10)
}

// AddChannel makes a channel the bot can post to and returns its id.
func (s *Server) AddChannel() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	s.channels[id] = true
	return id
}

// NewWebhook creates a webhook and returns its URL as Discord shows it, on
// the fake's host.
func (s *Server) NewWebhook() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	tok := "wh-token-" + id
	s.webhooks[id] = tok
	return s.srv.URL + "/api/webhooks/" + id + "/" + tok
}

// Fail makes the next n requests matching method and the path pattern (a
// regular expression over the path after /api/vN/, e.g. `^channels/`) get
// status and body instead of their answer. header adds reply headers.
func (s *Server) Fail(n int, method, pathPattern string, status int, body string, header http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &failure{method: method, path: regexp.MustCompile(pathPattern), status: status, body: body, header: header, remains: n})
}

// Pass lets the next n matching requests through untouched. Rules apply in
// the order they were added, so Pass then Fail fails the request after the
// next n.
func (s *Server) Pass(n int, method, pathPattern string) {
	s.Delay(n, method, pathPattern, 0)
}

// Headers adds reply headers (rate-limit buckets, say) to the next n
// matching requests, answered normally.
func (s *Server) Headers(n int, method, pathPattern string, header http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &failure{method: method, path: regexp.MustCompile(pathPattern), header: header, remains: n})
}

// Delay makes the next n matching requests wait d before being answered
// normally (or until the client gives up).
func (s *Server) Delay(n int, method, pathPattern string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &failure{method: method, path: regexp.MustCompile(pathPattern), delay: d, remains: n})
}

// RateLimit is a 429 body as Discord sends it.
func RateLimit(seconds float64) (string, http.Header) {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int(seconds+0.999)))
	h.Set("X-RateLimit-Scope", "user")
	return fmt.Sprintf(`{"message": "You are being rate limited.", "retry_after": %g, "global": false}`, seconds), h
}

// ErrorBody is Discord's JSON error body.
func ErrorBody(code int, message string) string {
	b, _ := json.Marshal(map[string]any{"code": code, "message": message})
	return string(b)
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Responses returns the interaction callbacks received so far.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

// Commands returns the commands registered globally (guild "") or for a
// guild, and how many bulk overwrites were made in all.
func (s *Server) Commands(guild string) ([]*discordgo.ApplicationCommand, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*discordgo.ApplicationCommand(nil), s.commands[guild]...), s.registers
}

// Requests lists the requests received, as "METHOD path" with tokens hidden.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// NewInteractionToken registers an interaction the fake will accept
// callbacks, edits and followups for, and returns its id and token.
func (s *Server) NewInteractionToken() (id, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = s.id()
	token = "ix-token-" + id
	s.interactions[id] = &interactionState{token: token, ackedCh: make(chan struct{})}
	return id, token
}

// ExpireInteraction makes an interaction's token past its 15 minutes: its
// edits and followups get 401 with code 50027.
func (s *Server) ExpireInteraction(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.interactions[id]; st != nil {
		st.expired = true
	}
}

// MissWindow makes an interaction's callback come too late: 404 with code
// 10062, Unknown interaction.
func (s *Server) MissWindow(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.interactions[id]; st != nil {
		st.late = true
	}
}

var (
	apiPrefix = regexp.MustCompile(`^/api/(?:v\d+/)?`)
	tokenPart = regexp.MustCompile(`^((?:webhooks|interactions)/[^/]+/)[^/]+`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
		s.serveGateway(w, r)
		return
	}
	loc := apiPrefix.FindStringIndex(r.URL.Path)
	if loc == nil {
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	path := r.URL.Path[loc[1]:]
	// Read the body first: only then does the server notice a client that
	// hangs up during an injected delay.
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+tokenPart.ReplaceAllString(path, "${1}***"))
	var inject *failure
	for _, f := range s.failures {
		if f.remains > 0 && f.method == r.Method && f.path.MatchString(path) {
			f.remains--
			inject = f
			break
		}
	}
	s.mu.Unlock()
	if inject != nil {
		if inject.delay > 0 {
			select {
			case <-time.After(inject.delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, vs := range inject.header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if inject.status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(inject.status)
			io.WriteString(w, inject.body)
			return
		}
	}
	parts := strings.Split(path, "/")
	switch {
	case r.Method == http.MethodGet && path == "gateway":
		writeJSON(w, http.StatusOK, map[string]string{"url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/gateway"})
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages":
		s.channelMessage(w, r, parts[1])
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "webhooks":
		s.webhookExecute(w, r, parts[1], parts[2])
	case r.Method == http.MethodPatch && len(parts) == 5 && parts[0] == "webhooks" && parts[3] == "messages":
		s.webhookEdit(w, r, parts[1], parts[2], parts[4])
	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback":
		s.interactionCallback(w, r, parts[1], parts[2])
	case r.Method == http.MethodPut && parts[0] == "applications" && (len(parts) == 3 && parts[2] == "commands" || len(parts) == 5 && parts[2] == "guilds" && parts[4] == "commands"):
		guild := ""
		if len(parts) == 5 {
			guild = parts[3]
		}
		s.bulkOverwrite(w, r, parts[1], guild)
	default:
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	}
}

func (s *Server) botAuthorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bot "+s.BotToken {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return false
	}
	return true
}

func (s *Server) channelMessage(w http.ResponseWriter, r *http.Request, channel string) {
	if !s.botAuthorized(w, r) {
		return
	}
	s.mu.Lock()
	known := s.channels[channel]
	s.mu.Unlock()
	if !known {
		writeError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	m, ok := s.readMessage(w, r)
	if !ok {
		return
	}
	m.Route, m.ChannelID = "channel", channel
	s.store(w, m, channel)
}

func (s *Server) webhookExecute(w http.ResponseWriter, r *http.Request, id, token string) {
	s.mu.Lock()
	whToken, isWebhook := s.webhooks[id]
	ix, isInteraction := s.interactionByToken(id, token)
	expired := isInteraction && ix.expired
	s.mu.Unlock()
	switch {
	case isWebhook && whToken == token:
		m, ok := s.readMessage(w, r)
		if !ok {
			return
		}
		m.Route, m.WebhookID = "webhook", id
		if r.URL.Query().Get("wait") != "true" {
			s.record(m)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		s.store(w, m, "")
	case isInteraction:
		if expired {
			writeError(w, http.StatusUnauthorized, 50027, "Invalid Webhook Token")
			return
		}
		m, ok := s.readMessage(w, r)
		if !ok {
			return
		}
		m.Route, m.InteractionID = "followup", ix.id
		s.store(w, m, "")
	default:
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	}
}

type ixRef struct {
	id string
	*interactionState
}

// interactionByToken finds an interaction from an application id and token
// (interaction webhooks are addressed by the application's id). s.mu held.
func (s *Server) interactionByToken(_, token string) (ixRef, bool) {
	for id, st := range s.interactions {
		if st.token == token {
			return ixRef{id, st}, true
		}
	}
	return ixRef{}, false
}

func (s *Server) webhookEdit(w http.ResponseWriter, r *http.Request, app, token, msgID string) {
	s.mu.Lock()
	ix, ok := s.interactionByToken(app, token)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	// Discord takes in an interaction's first response before an edit of
	// it; the fake, whose test client records an HTTP response a moment
	// after the bot has sent it, waits a little for that.
	select {
	case <-ix.ackedCh:
	case <-time.After(2 * time.Second):
	}
	s.mu.Lock()
	expired, acked := ix.expired, ix.acked
	s.mu.Unlock()
	if expired {
		writeError(w, http.StatusUnauthorized, 50027, "Invalid Webhook Token")
		return
	}
	if msgID != "@original" || !acked {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	m, ok := s.readMessage(w, r)
	if !ok {
		return
	}
	m.Route, m.InteractionID = "edit", ix.id
	s.store(w, m, "")
}

func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request, id, token string) {
	s.mu.Lock()
	st := s.interactions[id]
	unknown := st == nil || st.token != token || st.late || st.expired
	already := st != nil && st.acked
	s.mu.Unlock()
	if unknown {
		writeError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	if already {
		writeError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	raw, files, ok := readBody(w, r)
	if !ok {
		return
	}
	if _, err := s.acceptResponse(id, raw, files); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body: "+err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// AcceptResponse records an interaction response that arrived some other
// way (the HTTP body of an interactions-endpoint reply) as if it had been a
// callback: it checks and marks the interaction acknowledged.
func (s *Server) AcceptResponse(interactionID string, raw []byte) (Response, error) {
	return s.acceptResponse(interactionID, raw, nil)
}

func (s *Server) acceptResponse(interactionID string, raw []byte, files []File) (Response, error) {
	var body struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return Response{}, err
	}
	resp := Response{InteractionID: interactionID, Type: body.Type, Raw: raw, At: time.Now()}
	if len(body.Data) > 0 && string(body.Data) != "null" {
		var p Payload
		if err := json.Unmarshal(body.Data, &p); err != nil {
			return Response{}, err
		}
		var c struct {
			Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
		}
		_ = json.Unmarshal(body.Data, &c)
		resp.Choices = c.Choices
		if body.Type == 4 || body.Type == 5 {
			resp.Data = &p
		}
	}
	if body.Type == 4 && resp.Data != nil {
		if err := Validate(*resp.Data, files); err != nil {
			return Response{}, err
		}
	}
	if body.Type == 8 && !strings.Contains(string(body.Data), `"choices"`) {
		return Response{}, fmt.Errorf("autocomplete result without choices")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.interactions[interactionID]; st != nil {
		if st.acked {
			return Response{}, fmt.Errorf("interaction already acknowledged")
		}
		st.acked = true
		close(st.ackedCh)
	}
	s.responses = append(s.responses, resp)
	return resp, nil
}

func (s *Server) bulkOverwrite(w http.ResponseWriter, r *http.Request, app, guild string) {
	if !s.botAuthorized(w, r) {
		return
	}
	var cmds []*discordgo.ApplicationCommand
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&cmds); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	if err := validateCommands(cmds); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body: "+err.Error())
		return
	}
	s.mu.Lock()
	for _, c := range cmds {
		c.ID, c.ApplicationID, c.GuildID, c.Version = s.id(), app, guild, s.id()
	}
	s.commands[guild] = cmds
	s.registers++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, cmds)
}

// readMessage reads a JSON or multipart message body and validates it as
// Discord would.
func (s *Server) readMessage(w http.ResponseWriter, r *http.Request) (Message, bool) {
	raw, files, ok := readBody(w, r)
	if !ok {
		return Message{}, false
	}
	var p Payload
	if err := json.Unmarshal(raw, &p); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return Message{}, false
	}
	if err := Validate(p, files); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body: "+err.Error())
		return Message{}, false
	}
	return Message{Payload: p, Raw: raw, Files: files, At: time.Now()}, true
}

// readBody returns the JSON payload of a request (the body, or the
// payload_json part of a multipart body) and its files.
func readBody(w http.ResponseWriter, r *http.Request) (json.RawMessage, []File, bool) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			writeError(w, http.StatusBadRequest, 0, "read error")
			return nil, nil, false
		}
		return b, nil, true
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var raw json.RawMessage
	var files []File
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, 50035, "bad multipart body")
			return nil, nil, false
		}
		data, err := io.ReadAll(io.LimitReader(part, 25<<20))
		if err != nil {
			writeError(w, http.StatusBadRequest, 50035, "bad multipart body")
			return nil, nil, false
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			raw = data
		case strings.HasPrefix(name, "files["):
			files = append(files, File{Field: name, Filename: part.FileName(), Type: part.Header.Get("Content-Type"), Data: data})
		}
	}
	if raw == nil {
		raw = json.RawMessage(`{}`)
	}
	return raw, files, true
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
}

func (s *Server) store(w http.ResponseWriter, m Message, channel string) {
	s.mu.Lock()
	m.ID = s.id()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"id": m.ID, "channel_id": channel, "content": m.Payload.Content, "embeds": m.Payload.Embeds,
		"type": 0, "timestamp": m.At.UTC().Format(time.RFC3339),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, ErrorBody(code, message))
}
