package slack

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestManifestMatchesTheCode checks the app manifest asks for exactly the
// scopes this package uses, and points Slack at the paths it serves.
func TestManifestMatchesTheCode(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "slack-app-manifest.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	inBot := false
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "bot:":
			inBot = true
		case inBot && strings.HasPrefix(trimmed, "- "):
			scopes = append(scopes, strings.TrimPrefix(trimmed, "- "))
		case inBot && trimmed != "" && !strings.HasPrefix(trimmed, "#"):
			inBot = false
		}
	}
	slices.Sort(scopes)
	// commands: slash commands; chat:write: chat.postMessage; files:write:
	// files.getUploadURLExternal and files.completeUploadExternal;
	// channels:read: conversations.list for #names.
	want := []string{"channels:read", "chat:write", "commands", "files:write"}
	if !slices.Equal(scopes, want) {
		t.Errorf("manifest bot scopes %v, want %v", scopes, want)
	}
	for _, path := range []string{"/slack/commands", "/slack/interactions", "command: /thread", "is_enabled: true"} {
		if !strings.Contains(string(b), path) {
			t.Errorf("manifest lacks %q", path)
		}
	}
}
