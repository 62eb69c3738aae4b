package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/adapters/discord"
	"github.com/threaddigest/threaddigest/adapters/slack"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
	threadcmd "github.com/threaddigest/threaddigest/bot/commands"
	"github.com/threaddigest/threaddigest/bot/digests"
	"github.com/threaddigest/threaddigest/bot/output"
	"github.com/threaddigest/threaddigest/bot/scheduler"
	"github.com/threaddigest/threaddigest/chart"
	"github.com/threaddigest/threaddigest/config"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/digest/llm"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/retention"
	"github.com/threaddigest/threaddigest/server"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/sources"
	"github.com/threaddigest/threaddigest/store/open"
	"github.com/threaddigest/threaddigest/version"
)

const serveUsage = `Usage: threaddigest serve [--config FILE]

Runs the digest service: follows the configured threads, posts their
scheduled digests to their destinations exactly once per slot, answers
/thread commands from Slack and Discord, and serves /healthz and /metrics.
It stops cleanly on SIGINT or SIGTERM. See config.example.toml and README
"Running the service".

Flags:
`

func runServe(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath := fs.String("config", "config.toml", "the configuration `FILE`")
	if err := parseFlags(fs, args, serveUsage, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q; the configuration file is given with --config", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath, env)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger := newLogger(env.Stderr, cfg.Log)
	return serve(ctx, cfg, env, logger)
}

// newLogger makes the service's structured log on w.
func newLogger(w io.Writer, lc config.Log) *slog.Logger {
	var level slog.Level
	switch lc.Level {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	if lc.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve runs the service described by cfg until ctx ends.
func serve(ctx context.Context, cfg *config.Config, env Env, logger *slog.Logger) error {
	build := version.Get()
	logger.Info("starting", "version", build.Short(), "config", cfg.File, "store", open.Redact(cfg.Store.URL), "replica", cfg.Bot.ReplicaID)
	// The listen address first: one serve cannot have (in use, not this
	// machine's) stops it before the store or anything else is created.
	var ln net.Listener
	if cfg.HTTP.Listen != "off" {
		var err error
		if ln, err = net.Listen("tcp", cfg.HTTP.Listen); err != nil {
			return fmt.Errorf("serve: %v", cfg.Problem("http.listen", "cannot listen on %s: %v; nothing was started (another serve may hold it: stop it, or choose another address)", cfg.HTTP.Listen, err))
		}
		defer ln.Close()
	}
	st, err := open.Open(ctx, cfg.Store.URL, open.Options{Logger: logger, PoolSize: cfg.Store.PoolSize})
	if err != nil {
		return fmt.Errorf("serve: open the store: %w", err)
	}
	defer closeStore(st, logger)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(build))

	// One client for every webhook and chat call; each call also carries
	// its own deadline from the runner.
	httpClient := &http.Client{Timeout: 2 * time.Minute}
	dests, err := newDestinations(cfg, env, httpClient, logger)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	locator, err := newLocator(cfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	threads, digestSpecs := serviceSpecs(cfg)
	analyze, err := analyzer(cfg, st, reg, logger)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// The digests, computed for runs and answers alike and kept until
	// their thread changes; the scheduler that polls and posts; the
	// command handler that answers /thread.
	cache, err := digests.New(digests.Deps{Store: st, Analyze: analyze, Locator: locator, Metrics: digests.NewMetrics(reg)}, digests.Limits{})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	openSource := sourceOpener(cfg, logger, env.Getenv)
	svc, err := scheduler.New(scheduler.Deps{
		Store:           st,
		Logger:          logger,
		Clock:           bot.SystemClock{},
		Holder:          cfg.Bot.ReplicaID,
		Digests:         cache,
		OpenSource:      openSource,
		OpenDestination: dests.open,
		Metrics:         scheduler.NewMetrics(reg),
		ChannelID:       dests.channelID,
	}, scheduler.Settings{
		Lease:         cfg.Store.Lease.D(),
		CatchUpWindow: cfg.Bot.CatchUpWindow.D(),
		RunTimeout:    cfg.Bot.RunTimeout.D(),
		PollInterval:  cfg.Bot.PollInterval.D(),
		Zone:          cfg.Bot.Zone,
		ChannelZone:   cfg.ChannelZone,
		QuietAfter:    cfg.Store.Retention.QuietThreads.D(),
	}, threads, digestSpecs)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	cmds, err := threadcmd.New(threadcmd.Deps{
		Store:      st,
		Following:  svc,
		Scheduling: svc,
		Digests:    cache,
		OpenSource: func(address string) (source.Source, error) { return openSource(scheduler.ThreadSpec{Source: address}) },
		Logger:     logger,
		Clock:      bot.SystemClock{},
		Metrics:    threadcmd.NewMetrics(reg),
	}, threadcmd.Settings{
		Zone:           cfg.Bot.Zone,
		ChannelZone:    cfg.ChannelZone,
		FollowSchedule: cfg.Bot.Follow,
		MaxThreads:     cfg.Bot.MaxThreads,
		QuietAfter:     cfg.Store.Retention.QuietThreads.D(),
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	chat, err := newChat(cfg, cmds, dests, httpClient, logger)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var srv *server.Server
	if cfg.HTTP.Listen != "off" {
		srv = server.New(server.Options{
			Addr:     cfg.HTTP.Listen,
			Listener: ln,
			Logger:   logger,
			Health:   st.Ping,
			Ready:    readiness(svc, chat),
			Gatherer: reg,
			Handlers: chat.handlers,
		})
		a, err := srv.Listen()
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		logger.Info("http server listening", "addr", a.String())
		go func() {
			if err := srv.Serve(); err != nil {
				logger.Error("http server stopped", "err", err)
			}
		}()
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	svcDone := make(chan error, 1)
	go func() { svcDone <- svc.Run(runCtx) }()
	pruned := make(chan struct{})
	pruner := retention.New(retention.Deps{Store: st, Holder: cfg.Bot.ReplicaID, Logger: logger, Registerer: reg},
		retentionPolicy(cfg), cfg.Store.Retention.Every.D())
	go func() { defer close(pruned); pruner.Run(runCtx) }()
	receivers := chat.start(runCtx, logger)

	var runErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "reason", context.Cause(ctx), "within", shutdownDrain)
	case runErr = <-svcDone:
		svcDone = nil
	}
	// Everything gets one deadline, so that the process stops in time
	// whatever a source, a destination or a client is doing: stop taking
	// commands, let answers being computed be posted, and let the service
	// finish the posts in flight (it began when ctx ended, with its own
	// grace; runCtx is ctx's child).
	drain, cancelDrain := context.WithTimeout(context.Background(), shutdownDrain)
	defer cancelDrain()
	if srv != nil {
		if err := srv.Shutdown(drain); err != nil {
			logger.Warn("http server shutdown: requests still open were cut", "err", err)
			srv.Close()
		}
	}
	chat.shutdown(drain, logger)
	cancel()
	waitDone(drain, logger, "chat receivers", func() { receivers.Wait() })
	waitDone(drain, logger, "the store's pruning", func() { <-pruned })
	if svcDone != nil {
		select {
		case runErr = <-svcDone:
		case <-drain.Done():
			logger.Warn("the service had not stopped by the shutdown deadline; stopping without it", "deadline", shutdownDrain)
		}
	}
	// Stopped while starting, the service's start is cut short by the
	// cancellation: that is a stop, not a failure.
	if runErr != nil && !(ctx.Err() != nil && errors.Is(runErr, context.Canceled)) {
		return fmt.Errorf("serve: %w", runErr)
	}
	logger.Info("stopped")
	return nil
}

// shutdownDrain bounds serve's shutdown after SIGINT or SIGTERM: the
// service's grace for posts in flight (10 s) and the chat answers still
// being computed fit in it. Closing the store may take storeCloseTimeout
// more.
const shutdownDrain = 20 * time.Second

// storeCloseTimeout bounds closing the store: a connection held by work
// abandoned at shutdown must not keep the process alive.
const storeCloseTimeout = 5 * time.Second

// waitDone runs wait and returns when it does or ctx ends, whichever is
// first, saying which part was left behind.
func waitDone(ctx context.Context, logger *slog.Logger, what string, wait func()) {
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		logger.Warn("still running at the shutdown deadline; stopping without it", "what", what)
	}
}

func closeStore(st io.Closer, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), storeCloseTimeout)
	defer cancel()
	waitDone(ctx, logger, "closing the store", func() {
		if err := st.Close(); err != nil {
			logger.Error("closing the store failed", "err", err)
		}
	})
}

// readiness assembles /readyz beyond the store: the scheduler and each
// thread's polls (scheduler.Service.Readiness) and each chat connection.
func readiness(svc *scheduler.Service, c *chat) func(context.Context) []server.Check {
	return func(context.Context) []server.Check {
		var out []server.Check
		for _, r := range svc.Readiness() {
			out = append(out, server.Check{Part: r.Part, OK: r.OK, Detail: r.Detail})
		}
		for _, conn := range c.connections {
			up, detail := conn.status()
			out = append(out, server.Check{Part: conn.part, OK: up, Detail: detail})
		}
		return out
	}
}

// buildInfo is the threaddigest_build_info gauge: always 1, its labels say
// which build runs, so dashboards can tell replicas of different versions.
func buildInfo(b version.Info) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "threaddigest_build_info",
		Help:        "Always 1; the labels name the running build (version, VCS revision, Go toolchain).",
		ConstLabels: prometheus.Labels{"version": b.Short(), "revision": b.Revision, "goversion": b.GoVersion},
	})
	g.Set(1)
	return g
}

