package sources_test

import (
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/config"
)

// The service's configuration reads [sources] strictly, expands ${VAR} in it
// and redacts its secrets.
func TestServiceConfigSourcesTable(t *testing.T) {
	const conf = `
[[thread]]
name = "r"
source = "reddit:https://www.reddit.com/r/europe/comments/abc123/x/"

[[digest]]
thread = "r"
schedule = "0 8 * * *"
to = ["stdout"]

[sources]
max_pages = 3

[sources.reddit]
client_id = "app"
client_secret = "${REDDIT_SECRET}"

[sources.json.site]
url = "https://api.example/c"
id = "id"
body = "text"
headers = { Authorization = "Token ${SITE_TOKEN}" }
`
	env := map[string]string{"REDDIT_SECRET": "s3cret", "SITE_TOKEN": "t0k"}
	cfg, err := config.Parse([]byte(conf), "config.toml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sources.MaxPages != 3 || cfg.Sources.Reddit.ClientSecret != "s3cret" || cfg.Sources.JSON["site"].Headers["Authorization"] != "Token t0k" {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	if r := cfg.Redacted(); r.Sources.Reddit.ClientSecret == "s3cret" {
		t.Errorf("client_secret not redacted")
	}
	_, err = config.Parse([]byte(strings.Replace(conf, "max_pages", "max_pagez", 1)), "config.toml", func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "unknown key") {
		t.Errorf("misspelt key: %v", err)
	}
}
