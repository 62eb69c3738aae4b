package addr

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		kind    Kind
		key     string
		isDir   bool
		wantErr string
	}{
		{in: "stdout", kind: Stdout, key: "stdout"},
		{in: "file:digests/", kind: File, key: "file:digests/", isDir: true},
		{in: "file:./out/../digests.md", kind: File, key: "file:digests.md"},
		{in: "slack:C0123ABCD", kind: Slack, key: "slack:C0123ABCD"},
		{in: "slack:#general", kind: Slack, key: "slack:#general"},
		{in: "discord:123456789012345678", kind: Discord, key: "discord:123456789012345678"},
		{in: "slack-webhook:https://hooks.slack.com/services/T000/B000/SECRETSECRET", kind: SlackWebhook, key: "slack-webhook:hooks.slack.com#"},
		{in: "discord-webhook:http://127.0.0.1:9/api/webhooks/1/tok", kind: DiscordWebhook, key: "discord-webhook:127.0.0.1:9#"},
		{in: "file:", wantErr: "names no file"},
		{in: "slack-webhook:hooks.slack.com/services/x", wantErr: "not an http(s) URL"},
		{in: "discord:#general", wantErr: "digits only"},
		{in: "slack:", wantErr: "want a channel id"},
		{in: "slack:C1", wantErr: "want a channel id (C0123ABCD)"},
		{in: "slack:#General", wantErr: "a channel name is lowercase"},
		{in: "teams:xyz", wantErr: `unknown kind "teams"`},
		{in: "https://hooks.slack.com/services/T000/B000/SECRETSECRET", wantErr: `unknown kind "https"`},
		{in: "stdot", wantErr: `"stdot" has no kind`},
	}
	for _, tt := range tests {
		a, err := Parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("Parse(%q) error leaks the secret: %v", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if a.Kind != tt.kind || !strings.HasPrefix(a.Key(), tt.key) || a.IsDir() != tt.isDir {
			t.Errorf("Parse(%q) = %+v key %q dir %v; want kind %s key %s… dir %v", tt.in, a, a.Key(), a.IsDir(), tt.kind, tt.key, tt.isDir)
		}
		if strings.Contains(a.Key(), "SECRET") || strings.Contains(Redact(tt.in), "SECRET") {
			t.Errorf("key or redaction of %q leaks the secret: %s / %s", tt.in, a.Key(), Redact(tt.in))
		}
	}
}

func TestKeyDistinguishesWebhooks(t *testing.T) {
	a, _ := Parse("slack-webhook:https://hooks.slack.com/services/T/B/one")
	b, _ := Parse("slack-webhook:https://hooks.slack.com/services/T/B/two")
	if a.Key() == b.Key() {
		t.Errorf("two webhooks share the key %s", a.Key())
	}
}