// serviceSpecs turns the configuration's threads and digests, as Load
// parsed them, into the scheduler's.
func serviceSpecs(cfg *config.Config) ([]scheduler.ThreadSpec, []scheduler.DigestSpec) {
	var threads []scheduler.ThreadSpec
	for _, t := range cfg.Threads {
		threads = append(threads, scheduler.ThreadSpec{Name: t.Name, Source: t.Source, Target: t.Target, Poll: t.Poll.D(),
			File: t.Input, ThreadID: t.ThreadID})
	}
	var digests []scheduler.DigestSpec
	for _, d := range cfg.Digests {
		digests = append(digests, scheduler.DigestSpec{Name: d.Name, Thread: d.Thread, Schedule: d.When, To: d.Destinations,
			MinNew: d.MinNew(), MaxArguments: d.MaxArguments, CatchUp: d.CatchUpOn()})
	}
	return threads, digests
}

// sourceOpener opens a thread's source: a file path read with the thread's
// own options (two threads may read one file, each its own thread_id,
// format and map), or a live address with the [sources] settings. Every
// source shares one set of per-host rate limits.
func sourceOpener(cfg *config.Config, logger *slog.Logger, getenv func(string) string) func(scheduler.ThreadSpec) (source.Source, error) {
	limits := sources.NewLimits(cfg.Sources)
	return func(t scheduler.ThreadSpec) (source.Source, error) {
		return sources.Open(t.Source, cfg.Sources, sources.Deps{Limits: limits, Log: logger, Getenv: getenv,
			File: t.File, Thread: t.ThreadID})
	}
}

