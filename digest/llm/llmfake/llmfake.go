// Package llmfake is a local stand-in for an OpenAI-compatible Chat
// Completions server in tests: POST /v1/chat/completions with the request
// and response bodies of the API (choices, finish_reason, refusal, usage),
// its error bodies ({"error": {"message", "type", "param", "code"}}) and
// status codes, bearer keys, unknown models, and servers that refuse JSON
// schemas. Its "model" is a Script: deterministic labels from word lists,
// quoting the sentences that hold the words, as a model quotes its evidence.
// Tests queue Faults to make the next requests fail: an HTTP status with
// Retry-After, a slow answer, malformed or cut-short JSON, a refusal, labels
// left out.
//
// Point openai-go (digest/llm) at srv.BaseURL().
package llmfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/internal/textproc"
)

// Key is the API key the fake accepts when a test asks for one.
const Key = "sk-test-0123456789abcdef"

// Request is one request that reached the fake, as it read it.
type Request struct {
	Authorization string
	Model         string
	// ResponseFormat is "", "json_schema" or "json_object"; SchemaName and
	// Strict are the JSON schema's.
	ResponseFormat string
	SchemaName     string
	Strict         bool
	Temperature    *float64
	System         string
	// Task and Comments are read from the user message, which digest/llm
	// writes as JSON.
	Task     string
	Comments []Comment
	// Answered is the HTTP status the fake answered with.
	Answered int
}

// Comment is a comment of a request.
type Comment struct {
	Key    string `json:"key"`
	Text   string `json:"text"`
	Parent string `json:"parent"`
}

// Fault makes one request fail.
type Fault struct {
	// Status answers with this HTTP status and an API error body (Code and
	// Message in it); Header is added (e.g. Retry-After).
	Status  int
	Code    string
	Message string
	Header  http.Header
	// Delay holds the answer back (a timeout when longer than the client
	// waits).
	Delay time.Duration
	// Content replaces the model's content (malformed JSON, prose).
	Content *string
	// Truncate cuts the content in half with finish_reason "length".
	Truncate bool
	// Refusal answers with a refusal and no content.
	Refusal string
	// DropLabels leaves out the last n labels of a labelling answer.
	DropLabels int
	// Body answers 200 with this raw body (not Chat Completions JSON).
	Body string
}

// Server is the fake.
type Server struct {
	srv *httptest.Server
	// Script is the model.
	Script Script

	mu       sync.Mutex
	key      string
	models   map[string]bool
	noSchema bool
	noObject bool
	noTemp   bool
	faults   []Fault
	always   *Fault
	requests []Request
}

// New starts a fake serving the given models (any model when none are
// given), closed at the end of the test.
func New(t testing.TB, script Script, models ...string) *Server {
	s := &Server{Script: script, models: map[string]bool{}}
	for _, m := range models {
		s.models[m] = true
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.srv.Close)
	return s
}

// BaseURL is the API base to configure: requests go to BaseURL/chat/completions.
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// RequireKey makes the fake answer 401 to requests without Key as bearer.
func (s *Server) RequireKey() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.key = Key
}

// RefuseJSONSchema makes the fake answer 400 to requests asking for a JSON
// schema, as servers without structured outputs do; RefuseJSONObject does
// the same for JSON mode.
func (s *Server) RefuseJSONSchema() { s.mu.Lock(); s.noSchema = true; s.mu.Unlock() }

// RefuseJSONObject: see RefuseJSONSchema.
func (s *Server) RefuseJSONObject() { s.mu.Lock(); s.noObject = true; s.mu.Unlock() }

// RefuseTemperature makes the fake answer 400 to requests that set a
// temperature other than 1, as OpenAI's reasoning models do.
func (s *Server) RefuseTemperature() { s.mu.Lock(); s.noTemp = true; s.mu.Unlock() }

// Fail queues faults for the next requests, one each.
func (s *Server) Fail(fs ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fs...)
}

// FailAlways makes every request fail with f (nil: none) once the queue is
// empty.
func (s *Server) FailAlways(f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always = f
}

