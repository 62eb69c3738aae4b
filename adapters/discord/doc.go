// Package discord delivers digests to Discord and answers its /thread
// application command, with github.com/bwmarrin/discordgo for the REST API
// and the gateway. Rendering and transport only: what to answer is decided
// by the platform-neutral command handler (bot/commands, through the
// Answerer interface).
//
// Destinations (bot.Destination):
//   - NewWebhook: "discord-webhook:URL", an incoming webhook; no bot needed.
//   - NewChannel: "discord:CHANNEL_ID", posted with the bot token.
//
// Both render a digest as embeds (RenderDigest) within Discord's limits,
// split into several messages when needed, with the regional chart attached
// when WithChart is given a drawer. A post that fails halfway resumes where
// it stopped when the runner retries it.
//
// Commands: ApplicationCommands and Register (used by `threaddigest discord
// register`) define /thread; Interactions answers it from the HTTP endpoint
// (ServeHTTP, mounted at POST /discord/interactions) or the gateway
// (RunGateway), and Shutdown drains the answers in progress.
//
// Wiring in serve, once per process:
//
//	discord.BridgeLibraryLog(logger)                 // discordgo's log is a package variable
//	web, _ := discord.NewHTTPClient(cfg.APIURL, httpClient) // for webhooks
//	s, _ := discord.NewSession(cfg, httpClient)      // bot token; every call to cfg.APIURL
//	h, _ := discord.NewInteractions(discord.InteractionsConfig{PublicKey: key, Session: s, Commands: cmds, …})
//	mux.Handle("POST /discord/interactions", h)      // or go h.RunGateway(ctx, s)
//	defer h.Shutdown(ctx)
//
// Every REST call carries a deadline and never retries a 429 by itself
// (discordgo would retry without end): a wait comes back as a
// *bot.RetryAfterError, a refusal that retrying cannot fix as a
// *bot.PermanentError. Tokens (bot, webhook, interaction) never appear in
// errors or logs.
//
// Package discordfake is the local stand-in for Discord used by the tests.
package discord
