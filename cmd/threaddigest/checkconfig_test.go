package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	thread := filepath.Join(dir, "t.txt")
	os.WriteFile(thread, []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "out"), 0o755)

	tests := []struct {
		name     string
		config   string
		env      map[string]string
		args     []string
		wantCode int
		stdout   []string
		stderr   []string
		absent   []string
	}{
		{
			// Run from the repository root, as the README does.
			name:     "the example",
			args:     []string{"config.example.toml"},
			wantCode: 0,
			stdout:   []string{"config.example.toml: OK — 1 thread, 1 digest, 2 destinations"},
		},
		{
			name: "problems with lines",
			config: `[store]
url = "mysql://db/x"

[[thread]]
name = "t"
source = "` + filepath.Join(dir, "missing.txt") + `"
poll = "soon"
`,
			wantCode: 1,
			stderr:   []string{"config.toml:7: thread[1].poll: \"soon\" is not a duration"},
		},
		{
			name: "deeper checks",
			config: `[store]
url = "mysql://db/x"

[[thread]]
name = "t"
source = "` + filepath.Join(dir, "missing.txt") + `"

[[thread]]
name = "u"
source = "https://example.com/article/5g"

[[thread]]
name = "v"
source = "json:nosuchmapping"

[[digest]]
thread = "t"
schedule = "@daily"
to = ["file:` + filepath.Join(dir, "out") + `", "stdout"]
`,
			wantCode: 1,
			stderr: []string{
				`config.toml:2: store.url: store url mysql://db/x: unknown kind of store "mysql"`,
				"config.toml:6: thread[1].source: file " + filepath.Join(dir, "missing.txt") + " does not exist",
				`config.toml:10: thread[2].source: thread address "https://example.com/article/5g": cannot tell which kind of site`,
				`config.toml:14: thread[3].source: `,
				"config.toml:19: digest[1].to[1]: " + filepath.Join(dir, "out") + " exists but the destination names a file",
			},
		},
		{
			name: "print redacts secrets",
			config: `[slack]
bot_token = "${TOKEN}"

[[thread]]
name = "t"
source = "` + thread + `"

[[digest]]
thread = "t"
schedule = "CRON_TZ=Europe/Berlin 0 8 * * *"
to = ["slack-webhook:${HOOK}", "slack:C0123ABCD"]
`,
			env:      map[string]string{"TOKEN": "xoxb-very-secret", "HOOK": "https://hooks.slack.com/services/T/B/hooksecret"},
			args:     []string{"--print"},
			wantCode: 0,
			stdout:   []string{"OK — 1 thread, 1 digest, 2 destinations", "bot_token = 'REDACTED'", "slack-webhook:hooks.slack.com#"},
			absent:   []string{"xoxb-very-secret", "hooksecret"},
		},
		{name: "no file", wantCode: 2, stderr: []string{"check-config takes one configuration file, got 0 arguments", "see 'threaddigest help check-config'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"check-config"}, tt.args...)
			if tt.name == "the example" {
				t.Chdir(filepath.Join("..", ".."))
			}
			if tt.config != "" {
				args = append(args, writeConfig(t, t.TempDir(), tt.config))
			}
			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), args, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return tt.env[k] }})
			code := exitCode(err, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			all := stdout.String() + stderr.String()
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(all, a) {
					t.Errorf("output holds %q", a)
				}
			}
		})
	}
}

func TestCheckConfigCountsProblems(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), "[[thread]]\nname = \"a b\"\n")
	err := Run(context.Background(), []string{"check-config", cfg}, Env{Stderr: io.Discard})
	if err == nil || err.Error() != fmt.Sprintf("%s: 2 problems", cfg) {
		t.Errorf("err = %v", err)
	}
}

// TestCheckConfigRefusesWhatServeRefuses gives check-config and serve the
// same configurations, each with one setting serve cannot work with: both
// must refuse it, check-config naming the line.
func TestCheckConfigRefusesWhatServeRefuses(t *testing.T) {
	dir := t.TempDir()
	thread := filepath.Join(dir, "t.txt")
	if err := os.WriteFile(thread, []byte("Title\n\nDec 27, 2019 · 1 comments\nAnna (köln)\nBan them.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	storeDir := filepath.Join(dir, "state")
	if err := os.Mkdir(storeDir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := func(store, listen, to string) string {
		return `[store]
url = "` + store + `"

[http]
listen = "` + listen + `"

[[thread]]
name = "t"
source = "` + thread + `"

[[digest]]
thread = "t"
schedule = "@daily"
to = [` + to + `]
`
	}
	okStore := "sqlite:" + filepath.Join(dir, "ok.db")
	tests := []struct {
		name, config, want string
	}{
		{"slack channel id too short", base(okStore, "127.0.0.1:0", `"slack:C1"`) + "[slack]\nbot_token = \"xoxb-1\"\n",
			`config.toml:14: digest[1].to[1]: destination "slack:C1": slack channel "C1": want a channel id`},
		{"listen port out of range", base(okStore, "127.0.0.1:99999", `"stdout"`),
			`config.toml:5: http.listen: "127.0.0.1:99999": port 99999 is out of range`},
		{"listen host not a host", base(okStore, "300.1.1.1:8080", `"stdout"`),
			`config.toml:5: http.listen: "300.1.1.1:8080": "300.1.1.1" is neither an IP address nor a host name`},
		{"listen address not of this machine", base(okStore, "192.0.2.1:8080", `"stdout"`),
			`config.toml:5: http.listen: serve could not listen on 192.0.2.1:8080`},
		{"sqlite path is a directory", base("sqlite:"+storeDir, "127.0.0.1:0", `"stdout"`),
			`config.toml:2: store.url: store url sqlite:` + storeDir + `: ` + storeDir + ` is a directory`},
		{"sqlite directory missing", base("sqlite:"+filepath.Join(dir, "nope", "x.db"), "127.0.0.1:0", `"stdout"`),
			`config.toml:2: store.url: store url sqlite:` + filepath.Join(dir, "nope", "x.db") + `: the directory ` + filepath.Join(dir, "nope") + ` does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeConfig(t, t.TempDir(), tt.config)
			var stderr bytes.Buffer
			err := Run(context.Background(), []string{"check-config", cfg}, Env{Stdout: io.Discard, Stderr: &stderr})
			if err == nil || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("check-config: %v; stderr lacks %q:\n%s", err, tt.want, stderr.String())
			}
			// serve refuses it too, at once (it would otherwise run).
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var log syncBuffer
			err = Run(ctx, []string{"serve", "--config", cfg}, Env{Stdout: io.Discard, Stderr: &log})
			if err == nil || ctx.Err() != nil {
				t.Errorf("serve ran with the setting check-config refuses (err %v)\n%s", err, log.String())
			}
		})
	}
}
