package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/input"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestExampleLoads(t *testing.T) {
	c, err := Load(filepath.Join("..", "config.example.toml"), env(nil))
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	if len(c.Threads) != 1 || c.Threads[0].Name != "huawei-europe" || c.Threads[0].Target != "Huawei" {
		t.Errorf("threads = %+v", c.Threads)
	}
	if len(c.Digests) != 1 || c.Digests[0].Name != "huawei-europe-morning" || c.Digests[0].MinNew() != 1 || !c.Digests[0].CatchUpOn() {
		t.Errorf("digests = %+v", c.Digests)
	}
	if c.Store.Lease.D() != 30*time.Second || c.Bot.CatchUpWindow.D() != 24*time.Hour {
		t.Errorf("durations: lease %s, catch-up %s", c.Store.Lease.D(), c.Bot.CatchUpWindow.D())
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse([]byte(`
[[thread]]
name = "t"
source = "t.txt"

[[digest]]
thread = "t"
schedule = "@daily"
to = ["stdout"]
`), "c.toml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.URL != DefaultStoreURL || c.HTTP.Listen != DefaultListen || c.Store.Lease.D() != DefaultLease {
		t.Errorf("store/http defaults: %+v %+v", c.Store, c.HTTP)
	}
	if c.Digests[0].Name != "t" || c.Digests[0].MinNew() != 1 || !c.Digests[0].CatchUpOn() {
		t.Errorf("digest defaults: %+v", c.Digests[0])
	}
	if c.Threads[0].Poll.D() != DefaultPollInterval {
		t.Errorf("poll default = %s", c.Threads[0].Poll.D())
	}
	if !strings.Contains(c.Bot.ReplicaID, "-") {
		t.Errorf("replica id default = %q, want hostname-pid", c.Bot.ReplicaID)
	}
	if c.Bot.Zone != time.UTC {
		t.Errorf("zone = %v", c.Bot.Zone)
	}
}

// TestProblems checks that each mistake is reported with its line and key,
// and that all of them are reported at once.
func TestProblems(t *testing.T) {
	doc := `[store]
url = "sqlite:x.db"
lease = "10ms"

[htp]
listen = "x"

[[thread]]
name = "a b"
source = ""

[[thread]]
name = "t"
source = "t.txt"
targte = "Huawei"

[[digest]]
thread = "nope"
schedule = "CRON_TZ=UTC"
to = ["stdout", "teams:x"]

[[digest]]
thread = "t"
schedule = "CRON_TZ=Mars/Base 0 8 * * *"
to = ["slack:C0123ABCD", "stdout", "stdout"]
min_new_comments = -1

[discord]
public_key = "zz"
`
	_, err := Parse([]byte(doc), "c.toml", env(nil))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	want := []string{
		"c.toml:3: store.lease: 10ms is too short",
		"c.toml:5: htp: unknown key",
		`c.toml:9: thread[1].name: "a b": expected letters`,
		"c.toml:10: thread[1].source: missing",
		"c.toml:15: thread[2].targte: unknown key",
		`c.toml:18: digest[1].thread: "nope" names no [[thread]] (threads: a b, t)`,
		`c.toml:19: digest[1].schedule: "CRON_TZ=UTC" names a time zone but no schedule`,
		`c.toml:20: digest[1].to[2]: destination of unknown kind "teams"`,
		`c.toml:24: digest[2].schedule: unknown time zone "Mars/Base"`,
		"c.toml:25: digest[2].to[3]: stdout is listed twice (also to[2])",
		"c.toml:26: digest[2].min_new_comments: must not be negative",
		"c.toml:29: discord.public_key: expected the application's public key",
		"c.toml: slack.bot_token: missing: a [[digest]] posts to a slack: channel",
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("problems lack %q", w)
		}
	}
	if t.Failed() {
		t.Logf("problems:\n%s", got)
	}
}

func TestTypeErrorNamesLineAndKey(t *testing.T) {
	doc := "[[thread]]\nname = \"t\"\nsource = \"x\"\npoll = 5\n"
	_, err := Parse([]byte(doc), "c.toml", env(nil))
	if err == nil || !strings.HasPrefix(err.Error(), "c.toml:4: thread[1].poll:") {
		t.Errorf("err = %v, want it at c.toml:4 thread[1].poll", err)
	}
	doc = "[[thread]]\nname = \"t\"\nsource = \"x\"\npoll = \"5 minutes\"\n"
	_, err = Parse([]byte(doc), "c.toml", env(nil))
	if err == nil || !strings.Contains(err.Error(), "c.toml:4") || !strings.Contains(err.Error(), "not a duration") {
		t.Errorf("err = %v, want a duration problem at line 4", err)
	}
	_, err = Parse([]byte("[store\nurl = 1\n"), "c.toml", env(nil))
	if err == nil || !strings.HasPrefix(err.Error(), "c.toml:1") {
		t.Errorf("syntax error = %v, want it at line 1", err)
	}
}

