package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const minimal = `
[[thread]]
name = "t"
source = "t.txt"
`

func TestRetention(t *testing.T) {
	day := 24 * time.Hour
	c, err := Parse([]byte(minimal), "c.toml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Store.Retention
	if r.SkippedRuns.D() != 30*day || r.FailedRuns.D() != 90*day || r.UnfollowedThreads.D() != 30*day ||
		r.QuietThreads.D() != 30*day || r.Every.D() != time.Hour {
		t.Errorf("retention defaults = %s %s %s %s %s", r.SkippedRuns.D(), r.FailedRuns.D(), r.UnfollowedThreads.D(), r.QuietThreads.D(), r.Every.D())
	}

	c, err = Parse([]byte(`
[store.retention]
skipped_runs = "7d"
failed_runs = "0"
unfollowed_threads = "36h"
quiet_threads = "0"
every = "15m"
`+minimal), "c.toml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	r = c.Store.Retention
	if r.SkippedRuns.D() != 7*day || r.FailedRuns.D() != 0 || r.UnfollowedThreads.D() != 36*time.Hour ||
		r.QuietThreads.D() != 0 || r.Every.D() != 15*time.Minute {
		t.Errorf("retention as set = %s %s %s %s %s", r.SkippedRuns.D(), r.FailedRuns.D(), r.UnfollowedThreads.D(), r.QuietThreads.D(), r.Every.D())
	}

	_, err = Parse([]byte(`
[store.retention]
failed_runs = "a week"
`+minimal), "c.toml", env(nil))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("bad retention: error %v, want Problems", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`c.toml:3: store.retention.failed_runs: "a week" is not a duration: expected e.g. "30s", "5m", "1h30m", "30d"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
	_, err = Parse([]byte(`
[store.retention]
skipped_runs = "-24h"
every = "10s"
quiet_threads = "5m"
kept = "1d"
`+minimal), "c.toml", env(nil))
	msg = ""
	if err != nil {
		msg = err.Error()
	}
	for _, want := range []string{
		`c.toml:3: store.retention.skipped_runs: must not be negative`,
		`c.toml:4: store.retention.every: 10s is too often`,
		`c.toml:5: store.retention.quiet_threads: 5m0s is too short`,
		`c.toml:6: store.retention.kept: unknown key`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
}

func TestDurationDays(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "0d": 0, "1d": 24 * time.Hour, "90m": 90 * time.Minute, "0": 0} {
		var d Duration
		if err := d.UnmarshalText([]byte(in)); err != nil || d.D() != want {
			t.Errorf("%q = %s, %v; want %s", in, d.D(), err, want)
		}
	}
	for _, in := range []string{"d", "1.5d", "1d12h", "-d", "30 days", "999999999999d"} {
		var d Duration
		if err := d.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q was read as %s; want an error", in, d.D())
		} else if !strings.Contains(err.Error(), `"30d"`) {
			t.Errorf("%q: error %q does not show the day form", in, err)
		}
	}
}

func TestDurationRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{30 * 24 * time.Hour, 24 * time.Hour, 36 * time.Hour, 90 * time.Second, 0} {
		text, err := Duration(d).MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Duration
		if err := back.UnmarshalText(text); err != nil || back.D() != d {
			t.Errorf("%s written as %q reads back as %s, %v", d, text, back.D(), err)
		}
	}
	if text, _ := Duration(30 * 24 * time.Hour).MarshalText(); string(text) != "30d" {
		t.Errorf("30 days written as %q, want 30d", text)
	}
}
