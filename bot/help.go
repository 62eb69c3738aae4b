package bot

import (
	"strings"
)

// A subcommand of /thread as help describes it. Slack users type arguments
// after the subcommand; Discord users fill in options of the same names, so
// one table gives each platform its own syntax.
type subcommandHelp struct {
	name    string
	summary string
	// args are the subcommand's arguments in order: name is the Discord
	// option and, in capitals, Slack's placeholder.
	args []argHelp
	// thread: the subcommand takes a thread's name (Slack: a first word
	// naming a followed thread; Discord: the thread option).
	thread bool
}

type argHelp struct {
	name     string
	required bool
}

var helpTable = []subcommandHelp{
	{name: "stance", summary: "where the thread stands toward its target (or the one given), by region, with a quote for each side",
		args: []argHelp{{name: "target"}}, thread: true},
	{name: "digest", summary: "the comments since the last digest posted here (the whole thread when none is new), or since a time given: 24h, 7d, 2026-03-01",
		args: []argHelp{{name: "since"}}, thread: true},
	{name: "arguments", summary: "the dominant arguments, in full", thread: true},
	{name: "rebuttals", summary: "the notable rebuttals", thread: true},
	{name: "regions", summary: "the split by region", thread: true},
	{name: "follow", summary: "follow a live thread in this channel (default: daily at 09:00)",
		args: []argHelp{{name: "source", required: true}, {name: "cron"}}},
	{name: "unfollow", summary: "stop following a thread here", thread: true},
	{name: "list", summary: "the threads this channel follows"},
	{name: "help", summary: "this message"},
}

// Syntax is how a subcommand is written on a platform ("slack" or
// "discord"): "/thread digest [NAME] [SINCE]" in Slack, "/thread digest
// [since] [thread]" in Discord, where each is an option to fill in.
func Syntax(platform, sub string) string {
	for _, h := range helpTable {
		if h.name == sub {
			return h.syntax(platform)
		}
	}
	return "/thread " + sub
}

func (h subcommandHelp) syntax(platform string) string {
	parts := []string{"/thread", h.name}
	word := func(name string, required bool) string {
		if platform != "discord" {
			name = strings.ToUpper(name)
		}
		if required {
			return name
		}
		return "[" + name + "]"
	}
	if h.thread && platform != "discord" {
		parts = append(parts, word("name", false))
	}
	for _, a := range h.args {
		parts = append(parts, word(a.name, a.required))
	}
	if h.thread && platform == "discord" {
		parts = append(parts, word("thread", false))
	}
	return strings.Join(parts, " ")
}

// Help is the answer to /thread help on a platform, in its own syntax.
func Help(platform string) string {
	var b strings.Builder
	for _, h := range helpTable {
		b.WriteString(h.syntax(platform) + " — " + h.summary + "\n")
	}
	if platform == "discord" {
		b.WriteString("The thread option is needed only when the channel follows several threads; it offers their names as you type.")
	} else {
		b.WriteString("NAME is needed only when the channel follows several threads.")
	}
	b.WriteString(" Stances are favor, against or none; regions of fewer than 5 commenters are marked *.")
	return b.String()
}

// Naming is how to give a subcommand a thread's name on a platform:
// "/thread stance NAME" in Slack, "/thread stance thread:NAME" in Discord.
func Naming(platform, sub string) string {
	if platform == "discord" {
		return "/thread " + sub + " thread:NAME"
	}
	return "/thread " + sub + " NAME"
}