func TestEnvironment(t *testing.T) {
	doc := `
[slack]
bot_token = "${SLACK_BOT_TOKEN}"
signing_secret = "from-file"
api_url = "http://127.0.0.1:9/api"

[[thread]]
name = "t"
source = "t.txt"

[[digest]]
thread = "t"
schedule = "@hourly"
to = ["slack-webhook:${HOOK}", "slack:C0123ABCD"]
`
	c, err := Parse([]byte(doc), "c.toml", env(map[string]string{
		"SLACK_BOT_TOKEN":                   "xoxb-secret-1",
		"HOOK":                              "https://hooks.slack.com/services/T/B/SECRETHOOK",
		"THREADDIGEST_SLACK_SIGNING_SECRET": "from-env",
		"THREADDIGEST_REPLICA_ID":           "r7",
		"THREADDIGEST_STORE_URL":            "postgres://app:pw-secret@db:5432/td",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Slack.BotToken != "xoxb-secret-1" || c.Slack.SigningSecret != "from-env" || c.Bot.ReplicaID != "r7" {
		t.Errorf("slack = %+v, replica = %q", c.Slack, c.Bot.ReplicaID)
	}
	if c.Digests[0].To[0] != "slack-webhook:https://hooks.slack.com/services/T/B/SECRETHOOK" {
		t.Errorf("to = %q", c.Digests[0].To)
	}
	if c.Slack.APIURL != "http://127.0.0.1:9/api/" {
		t.Errorf("api_url = %q, want a trailing slash added", c.Slack.APIURL)
	}
	r := c.Redacted()
	dump := strings.Join([]string{r.Slack.BotToken, r.Slack.SigningSecret, r.Store.URL, strings.Join(r.Digests[0].To, " ")}, " ")
	for _, secret := range []string{"xoxb-secret-1", "from-env", "pw-secret", "SECRETHOOK"} {
		if strings.Contains(dump, secret) {
			t.Errorf("redacted config leaks %q: %s", secret, dump)
		}
	}
	if c.Slack.BotToken != "xoxb-secret-1" {
		t.Error("Redacted changed the original")
	}

	_, err = Parse([]byte(doc), "c.toml", env(nil))
	if err == nil || !strings.Contains(err.Error(), "c.toml:3: slack.bot_token: environment variable SLACK_BOT_TOKEN is not set") ||
		!strings.Contains(err.Error(), "c.toml:14: digest[1].to[1]: environment variable HOOK is not set") {
		t.Errorf("unset variables: %v", err)
	}
	_, err = Parse([]byte(doc), "c.toml", env(map[string]string{"SLACK_BOT_TOKEN": "x", "HOOK": "https://h/x", "THREADDIGEST_SLACK_SOCKET_MODE": "maybe"}))
	if err == nil || !strings.Contains(err.Error(), "THREADDIGEST_SLACK_SOCKET_MODE") {
		t.Errorf("bad override: %v", err)
	}
}

func TestExpandString(t *testing.T) {
	get := env(map[string]string{"A": "1", "B_2": "two"})
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${A}-${B_2}", "1-two", ""},
		{"cost $$5 ${A}", "cost $5 1", ""},
		{"lone $ sign", "lone $ sign", ""},
		{"${A", "", "unclosed"},
		{"${1X}", "", "expected an environment variable name"},
		{"${C}", "", "C is not set"},
	}
	for _, tt := range tests {
		got, err := expandString(tt.in, get)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("expandString(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expandString(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.toml"), nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want not-exist", err)
	}
}

func TestFileSourceOptions(t *testing.T) {
	doc := "[[thread]]\nname = \"t\"\nsource = \"x.csv\"\nformat = \"xml\"\nmap = \"body\"\n"
	_, err := Parse([]byte(doc), "c.toml", env(nil))
	if err == nil || !strings.Contains(err.Error(), "c.toml:4: thread[1].format: unknown input format \"xml\"") ||
		!strings.Contains(err.Error(), "c.toml:5: thread[1].map: field mapping \"body\"") {
		t.Errorf("err = %v", err)
	}
	doc = "[[thread]]\nname = \"t\"\nsource = \"x.csv\"\nformat = \"csv\"\nmap = \"body=text\"\nthread_id = \"7\"\n"
	c, err := Parse([]byte(doc), "c.toml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if o := c.Threads[0].Input; o.Format != "csv" || o.Map["body"] != "text" || c.Threads[0].ThreadID != "7" {
		t.Errorf("options = %+v", o)
	}
}

func TestSourcesSection(t *testing.T) {
	doc := `
[sources]
user_agent = "threaddigest/1 (newsroom@example.org)"
timeout = "20s"
max_pages = 5

[sources.reddit]
client_id = "id"
client_secret = "${REDDIT_SECRET}"

[sources.disqus]
api_key = "disqus-key-secret"

[sources.json.comments-api]
url = "https://api.example.com/comments"
items = "data.comments"
id = "id"
body = "text"
headers = { Authorization = "Bearer token-secret" }

[sources.hn]
refresh_everyy = 3
`
	_, err := Parse([]byte(doc), "c.toml", env(map[string]string{"REDDIT_SECRET": "reddit-secret"}))
	if err == nil || !strings.Contains(err.Error(), "c.toml:22: sources.hn.refresh_everyy: unknown key") {
		t.Fatalf("err = %v", err)
	}
	doc = strings.Replace(doc, "refresh_everyy", "refresh_every", 1)
	c, err := Parse([]byte(doc), "c.toml", env(map[string]string{"REDDIT_SECRET": "reddit-secret"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sources.Reddit.ClientSecret != "reddit-secret" || c.Sources.Timeout.D() != 20*time.Second || c.Sources.JSON["comments-api"].Items != "data.comments" {
		t.Errorf("sources = %+v", c.Sources)
	}
	r := c.Redacted()
	dump := fmt.Sprintf("%+v", r.Sources)
	for _, secret := range []string{"reddit-secret", "disqus-key-secret", "token-secret"} {
		if strings.Contains(dump, secret) {
			t.Errorf("redacted sources leak %q: %s", secret, dump)
		}
	}
	if c.Sources.JSON["comments-api"].Headers["Authorization"] != "Bearer token-secret" {
		t.Error("Redacted changed the original's headers")
	}
	_, err = Parse([]byte("[bot]\nhome_country = \"usa\"\n"), "c.toml", env(nil))
	if err == nil || !strings.Contains(err.Error(), "c.toml:2: bot.home_country") {
		t.Errorf("home_country: %v", err)
	}
}

// TestEveryProblemInOneRun checks what a newcomer's first file meets: a
// value of the wrong kind no longer hides the problems after it, each is
// said in the file's words with its key and line, a misspelt key gets the
// key it resembles, a duration without a unit is refused (it would be
// nanoseconds), and a refused key is not reported again as missing.
func TestEveryProblemInOneRun(t *testing.T) {
	doc := `[store]
lease = 30
pool_size = "four"

[bot]
max_threads = "lots"
timezone = "Mars/Base"
poll_intervall = "1m"
catch_up = true

[[thread]]
name = "t"
source = "t.txt"
format = "page"
map = "body=text"
poll = 90

[[digest]]
thread = "t"
schedule = 8
to = "stdout"
min_new_comments = 1.5
catch_up = "yes"

[sources]
max_pages = "20"
timout = "20s"
`
	c, ps := ParseAll([]byte(doc), "c.toml", env(nil))
	want := []string{
		`c.toml:2: store.lease: 30 has no unit: expected a duration such as "30s", "5m", "1h" or "30d" (a bare number would be read as nanoseconds)`,
		`c.toml:3: store.pool_size: expected a whole number (no quotes), found the text "four"`,
		`c.toml:6: bot.max_threads: expected a whole number (no quotes), found the text "lots"`,
		`c.toml:7: bot.timezone: unknown time zone "Mars/Base"`,
		`c.toml:8: bot.poll_intervall: unknown key: did you mean poll_interval?`,
		`c.toml:9: bot.catch_up: unknown key: did you mean catch_up_window?`,
		`c.toml:15: thread[1].map: a page file's fields are fixed: map applies only to csv and jsonl files`,
		`c.toml:16: thread[1].poll: 90 has no unit`,
		`c.toml:20: digest[1].schedule: expected text in quotes, found the number 8`,
		`c.toml:21: digest[1].to: expected a list such as ["a", "b"], found the text "stdout"`,
		`c.toml:22: digest[1].min_new_comments: expected a whole number (no quotes), found the number 1.5`,
		`c.toml:23: digest[1].catch_up: expected true or false (no quotes), found the text "yes"`,
		`c.toml:26: sources.max_pages: expected a whole number (no quotes), found the text "20"`,
		`c.toml:27: sources.timout: unknown key: did you mean timeout?`,
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Error())
	}
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q", w)
		}
	}
	// One problem per key: the refused schedule and to are not also
	// "missing", the refused lease not also "too short".
	seen := map[string]int{}
	for _, p := range ps {
		seen[p.Key]++
		if seen[p.Key] > 1 {
			t.Errorf("%s reported twice", p.Key)
		}
	}
	if t.Failed() {
		t.Logf("problems:\n%s", all)
	}
	// The rest was read: check-config's deeper checks look at it.
	if c == nil || len(c.Threads) != 1 || c.Threads[0].Source != "t.txt" || c.Store.Lease.D() != DefaultLease {
		t.Errorf("config as read = %+v", c)
	}
}

// TestPrintShowsDefaults checks that the effective configuration holds the
// values used, not zeroes: check-config --print prints it.
func TestPrintShowsDefaults(t *testing.T) {
	c, err := Parse([]byte("[[thread]]\nname = \"t\"\nsource = \"t.txt\"\n"), "c.toml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sources
	if s.Timeout.D() != 20*time.Second || s.MaxPages != 20 || s.MaxBodyBytes != 8<<20 || s.RequestsPerMinute != 60 ||
		s.Retries != 3 || s.UserAgent == "" || s.HN.RefreshEvery != 6 || s.Disqus.APIURL == "" {
		t.Errorf("[sources] with its defaults = %+v", s)
	}
}

// TestParsedOnce checks that Load keeps what it parsed, typed, for the rest
// of the program to take as it is: zones, schedules, destinations, a file's
// input options, the Discord public key.
func TestParsedOnce(t *testing.T) {
	c, err := Parse([]byte(`
[bot]
timezone = "Europe/Berlin"
follow_schedule = "0 8 * * 1-5"

[[thread]]
name = "t"
source = "t.csv"
format = "csv"
map = "body=text"

[[digest]]
thread = "t"
schedule = "0 7 * * *"
to = ["stdout", "discord:123456789012345678", "slack-webhook:https://hooks.slack.com/services/T/B/secret"]

[[channel]]
id = "discord:123456789012345678"
timezone = "America/Chicago"

[discord]
bot_token = "x"
public_key = "`+strings.Repeat("ab", 32)+`"
`), "c.toml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	if c.Bot.Zone == nil || c.Bot.Zone.String() != "Europe/Berlin" {
		t.Errorf("Bot.Zone = %v", c.Bot.Zone)
	}
	// 08:00 in Berlin is 07:00 UTC in winter.
	if c.Bot.Follow == nil || !c.Bot.Follow.Next(at).Equal(time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("Bot.Follow = %v", c.Bot.Follow)
	}
	d := c.Digests[0]
	if d.When == nil || !d.When.Next(at).Equal(time.Date(2026, 12, 8, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("Digest.When = %v, want 07:00 Berlin", d.When)
	}
	if len(d.Destinations) != 3 || d.Destinations[1].Key() != "discord:123456789012345678" {
		t.Errorf("Digest.Destinations = %+v", d.Destinations)
	}
	if in := c.Threads[0].Input; in.Format != input.CSV || in.Map["body"] != "text" {
		t.Errorf("Thread.Input = %+v", in)
	}
	if z := c.ChannelZone("discord", "123456789012345678"); z.String() != "America/Chicago" {
		t.Errorf("ChannelZone(discord channel) = %v", z)
	}
	if z := c.ChannelZone("slack", "C1"); z != c.Bot.Zone {
		t.Errorf("ChannelZone(other) = %v, want the bot's zone", z)
	}
	if len(c.Discord.Key) != 32 || c.Discord.Key[0] != 0xab {
		t.Errorf("Discord.Key = %x", c.Discord.Key)
	}
	for _, rd := range c.Redacted().Digests {
		if rd.Destinations != nil {
			t.Errorf("Redacted kept the parsed destinations, webhook URLs whole: %+v", rd.Destinations)
		}
	}
	if len(c.Digests[0].Destinations) != 3 {
		t.Error("Redacted changed the original's destinations")
	}
}