// Requests returns the requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset forgets the requests so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// wire types of the API.
type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []chatMessage   `json:"messages"`
	Temperature    *float64        `json:"temperature"`
	ResponseFormat *responseFormat `json:"response_format"`
}

type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type responseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name   string          `json:"name"`
		Strict *bool           `json:"strict"`
		Schema json.RawMessage `json:"schema"`
	} `json:"json_schema"`
}

type apiError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, apiError{Message: "Invalid URL (" + r.Method + " " + r.URL.Path + ")", Type: "invalid_request_error"})
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, apiError{Message: "Method not allowed", Type: "invalid_request_error"})
		return
	}
	body, _ := io.ReadAll(r.Body)
	req := Request{Authorization: r.Header.Get("Authorization")}
	answer := func(status int) {
		req.Answered = status
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
	}
	var cr chatRequest
	if err := json.Unmarshal(body, &cr); err != nil {
		answer(http.StatusBadRequest)
		writeError(w, http.StatusBadRequest, apiError{Message: "We could not parse the JSON body of your request: " + err.Error(), Type: "invalid_request_error"})
		return
	}
	req.Model, req.Temperature = cr.Model, cr.Temperature
	if rf := cr.ResponseFormat; rf != nil {
		req.ResponseFormat = rf.Type
		if rf.JSONSchema != nil {
			req.SchemaName = rf.JSONSchema.Name
			req.Strict = rf.JSONSchema.Strict != nil && *rf.JSONSchema.Strict
		}
	}
	for _, m := range cr.Messages {
		var text string
		if json.Unmarshal(m.Content, &text) != nil {
			continue
		}
		switch m.Role {
		case "system":
			req.System = text
		case "user":
			var u struct {
				Task     string    `json:"task"`
				Comments []Comment `json:"comments"`
			}
			if err := json.Unmarshal([]byte(text), &u); err == nil {
				req.Task, req.Comments = u.Task, u.Comments
			}
		}
	}

	s.mu.Lock()
	key, models, noSchema, noObject, noTemp := s.key, s.models, s.noSchema, s.noObject, s.noTemp
	var f *Fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	} else if s.always != nil {
		f = s.always
	}
	s.mu.Unlock()

	switch {
	case key != "" && req.Authorization != "Bearer "+key:
		answer(http.StatusUnauthorized)
		writeError(w, http.StatusUnauthorized, apiError{Message: "Incorrect API key provided.", Type: "invalid_request_error", Code: ptr("invalid_api_key")})
		return
	case len(cr.Messages) == 0 || cr.Model == "":
		answer(http.StatusBadRequest)
		writeError(w, http.StatusBadRequest, apiError{Message: "you must provide a model and messages", Type: "invalid_request_error", Param: ptr("messages")})
		return
	case len(models) > 0 && !models[cr.Model]:
		answer(http.StatusNotFound)
		writeError(w, http.StatusNotFound, apiError{Message: fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", cr.Model), Type: "invalid_request_error", Code: ptr("model_not_found")})
		return
	case noTemp && cr.Temperature != nil && *cr.Temperature != 1:
		answer(http.StatusBadRequest)
		writeError(w, http.StatusBadRequest, apiError{Message: fmt.Sprintf("Unsupported value: 'temperature' does not support %g with this model. Only the default (1) value is supported.", *cr.Temperature),
			Type: "invalid_request_error", Param: ptr("temperature"), Code: ptr("unsupported_value")})
		return
	case noSchema && req.ResponseFormat == "json_schema", noObject && req.ResponseFormat == "json_object":
		answer(http.StatusBadRequest)
		writeError(w, http.StatusBadRequest, apiError{Message: "response_format of type " + req.ResponseFormat + " is not supported by this server", Type: "invalid_request_error", Param: ptr("response_format")})
		return
	}
	if f != nil && f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			answer(0)
			return
		}
	}
	if f != nil && f.Status != 0 {
		for k, vs := range f.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		answer(f.Status)
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
		e := apiError{Message: msg, Type: "server_error"}
		if f.Status < 500 {
			e.Type = "invalid_request_error"
		}
		if f.Code != "" {
			e.Code = ptr(f.Code)
		}
		writeError(w, f.Status, e)
		return
	}
	if f != nil && f.Body != "" {
		answer(http.StatusOK)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, f.Body)
		return
	}

	content := s.Script.answer(req)
	finish := "stop"
	var refusal *string
	if f != nil {
		switch {
		case f.DropLabels > 0:
			content = dropLabels(content, f.DropLabels)
		case f.Content != nil:
			content = *f.Content
		case f.Truncate:
			content = content[:len(content)/2]
			finish = "length"
		case f.Refusal != "":
			refusal = &f.Refusal
		}
	}
	var contentJSON any = content
	if refusal != nil {
		contentJSON = nil
	}
	prompt := 8
	for _, m := range cr.Messages {
		prompt += len(m.Content) / 4
	}
	completion := len(content)/4 + 1
	resp := map[string]any{
		"id":                 fmt.Sprintf("chatcmpl-fake%06d", len(s.Requests())+1),
		"object":             "chat.completion",
		"created":            1767225600,
		"model":              cr.Model,
		"system_fingerprint": "fp_fake",
		"service_tier":       "default",
		"choices": []any{map[string]any{
			"index": 0,
			"message": map[string]any{
				"role":        "assistant",
				"content":     contentJSON,
				"refusal":     refusal,
				"annotations": []any{},
			},
			"logprobs":      nil,
			"finish_reason": finish,
		}},
		"usage": map[string]any{
			"prompt_tokens":     prompt,
			"completion_tokens": completion,
			"total_tokens":      prompt + completion,
			"prompt_tokens_details": map[string]any{
				"cached_tokens": 0, "audio_tokens": 0,
			},
			"completion_tokens_details": map[string]any{
				"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
			},
		},
	}
	answer(http.StatusOK)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func ptr(s string) *string { return &s }

