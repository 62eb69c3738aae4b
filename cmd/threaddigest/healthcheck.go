package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/config"
)

const healthcheckUsage = `Usage: threaddigest healthcheck [--url URL | --config FILE] [--timeout D]

Asks a running serve whether it is healthy (GET /healthz) and exits 0 when
it answers 200, 1 otherwise, printing why. It is the container's
HEALTHCHECK: distroless and scratch images have no curl. The address is
--url, else THREADDIGEST_HTTP_LISTEN, else [http] listen of --config, else
the default 127.0.0.1:8080; a wildcard host (0.0.0.0, ::) is asked on the
loopback.

Flags:
`

func runHealthcheck(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	rawURL := fs.String("url", "", "the `URL` to ask, e.g. http://127.0.0.1:8080/healthz")
	configPath := fs.String("config", "", "read [http] listen from this configuration `FILE`")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer (a `DURATION` such as 5s)")
	if err := parseFlags(fs, args, healthcheckUsage, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("healthcheck takes no arguments, got %q", fs.Arg(0))
	}
	target := *rawURL
	if target == "" {
		listen := env.Getenv("THREADDIGEST_HTTP_LISTEN")
		if listen == "" && *configPath != "" {
			cfg, err := loadConfig(*configPath, env)
			if err != nil {
				return fmt.Errorf("healthcheck: %w", err)
			}
			listen = cfg.HTTP.Listen
		}
		if listen == "" {
			listen = config.DefaultListen
		}
		if listen == "off" {
			return errors.New("healthcheck: the HTTP server is off ([http] listen = \"off\"): nothing to ask")
		}
		u, err := healthURL(listen)
		if err != nil {
			return fmt.Errorf("healthcheck: %w", err)
		}
		target = u
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return usagef("healthcheck: --url %q: %v", target, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	msg := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s: %s", target, resp.Status, msg)
	}
	fmt.Fprintf(env.Stdout, "%s: %s\n", target, msg)
	return nil
}

// healthURL is the /healthz address of a server listening on listen.
func healthURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" {
		return "", fmt.Errorf("listen %q is not host:port", listen)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::", "[::]":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