// newLocator returns the resolver that reads commenter locations for the
// regional split, leaning toward the configured home country.
func newLocator(cfg *config.Config) (digest.Locator, error) {
	r, err := geo.NewResolver(geo.Options{Home: cfg.Bot.HomeCountry})
	if err != nil {
		return nil, fmt.Errorf("locations: %w", err)
	}
	return r, nil
}

// destinations opens the destinations named in `to` lists and chat follows.
type destinations struct {
	cfg        *config.Config
	stdout     *output.Stdout
	httpClient *http.Client
	discordWeb *http.Client // httpClient, rerouted to [discord] api_url
	logger     *slog.Logger
	slack      *slack.Client
	discord    *discordgo.Session
}

func newDestinations(cfg *config.Config, env Env, httpClient *http.Client, logger *slog.Logger) (*destinations, error) {
	d := &destinations{cfg: cfg, stdout: output.NewStdout(env.Stdout), httpClient: httpClient, logger: logger}
	var err error
	if d.discordWeb, err = discord.NewHTTPClient(cfg.Discord.APIURL, httpClient); err != nil {
		return nil, err
	}
	if cfg.Slack.BotToken != "" {
		d.slack = slack.NewClient(cfg.Slack, httpClient, logger)
	}
	if cfg.Discord.BotToken != "" {
		if d.discord, err = discord.NewSession(cfg.Discord, httpClient); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// regionalChart draws the chart Discord posts, dated when it is drawn.
func regionalChart(d digest.Digest) ([]byte, error) {
	return chart.RegionalSplit(d, chart.Options{AsOf: time.Now()})
}

// channelID resolves a slack:#name destination to its channel id.
func (d *destinations) channelID(ctx context.Context, a addr.Addr) (string, error) {
	if a.Kind != addr.Slack || d.slack == nil {
		return a.Target, nil
	}
	return d.slack.ResolveChannel(ctx, a.Target)
}

func (d *destinations) open(a addr.Addr) (bot.Destination, error) {
	switch a.Kind {
	case addr.Stdout:
		return d.stdout, nil
	case addr.File:
		return output.NewFile(a.Target, a.IsDir()), nil
	case addr.SlackWebhook:
		return slack.NewWebhook(a.Target, d.httpClient, d.logger), nil
	case addr.DiscordWebhook:
		return discord.NewWebhook(a.Target, d.discordWeb, d.logger).WithChart(regionalChart), nil
	case addr.Slack:
		if d.slack == nil {
			return nil, errors.New("slack: channels need the Slack app's bot token ([slack] bot_token)")
		}
		return d.slack.Channel(a.Target)
	case addr.Discord:
		if d.discord == nil {
			return nil, errors.New("discord: channels need the bot token ([discord] bot_token)")
		}
		ch, err := discord.NewChannel(d.discord, a.Target, d.logger)
		if err != nil {
			return nil, err
		}
		return ch.WithChart(regionalChart), nil
	}
	return nil, fmt.Errorf("destination %s: unknown kind", a.Key())
}

// chat holds what receives /thread commands: HTTP endpoints mounted on the
// server, receivers that hold a connection (Slack Socket Mode, the Discord
// gateway), and how to drain the answers they are still computing.
type chat struct {
	handlers  map[string]http.Handler
	receivers []func(ctx context.Context) error
	drains    []func(ctx context.Context) error
	// connections are the receivers' connections, for /readyz.
	connections []connection
}

// connection is a chat receiver's connection as /readyz shows it.
type connection struct {
	part   string
	status func() (up bool, detail string)
}

// newChat enables what the configuration asks for: Slack's HTTP endpoints
// when a signing secret is set (and Socket Mode is off) or Socket Mode; the
// Discord interactions endpoint when a public key is set, and the gateway
// when asked for.
func newChat(cfg *config.Config, cmds *threadcmd.Commands, dests *destinations, httpClient *http.Client, logger *slog.Logger) (*chat, error) {
	c := &chat{handlers: map[string]http.Handler{}}
	switch {
	case cfg.Slack.SocketMode:
		sm := slack.NewSocketMode(cfg.Slack, cmds, httpClient, logger)
		c.receivers = append(c.receivers, sm.Run)
		c.drains = append(c.drains, sm.Shutdown)
		c.connections = append(c.connections, connection{"slack socket mode", sm.Status})
		logger.Info("slack: receiving commands over Socket Mode")
	case cfg.Slack.SigningSecret != "":
		h := slack.NewHandler(cfg.Slack.SigningSecret, cmds, httpClient, logger)
		c.handlers["POST /slack/commands"] = h.Commands()
		c.handlers["POST /slack/interactions"] = h.Interactions()
		c.drains = append(c.drains, h.Shutdown)
		logger.Info("slack: receiving commands at POST /slack/commands")
	}
	if cfg.Discord.Key != nil || cfg.Discord.Gateway {
		discord.BridgeLibraryLog(logger)
		session := dests.discord
		if session == nil {
			// Interaction tokens alone authorise the answers' REST calls.
			var err error
			if session, err = discord.NewSession(cfg.Discord, httpClient); err != nil {
				return nil, err
			}
		}
		h, err := discord.NewInteractions(discord.InteractionsConfig{Session: session, Commands: cmds, Chart: regionalChart,
			Logger: logger, PublicKey: cfg.Discord.Key,
			ThreadNames: func(_, channel string) []string { return cmds.ThreadNames("discord", channel) }})
		if err != nil {
			return nil, err
		}
		if cfg.Discord.Key != nil {
			c.handlers["POST /discord/interactions"] = h
			logger.Info("discord: receiving interactions at POST /discord/interactions")
		}
		if cfg.Discord.Gateway {
			c.receivers = append(c.receivers, func(ctx context.Context) error { return h.RunGateway(ctx, session) })
			c.connections = append(c.connections, connection{"discord gateway", h.GatewayStatus})
			logger.Info("discord: receiving interactions over the gateway")
		}
		c.drains = append(c.drains, h.Shutdown)
	}
	return c, nil
}

// start runs the receivers until ctx ends.
func (c *chat) start(ctx context.Context, logger *slog.Logger) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, run := range c.receivers {
		wg.Go(func() {
			if err := run(ctx); err != nil && ctx.Err() == nil {
				// A refused token: commands cannot arrive this way, but
				// scheduled digests still go out.
				logger.Error("a chat receiver stopped", "err", err)
			}
		})
	}
	return &wg
}

// shutdown waits for the answers still being computed, until ctx ends.
func (c *chat) shutdown(ctx context.Context, logger *slog.Logger) {
	for _, drain := range c.drains {
		if err := drain(ctx); err != nil {
			logger.Warn("chat answers at shutdown", "err", err)
		}
	}
}

// offlineAnalyze is digest.Analyze as the service calls an engine.
func offlineAnalyze(_ context.Context, _ string, t threaddigest.Thread, opt digest.Options) digest.Digest {
	return digest.Analyze(t, opt)
}

// llmCache is the store as the language-model engine's cache.
type llmCache interface {
	llm.LabelCache
	llm.ArgumentSets
}

// analyzer is the engine [analysis] engine chooses: the offline analysis,
// or the language model of [llm] with the store as its cache and its
// metrics on reg.
func analyzer(cfg *config.Config, st llmCache, reg prometheus.Registerer, logger *slog.Logger) (func(context.Context, string, threaddigest.Thread, digest.Options) digest.Digest, error) {
	if cfg.Analysis.Engine != config.EngineLLM {
		return offlineAnalyze, nil
	}
	l := cfg.LLM
	e, err := llm.New(llm.Options{
		BaseURL:          l.BaseURL,
		Model:            l.Model,
		APIKey:           l.APIKey,
		Timeout:          l.Timeout.D(),
		DigestTimeout:    l.DigestTimeout.D(),
		Retries:          *l.Retries,
		Concurrency:      l.Concurrency,
		BatchSize:        l.BatchSize,
		TokenBudget:      *l.TokenBudget,
		StructuredOutput: l.StructuredOutput,
		InputPrice:       l.InputPrice,
		OutputPrice:      l.OutputPrice,
		Logger:           logger,
		Labels:           st,
		Arguments:        st,
		Metrics:          llm.NewMetrics(reg),
	})
	if err != nil {
		return nil, err
	}
	logger.Info("the language model labels the digests", "base_url", open.Redact(l.BaseURL), "model", l.Model, "token_budget", *l.TokenBudget)
	return e.Analyze, nil
}
