// Package jsonapi follows comments from any JSON endpoint, read through a
// mapping from JSON paths to comment fields, with paging by a next-page URL
// or a cursor. It is how a site without its own source package is followed.
package jsonapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/internal/htmltext"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
)

// Mapping says where a JSON answer keeps its comments. Paths are keys
// joined by dots, with array indexes as numbers ("data.comments",
// "user.name", "items.0.id"); an empty Items path means the answer itself
// is the array.
type Mapping struct {
	// URL is the endpoint of the first page. A mapping is picked by its
	// name (json:NAME), by this URL, or by Match, a prefix of the URLs it
	// serves (json:URL).
	URL   string `toml:"url"`
	Match string `toml:"match"`
	// Items is the path from the answer's root to the array of comments.
	Items string `toml:"items"`
	// Paths inside one comment. ID and Body are needed.
	ID        string `toml:"id"`
	ParentID  string `toml:"parent_id"`
	Author    string `toml:"author"`
	AuthorID  string `toml:"author_id"`
	Location  string `toml:"location"`
	Body      string `toml:"body"`
	CreatedAt string `toml:"created_at"`
	Likes     string `toml:"likes"`
	Deleted   string `toml:"deleted"`
	// Permalink is the path inside a comment to its own URL (absolute, or
	// relative to the page it came from); digests link quotes to it. Only
	// http and https URLs are kept.
	Permalink string `toml:"permalink"`
	// BodyHTML says the body is HTML, to be turned into plain text. Without
	// it a body is decoded only when it holds tags or entities.
	BodyHTML bool `toml:"body_html"`
	// Replies is the path inside a comment to an array of its replies,
	// shaped like comments, for APIs that nest them.
	Replies string `toml:"replies"`
	// Title is the path from the root to the thread's title.
	Title string `toml:"title"`
	// Next is the path from the root to the next page: a URL (absolute or
	// relative to the page) or, with NextParam, a cursor sent as that query
	// parameter of URL. Empty, null, false or absent ends the paging.
	Next      string `toml:"next"`
	NextParam string `toml:"next_param"`
	// Headers are sent with every request (an API token, say).
	Headers map[string]string `toml:"headers"`
}

// Check says what a mapping lacks.
func (m Mapping) Check() error {
	var missing []string
	if m.ID == "" {
		missing = append(missing, "id")
	}
	if m.Body == "" {
		missing = append(missing, "body")
	}
	if len(missing) > 0 {
		return fmt.Errorf("the JSON mapping needs the path of %s", strings.Join(missing, " and "))
	}
	return nil
}

// Source is one thread behind a JSON endpoint.
type Source struct {
	url      string
	m        Mapping
	client   *fetch.Client
	log      *slog.Logger
	maxPages int
}

// New reads rawURL through m. maxPages caps the pages of one poll (0 means
// 20); a longer thread is read over several polls.
func New(rawURL string, m Mapping, client *fetch.Client, log *slog.Logger, maxPages int) (*Source, error) {
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("json %s: %w", rawURL, err)
	}
	if u, err := url.Parse(rawURL); err != nil || u.Host == "" {
		return nil, fmt.Errorf("json: %q is not a URL", rawURL)
	}
	if maxPages <= 0 {
		maxPages = 20
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{url: rawURL, m: m, client: client, log: log, maxPages: maxPages}, nil
}

type state struct {
	ETag string `json:"etag,omitempty"`
	// Next is where a pass that ran out of pages goes on.
	Next string `json:"next,omitempty"`
}

// Fetch reads the thread page by page.
func (s *Source) Fetch(ctx context.Context, prev string) (source.Result, error) {
	return source.WithState(prev, "json "+s.url, func(st *state, _ bool) (source.Result, error) {
		return s.fetch(ctx, st)
	})
}

func (s *Source) fetch(ctx context.Context, st *state) (source.Result, error) {
	var res source.Result
	header := map[string][]string{}
	for k, v := range s.m.Headers {
		header[k] = []string{v}
	}
	page := s.url
	resuming := st.Next != ""
	if resuming {
		page = st.Next
	}
	seen := map[string]bool{}
	for n := 0; n < s.maxPages; n++ {
		req := fetch.Request{URL: page, Header: header}
		if n == 0 && !resuming {
			req.ETag = st.ETag
		}
		resp, err := s.client.DoJSON(ctx, req)
		if err != nil {
			return source.Result{}, err
		}
		if resp.NotModified {
			return source.Result{NotModified: true}, nil
		}
		if n == 0 && !resuming {
			st.ETag = resp.ETag
		}
		p, err := s.m.Parse(resp.Body)
		if err != nil {
			return source.Result{}, fetch.Malformed(resp, err)
		}
		for _, prob := range p.Problems {
			s.log.Warn("json source: comment skipped", "url", s.url, "page", n+1, "reason", prob)
		}
		res.Skipped += len(p.Problems)
		for i := range p.Comments {
			p.Comments[i].URL = permalink(page, p.Comments[i].URL)
		}
		res.Comments = append(res.Comments, p.Comments...)
		if res.Title == "" {
			res.Title = p.Title
		}
		if p.Next == "" {
			st.Next = ""
			return res, nil
		}
		next, err := s.nextURL(page, p.Next)
		if err != nil {
			return source.Result{}, fetch.Malformed(resp, err)
		}
		if seen[next] || next == page {
			return source.Result{}, fetch.Malformed(resp, fmt.Errorf("the next page %s was read before: a paging loop", next))
		}
		seen[page] = true
		page = next
	}
	st.Next = page
	return res, nil
}

