package discordfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// gateway is the fake's side of one gateway connection: Hello, Identify,
// READY, heartbeats acknowledged, and dispatches on request.
type gateway struct {
	mu       sync.Mutex // serialises writes
	conn     *websocket.Conn
	seq      int
	identify chan json.RawMessage
}

// Identify is the part of the client's Identify payload tests look at.
type Identify struct {
	Token   string `json:"token"`
	Intents int    `json:"intents"`
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	g := &gateway{conn: conn, identify: make(chan json.RawMessage, 1)}
	s.mu.Lock()
	if s.gw != nil {
		s.gw.conn.Close()
	}
	s.gw = g
	s.mu.Unlock()

	if err := g.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}}); err != nil {
		return
	}
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var frame struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(msg, &frame) != nil {
			continue
		}
		switch frame.Op {
		case 1: // heartbeat
			g.send(map[string]any{"op": 11})
		case 2: // identify
			select {
			case g.identify <- frame.D:
			default:
			}
			var id Identify
			if json.Unmarshal(frame.D, &id) != nil || id.Token != "Bot "+s.BotToken {
				g.mu.Lock()
				conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."), time.Now().Add(time.Second))
				g.mu.Unlock()
				conn.Close()
				return
			}
			g.dispatch("READY", map[string]any{
				"v": 9, "session_id": "fake-session", "resume_gateway_url": "ws" + s.srv.URL[len("http"):] + "/gateway",
				"user":   map[string]any{"id": "1100000000000000001", "username": "threaddigest", "bot": true},
				"guilds": []any{}, "application": map[string]any{"id": "1100000000000000002", "flags": 0},
			})
		}
	}
}

func (g *gateway) send(v any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.conn.WriteJSON(v)
}

func (g *gateway) dispatch(event string, data any) error {
	g.mu.Lock()
	g.seq++
	seq := g.seq
	g.mu.Unlock()
	return g.send(map[string]any{"op": 0, "t": event, "s": seq, "d": data})
}

// WaitIdentify waits for a client to connect to the gateway and identify,
// and returns what it sent.
func (s *Server) WaitIdentify(timeout time.Duration) (Identify, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		g := s.gw
		s.mu.Unlock()
		if g != nil {
			select {
			case raw := <-g.identify:
				var id Identify
				err := json.Unmarshal(raw, &id)
				return id, err
			case <-time.After(time.Until(deadline)):
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return Identify{}, errors.New("discordfake: no client identified on the gateway in time")
}

// Dispatch sends an event (e.g. "INTERACTION_CREATE" with an interaction's
// JSON) to the connected gateway client.
func (s *Server) Dispatch(event string, data json.RawMessage) error {
	s.mu.Lock()
	g := s.gw
	s.mu.Unlock()
	if g == nil {
		return errors.New("discordfake: no gateway client connected")
	}
	return g.dispatch(event, data)
}

func (s *Server) closeGateway() {
	s.mu.Lock()
	g := s.gw
	s.gw = nil
	s.mu.Unlock()
	if g != nil {
		g.conn.Close()
	}
}
