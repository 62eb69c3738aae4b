package bot

import (
	"slices"
	"strings"
)

// Subcommand is a subcommand of /thread. Subcommands is the one list of
// them: it gives each platform its help and syntax (Slack users type
// arguments after the subcommand; Discord users fill in options of the same
// names), Discord the command it registers, and the command handler what
// each does.
type Subcommand struct {
	Name string
	// Summary is its line in /thread help.
	Summary string
	// Description is what Discord shows beside it (at most 100
	// characters).
	Description string
	// Args are its arguments in order: Name is the Discord option and, in
	// capitals, Slack's placeholder.
	Args []Arg
	// Thread: it takes a thread's name (Slack: a first word naming a
	// followed thread; Discord: the thread option).
	Thread bool
	// Query: it answers with a digest of the thread (its ResponseKind is
	// its name).
	Query bool
	// Changes: it changes what the channel follows, which Discord allows
	// members who may manage the channel.
	Changes bool
}

// Arg is an argument of a subcommand.
type Arg struct {
	Name     string
	Required bool
	// Description is what Discord shows beside the option.
	Description string
}

// subcommands lists the subcommands of /thread, in the order help shows
// them.
var subcommands = []Subcommand{
	{Name: "stance", Summary: "where the thread stands toward its target (or the one given), by region, with a quote for each side",
		Description: "Where the thread stands toward its target, by region, with a quote for each side",
		Args:        []Arg{{Name: "target", Description: "Measure stance toward this instead of the thread's target"}}, Thread: true, Query: true},
	{Name: "digest", Summary: "the comments since the last digest posted here (the whole thread when none is new), or since a time given: 24h, 7d, 2026-03-01",
		Description: "A digest of the comments since the last digest here, or since a time",
		Args:        []Arg{{Name: "since", Description: "A duration (24h) or a date (2026-03-01)"}}, Thread: true, Query: true},
	{Name: "arguments", Summary: "the dominant arguments, in full",
		Description: "The dominant arguments and how many commenters make each", Thread: true, Query: true},
	{Name: "rebuttals", Summary: "the notable rebuttals",
		Description: "The notable replies that push back on another comment", Thread: true, Query: true},
	{Name: "regions", Summary: "the split by region",
		Description: "How the thread differs by the commenters' region", Thread: true, Query: true},
	{Name: "follow", Summary: "follow a live thread in this channel (default: daily at 09:00)",
		Description: "Follow a thread in this channel, with scheduled digests (Manage Channels)",
		Args: []Arg{
			{Name: "source", Required: true, Description: "Where the comments are: a comment-page URL or a source address"},
			{Name: "cron", Description: "When to post digests, e.g. CRON_TZ=Europe/Berlin 0 9 * * * (default daily 09:00)"},
		}, Changes: true},
	{Name: "unfollow", Summary: "stop following a thread here",
		Description: "Stop following a thread in this channel (Manage Channels)", Thread: true, Changes: true},
	{Name: "list", Summary: "the threads this channel follows", Description: "The threads this channel follows"},
	{Name: "help", Summary: "this message", Description: "How to use /thread"},
}

// Subcommands returns the subcommands of /thread, in the order help shows
// them.
func Subcommands() []Subcommand { return slices.Clone(subcommands) }

// Lookup returns the subcommand named name.
func Lookup(name string) (Subcommand, bool) {
	for _, sc := range subcommands {
		if sc.Name == name {
			return sc, true
		}
	}
	return Subcommand{}, false
}

// Syntax is how a subcommand is written on a platform ("slack" or
// "discord"): "/thread digest [NAME] [SINCE]" in Slack, "/thread digest
// [since] [thread]" in Discord, where each is an option to fill in.
func Syntax(platform, sub string) string {
	if sc, ok := Lookup(sub); ok {
		return sc.Syntax(platform)
	}
	return "/thread " + sub
}

// Syntax is how the subcommand is written on a platform; see the function
// Syntax.
func (sc Subcommand) Syntax(platform string) string {
	parts := []string{"/thread", sc.Name}
	word := func(name string, required bool) string {
		if platform != "discord" {
			name = strings.ToUpper(name)
		}
		if required {
			return name
		}
		return "[" + name + "]"
	}
	if sc.Thread && platform != "discord" {
		parts = append(parts, word("name", false))
	}
	for _, a := range sc.Args {
		parts = append(parts, word(a.Name, a.Required))
	}
	if sc.Thread && platform == "discord" {
		parts = append(parts, word("thread", false))
	}
	return strings.Join(parts, " ")
}

// Help is the answer to /thread help on a platform, in its own syntax.
func Help(platform string) string {
	var b strings.Builder
	for _, sc := range subcommands {
		b.WriteString(sc.Syntax(platform) + " — " + sc.Summary + "\n")
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