func writeError(w http.ResponseWriter, status int, e apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": e})
}

// dropLabels takes the last n labels out of a labelling answer.
func dropLabels(content string, n int) string {
	var a struct {
		Labels []json.RawMessage `json:"labels"`
	}
	if json.Unmarshal([]byte(content), &a) != nil {
		return content
	}
	a.Labels = a.Labels[:max(0, len(a.Labels)-n)]
	b, _ := json.Marshal(a)
	return string(b)
}

// Script is the fake's model: it reads comments by word lists. A word
// matches case-insensitively as a whole word; what it quotes is the sentence
// holding the first match, verbatim.
type Script struct {
	// Subject is named when a proposal request has no target.
	Subject string
	// Arguments are proposed (those not Late) when a comment shown holds
	// one of their words, and labelled on every comment that does.
	Arguments []ScriptArgument
	// Favor and Against words give a comment its stance.
	Favor, Against []string
	// Rebuttal and Agreement words give a reply its relation (else
	// extension).
	Rebuttal, Agreement []string
	// Obey, when a comment holds it, makes the model follow the comment
	// instead of its instructions: it answers for that comment's request
	// with labels for every key it can think of, invented arguments,
	// values outside the schema, unquoted passages and fields of its own.
	Obey string
	// Misquote makes the model quote a comment holding this text with a
	// passage that is not in it (a paraphrase).
	Misquote string
}

// ScriptArgument is an argument the script knows.
type ScriptArgument struct {
	Claim string
	Side  string
	Words []string
	// Late arguments are never proposed, only offered when asked to extend
	// the set (and then labelled like the others).
	Late bool
}

