// Package server is threaddigest's HTTP server: GET /healthz (liveness),
// GET /readyz (readiness, part by part), GET /metrics in the Prometheus text
// format, and the chat platforms' endpoints (POST
// /slack/commands, POST /discord/interactions), mounted by `serve` when
// those platforms are configured.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configure a Server.
type Options struct {
	// Addr is the listen address ("127.0.0.1:8080", ":0" for any port).
	Addr string
	// Listener, when set, is already bound and Listen uses it instead of
	// binding Addr: serve binds first, before it creates anything, so that
	// an address it cannot have stops it with nothing left behind.
	Listener net.Listener
	Logger   *slog.Logger
	// Health reports whether the service can work (its store answers);
	// /healthz answers 503 with the error otherwise, and /readyz lists it as
	// the part "store". It must not wait for work in progress: the stores
	// ping on a connection of their own.
	Health func(ctx context.Context) error
	// Ready reports the other parts of the service for /readyz (the
	// scheduler, each thread's polls, each chat connection); nil for none.
	// It must answer without waiting for work in progress.
	Ready func(ctx context.Context) []Check
	// Gatherer serves /metrics.
	Gatherer prometheus.Gatherer
	// Handlers are mounted by pattern ("POST /slack/commands").
	Handlers map[string]http.Handler
}

// Server serves the endpoints until Shutdown.
type Server struct {
	opt Options
	log *slog.Logger
	srv *http.Server
	ln  net.Listener
}

// New builds a server; Listen binds it.
func New(opt Options) *Server {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opt: opt, log: opt.Logger}
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(opt.Logger.Handler(), slog.LevelWarn),
	}
	return s
}

// Handler returns the routes, for tests that call them without a listener.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.opt.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.opt.Gatherer, promhttp.HandlerOpts{
			ErrorLog: slogPrinter{s.log},
		}))
	}
	for pattern, h := range s.opt.Handlers {
		mux.Handle(pattern, h)
	}
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.opt.Health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := s.opt.Health(ctx); err != nil {
			s.log.Warn("health check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "unhealthy: %v\n", err)
			return
		}
	}
	fmt.Fprintln(w, "ok")
}

// Check is one part of the service in /readyz.
type Check struct {
	// Part names it: "store", "scheduler", "thread NAME", "slack socket
	// mode", "discord gateway".
	Part string `json:"part"`
	// OK is false when the part is not ready.
	OK bool `json:"ok"`
	// Detail says how it is.
	Detail string `json:"detail"`
}

// readiness is the body of /readyz.
type readiness struct {
	Ready bool `json:"ready"`
	// NotReady names each part that is not ready, with why: "thread x:
	// stuck: …". Always an array.
	NotReady []string `json:"not_ready"`
	Parts    []Check  `json:"parts"`
}

// readyz answers 200 when every part of the service is ready and 503
// otherwise, with a JSON body listing every part and naming those that are
// not. Unlike /healthz it says whether the service is doing its work, not
// only whether it lives.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	var parts []Check
	if s.opt.Health != nil {
		c := Check{Part: "store", OK: true, Detail: "answers"}
		if err := s.opt.Health(ctx); err != nil {
			c.OK, c.Detail = false, "does not answer: "+err.Error()
		}
		parts = append(parts, c)
	}
	if s.opt.Ready != nil {
		parts = append(parts, s.opt.Ready(ctx)...)
	}
	body := readiness{Ready: true, NotReady: []string{}, Parts: parts}
	if body.Parts == nil {
		body.Parts = []Check{}
	}
	for _, c := range parts {
		if !c.OK {
			body.Ready = false
			body.NotReady = append(body.NotReady, c.Part+": "+c.Detail)
		}
	}
	b, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		http.Error(w, "encoding the readiness", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !body.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = w.Write(append(b, '\n'))
}

// Listen binds the address and returns where it listens (useful with
// port 0).
func (s *Server) Listen() (net.Addr, error) {
	if s.opt.Listener != nil {
		s.ln = s.opt.Listener
		return s.ln.Addr(), nil
	}
	ln, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("http: listen on %s: %w", s.opt.Addr, err)
	}
	s.ln = ln
	return ln.Addr(), nil
}

// Serve serves until Shutdown; it returns nil after a clean shutdown.
func (s *Server) Serve() error {
	if s.ln == nil {
		return errors.New("http: Serve before Listen")
	}
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests and waits for those in progress until
// ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.srv.Shutdown(ctx)
}

// Close closes every connection at once, requests in progress included
// (after a Shutdown that ran out of time).
func (s *Server) Close() error { return s.srv.Close() }

type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.l.Error("metrics: " + fmt.Sprint(v...)) }
