// Package disqus follows a Disqus thread through the 3.0 API's
// threads/listPosts, paging with its cursor. It needs an API key (a Disqus
// application's public key). Disqus authors may carry a location, which
// feeds the regional split.
package disqus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/htmltext"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
)

// Config holds the API key and, for a proxy or a fake, the API root.
type Config struct {
	APIKey string `toml:"api_key" secret:"true"`
	APIURL string `toml:"api_url"`
}

// DefaultAPIURL is the Disqus API root.
const DefaultAPIURL = "https://disqus.com/api/3.0"

// Source is one thread.
type Source struct {
	forum, thread string
	cfg           Config
	client        *fetch.Client
	maxPages      int
}

// ParseAddress reads "FORUM/THREAD-ID" (the part after "disqus:").
func ParseAddress(addr string) (forum, thread string, err error) {
	forum, thread, ok := strings.Cut(strings.TrimSpace(addr), "/")
	if !ok || forum == "" || thread == "" || strings.Contains(thread, "/") {
		return "", "", fmt.Errorf("disqus: %q: expected FORUM/THREAD-ID, e.g. disqus:myforum/7012345678", addr)
	}
	return forum, thread, nil
}

// New reads thread of forum. maxPages caps the requests of one poll (0
// means 20); a thread longer than that is read over several polls.
func New(forum, thread string, cfg Config, client *fetch.Client, maxPages int) (*Source, error) {
	if cfg.APIKey == "" {
		return nil, fmt.Errorf("disqus: an API key is needed: set api_key under [sources.disqus] or THREADDIGEST_DISQUS_API_KEY")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if maxPages <= 0 {
		maxPages = 20
	}
	return &Source{forum: forum, thread: thread, cfg: cfg, client: client, maxPages: maxPages}, nil
}

type state struct {
	// Cursor is where a pass over the thread that ran out of pages goes on.
	Cursor string `json:"cursor,omitempty"`
}

// Fetch reads the thread's posts oldest first. Each pass reads the whole
// thread, so edits are seen; a pass longer than the page budget goes on at
// the next poll.
func (s *Source) Fetch(ctx context.Context, prev string) (source.Result, error) {
	return source.WithState(prev, "disqus thread "+s.forum+"/"+s.thread, func(st *state, _ bool) (source.Result, error) {
		return s.fetch(ctx, st)
	})
}

func (s *Source) fetch(ctx context.Context, st *state) (source.Result, error) {
	var res source.Result
	cursor := st.Cursor
	for page := 0; page < s.maxPages; page++ {
		q := url.Values{"api_key": {s.cfg.APIKey}, "forum": {s.forum}, "thread": {s.thread}, "limit": {"100"},
			"order": {"asc"}, "related": {"thread"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		resp, err := s.client.DoJSON(ctx, fetch.Request{URL: s.cfg.APIURL + "/threads/listPosts.json?" + q.Encode()})
		if err != nil {
			if pe := apiError(err); pe != nil {
				return source.Result{}, pe
			}
			return source.Result{}, err
		}
		p, err := ParseListPosts(resp.Body)
		if err != nil {
			return source.Result{}, fetch.Malformed(resp, err)
		}
		for _, post := range p.Posts {
			c := post.comment()
			// Disqus's permalink of a post is its thread's page with the
			// post's anchor.
			if link, _, _ := strings.Cut(post.thread.Link, "#"); link != "" {
				c.URL = link + "#comment-" + url.PathEscape(post.ID)
			}
			res.Comments = append(res.Comments, c)
			if res.Title == "" && post.thread.Title != "" {
				res.Title, res.URL = post.thread.Title, post.thread.Link
			}
		}
		if !p.HasNext {
			st.Cursor = ""
			return res, nil
		}
		if p.Next == "" || p.Next == cursor {
			return source.Result{}, fetch.Missing(resp, "cursor.next although cursor.hasNext is true")
		}
		cursor = p.Next
	}
	st.Cursor = cursor
	return res, nil
}

// apiError reads Disqus's own error answer ({"code": 2, "response":
// "Invalid argument, 'thread': Unable to find thread …"}), which comes with
// HTTP 400; a thread that cannot be found is reported as gone.
func apiError(err error) error {
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.Status != 400 {
		return nil
	}
	if strings.Contains(se.Snippet, "Unable to find thread") || strings.Contains(se.Snippet, "does not exist") {
		return &fetch.StatusError{URL: se.URL, Status: 404, Snippet: se.Snippet}
	}
	return nil
}

// ListPosts is the part of a listPosts answer the source uses.
type ListPosts struct {
	HasNext bool
	Next    string
	Posts   []Post
}

// Post is a Disqus post.
type Post struct {
	ID        string          `json:"id"`
	Parent    json.Number     `json:"parent"`
	Message   string          `json:"message"`
	CreatedAt string          `json:"createdAt"`
	Likes     int             `json:"likes"`
	IsDeleted bool            `json:"isDeleted"`
	IsSpam    bool            `json:"isSpam"`
	Author    *Author         `json:"author"`
	Thread    json.RawMessage `json:"thread"`
	thread    threadInfo
}

// Author is a post's author; anonymous authors have a name and no id.
type Author struct {
	ID          json.Number `json:"id"`
	Name        string      `json:"name"`
	Username    string      `json:"username"`
	Location    string      `json:"location"`
	IsAnonymous bool        `json:"isAnonymous"`
}

type threadInfo struct {
	Title string `json:"title"`
	Link  string `json:"link"`
}

// ParseListPosts reads a threads/listPosts answer.
func ParseListPosts(body []byte) (*ListPosts, error) {
	var r struct {
		Code     *int            `json:"code"`
		Response json.RawMessage `json:"response"`
		Cursor   *struct {
			HasNext bool   `json:"hasNext"`
			Next    string `json:"next"`
		} `json:"cursor"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	if r.Code == nil {
		return nil, fmt.Errorf("no \"code\" in the answer")
	}
	if *r.Code != 0 {
		var msg string
		_ = json.Unmarshal(r.Response, &msg)
		return nil, fmt.Errorf("Disqus error code %d: %s", *r.Code, msg)
	}
	if r.Cursor == nil {
		return nil, fmt.Errorf("no \"cursor\" in the answer")
	}
	out := &ListPosts{HasNext: r.Cursor.HasNext, Next: r.Cursor.Next}
	if err := json.Unmarshal(r.Response, &out.Posts); err != nil {
		return nil, fmt.Errorf("response: expected an array of posts: %v", err)
	}
	for i := range out.Posts {
		p := &out.Posts[i]
		if p.ID == "" {
			return nil, fmt.Errorf("a post has no id")
		}
		// With related=thread the thread is an object; without, its id.
		if t := strings.TrimSpace(string(p.Thread)); strings.HasPrefix(t, "{") {
			_ = json.Unmarshal(p.Thread, &p.thread)
		}
	}
	return out, nil
}

func (p Post) comment() threaddigest.Comment {
	c := threaddigest.Comment{ID: p.ID, Likes: p.Likes}
	if parent := p.Parent.String(); parent != "" && parent != "0" {
		c.ParentID = parent
	}
	// Disqus writes times without a zone; they are UTC.
	if t, err := time.Parse("2006-01-02T15:04:05", p.CreatedAt); err == nil {
		c.CreatedAt = t
	}
	if p.Author != nil {
		c.Author = p.Author.Name
		if !p.Author.IsAnonymous {
			if id := p.Author.ID.String(); id != "" {
				c.AuthorID = id
			} else {
				c.AuthorID = p.Author.Username
			}
		}
		c.Location = strings.TrimSpace(p.Author.Location)
	}
	if p.IsDeleted || p.IsSpam {
		c.Deleted = true
		return c
	}
	c.Body = htmltext.Text(p.Message, htmltext.Options{DropQuotes: true})
	return c
}
