// Package feed follows a comments feed (RSS or Atom), such as the /feed/ of
// a WordPress post. Feeds list only the latest comments, so each poll adds
// what it finds and the store keeps the rest; conditional requests make an
// idle feed cost a 304.
package feed

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/mmcdole/gofeed"
	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/htmltext"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
)

// Source is one comments feed.
type Source struct {
	url    string
	client *fetch.Client
}

// New reads the feed at url.
func New(url string, client *fetch.Client) *Source { return &Source{url: url, client: client} }

type state struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Fetch reads the feed's comments, or NotModified.
func (s *Source) Fetch(ctx context.Context, prev string) (source.Result, error) {
	return source.WithState(prev, "feed "+s.url, func(st *state, _ bool) (source.Result, error) {
		resp, err := s.client.Do(ctx, fetch.Request{URL: s.url, ETag: st.ETag, LastModified: st.LastModified,
			Header: map[string][]string{"Accept": {"application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8"}}})
		if err != nil {
			return source.Result{}, err
		}
		st.ETag, st.LastModified = resp.ETag, resp.LastModified
		if resp.NotModified {
			return source.Result{NotModified: true}, nil
		}
		res, err := Parse(resp.Body)
		if err != nil {
			return source.Result{}, &fetch.PayloadError{URL: resp.URL, Msg: err.Error()}
		}
		return res, nil
	})
}

// Parse reads an RSS or Atom comments feed. Items without an id (guid or
// link) or without text are counted in Skipped.
func Parse(body []byte) (source.Result, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return source.Result{}, fmt.Errorf("empty body: expected an RSS or Atom feed")
	}
	if bytes.HasPrefix(bytes.ToLower(trimmed[:min(len(trimmed), 64)]), []byte("<!doctype html")) ||
		bytes.HasPrefix(bytes.ToLower(trimmed[:min(len(trimmed), 64)]), []byte("<html")) {
		return source.Result{}, fmt.Errorf("expected an RSS or Atom feed, got an HTML page")
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return source.Result{}, fmt.Errorf("expected an RSS or Atom feed: %v", err)
	}
	if f.FeedType == "json" && f.FeedVersion == "" {
		return source.Result{}, fmt.Errorf("expected an RSS or Atom feed, got JSON that is no JSON Feed")
	}
	res := source.Result{Title: feedTitle(f.Title), URL: f.Link}
	seen := map[string]bool{}
	for _, it := range f.Items {
		// An item's link is the comment's permalink (WordPress:
		// POST/#comment-N).
		c := threaddigest.Comment{ID: itemID(it), Author: itemAuthor(it), URL: it.Link}
		if c.ID == "" || seen[c.ID] {
			res.Skipped++ // no id, or an id already read
			continue
		}
		seen[c.ID] = true
		html := it.Content
		if strings.TrimSpace(html) == "" {
			html = it.Description
		}
		c.Body = htmltext.Text(html, htmltext.Options{DropQuotes: true})
		if c.Body == "" {
			res.Skipped++
			continue
		}
		if it.PublishedParsed != nil {
			c.CreatedAt = it.PublishedParsed.UTC()
		} else if it.UpdatedParsed != nil {
			c.CreatedAt = it.UpdatedParsed.UTC()
		}
		c.ParentID = inReplyTo(it, c.ID)
		res.Comments = append(res.Comments, c)
	}
	return res, nil
}

// feedTitle drops the "Comments on: " that WordPress puts before the post's
// title.
func feedTitle(t string) string {
	for _, prefix := range []string{"Comments on: ", "Comments on "} {
		if rest, ok := strings.CutPrefix(t, prefix); ok {
			return rest
		}
	}
	return t
}

func itemID(it *gofeed.Item) string {
	if it.GUID != "" {
		return it.GUID
	}
	return it.Link
}

func itemAuthor(it *gofeed.Item) string {
	for _, a := range it.Authors {
		if a != nil && strings.TrimSpace(a.Name) != "" {
			return strings.TrimSpace(a.Name)
		}
	}
	if it.DublinCoreExt != nil {
		for _, c := range it.DublinCoreExt.Creator {
			if strings.TrimSpace(c) != "" {
				return strings.TrimSpace(c)
			}
		}
	}
	// WordPress titles a post's comment "By: Name".
	if rest, ok := strings.CutPrefix(it.Title, "By: "); ok {
		return strings.TrimSpace(rest)
	}
	return ""
}

// inReplyTo reads the Atom threading extension (<thr:in-reply-to ref=…>).
// A reference to the post itself rather than to a comment is no parent:
// WordPress comment ids carry "#comment-".
func inReplyTo(it *gofeed.Item, self string) string {
	for _, e := range it.Extensions["thr"]["in-reply-to"] {
		ref := e.Attrs["ref"]
		if ref != "" && ref != self && strings.Contains(ref, "#comment-") {
			return ref
		}
	}
	return ""
}
