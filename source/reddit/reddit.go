// Package reddit follows a Reddit post's comment tree through its JSON form
// (`…/comments/ID.json`), fetching the children of `more` stubs with
// /api/morechildren. With an OAuth app (client id and secret) it uses the
// authenticated API, as Reddit asks of regular clients. Author flair text is
// read as the commenter's location: many subreddits use flair for places.
package reddit

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/htmltext"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
)

// Config holds the optional OAuth app. Without it the public JSON form of
// the thread's own URL is read.
type Config struct {
	ClientID     string `toml:"client_id"`
	ClientSecret string `toml:"client_secret" secret:"true"`
	// TokenURL and APIURL default to Reddit's; set them for a proxy or a
	// local fake.
	TokenURL string `toml:"token_url"`
	APIURL   string `toml:"api_url"`
}

// Defaults of the authenticated API.
const (
	DefaultTokenURL = "https://www.reddit.com/api/v1/access_token"
	DefaultAPIURL   = "https://oauth.reddit.com"
)

// Source is one Reddit post's comments.
type Source struct {
	base     string // scheme://host of the thread URL, or the OAuth API
	postID   string
	cfg      Config
	client   *fetch.Client
	maxPages int
	now      func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

var commentsPath = regexp.MustCompile(`/comments/([a-z0-9]+)`)

// New reads the thread at rawURL (https://www.reddit.com/r/SUB/comments/ID/…
// or any host serving the same paths). maxPages caps the requests of one
// poll (the listing and each morechildren call); 0 means 20.
func New(rawURL string, cfg Config, client *fetch.Client, maxPages int, now func() time.Time) (*Source, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("reddit: %q is not a URL: expected https://www.reddit.com/r/SUB/comments/ID/…", rawURL)
	}
	m := commentsPath.FindStringSubmatch(strings.ToLower(u.Path))
	if m == nil {
		return nil, fmt.Errorf("reddit: %q has no /comments/ID in its path: expected a post's URL", rawURL)
	}
	if maxPages <= 0 {
		maxPages = 20
	}
	if now == nil {
		now = time.Now
	}
	s := &Source{base: u.Scheme + "://" + u.Host, postID: m[1], cfg: cfg, client: client, maxPages: maxPages, now: now}
	if cfg.ClientID != "" {
		if cfg.ClientSecret == "" {
			return nil, fmt.Errorf("reddit: client_id is set but client_secret is not")
		}
		s.base = strings.TrimRight(orDefault(cfg.APIURL, DefaultAPIURL), "/")
		s.cfg.TokenURL = orDefault(cfg.TokenURL, DefaultTokenURL)
	}
	return s, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// state is what one poll leaves for the next.
type state struct {
	ETag string `json:"etag,omitempty"`
	// MoreOffset rotates which `more` stubs are expanded when a thread has
	// more of them than one poll's page budget allows.
	MoreOffset int `json:"more_offset,omitempty"`
}

// Fetch reads the whole comment tree. Reddit offers no "since": every poll
// reads the tree and the store keeps what changed.
func (s *Source) Fetch(ctx context.Context, prev string) (source.Result, error) {
	return source.WithState(prev, "reddit thread "+s.postID, func(st *state, _ bool) (source.Result, error) {
		return s.fetch(ctx, st)
	})
}

func (s *Source) fetch(ctx context.Context, st *state) (source.Result, error) {
	header, err := s.auth(ctx)
	if err != nil {
		return source.Result{}, err
	}
	q := url.Values{"raw_json": {"1"}, "limit": {"500"}, "sort": {"old"}}
	resp, err := s.client.DoJSON(ctx, fetch.Request{URL: s.base + "/comments/" + s.postID + ".json?" + q.Encode(), Header: header, ETag: st.ETag})
	if err != nil {
		return source.Result{}, err
	}
	if resp.NotModified {
		return source.Result{NotModified: true}, nil
	}
	st.ETag = resp.ETag
	post, comments, mores, err := ParseListing(resp.Body)
	if err != nil {
		return source.Result{}, fetch.Malformed(resp, err)
	}
	res := source.Result{Title: post.Title, URL: s.permalink(post), Comments: comments}
	// Expand `more` stubs within the page budget, starting where the last
	// poll stopped so that every stub is expanded in turn.
	var ids, conts []string
	queue := func(ms []More) {
		for _, m := range ms {
			if len(m.Children) > 0 {
				ids = append(ids, m.Children...)
			} else {
				conts = append(conts, parent(m.ParentID))
			}
		}
	}
	queue(mores)
	pages := 1
	if len(ids) > 0 {
		start := st.MoreOffset % len(ids)
		ids = append(ids[start:], ids[:start]...)
	}
	done := 0
	for (len(ids) > 0 || len(conts) > 0) && pages < s.maxPages {
		pages++
		if len(ids) == 0 {
			// "Continue this thread": the parent comment's own page.
			parentID := conts[0]
			conts = conts[1:]
			q := url.Values{"raw_json": {"1"}, "limit": {"500"}, "sort": {"old"}}
			resp, err := s.client.DoJSON(ctx, fetch.Request{URL: s.base + "/comments/" + s.postID + "/_/" + parentID + ".json?" + q.Encode(), Header: header})
			if err != nil {
				return source.Result{}, err
			}
			_, more, stubs, err := ParseListing(resp.Body)
			if err != nil {
				return source.Result{}, fetch.Malformed(resp, err)
			}
			res.Comments = append(res.Comments, more...)
			queue(stubs)
			continue
		}
		n := min(len(ids), 100)
		batch := ids[:n]
		ids = ids[n:]
		q := url.Values{"api_type": {"json"}, "link_id": {"t3_" + s.postID}, "children": {strings.Join(batch, ",")},
			"raw_json": {"1"}, "limit_children": {"false"}, "sort": {"old"}}
		resp, err := s.client.DoJSON(ctx, fetch.Request{URL: s.base + "/api/morechildren.json?" + q.Encode(), Header: header})
		if err != nil {
			return source.Result{}, err
		}
		more, stubs, err := ParseMoreChildren(resp.Body)
		if err != nil {
			return source.Result{}, fetch.Malformed(resp, err)
		}
		res.Comments = append(res.Comments, more...)
		queue(stubs)
		done += n
	}
	if len(ids) > 0 {
		st.MoreOffset += done
	} else {
		st.MoreOffset = 0
	}
	res.Comments = dedupe(res.Comments)
	// A comment's permalink is its id under the post's: Reddit's own form,
	// /r/SUB/comments/POST/SLUG/COMMENT/.
	if res.URL != "" {
		base := strings.TrimSuffix(res.URL, "/") + "/"
		for i := range res.Comments {
			res.Comments[i].URL = base + url.PathEscape(res.Comments[i].ID) + "/"
		}
	}
	return res, nil
}

func (s *Source) permalink(p Post) string {
	if p.Permalink == "" {
		return ""
	}
	return "https://www.reddit.com" + p.Permalink
}

// auth returns the Authorization header of the OAuth app, fetching a token
// when there is none or it is about to expire; nil without an app.
func (s *Source) auth(ctx context.Context) (map[string][]string, error) {
	if s.cfg.ClientID == "" {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == "" || s.now().After(s.expires.Add(-time.Minute)) {
		req := fetch.Request{Method: "POST", URL: s.cfg.TokenURL, Form: url.Values{"grant_type": {"client_credentials"}},
			Header: map[string][]string{"Authorization": {"Basic " + basic(s.cfg.ClientID, s.cfg.ClientSecret)}}}
		resp, err := s.client.Do(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("OAuth token: %w", err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int    `json:"expires_in"`
			Error       string `json:"error"`
		}
		if err := fetch.DecodeJSON(resp, &tok); err != nil {
			return nil, fmt.Errorf("OAuth token: %w", err)
		}
		if tok.AccessToken == "" {
			return nil, fmt.Errorf("OAuth token: no access_token in the answer (error %q): check client_id and client_secret", tok.Error)
		}
		s.token = tok.AccessToken
		s.expires = s.now().Add(time.Duration(max(tok.ExpiresIn, 60)) * time.Second)
	}
	return map[string][]string{"Authorization": {"bearer " + s.token}}, nil
}

func dedupe(cs []threaddigest.Comment) []threaddigest.Comment {
	seen := make(map[string]bool, len(cs))
	out := cs[:0]
	for _, c := range cs {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	return out
}

// flairEmoji matches Reddit's emoji codes in flair (":flag-ca:").
var flairEmoji = regexp.MustCompile(`:[a-z0-9_+-]+:`)

func comment(c t1) threaddigest.Comment {
	out := threaddigest.Comment{
		ID:       c.ID,
		ParentID: parent(c.ParentID),
		Author:   c.Author,
		Likes:    c.Score,
	}
	if c.AuthorFullname != "" {
		out.AuthorID = c.AuthorFullname
	}
	if c.CreatedUTC > 0 {
		out.CreatedAt = time.Unix(int64(c.CreatedUTC), 0).UTC()
	}
	if c.AuthorFlairText != nil {
		out.Location = strings.Join(strings.Fields(flairEmoji.ReplaceAllString(*c.AuthorFlairText, " ")), " ")
	}
	body := strings.TrimSpace(c.Body)
	if body == "[deleted]" || body == "[removed]" {
		out.Deleted = true
		if c.Author == "[deleted]" {
			out.Author = ""
		}
		return out
	}
	if c.BodyHTML != "" {
		out.Body = htmltext.Text(c.BodyHTML, htmltext.Options{DropQuotes: true})
	}
	if out.Body == "" {
		out.Body = c.Body
	}
	return out
}

// parent turns "t1_abc" into "abc"; a reply to the post ("t3_…") has no
// parent comment.
func parent(fullname string) string {
	if rest, ok := strings.CutPrefix(fullname, "t1_"); ok {
		return rest
	}
	return ""
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}
