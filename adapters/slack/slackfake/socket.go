package slackfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Ack is an acknowledgement a Socket Mode client sent for an envelope.
type Ack struct {
	EnvelopeID string
	// Payload is the ack's payload ("null" or absent when it carried none).
	Payload json.RawMessage
	// Size is the byte size of the whole ack frame.
	Size int
}

// socketState is the fake's Socket Mode side: connected clients, envelopes
// to send and acks received.
type socketState struct {
	mu       sync.Mutex
	conns    map[*websocket.Conn]chan []byte
	acks     []Ack
	opens    int
	changed  chan struct{}
	closed   bool
	upgrader websocket.Upgrader
}

func newSocketState() *socketState {
	return &socketState{
		conns:   map[*websocket.Conn]chan []byte{},
		changed: make(chan struct{}),
		// Slack's client sends Origin: https://api.slack.com; the default
		// upgrader refuses a foreign origin and the client would loop.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
}

func (st *socketState) notify() {
	close(st.changed)
	st.changed = make(chan struct{})
}

func (st *socketState) closeAll() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closed = true
	for c, out := range st.conns {
		close(out)
		delete(st.conns, c)
		_ = c.Close()
	}
}

// connectionsOpen is apps.connections.open: it needs the app-level token
// and hands out a WebSocket URL on this server.
func (s *Server) connectionsOpen(w http.ResponseWriter, r *http.Request) {
	if s.fail(w, r, "apps.connections.open", true) || !s.authOK(w, r, s.AppToken) {
		return
	}
	s.socket.mu.Lock()
	s.socket.opens++
	s.socket.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/socket"})
}

// Opens counts apps.connections.open calls (one per connection attempt).
func (s *Server) Opens() int {
	s.socket.mu.Lock()
	defer s.socket.mu.Unlock()
	return s.socket.opens
}

// socketConn serves one Socket Mode WebSocket: hello first, then whatever
// the test sends, with pings every second; acks are recorded.
func (s *Server) socketConn(w http.ResponseWriter, r *http.Request) {
	st := s.socket
	c, err := st.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	out := make(chan []byte, 16)
	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		_ = c.Close()
		return
	}
	st.conns[c] = out
	st.notify()
	st.mu.Unlock()

	hello := `{"type":"hello","num_connections":1,"debug_info":{"host":"fake","approximate_connection_time":18060},"connection_info":{"app_id":"A0000"}}`
	writeDone := make(chan struct{})
	go func() {
		defer close(writeDone)
		ping := time.NewTicker(time.Second)
		defer ping.Stop()
		if c.WriteMessage(websocket.TextMessage, []byte(hello)) != nil {
			return
		}
		for {
			select {
			case msg, ok := <-out:
				if !ok {
					return
				}
				if c.WriteMessage(websocket.TextMessage, msg) != nil {
					return
				}
			case <-ping.C:
				if c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)) != nil {
					return
				}
			}
		}
	}()
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			break
		}
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			continue
		}
		st.mu.Lock()
		st.acks = append(st.acks, Ack{EnvelopeID: a.EnvelopeID, Payload: a.Payload, Size: len(data)})
		st.notify()
		st.mu.Unlock()
	}
	st.mu.Lock()
	if ch, ok := st.conns[c]; ok {
		close(ch)
		delete(st.conns, c)
	}
	st.mu.Unlock()
	<-writeDone
	_ = c.Close()
}

// WaitConnected waits until a Socket Mode client is connected.
func (s *Server) WaitConnected(d time.Duration) error {
	st := s.socket
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		st.mu.Lock()
		n := len(st.conns)
		ch := st.changed
		st.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return errors.New("slackfake: no Socket Mode client connected")
		}
	}
}

// SlashCommandEnvelope is a slash_commands envelope as Slack sends it.
func SlashCommandEnvelope(envelopeID string, retryAttempt int, fields map[string]string) []byte {
	payload := map[string]any{}
	for k, v := range fields {
		payload[k] = v
	}
	env := map[string]any{
		"envelope_id":              envelopeID,
		"type":                     "slash_commands",
		"accepts_response_payload": true,
		"payload":                  payload,
		"retry_attempt":            retryAttempt,
		"retry_reason":             "",
	}
	if retryAttempt > 0 {
		env["retry_reason"] = "timeout"
	}
	b, _ := json.Marshal(env)
	return b
}

// InteractiveEnvelope is an interactive (block_actions) envelope.
func InteractiveEnvelope(envelopeID string, payload any) []byte {
	b, _ := json.Marshal(map[string]any{
		"envelope_id":              envelopeID,
		"type":                     "interactive",
		"accepts_response_payload": false,
		"payload":                  payload,
	})
	return b
}

// Send sends a raw frame to every connected Socket Mode client.
func (s *Server) Send(frame []byte) error {
	st := s.socket
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.conns) == 0 {
		return errors.New("slackfake: no Socket Mode client connected")
	}
	for _, out := range st.conns {
		select {
		case out <- frame:
		default:
			return errors.New("slackfake: Socket Mode send queue full")
		}
	}
	return nil
}

// Acks returns the acks received so far.
func (s *Server) Acks() []Ack {
	st := s.socket
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]Ack(nil), st.acks...)
}

// WaitAck waits for the ack of envelopeID.
func (s *Server) WaitAck(envelopeID string, d time.Duration) (Ack, error) {
	st := s.socket
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		st.mu.Lock()
		for _, a := range st.acks {
			if a.EnvelopeID == envelopeID {
				st.mu.Unlock()
				return a, nil
			}
		}
		ch := st.changed
		st.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return Ack{}, fmt.Errorf("slackfake: no ack for envelope %s within %s", envelopeID, d)
		}
	}
}
