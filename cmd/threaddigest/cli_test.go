package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// singleDash finds a flag written -name in a help page (every page writes
// --name): a dash starting a word, followed by a letter.
var singleDash = regexp.MustCompile(`(^|[\s\[(|,"'])-[a-zA-Z]`)

// TestHelpPages checks every command's help page: `threaddigest help X` is
// `threaddigest X --help`, on standard output, in one flag style, with the
// exit statuses.
func TestHelpPages(t *testing.T) {
	for _, name := range commandNames(commands()) {
		t.Run(name, func(t *testing.T) {
			viaHelp, stderr, err := runCmd(t, "", "help", name)
			if err != nil || stderr != "" {
				t.Fatalf("help %s: %v\n%s", name, err, stderr)
			}
			direct, _, err := runCmd(t, "", name, "--help")
			if err != nil || direct != viaHelp {
				t.Errorf("%s --help (%v) differs from help %s:\n%s\n---\n%s", name, err, name, direct, viaHelp)
			}
			if !strings.Contains(viaHelp, "Usage: threaddigest "+name) && !strings.Contains(viaHelp, "Usage:\n  threaddigest "+name) {
				t.Errorf("help %s is not its page:\n%s", name, viaHelp)
			}
			if !strings.Contains(viaHelp, "Exit status: 0 on success") && !strings.Contains(viaHelp, "Exit status: 0 on success, 2 on a usage error, 1 on any other error") {
				t.Errorf("help %s does not give the exit statuses:\n%s", name, viaHelp)
			}
			for i, line := range strings.Split(viaHelp, "\n") {
				if singleDash.MatchString(line) {
					t.Errorf("help %s line %d writes a flag with one dash: %s", name, i+1, line)
				}
			}
		})
	}
	general, _, err := runCmd(t, "", "help")
	if err != nil || !strings.Contains(general, "Commands:") || !strings.Contains(general, "Exit status: 0 on success, 1 on an error, 2 on a usage error") {
		t.Errorf("help: %v\n%s", err, general)
	}
}

// TestUsageErrors checks that a mistake in how a command is called exits
// with status 2 and one line saying what is wrong, then where to read more
// — not the whole help page.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
		see  string
	}{
		{[]string{"digest", "--width", "10", example}, "digest: --width 10: expected at least 60 columns", "digest"},
		{[]string{"digest", "--width", "wide", example}, `digest: invalid value "wide" for flag --width: parse error`, "digest"},
		{[]string{"digest", "--widht", "90", example}, "digest: flag provided but not defined: --widht", "digest"},
		{[]string{"digest", "--home", "XX", example}, `digest: --home "XX": not a country code: expected an ISO 3166-1 alpha-2 code such as US, CA or GB`, "digest"},
		{[]string{"digest", "--map", "body=text", example}, "digest: --map: ../../examples/huawei-europe.txt: is a page file, whose fields are fixed", "digest"},
		{[]string{"digest"}, "digest: no FILE given (use - to read standard input)", "digest"},
		{[]string{"serve", "--confg", "x.toml"}, "serve: flag provided but not defined: --confg", "serve"},
		{[]string{"check-config"}, "check-config takes one configuration file, got 0 arguments", "check-config"},
		{[]string{"discord", "inviet"}, `discord: unknown subcommand "inviet": expected register or invite`, "discord"},
		{[]string{"locate", "--format", "xml"}, `locate: --format "xml": want text or json`, "locate"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"; the commands are check-config, `, ""},
		{[]string{}, "no command given; the commands are check-config, ", ""},
		{[]string{"help", "frobnicate"}, `help: unknown command "frobnicate"`, ""},
	} {
		_, _, err := runCmd(t, "", tc.args...)
		var stderr bytes.Buffer
		code := exitCode(err, &stderr)
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		see := "see 'threaddigest help " + tc.see + "'"
		if tc.see == "" {
			see = "see 'threaddigest help'"
		}
		if code != 2 || len(lines) != 2 || !strings.HasPrefix(lines[0], "threaddigest: "+tc.msg) || lines[1] != see {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant exit 2, %q, then %q", tc.args, code, stderr.String(), tc.msg, see)
		}
	}
}

