// Package slack delivers digests to Slack and answers its /thread slash
// command, with github.com/slack-go/slack for the Web API and Socket Mode.
// Rendering and transport only: what to answer is decided by the
// platform-neutral command handler (bot/commands, through the Answerer
// interface).
//
// Destinations (bot.Destination):
//   - NewWebhook: "slack-webhook:URL", an incoming webhook; no app needed.
//   - Client.Channel: "slack:CHANNEL" (an id, or #name resolved once),
//     posted with the bot token, the regional chart uploaded beside it.
//
// Both render a digest as Block Kit within Slack's limits, with every
// stranger's text escaped so that it cannot mention, link or format.
//
// Commands: NewHandler serves POST /slack/commands and
// /slack/interactions, verifying each request's signature and refusing
// replays; NewSocketMode receives the same over a Socket Mode connection.
// Either answers within Slack's three seconds and posts the rest through
// response_url, and Shutdown drains the answers in progress.
package slack
