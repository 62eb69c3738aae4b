package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// CommandName is the one application command: /thread.
const CommandName = "thread"

// Permission design. Discord sets default member permissions per command,
// and subcommands share their command's: making /thread need Manage Channels
// would hide the queries from everyone else. So /thread is open to every
// member (server admins can still narrow it in Server Settings →
// Integrations), and the handler checks the member's permissions in the
// channel, which Discord sends with every interaction, before follow and
// unfollow. The command exists in servers only (contexts: guild), where
// channels and their followers live.
const manageBits = discordgo.PermissionManageChannels | discordgo.PermissionAdministrator

// needsManage reports whether a subcommand changes what the channel follows.
func needsManage(sub string) bool {
	sc, ok := bot.Lookup(sub)
	return ok && sc.Changes
}

// stringOption is an argument of a subcommand as a Discord option. Every
// subcommand and its options come from bot.Subcommands, in the order of
// bot.Request.Args. The "thread" option is not an Arg: it is
// bot.Request.Thread (except for unfollow, where it is also the Arg: the
// name of the thread to unfollow).
func stringOption(a bot.Arg) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: a.Name, Description: a.Description, Required: a.Required, MaxLength: 200}
}

func threadOption() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "thread",
		Description: "Which followed thread, when the channel follows several", Autocomplete: true, MaxLength: 100}
}

// ApplicationCommands is what `threaddigest discord register` registers:
// the /thread command with its subcommands.
func ApplicationCommands() []*discordgo.ApplicationCommand {
	var opts []*discordgo.ApplicationCommandOption
	for _, sc := range bot.Subcommands() {
		o := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: sc.Name, Description: sc.Description}
		for _, a := range sc.Args {
			o.Options = append(o.Options, stringOption(a))
		}
		if sc.Thread {
			o.Options = append(o.Options, threadOption())
		}
		opts = append(opts, o)
	}
	return []*discordgo.ApplicationCommand{{
		Type:             discordgo.ChatApplicationCommand,
		Name:             CommandName,
		Description:      "What a comment thread is saying: arguments, rebuttals, stance, regions",
		Contexts:         &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
		IntegrationTypes: &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall},
		Options:          opts,
	}}
}

// Register overwrites the application's commands with ApplicationCommands in
// one bulk call: globally, or in one guild when guildID is set (instant,
// for testing). Overwriting with the same commands changes nothing, so it is
// safe to repeat; it is never done on every start.
func Register(ctx context.Context, s *discordgo.Session, applicationID, guildID string) ([]*discordgo.ApplicationCommand, error) {
	if !isSnowflake(applicationID) {
		return nil, fmt.Errorf("discord register: application id %q is not a Discord id", applicationID)
	}
	if guildID != "" && !isSnowflake(guildID) {
		return nil, fmt.Errorf("discord register: guild id %q is not a Discord id", guildID)
	}
	ctx, cancel := withDeadline(ctx, callTimeout)
	defer cancel()
	where := "discord register (global commands)"
	if guildID != "" {
		where = "discord register (commands of guild " + guildID + ")"
	}
	cmds, err := s.ApplicationCommandBulkOverwrite(applicationID, guildID, ApplicationCommands(), restOpts(ctx)...)
	return cmds, sessionError(where, err)
}

// errNotACommand marks an interaction that is not /thread.
var errNotACommand = errors.New("not the /thread command")

// requestFrom turns a /thread interaction into the platform-neutral request.
func requestFrom(i *discordgo.Interaction) (bot.Request, error) {
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok || data.Name != CommandName {
		return bot.Request{}, errNotACommand
	}
	req := bot.Request{Platform: "discord", Workspace: i.GuildID, Channel: i.ChannelID, User: userID(i)}
	if len(data.Options) == 0 || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		req.Sub = "help"
		return req, nil
	}
	sub := data.Options[0]
	req.Sub = sub.Name
	values := make(map[string]string)
	for _, o := range sub.Options {
		if s, ok := o.Value.(string); ok {
			values[o.Name] = strings.TrimSpace(textutil.Clean(s))
		}
	}
	req.Thread = values["thread"]
	if sc, ok := bot.Lookup(sub.Name); ok {
		// Positional: an option left out ends the list, so a later one
		// cannot take its place.
		for _, a := range sc.Args {
			v := values[a.Name]
			if v == "" {
				break
			}
			req.Args = append(req.Args, v)
		}
	}
	if sub.Name == "unfollow" && req.Thread != "" {
		req.Args = []string{req.Thread}
	}
	return req, nil
}

func userID(i *discordgo.Interaction) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return i.Member.User.ID
	case i.User != nil:
		return i.User.ID
	}
	return ""
}

// mayManage reports whether the member who gave the command may change what
// the channel follows: Manage Channels (or Administrator) in this channel.
func mayManage(i *discordgo.Interaction) bool {
	return i.Member != nil && i.Member.Permissions&manageBits != 0
}

// focusedOption returns the option being typed in an autocomplete
// interaction.
func focusedOption(i *discordgo.Interaction) (name, value string) {
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return "", ""
	}
	opts := data.Options
	if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		opts = opts[0].Options
	}
	for _, o := range opts {
		if o.Focused {
			s, _ := o.Value.(string)
			return o.Name, s
		}
	}
	return "", ""
}

// BotPermissions are the permissions the bot needs in a channel it posts
// digests to: View Channel and Send Messages to post, Embed Links for the
// embeds to show, Attach Files for the chart. Answers to /thread need none:
// they go through the interaction, not the bot.
const BotPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles

// InviteURL is the link that adds the application to a server: the bot
// with BotPermissions, and the /thread command.
func InviteURL(applicationID string) string {
	return fmt.Sprintf("https://discord.com/oauth2/authorize?client_id=%s&scope=bot+applications.commands&permissions=%d", applicationID, BotPermissions)
}
