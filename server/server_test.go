package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestEndpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "threaddigest_test_total", Help: "A test counter."})
	reg.MustRegister(c)
	c.Add(3)
	healthy := true
	s := New(Options{
		Addr:     "127.0.0.1:0",
		Gatherer: reg,
		Health: func(ctx context.Context) error {
			if !healthy {
				return errors.New("store: database is locked")
			}
			return nil
		},
		Handlers: map[string]http.Handler{
			"POST /slack/commands": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "slack") }),
		},
	})
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	defer s.Shutdown(context.Background())
	base := "http://" + addr.String()

	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("GET", "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	healthy = false
	if code, body := get("GET", "/healthz"); code != 503 || !strings.Contains(body, "database is locked") {
		t.Errorf("unhealthy /healthz = %d %q", code, body)
	}
	if code, body := get("GET", "/metrics"); code != 200 || !strings.Contains(body, "threaddigest_test_total 3") {
		t.Errorf("/metrics = %d %q", code, body)
	}
	if code, body := get("POST", "/slack/commands"); code != 200 || body != "slack" {
		t.Errorf("/slack/commands = %d %q", code, body)
	}
	if code, _ := get("GET", "/slack/commands"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /slack/commands = %d", code)
	}
	if code, _ := get("GET", "/nope"); code != 404 {
		t.Errorf("/nope = %d", code)
	}
}

func TestHandlerWithoutListener(t *testing.T) {
	rec := httptest.NewRecorder()
	New(Options{}).Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 {
		t.Errorf("code %d", rec.Code)
	}
}

func TestReadyz(t *testing.T) {
	storeErr := error(nil)
	parts := []Check{{Part: "scheduler", OK: true, Detail: "running"}, {Part: "thread a", OK: true, Detail: "last good poll …"}}
	s := New(Options{
		Health: func(context.Context) error { return storeErr },
		Ready:  func(context.Context) []Check { return parts },
	})
	get := func() (int, readiness) {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		var r readiness
		if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
			t.Fatalf("/readyz body %q: %v", w.Body, err)
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q", ct)
		}
		return w.Code, r
	}
	code, r := get()
	if code != 200 || !r.Ready || len(r.NotReady) != 0 || len(r.Parts) != 3 || r.Parts[0].Part != "store" || !r.Parts[0].OK {
		t.Errorf("all ready: %d %+v", code, r)
	}
	parts[1] = Check{Part: "thread a", Detail: "stuck: a read of its source has not returned since …"}
	storeErr = errors.New("sqlite: ping: disk I/O error")
	code, r = get()
	want := []string{"store: does not answer: sqlite: ping: disk I/O error", "thread a: stuck: a read of its source has not returned since …"}
	if code != 503 || r.Ready || strings.Join(r.NotReady, "|") != strings.Join(want, "|") {
		t.Errorf("not ready: %d %+v, want 503 naming %q", code, r, want)
	}
}