// permalink resolves a comment's URL as the answer gave it against the
// page it came from; "" unless the result is an http(s) URL.
func permalink(page, link string) string {
	if link == "" {
		return ""
	}
	base, err := url.Parse(page)
	if err != nil {
		return ""
	}
	ref, err := url.Parse(link)
	if err != nil {
		return ""
	}
	u := base.ResolveReference(ref)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// nextURL turns the answer's next-page value into a URL.
func (s *Source) nextURL(cur, next string) (string, error) {
	if s.m.NextParam != "" {
		u, err := url.Parse(s.url)
		if err != nil {
			return "", err
		}
		q := u.Query()
		q.Set(s.m.NextParam, next)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	base, err := url.Parse(cur)
	if err != nil {
		return "", err
	}
	ref, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("next page %q is not a URL (set next_param if it is a cursor)", next)
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("next page %q is not an http(s) URL", next)
	}
	return u.String(), nil
}

// Page is one answer read through a mapping.
type Page struct {
	Title    string
	Next     string
	Comments []threaddigest.Comment
	// Problems say why comments were left out.
	Problems []string
}

// Parse reads one answer.
func (m Mapping) Parse(body []byte) (*Page, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	p := &Page{}
	if m.Title != "" {
		if v, ok := lookup(root, m.Title); ok {
			p.Title, _ = scalar(v)
		}
	}
	if m.Next != "" {
		if v, ok := lookup(root, m.Next); ok {
			p.Next, _ = scalar(v)
			if p.Next == "false" {
				p.Next = ""
			}
		}
	}
	items := root
	if m.Items != "" {
		v, ok := lookup(root, m.Items)
		if !ok {
			return nil, fmt.Errorf("no %q in the answer (the mapping's items path)", m.Items)
		}
		items = v
	}
	arr, ok := items.([]any)
	if !ok {
		if items == nil {
			return p, nil // an empty page: null
		}
		return nil, fmt.Errorf("%q is not an array of comments", m.Items)
	}
	m.walk(arr, "", p, 0)
	return p, nil
}

const maxDepth = 200

func (m Mapping) walk(arr []any, parent string, p *Page, depth int) {
	if depth > maxDepth {
		p.Problems = append(p.Problems, fmt.Sprintf("replies nested deeper than %d left out", maxDepth))
		return
	}
	for i, item := range arr {
		obj, ok := item.(map[string]any)
		if !ok {
			p.Problems = append(p.Problems, fmt.Sprintf("item %d is not an object", i))
			continue
		}
		c, prob := m.comment(obj)
		if prob != "" {
			p.Problems = append(p.Problems, fmt.Sprintf("item %d: %s", i, prob))
			continue
		}
		if c.ParentID == "" {
			c.ParentID = parent
		}
		p.Comments = append(p.Comments, c)
		if m.Replies != "" {
			if v, ok := lookup(obj, m.Replies); ok {
				if replies, ok := v.([]any); ok {
					m.walk(replies, c.ID, p, depth+1)
				}
			}
		}
	}
}

func (m Mapping) comment(obj map[string]any) (threaddigest.Comment, string) {
	get := func(path string) (string, string) {
		if path == "" {
			return "", ""
		}
		v, ok := lookup(obj, path)
		if !ok {
			return "", ""
		}
		s, ok := scalar(v)
		if !ok {
			return "", fmt.Sprintf("%q is not a string or number", path)
		}
		return s, ""
	}
	var c threaddigest.Comment
	var prob string
	fields := []struct {
		path string
		dst  *string
	}{{m.ID, &c.ID}, {m.ParentID, &c.ParentID}, {m.Author, &c.Author}, {m.AuthorID, &c.AuthorID}, {m.Location, &c.Location}, {m.Body, &c.Body},
		{m.Permalink, &c.URL}}
	for _, f := range fields {
		if *f.dst, prob = get(f.path); prob != "" {
			return c, prob
		}
	}
	if c.ID == "" {
		return c, fmt.Sprintf("no id at %q", m.ID)
	}
	if c.ParentID == "0" {
		c.ParentID = ""
	}
	if created, _ := get(m.CreatedAt); created != "" {
		if t, err := input.ParseTime(created); err == nil {
			c.CreatedAt = t
		}
	}
	if likes, _ := get(m.Likes); likes != "" {
		c.Likes, _ = input.ParseLikes(likes)
	}
	if del, _ := get(m.Deleted); del != "" {
		c.Deleted, _ = input.ParseDeleted(del)
	}
	if m.BodyHTML || htmltext.LooksLikeHTML(c.Body) {
		c.Body = htmltext.Text(c.Body, htmltext.Options{DropQuotes: m.BodyHTML, PreserveSpace: !m.BodyHTML})
	}
	if c.Deleted {
		c.Body = ""
		return c, ""
	}
	if strings.TrimSpace(c.Body) == "" {
		return c, fmt.Sprintf("comment %s has no body at %q", c.ID, m.Body)
	}
	return c, ""
}

// lookup follows a dotted path through objects and arrays.
func lookup(v any, path string) (any, bool) {
	for _, key := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[key]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// scalar turns a JSON scalar into text; objects and arrays are not.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		s := x.String()
		if strings.HasSuffix(s, ".0") {
			s = strings.TrimSuffix(s, ".0")
		}
		return s, true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}
