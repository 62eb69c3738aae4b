package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/chart"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/internal/retry"
	"github.com/threaddigest/threaddigest/internal/shares"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// Channel is the `slack:CHANNEL` destination: it posts a digest to a channel
// with the bot token, as Block Kit messages (split when too long for one),
// followed by the chart of the regional split uploaded to the same channel.
type Channel struct {
	c    *Client
	spec string
}

// Channel returns the destination for spec, a channel id or a public
// channel's #name (resolved with conversations.list when first used).
func (c *Client) Channel(spec string) (*Channel, error) {
	if err := ParseChannel(spec); err != nil {
		return nil, err
	}
	return &Channel{c: c, spec: spec}, nil
}

// String names the destination as the configuration does.
func (ch *Channel) String() string { return "slack:" + ch.spec }

// chartTimeout bounds the chart upload after the digest is posted.
const chartTimeout = 60 * time.Second

// Deliver posts p and returns the timestamp of its first message.
//
// Retries are safe within a process: when a later part or the chart fails,
// a retry of the same post (same thread and slot) resumes after what was
// posted. A chart that cannot be uploaded (after one wait on a rate limit)
// is logged and skipped: the digest, already in the channel, counts as
// delivered, rather than being posted twice.
func (ch *Channel) Deliver(ctx context.Context, p bot.Post) (string, error) {
	c := ch.c
	id, err := c.channelID(ctx, ch.spec)
	if err != nil {
		return "", fmt.Errorf("%s: %w", ch, err)
	}
	// The chart is drawn after the messages are posted: drawing takes CPU
	// time that no deadline interrupts, and the digest matters more.
	withChart := c.chart != nil && hasCommenters(p.Digest.Regions)
	msgs := RenderPost(p, PostOptions{ChartNote: withChart})
	key := resumeKey(p)
	done := c.resume.get(key, len(msgs))

	st := c.channelState(id)
	st.mu.Lock()
	defer st.mu.Unlock()

	ref := done.ref
	for i := done.sent; i < len(msgs); i++ {
		if err := retry.Sleep(ctx, time.Until(st.last.Add(c.spacing))); err != nil {
			return "", fmt.Errorf("%s: waiting to post part %d of %d: %w", ch, i+1, len(msgs), err)
		}
		// The first message goes to the channel; the rest of a long digest
		// as replies in a thread under it, so that the channel shows one.
		ts, err := ch.post(ctx, id, msgs[i], ref)
		st.last = time.Now()
		if err != nil {
			if slackErrorCode(err) == "channel_not_found" {
				c.forgetChannel(ch.spec)
			}
			c.resume.set(key, resumePoint{total: len(msgs), sent: i, ref: ref})
			if i > 0 {
				err = fmt.Errorf("part %d of %d (earlier parts posted): %w", i+1, len(msgs), err)
			}
			return "", fmt.Errorf("%s: %w", ch, err)
		}
		if ref == "" {
			ref = ts
		}
	}
	c.resume.done(key)
	if withChart && ctx.Err() == nil {
		png, err := c.chart(p)
		if err != nil {
			c.logger.Warn("slack: chart not drawn; the digest was posted without it", "destination", ch.String(), "thread", p.Thread, "err", err)
		} else {
			ch.uploadChart(ctx, id, p, png)
		}
	}
	c.logger.Info("slack: digest posted", "destination", ch.String(), "thread", p.Thread, "messages", len(msgs)-done.sent, "ts", ref)
	return ref, nil
}

// post sends one message to the channel, or when threadTS is set as a
// reply in the thread of that message.
func (ch *Channel) post(ctx context.Context, channelID string, m Message, threadTS string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	opts := []slackgo.MsgOption{
		slackgo.MsgOptionText(m.Text, false),
		slackgo.MsgOptionBlocks(m.Blocks...),
		slackgo.MsgOptionDisableMarkdown(),
		slackgo.MsgOptionDisableLinkUnfurl(),
		slackgo.MsgOptionDisableMediaUnfurl(),
	}
	if threadTS != "" {
		opts = append(opts, slackgo.MsgOptionTS(threadTS))
	}
	_, ts, err := ch.c.api.PostMessageContext(ctx, channelID, opts...)
	return ts, apiError("chat.postMessage", err)
}

// uploadChart uploads the chart with files upload v2, waiting once when
// rate limited.
func (ch *Channel) uploadChart(ctx context.Context, channelID string, p bot.Post, png []byte) {
	ctx, cancel := context.WithTimeout(ctx, chartTimeout)
	defer cancel()
	name := "regional-split.png"
	if !p.Slot.IsZero() {
		name = "regional-split-" + p.Slot.UTC().Format("2006-01-02-1504") + ".png"
	}
	title := "Regional split · " + textutil.Truncate(textutil.OneLine(p.Thread), 100, "…")
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		_, err = ch.c.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
			Reader:   bytes.NewReader(png),
			FileSize: len(png),
			Filename: name,
			Title:    title,
			AltTxt:   "Stance by region: " + regionsAlt(p),
			Channel:  channelID,
		})
		if err == nil {
			return
		}
		var ra *bot.RetryAfterError
		if mapped := apiError("files upload", err); errors.As(mapped, &ra) && attempt == 0 {
			if retry.Sleep(ctx, ra.After) == nil {
				continue
			}
		}
		break
	}
	ch.c.logger.Warn("slack: chart not uploaded; the digest was posted without it",
		"destination", ch.String(), "thread", p.Thread, "err", err)
}

// regionsAlt describes the chart in words for screen readers.
func regionsAlt(p bot.Post) string {
	var parts []string
	for _, r := range p.Digest.Regions {
		p := shares.Percents(r.Favor, r.Against, r.None)
		few := ""
		if shares.Few(r.Commenters) {
			few = " (too few to generalise from)"
		}
		parts = append(parts, fmt.Sprintf("%s %d commenters%s, %d%% favor, %d%% against", r.Region, r.Commenters, few, p[0], p[1]))
	}
	return textutil.Truncate(strings.Join(parts, "; "), 900, "…")
}

func hasCommenters(rs []digest.Region) bool {
	for _, r := range rs {
		if r.Commenters > 0 {
			return true
		}
	}
	return false
}

// regionalChart draws the chart of a post.
func regionalChart(p bot.Post) ([]byte, error) {
	return chart.RegionalSplit(p.Digest, chart.Options{Thread: p.Thread, AsOf: p.Slot})
}
