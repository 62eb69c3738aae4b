package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/threaddigest/threaddigest/adapters/discord"
)

const discordUsage = `Usage:
  threaddigest discord register [--guild ID] --config FILE
  threaddigest discord invite --config FILE

register  registers the /thread command (stance, digest, arguments,
          rebuttals, regions, follow, unfollow, list, help) for the
          application in [discord] application_id, with the bot token in
          [discord] bot_token. It overwrites the application's commands in
          one call, so running it again is harmless; serve never does it.
          --guild registers in one server only, which takes effect at once:
          use it while testing.
invite    prints the link that adds the bot to a server with the least
          permissions it needs (View Channel, Send Messages, Embed Links,
          Attach Files).

Flags:
`

func runDiscord(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("discord", flag.ContinueOnError)
	configPath := fs.String("config", "config.toml", "the configuration `FILE` with the [discord] section")
	guild := fs.String("guild", "", "register in the server (guild) with this `ID` only")
	if len(args) == 0 {
		return usagef("discord: say what to do: register or invite")
	}
	sub := args[0]
	switch sub {
	case "-h", "-help", "--help", "help":
		printHelp(env.Stdout, fs, discordUsage)
		return errHelp
	case "register", "invite":
	default:
		return usagef("discord: unknown subcommand %q: expected register or invite", sub)
	}
	if err := parseFlags(fs, args[1:], discordUsage, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("discord %s takes no arguments, got %q", sub, fs.Arg(0))
	}
	if sub == "invite" && *guild != "" {
		return usagef("discord invite: --guild is for register")
	}
	cfg, err := loadConfig(*configPath, env)
	if err != nil {
		return fmt.Errorf("discord %s: %w", sub, err)
	}
	dc := cfg.Discord
	if dc.ApplicationID == "" {
		return fmt.Errorf("discord %s: %s: discord.application_id is not set (the Application ID on the developer portal's General Information page; or THREADDIGEST_DISCORD_APPLICATION_ID)", sub, cfg.File)
	}
	if sub == "invite" {
		fmt.Fprintln(env.Stdout, discord.InviteURL(dc.ApplicationID))
		return nil
	}
	if dc.BotToken == "" {
		return fmt.Errorf("discord register: %s: discord.bot_token is not set (the Bot page's token; or THREADDIGEST_DISCORD_BOT_TOKEN)", cfg.File)
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	discord.BridgeLibraryLog(logger)
	s, err := discord.NewSession(dc, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return fmt.Errorf("discord register: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmds, err := discord.Register(ctx, s, dc.ApplicationID, *guild)
	if err != nil {
		return err
	}
	where := "globally (every server the application is in)"
	if *guild != "" {
		where = "in server " + *guild
	}
	for _, c := range cmds {
		fmt.Fprintf(env.Stdout, "registered /%s with %d subcommands %s (command id %s)\n", c.Name, len(c.Options), where, c.ID)
	}
	return nil
}
