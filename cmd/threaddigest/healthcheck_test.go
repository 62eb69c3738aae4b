package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	healthy := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		if !healthy {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("unhealthy: sqlite: ping: database is locked\n"))
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	run := func(getenv map[string]string, args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(context.Background(), append([]string{"healthcheck"}, args...), Env{
			Getenv: func(k string) string { return getenv[k] }, Stdout: &out})
		return out.String(), err
	}
	// The container sets THREADDIGEST_HTTP_LISTEN=0.0.0.0:8080: asked on
	// the loopback.
	out, err := run(map[string]string{"THREADDIGEST_HTTP_LISTEN": "0.0.0.0:" + port})
	if err != nil || out != "http://127.0.0.1:"+port+"/healthz: ok\n" {
		t.Errorf("healthy = %q, %v", out, err)
	}
	healthy = false
	_, err = run(nil, "--url", srv.URL+"/healthz")
	if err == nil || status(err) != 1 || !strings.Contains(err.Error(), "503 Service Unavailable: unhealthy: sqlite: ping: database is locked") {
		t.Errorf("unhealthy: %v (status %d)", err, status(err))
	}
	srv.Close()
	if _, err := run(map[string]string{"THREADDIGEST_HTTP_LISTEN": "127.0.0.1:" + port}); err == nil || status(err) != 1 {
		t.Errorf("nothing listening: %v, want status 1", err)
	}
	if _, err := run(map[string]string{"THREADDIGEST_HTTP_LISTEN": "off"}); err == nil || !strings.Contains(err.Error(), "off") {
		t.Errorf("listen off: %v", err)
	}
	if _, err := run(nil, "extra"); status(err) != 2 {
		t.Errorf("an argument: status %d, want 2", status(err))
	}
}

func TestHealthURL(t *testing.T) {
	for listen, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/healthz",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/healthz",
		":9090":          "http://127.0.0.1:9090/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"10.0.0.5:80":    "http://10.0.0.5:80/healthz",
		"localhost:8080": "http://localhost:8080/healthz",
		"[fd00::1]:8080": "http://[fd00::1]:8080/healthz",
	} {
		if got, err := healthURL(listen); err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", listen, got, err, want)
		}
	}
	if _, err := healthURL("8080"); err == nil {
		t.Error("healthURL(\"8080\"): want an error")
	}
}
