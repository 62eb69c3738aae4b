package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/adapters/discord/discordfake"
)

func TestDiscordRegister(t *testing.T) {
	fake := discordfake.New(t)
	cfg := writeConfig(t, t.TempDir(), `
[discord]
bot_token = "${DISCORD_BOT_TOKEN}"
application_id = "${DISCORD_APPLICATION_ID}"
api_url = "`+fake.APIURL()+`"
`)
	env := map[string]string{"DISCORD_BOT_TOKEN": fake.BotToken, "DISCORD_APPLICATION_ID": "1100000000000000002"}
	var stdout, stderr bytes.Buffer
	e := Env{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr}

	if err := runDiscord(context.Background(), []string{"register", "--guild", "1100000000000000010", "--config", cfg}, e); err != nil {
		t.Fatalf("register: %v\n%s", err, stderr.String())
	}
	cmds, n := fake.Commands("1100000000000000010")
	if n != 1 || len(cmds) != 1 || cmds[0].Name != "thread" || len(cmds[0].Options) != 9 {
		t.Fatalf("registered %d times: %+v", n, cmds)
	}
	if !strings.Contains(stdout.String(), "registered /thread with 9 subcommands in server 1100000000000000010") {
		t.Errorf("stdout %q", stdout.String())
	}
	if err := runDiscord(context.Background(), []string{"register", "--config", cfg}, e); err != nil {
		t.Fatal(err)
	}
	if global, _ := fake.Commands(""); len(global) != 1 {
		t.Errorf("global commands %+v", global)
	}
	if strings.Contains(stdout.String()+stderr.String(), fake.BotToken) {
		t.Error("the bot token was printed")
	}

	stdout.Reset()
	if err := runDiscord(context.Background(), []string{"invite", "--config", cfg}, e); err != nil {
		t.Fatal(err)
	}
	if want := "https://discord.com/oauth2/authorize?client_id=1100000000000000002&scope=bot+applications.commands&permissions=52224\n"; stdout.String() != want {
		t.Errorf("invite printed %q, want %q", stdout.String(), want)
	}
}

func TestDiscordCommandErrors(t *testing.T) {
	fake := discordfake.New(t)
	noToken := writeConfig(t, t.TempDir(), "[discord]\napplication_id = \"1100000000000000002\"\napi_url = \""+fake.APIURL()+"\"\n")
	noApp := writeConfig(t, t.TempDir(), "[discord]\nbot_token = \"x\"\n")
	badToken := writeConfig(t, t.TempDir(), "[discord]\nbot_token = \"wrong\"\napplication_id = \"1100000000000000002\"\napi_url = \""+fake.APIURL()+"\"\n")
	tests := []struct {
		args  []string
		usage bool
		want  string
	}{
		{nil, true, "register or invite"},
		{[]string{"frobnicate"}, true, `unknown subcommand "frobnicate"`},
		{[]string{"register", "--config", noToken, "extra"}, true, "takes no arguments"},
		{[]string{"register", "--bogus"}, true, "flag provided but not defined"},
		{[]string{"register", "--config", noToken}, false, "discord.bot_token is not set"},
		{[]string{"invite", "--config", noApp}, false, "discord.application_id is not set"},
		{[]string{"register", "--config", filepath.Join(t.TempDir(), "missing.toml")}, false, "missing.toml"},
		{[]string{"register", "--config", badToken}, false, "HTTP 401"},
		{[]string{"register", "--guild", "general", "--config", badToken}, false, `guild id "general"`},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		err := runDiscord(context.Background(), tt.args, Env{Getenv: func(string) string { return "" }, Stdout: &bytes.Buffer{}, Stderr: &stderr})
		if err == nil {
			t.Errorf("%v: no error", tt.args)
			continue
		}
		var ue *usageError
		if errors.As(err, &ue) != tt.usage {
			t.Errorf("%v: usage error = %v, want %v (%v)", tt.args, !tt.usage, tt.usage, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %q does not mention %q", tt.args, err, tt.want)
		}
	}
	var out bytes.Buffer
	if err := runDiscord(context.Background(), []string{"--help"}, Env{Stdout: &out, Stderr: &out}); !errors.Is(err, errHelp) || !strings.Contains(out.String(), "discord register [--guild ID]") {
		t.Errorf("--help: %v, %q", err, out.String())
	}
}
