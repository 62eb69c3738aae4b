// Package bot is what the service and the chat platforms agree on: a Post
// of a digest to a Destination, and a /thread Request with its Response,
// independent of any platform, with the subcommands of /thread
// (Subcommands) and their help.
//
// The service is in its subpackages, one per job: bot/scheduler polls the
// threads and posts their scheduled digests exactly once per slot,
// bot/commands answers /thread, bot/digests computes digests and keeps them
// until their thread changes, bot/output writes them to standard output and
// files; bot/schedule reads cron specs and bot/addr destination addresses.
// Chat platforms plug in from adapters/slack and adapters/discord: they
// implement Destination to post digests, and turn their own slash-command
// payloads into a Request for bot/commands, rendering its Response in their
// own message format.
package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/threaddigest/threaddigest/digest"
)

// Post is one digest to deliver to one destination.
type Post struct {
	// Thread is the configured name of the thread ("huawei-europe").
	Thread string
	// Digest is the digest to deliver. For scheduled runs it covers the new
	// comments and Digest.Context places them in the whole thread.
	Digest digest.Digest
	// Slot is the schedule time this post is for; zero for on-demand posts.
	Slot time.Time
	// MaxArguments caps the arguments shown; 0 shows all of the digest's.
	MaxArguments int
	// MayRepeat is set when an earlier run to this destination was cut off
	// mid-post (uncertain): it may have arrived, and its comments, still
	// new, are in this digest again. Destinations show MayRepeatNote.
	MayRepeat bool
}

// MayRepeatNote is the line a destination shows on a Post with MayRepeat.
const MayRepeatNote = "Some of these comments may have been posted before: an earlier digest here was cut off mid-post and may or may not have arrived."

// Destination delivers posts somewhere: stdout, a file, a webhook, a channel.
type Destination interface {
	// Deliver posts p and returns a reference to what was posted (a message
	// timestamp or id, a file path) for the store's record; "" when the
	// destination has none. It must honour ctx's deadline.
	Deliver(ctx context.Context, p Post) (ref string, err error)
}

// RetryAfterError is returned by a Destination that was told to wait (an HTTP
// 429 with Retry-After, or a platform's retry_after) before trying again.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// PermanentError marks a failure that retrying within the slot cannot fix
// (a 4xx other than 429, an unknown channel, a revoked token). The run is
// recorded as failed at once and tried again at the next tick.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is marked permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// Request is a /thread command from any chat platform, already authenticated
// by its adapter.
type Request struct {
	// Platform is "slack" or "discord".
	Platform string
	// Workspace is the Slack team id or Discord guild id ("" for DMs).
	Workspace string
	// Channel is the channel the command was given in.
	Channel string
	// User is the platform id of the user who gave it.
	User string
	// Sub is the subcommand: stance, digest, arguments, rebuttals, regions,
	// follow, unfollow, list, help, or anything else (answered with usage).
	Sub string
	// Args are the subcommand's positional arguments, in order. Slack splits
	// the command text on spaces (ParseCommandText); Discord passes its
	// options in the order the subcommand declares them.
	Args []string
	// Thread is an explicit thread name when the platform has a separate
	// option for it (Discord); "" otherwise, and the handler reads a thread
	// name from Args where one matches a followed thread.
	Thread string
}

// ResponseKind says what a Response holds, so adapters know how to render it.
type ResponseKind string

// The kinds of Response.
const (
	// KindText is a short plain-text answer: a confirmation, a usage message
	// or an error the user can act on. Only Text is set.
	KindText ResponseKind = "text"
	// KindStance: Digest is set; render its stance, split by region, with the
	// quote for each side.
	KindStance ResponseKind = "stance"
	// KindDigest: Digest is set; render the whole digest.
	KindDigest ResponseKind = "digest"
	// KindArguments, KindRebuttals, KindRegions: Digest is set; render that
	// one section in full.
	KindArguments ResponseKind = "arguments"
	KindRebuttals ResponseKind = "rebuttals"
	KindRegions   ResponseKind = "regions"
	// KindList: Text holds one line per followed thread.
	KindList ResponseKind = "list"
)

// Response is the answer to a Request, independent of any platform.
type Response struct {
	Kind ResponseKind
	// Ephemeral answers are shown to the asker only; adapters offer a way to
	// share them to the channel.
	Ephemeral bool
	// Thread is the name of the thread the answer is about, if any.
	Thread string
	// Text is plain, untrusted-safe-to-escape text; adapters escape it.
	Text string
	// Digest is set for the digest-bearing kinds.
	Digest *digest.Digest
}
