package discord

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/threaddigest/threaddigest/bot"
)

// Channel posts digests to a channel with the bot token: the
// "discord:CHANNEL_ID" destination. The bot needs View Channel, Send
// Messages, Embed Links and Attach Files there.
//
// Wiring: s, _ := discord.NewSession(cfg, httpClient) once per process;
// dest, err := discord.NewChannel(s, id, logger); dest.WithChart(f).
type Channel struct {
	session *discordgo.Session
	id      string
	where   string
	logger  *slog.Logger
	chart   ChartFunc
	sent    *progress
}

// callTimeout bounds a REST call whose context has no deadline of its own.
const callTimeout = 30 * time.Second

// NewChannel returns the destination for the channel id (a snowflake).
func NewChannel(s *discordgo.Session, channelID string, logger *slog.Logger) (*Channel, error) {
	if !isSnowflake(channelID) {
		return nil, fmt.Errorf("discord channel %q: want the channel's id, digits only (Developer Mode: right-click the channel, Copy Channel ID)", channelID)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Channel{session: s, id: channelID, where: "discord channel " + channelID, logger: logger, sent: newProgress()}, nil
}

// WithChart makes the destination attach the regional-split chart drawn by
// f. It returns c.
func (c *Channel) WithChart(f ChartFunc) *Channel {
	c.chart = f
	return c
}

// Deliver posts p as one or more messages and returns their ids,
// comma-separated.
func (c *Channel) Deliver(ctx context.Context, p bot.Post) (string, error) {
	msgs := RenderDigest(p.Digest, Options{Thread: p.Thread, Slot: p.Slot, MaxArguments: p.MaxArguments, MayRepeat: p.MayRepeat, Chart: drawChart(c.chart, p.Digest, c.logger)})
	return c.sent.run(ctx, messagesKey(msgs), len(msgs), func(ctx context.Context, i int) (string, time.Duration, error) {
		where := c.where
		if len(msgs) > 1 {
			where = fmt.Sprintf("%s (message %d of %d)", c.where, i+1, len(msgs))
		}
		id, err := sendToChannel(ctx, c.session, c.id, msgs[i])
		if err != nil {
			return "", 0, sessionError(where, err)
		}
		return id, 0, nil
	})
}

// sendToChannel posts one message with the bot token. It refuses to start
// when discordgo would first sleep past ctx's deadline for the rate limit,
// returning a RetryAfterError instead.
func sendToChannel(ctx context.Context, s *discordgo.Session, channelID string, m Message) (string, error) {
	ctx, cancel := withDeadline(ctx, callTimeout)
	defer cancel()
	if wait := bucketDelay(s, discordgo.EndpointChannelMessages(channelID)); wait > 0 {
		if dl, _ := ctx.Deadline(); time.Until(dl) < wait {
			return "", &bot.RetryAfterError{After: wait, Err: fmt.Errorf("discord channel %s: rate limited", channelID)}
		}
	}
	sent, err := s.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
		Content:         m.Content,
		Embeds:          m.Embeds,
		Files:           discordFiles(m.Files),
		AllowedMentions: noMentions(),
	}, restOpts(ctx)...)
	if err != nil {
		return "", err
	}
	if sent == nil {
		return "", nil
	}
	return sent.ID, nil
}

// discordFiles makes fresh readers for each send: a retry must upload the
// file again from its start.
func discordFiles(files []File) []*discordgo.File {
	var out []*discordgo.File
	for _, f := range files {
		out = append(out, &discordgo.File{Name: f.Name, ContentType: f.ContentType, Reader: bytes.NewReader(f.Data)})
	}
	return out
}

// messagesKey identifies a rendering by its content: the progress key of
// both destinations, so a retry of the same post resumes it.
func messagesKey(msgs []Message) string {
	h := sha256.New()
	for _, m := range msgs {
		js, _ := json.Marshal(struct {
			Content string
			Embeds  []*discordgo.MessageEmbed
		}{m.Content, m.Embeds})
		h.Write(js)
		for _, f := range m.Files {
			fmt.Fprintf(h, "%s:%d:", f.Name, len(f.Data))
			h.Write(f.Data)
		}
	}
	return string(h.Sum(nil))
}

var _ bot.Destination = (*Channel)(nil)