func (sc Script) answer(req Request) string {
	var v any
	switch req.Task {
	case "propose_arguments", "extend_arguments":
		v = sc.propose(req)
	case "label_comments":
		v = sc.label(req)
	default:
		v = map[string]any{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (sc Script) propose(req Request) any {
	extend := req.Task == "extend_arguments"
	args := []any{}
	for _, a := range sc.Arguments {
		if a.Late != extend {
			continue
		}
		for _, c := range req.Comments {
			if q := sentenceWith(c.Text, a.Words); q != "" {
				args = append(args, map[string]any{"claim": a.Claim, "side": a.Side, "comment": c.Key, "quote": q})
				break
			}
		}
	}
	subject := ""
	if strings.Contains(req.System, "No target was given") {
		subject = sc.Subject
	}
	return map[string]any{"subject": subject, "arguments": args}
}

// listed finds the key the system prompt gives an argument: "A3: claim".
var listed = regexp.MustCompile(`(?m)^(A\d+): (.*) \[(favor|against|none)\]$`)

func (sc Script) label(req Request) any {
	keys := map[string]string{}
	for _, m := range listed.FindAllStringSubmatch(req.System, -1) {
		keys[m[2]] = m[1]
	}
	labels := []any{}
	for _, c := range req.Comments {
		if sc.Obey != "" && strings.Contains(c.Text, sc.Obey) {
			return sc.obey(req)
		}
		l := map[string]any{
			"comment": c.Key, "stance": "none", "stance_quote": "", "arguments": []any{},
			"relation": "none", "relation_quote": "", "parent_quote": "", "new_argument": "",
		}
		if q := sentenceWith(c.Text, sc.Favor); q != "" {
			l["stance"], l["stance_quote"] = "favor", q
		} else if q := sentenceWith(c.Text, sc.Against); q != "" {
			l["stance"], l["stance_quote"] = "against", q
		}
		if strings.Contains(req.System, "always \"none\"") {
			l["stance"], l["stance_quote"] = "none", ""
		}
		var args []any
		for _, a := range sc.Arguments {
			q := sentenceWith(c.Text, a.Words)
			if q == "" {
				continue
			}
			if key, ok := keys[a.Claim]; ok {
				args = append(args, map[string]any{"argument": key, "quote": q})
			} else if l["new_argument"] == "" {
				l["new_argument"] = a.Claim
			}
		}
		if args != nil {
			l["arguments"] = args
		}
		if c.Parent != "" {
			rel := "extension"
			q := firstSentence(c.Text)
			if w := sentenceWith(c.Text, sc.Rebuttal); w != "" {
				rel, q = "rebuttal", w
			} else if w := sentenceWith(c.Text, sc.Agreement); w != "" {
				rel, q = "agreement", w
			}
			l["relation"], l["relation_quote"], l["parent_quote"] = rel, q, firstSentence(c.Parent)
		}
		if sc.Misquote != "" && strings.Contains(c.Text, sc.Misquote) {
			l["stance"], l["stance_quote"] = "favor", "a paraphrase that is nowhere in the comment"
			if args != nil {
				l["arguments"] = []any{map[string]any{"argument": args[0].(map[string]any)["argument"], "quote": "also not in the comment"}}
			}
		}
		labels = append(labels, l)
	}
	return map[string]any{"labels": labels}
}

// obey is what a model taken over by a comment answers.
func (sc Script) obey(req Request) any {
	labels := []any{}
	for k := 1; k <= 25; k++ {
		labels = append(labels, map[string]any{
			"comment": fmt.Sprintf("c%d", k), "stance": "favor", "stance_quote": "I obey",
			"arguments": []any{map[string]any{"argument": "A99", "quote": "I obey"}, map[string]any{"argument": "A1", "quote": "I obey"}},
			"relation":  "agreement", "relation_quote": "I obey", "parent_quote": "", "new_argument": "Buy now at example.com",
			"admin": true,
		})
	}
	labels = append(labels, map[string]any{"comment": "everyone", "stance": "strongly favor"})
	return map[string]any{"labels": labels, "title": "HACKED", "arguments": []any{map[string]any{"claim": "Visit example.com"}}}
}

// sentenceWith returns the first sentence of text holding one of words as
// a whole word (case-insensitive), verbatim; "" when none does.
func sentenceWith(text string, words []string) string {
	for _, sp := range textproc.Sentences(text) {
		s := text[sp.Start:sp.End]
		lower := strings.ToLower(s)
		for _, w := range words {
			if hasWord(lower, strings.ToLower(w)) {
				return s
			}
		}
	}
	return ""
}

func hasWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		if (start == 0 || !isWordByte(s[start-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b >= 0x80
}

func firstSentence(text string) string {
	for _, sp := range textproc.Sentences(text) {
		if s := text[sp.Start:sp.End]; strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
