package bot

import (
	"strings"
	"testing"
)

// TestHelpPerPlatform checks that /thread help speaks each platform's
// syntax: words typed after the subcommand in Slack, named options in
// Discord, which has no NAME or SOURCE to type.
func TestHelpPerPlatform(t *testing.T) {
	slack, discord := Help("slack"), Help("discord")
	for _, want := range []string{"/thread stance [NAME] [TARGET] — ", "/thread digest [NAME] [SINCE] — ", "/thread follow SOURCE [CRON] — ", "NAME is needed only"} {
		if !strings.Contains(slack, want) {
			t.Errorf("Slack help lacks %q:\n%s", want, slack)
		}
	}
	for _, want := range []string{"/thread stance [target] [thread] — ", "/thread digest [since] [thread] — ", "/thread follow source [cron] — ", "/thread list — ", "The thread option"} {
		if !strings.Contains(discord, want) {
			t.Errorf("Discord help lacks %q:\n%s", want, discord)
		}
	}
	for _, slackOnly := range []string{"NAME", "SOURCE", "TARGET"} {
		if strings.Contains(discord, slackOnly) {
			t.Errorf("Discord help shows Slack's %s:\n%s", slackOnly, discord)
		}
	}
	if Naming("discord", "stance") != "/thread stance thread:NAME" || Naming("slack", "stance") != "/thread stance NAME" {
		t.Errorf("Naming = %q, %q", Naming("discord", "stance"), Naming("slack", "stance"))
	}
}