func TestServeWithoutConfigSaysHowToMakeOne(t *testing.T) {
	t.Chdir(t.TempDir())
	err := Run(context.Background(), []string{"serve"}, Env{})
	if err == nil || !strings.Contains(err.Error(), "the configuration file config.toml does not exist: make one from the example, cp config.example.toml config.toml") {
		t.Errorf("serve without config.toml: %v", err)
	}
}

// TestServeListenCheckedFirst checks that serve refuses an address it
// cannot have before it creates anything: no store file is left behind.
func TestServeListenCheckedFirst(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	cfg := writeConfig(t, dir, fmt.Sprintf("[store]\nurl = \"sqlite:%s\"\n\n[http]\nlisten = %q\n", db, busy.Addr().String()))
	err = Run(context.Background(), []string{"serve", "--config", cfg}, Env{})
	if err == nil || !strings.Contains(err.Error(), cfg+":5: http.listen: cannot listen on "+busy.Addr().String()) {
		t.Errorf("serve on a busy address: %v", err)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the store was created before the address was refused: %v", err)
	}
}

// TestCheckConfigEveryProblem checks that check-config lists the file's
// problems and those only the machine can tell (a missing source file, a
// store of an unknown kind) in one run.
func TestCheckConfigEveryProblem(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `[store]
url = "mysql://x"

[bot]
max_threads = "lots"

[[thread]]
name = "t"
source = "`+filepath.Join(dir, "missing.txt")+`"
`)
	_, stderr, err := runCmd(t, "", "check-config", cfg)
	if err == nil || !strings.HasSuffix(err.Error(), ": 3 problems") {
		t.Errorf("check-config: %v", err)
	}
	for _, want := range []string{
		cfg + `:2: store.url: store url mysql://x: unknown kind of store "mysql"`,
		cfg + `:5: bot.max_threads: expected a whole number (no quotes), found the text "lots"`,
		cfg + `:9: thread[1].source: file ` + filepath.Join(dir, "missing.txt") + ` does not exist`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("check-config lacks %q:\n%s", want, stderr)
		}
	}
}

// TestEveryDocumentedMetricFromTheStart reads the metric names the README
// documents and finds each on /metrics of a service that has done nothing
// yet: no run, no command, no model request. A series that appears only at
// its first event misses that event in a rate() and alerts on nothing.
func TestEveryDocumentedMetricFromTheStart(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The README writes a family's others by their ending after its first
	// ("threaddigest_digests_posted_total, _failed_total").
	documented := map[string]bool{}
	stem := ""
	for _, m := range regexp.MustCompile("threaddigest_[a-z_]+[a-z]|`(_[a-z_]+_total)`").FindAllStringSubmatch(string(readme), -1) {
		if m[1] == "" {
			documented[m[0]] = true
			parts := strings.Split(m[0], "_")
			stem = strings.Join(parts[:max(len(parts)-2, 1)], "_")
			continue
		}
		documented[stem+m[1]] = true
	}
	dir := t.TempDir()
	thread := filepath.Join(dir, "thread.txt")
	if err := os.WriteFile(thread, []byte("T\n\nDec 27, 2019 · 1 comment\nAnna\nHi.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"

[http]
listen = "127.0.0.1:0"

[analysis]
engine = "llm"

[llm]
base_url = "http://127.0.0.1:9/v1"
model = "none"

[[thread]]
name = "t"
source = %q
poll = "1h"

[[digest]]
thread = "t"
schedule = "0 8 1 1 *"
to = ["stdout"]
catch_up = false
`, filepath.Join(dir, "state.db"), thread))
	stderr := &syncBuffer{}
	stop := background([]string{"serve", "--config", cfg}, Env{Stdout: io.Discard, Stderr: stderr})
	defer stop()
	addr := waitFor(t, stderr, regexp.MustCompile(`msg="http server listening" addr=(\S+)`))
	waitFor(t, stderr, regexp.MustCompile(`msg="service started"`))
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var missing []string
	for name := range documented {
		if !regexp.MustCompile(`(?m)^` + name + `(_bucket|_sum|_count)?(\{| )`).Match(body) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("documented metrics not on /metrics before their first event: %v", missing)
	}
	if len(documented) < 20 {
		t.Errorf("found only %d documented metrics in the README", len(documented))
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}
