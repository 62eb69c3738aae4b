// Package addr reads destination addresses, the entries of a [[digest]]'s
// `to` list: "stdout", "file:DIR/", "slack-webhook:URL", "discord-webhook:URL",
// "slack:CHANNEL", "discord:CHANNEL_ID".
//
// Webhook URLs are secrets (anyone holding one can post), so an address has a
// Key that identifies it in the store, logs and metrics without the secret.
package addr

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// Kind is the type of destination.
type Kind string

// The kinds of destination.
const (
	Stdout         Kind = "stdout"
	File           Kind = "file"
	SlackWebhook   Kind = "slack-webhook"
	DiscordWebhook Kind = "discord-webhook"
	Slack          Kind = "slack"
	Discord        Kind = "discord"
)

// Forms lists the accepted forms, for error messages.
const Forms = `"stdout", "file:DIR/", "slack-webhook:https://…", "discord-webhook:https://…", "slack:CHANNEL_ID" (or "slack:#name"), "discord:CHANNEL_ID"`

// Addr is a parsed destination address.
type Addr struct {
	Kind Kind
	// Target is what follows the kind: the directory or file, the webhook
	// URL, the channel. "" for stdout.
	Target string
}

// Parse reads one destination address.
func Parse(s string) (Addr, error) {
	s = strings.TrimSpace(s)
	if s == "stdout" {
		return Addr{Kind: Stdout}, nil
	}
	kind, target, ok := strings.Cut(s, ":")
	if !ok {
		return Addr{}, fmt.Errorf("destination %s has no kind: expected one of %s", shortOrLength(s), Forms)
	}
	a := Addr{Kind: Kind(kind), Target: target}
	switch a.Kind {
	case File:
		if target == "" {
			return Addr{}, errors.New(`destination "file:" names no file or directory: expected e.g. "file:digests/"`)
		}
	case SlackWebhook, DiscordWebhook:
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Addr{}, fmt.Errorf("destination %s: the webhook address is not an http(s) URL: expected \"%s:https://…\"", kind, kind)
		}
	case Slack:
		if err := SlackChannel(target); err != nil {
			return Addr{}, fmt.Errorf("destination %q: %w", s, err)
		}
	case Discord:
		if target == "" || strings.Trim(target, "0123456789") != "" {
			return Addr{}, fmt.Errorf("destination %q: expected a Discord channel id, digits only (discord:123456789012345678)", s)
		}
	default:
		return Addr{}, fmt.Errorf("destination of unknown kind %q: expected one of %s", kind, Forms)
	}
	return a, nil
}

var (
	slackChannelID   = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)
	slackChannelName = regexp.MustCompile(`^#[\p{Ll}\p{Lo}\p{N}_-][\p{Ll}\p{Lo}\p{N}._-]{0,79}$`)
)

// SlackChannel checks the channel of a `slack:` destination: a channel id
// (C0123ABCD: C, G or D and at least six capitals or digits) or a public
// channel's #name (lowercase letters, digits, '-', '_' and '.', at most 80).
// It is the one check of the configuration and of the Slack adapter, so
// that what the service would refuse at every slot is refused when the
// configuration is read.
func SlackChannel(spec string) error {
	switch {
	case slackChannelID.MatchString(spec), slackChannelName.MatchString(spec):
		return nil
	case strings.HasPrefix(spec, "#"):
		return fmt.Errorf("slack channel %q: a channel name is lowercase letters, digits, '-', '_' and '.', at most 80", spec)
	default:
		return fmt.Errorf("slack channel %q: want a channel id (C0123ABCD) or a #name", spec)
	}
}

// IsDir reports whether a file destination is a directory (one file per run)
// rather than one file every run is appended to: its target ends in a slash.
func (a Addr) IsDir() bool {
	return a.Kind == File && (strings.HasSuffix(a.Target, "/") || strings.HasSuffix(a.Target, string(filepath.Separator)))
}

// Key identifies the destination in the store, logs and metrics. It is stable
// for the same address and carries no secret: a webhook is keyed by its host
// and a hash of its URL.
func (a Addr) Key() string {
	switch a.Kind {
	case Stdout:
		return "stdout"
	case SlackWebhook, DiscordWebhook:
		sum := sha256.Sum256([]byte(a.Target))
		host := a.Target
		if u, err := url.Parse(a.Target); err == nil {
			host = u.Host
		}
		return string(a.Kind) + ":" + host + "#" + hex.EncodeToString(sum[:6])
	case File:
		t := filepath.Clean(a.Target)
		if a.IsDir() {
			t += "/"
		}
		return "file:" + t
	}
	return string(a.Kind) + ":" + a.Target
}

// String is the address with any secret left out; the same as Key.
func (a Addr) String() string { return a.Key() }

// Channel returns the platform and channel a chat destination posts to, so a
// channel that receives a thread's digests also follows it for /thread
// queries; ok is false for other kinds.
func (a Addr) Channel() (platform, channel string, ok bool) {
	switch a.Kind {
	case Slack:
		return "slack", a.Target, true
	case Discord:
		return "discord", a.Target, true
	}
	return "", "", false
}

// Redact returns an address fit for logs: webhook URLs are cut to their host,
// and text that does not parse is cut to its kind.
func Redact(s string) string {
	if a, err := Parse(s); err == nil {
		return a.Key()
	}
	kind, _, ok := strings.Cut(s, ":")
	if !ok {
		return shortOrLength(s)
	}
	return kind + ":…"
}

// shortOrLength quotes a short text and gives only the length of a long one,
// which may be a pasted secret.
func shortOrLength(s string) string {
	if len(s) <= 20 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("(%d characters)", len(s))
}
