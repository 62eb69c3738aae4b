package discordfake

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Command describes a /thread invocation for Interaction to turn into
// Discord's JSON.
type Command struct {
	ApplicationID string
	GuildID       string // "" for a DM
	ChannelID     string
	UserID        string
	// Permissions are the member's permissions in the channel, as Discord
	// computes them (bit set).
	Permissions int64
	// Name is the command ("thread"), Sub its subcommand ("stance").
	Name, Sub string
	Options   []Option
	// Autocomplete makes it an autocomplete interaction (type 4).
	Autocomplete bool
}

// Option is a string option of the subcommand.
type Option struct {
	Name    string
	Value   string
	Focused bool
}

// Interaction registers a new interaction with the fake (so its callback,
// edits and followups are accepted) and returns its id and its JSON as
// Discord would send it to the bot.
func (s *Server) Interaction(c Command) (id string, body []byte) {
	id, token := s.NewInteractionToken()
	var opts []map[string]any
	for _, o := range c.Options {
		m := map[string]any{"name": o.Name, "type": 3, "value": o.Value}
		if o.Focused {
			m["focused"] = true
		}
		opts = append(opts, m)
	}
	data := map[string]any{"id": "1100000000000000099", "name": c.Name, "type": 1}
	if c.Sub != "" {
		data["options"] = []map[string]any{{"name": c.Sub, "type": 1, "options": opts}}
	}
	typ := 2
	if c.Autocomplete {
		typ = 4
	}
	user := map[string]any{"id": c.UserID, "username": "user" + c.UserID, "discriminator": "0", "global_name": "A user"}
	ix := map[string]any{
		"id": id, "application_id": c.ApplicationID, "type": typ, "data": data,
		"channel_id": c.ChannelID, "token": token, "version": 1, "locale": "en-US",
		"app_permissions": "0",
	}
	if c.GuildID != "" {
		ix["guild_id"] = c.GuildID
		ix["member"] = map[string]any{"user": user, "permissions": strconv.FormatInt(c.Permissions, 10), "roles": []string{}, "joined_at": "2024-01-01T00:00:00Z"}
	} else {
		ix["user"] = user
	}
	body, _ = json.Marshal(ix)
	return id, body
}

// Ping is the body of Discord's PING interaction (sent when the endpoint
// URL is saved in the developer portal).
func Ping(applicationID string) []byte {
	b, _ := json.Marshal(map[string]any{"id": "1100000000000000098", "application_id": applicationID, "type": 1, "token": "ping-token", "version": 1})
	return b
}

// Signer signs interaction requests as Discord does: Ed25519 over the
// timestamp followed by the body.
type Signer struct {
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
}

// NewSigner makes a fresh key pair.
func NewSigner() Signer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return Signer{Public: pub, private: priv}
}

// PublicHex is the public key as the developer portal shows it.
func (k Signer) PublicHex() string { return hex.EncodeToString(k.Public) }

// Sign sets the signature headers of r for body, signed at time at.
func (k Signer) Sign(r *http.Request, body []byte, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := ed25519.Sign(k.private, append([]byte(ts), body...))
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", ts)
}

// Post delivers an interaction to an HTTP interactions endpoint as Discord
// does: signed by k at time at. A 200 reply is recorded as the
// interaction's response, as Discord would take it in. It returns the
// reply's status and body.
func (s *Server) Post(endpoint string, k Signer, interactionID string, body []byte, at time.Time) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	k.Sign(req, body, at)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if resp.StatusCode == http.StatusOK && interactionID != "" {
		if _, err := s.AcceptResponse(interactionID, reply); err != nil {
			return resp.StatusCode, reply, err
		}
	}
	return resp.StatusCode, reply, nil
}
