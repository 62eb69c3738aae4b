// Package discourse follows a Discourse topic. /t/ID.json gives the topic,
// its first posts and the ids of all posts (post_stream.stream); the rest
// come twenty at a time from /t/ID/posts.json?post_ids[]=…. Each poll reads
// the posts it has not seen first, then re-reads older ones in turn within
// the page budget, so that edits and deletions are seen too.
package discourse

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/htmltext"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
)

// chunk is how many posts Discourse returns per posts.json request.
const chunk = 20

// Source is one topic.
type Source struct {
	base     string // site root, with its subfolder if any
	topic    string
	client   *fetch.Client
	maxPages int
}

var topicPath = regexp.MustCompile(`^(.*?)/t/(?:[^/]+/)?(\d+)(?:/\d+)?/?(?:\.json)?$`)

// New reads the topic at rawURL (https://forum.example/t/slug/123, /t/123,
// or with a post number after it). maxPages caps the requests of one poll
// (0 means 20).
func New(rawURL string, client *fetch.Client, maxPages int) (*Source, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("discourse: %q is not a URL: expected https://forum.example/t/SLUG/ID", rawURL)
	}
	m := topicPath.FindStringSubmatch(u.Path)
	if m == nil {
		return nil, fmt.Errorf("discourse: %q is not a topic URL: expected …/t/SLUG/ID", rawURL)
	}
	if maxPages <= 0 {
		maxPages = 20
	}
	return &Source{base: u.Scheme + "://" + u.Host + m[1], topic: m[2], client: client, maxPages: maxPages}, nil
}

type state struct {
	ETag string `json:"etag,omitempty"`
	// Known lists the posts read before as [post id, post number], by id.
	Known [][2]int64 `json:"known"`
	// Offset is where the re-reading of known posts goes on.
	Offset int `json:"offset"`
}

// Fetch reads the new posts and a share of the known ones.
func (s *Source) Fetch(ctx context.Context, prev string) (source.Result, error) {
	return source.WithState(prev, "discourse topic "+s.topic, func(st *state, _ bool) (source.Result, error) {
		return s.fetch(ctx, st)
	})
}

func (s *Source) fetch(ctx context.Context, st *state) (source.Result, error) {
	resp, err := s.client.DoJSON(ctx, fetch.Request{URL: s.base + "/t/" + s.topic + ".json", ETag: st.ETag})
	if err != nil {
		return source.Result{}, err
	}
	if resp.NotModified {
		return source.Result{NotModified: true}, nil
	}
	topic, err := ParseTopic(resp.Body)
	if err != nil {
		return source.Result{}, fetch.Malformed(resp, err)
	}
	st.ETag = resp.ETag
	have := map[int64]Post{}
	for _, p := range topic.PostStream.Posts {
		have[p.ID] = p
	}
	known := map[int64]int64{} // post id -> post number
	for _, k := range st.Known {
		known[k[0]] = k[1]
	}
	inStream := make(map[int64]bool, len(topic.PostStream.Stream))
	for _, id := range topic.PostStream.Stream {
		inStream[id] = true
	}
	// New ids first, then known ones from where the last poll stopped.
	var fresh, old []int64
	for _, id := range topic.PostStream.Stream {
		if _, ok := have[id]; ok {
			continue
		}
		if _, ok := known[id]; ok {
			old = append(old, id)
		} else {
			fresh = append(fresh, id)
		}
	}
	if len(old) > 0 {
		start := st.Offset % len(old)
		old = append(old[start:], old[:start]...)
	}
	want := append(fresh, old...)
	pages := 1
	read := 0
	for len(want) > 0 && pages < s.maxPages {
		n := min(chunk, len(want))
		q := url.Values{}
		for _, id := range want[:n] {
			q.Add("post_ids[]", strconv.FormatInt(id, 10))
		}
		want = want[n:]
		pages++
		resp, err := s.client.DoJSON(ctx, fetch.Request{URL: s.base + "/t/" + s.topic + "/posts.json?" + q.Encode()})
		if err != nil {
			return source.Result{}, err
		}
		posts, err := ParsePosts(resp.Body)
		if err != nil {
			return source.Result{}, fetch.Malformed(resp, err)
		}
		for _, p := range posts {
			have[p.ID] = p
		}
		read += n
	}
	readOld := max(0, read-len(fresh))
	if len(want) > 0 {
		st.Offset += readOld
	} else {
		st.Offset = 0
	}
	// A known post gone from the stream was deleted or hidden: say so.
	var gone []threaddigest.Comment
	for id, number := range known {
		if !inStream[id] && have[id].ID == 0 {
			gone = append(gone, threaddigest.Comment{ID: strconv.FormatInt(number, 10), Deleted: true})
			delete(known, id)
		}
	}
	slices.SortFunc(gone, func(a, b threaddigest.Comment) int { return strings.Compare(a.ID, b.ID) })
	// Only posts actually read count as known: unread new ones stay new.
	for id, p := range have {
		known[id] = int64(p.PostNumber)
	}
	st.Known = st.Known[:0]
	for id, number := range known {
		st.Known = append(st.Known, [2]int64{id, number})
	}
	slices.SortFunc(st.Known, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	ids := make([]int64, 0, len(have))
	for id := range have {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	res := source.Result{Title: topic.Title, URL: s.base + "/t/" + topic.Slug + "/" + s.topic}
	for _, id := range ids {
		p := have[id]
		if p.PostNumber == 1 {
			continue // the topic's opening post is what the thread is about
		}
		c := comment(p)
		// Discourse's own permalink of a post: the topic's URL and the
		// post's number.
		c.URL = res.URL + "/" + c.ID
		res.Comments = append(res.Comments, c)
	}
	res.Comments = append(res.Comments, gone...)
	return res, nil
}

// Topic is the answer to /t/ID.json.
type Topic struct {
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	Slug       string `json:"slug"`
	PostsCount int    `json:"posts_count"`
	PostStream *struct {
		Posts  []Post  `json:"posts"`
		Stream []int64 `json:"stream"`
	} `json:"post_stream"`
}

// Post is a post as Discourse serialises it.
type Post struct {
	ID                int64      `json:"id"`
	Name              string     `json:"name"`
	Username          string     `json:"username"`
	UserID            int64      `json:"user_id"`
	CreatedAt         time.Time  `json:"created_at"`
	Cooked            string     `json:"cooked"`
	PostNumber        int        `json:"post_number"`
	ReplyToPostNumber *int       `json:"reply_to_post_number"`
	DeletedAt         *time.Time `json:"deleted_at"`
	UserDeleted       bool       `json:"user_deleted"`
	LikeCount         *int       `json:"like_count"`
	ActionsSummary    []struct {
		ID    int `json:"id"`
		Count int `json:"count"`
	} `json:"actions_summary"`
}

// ParseTopic reads /t/ID.json.
func ParseTopic(body []byte) (*Topic, error) {
	var t Topic
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, err
	}
	if t.PostStream == nil {
		return nil, fmt.Errorf("no post_stream in the topic")
	}
	for _, p := range t.PostStream.Posts {
		if err := check(p); err != nil {
			return nil, err
		}
	}
	return &t, nil
}

// ParsePosts reads /t/ID/posts.json: {"post_stream": {"posts": […]}}.
func ParsePosts(body []byte) ([]Post, error) {
	var r struct {
		PostStream *struct {
			Posts []Post `json:"posts"`
		} `json:"post_stream"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	if r.PostStream == nil {
		return nil, fmt.Errorf("no post_stream in the posts answer")
	}
	for _, p := range r.PostStream.Posts {
		if err := check(p); err != nil {
			return nil, err
		}
	}
	return r.PostStream.Posts, nil
}

func check(p Post) error {
	if p.ID == 0 || p.PostNumber == 0 {
		return fmt.Errorf("a post lacks id or post_number")
	}
	return nil
}

// comment turns a post into a comment. Its id is the post number, which
// replies name (reply_to_post_number); a reply to the opening post is a
// top-level comment.
func comment(p Post) threaddigest.Comment {
	c := threaddigest.Comment{
		ID:        strconv.Itoa(p.PostNumber),
		Author:    p.Name,
		AuthorID:  p.Username,
		CreatedAt: p.CreatedAt.UTC(),
	}
	if c.Author == "" {
		c.Author = p.Username
	}
	if p.ReplyToPostNumber != nil && *p.ReplyToPostNumber > 1 {
		c.ParentID = strconv.Itoa(*p.ReplyToPostNumber)
	}
	if p.LikeCount != nil {
		c.Likes = *p.LikeCount
	} else {
		for _, a := range p.ActionsSummary {
			if a.ID == 2 { // post action type 2 is "like"
				c.Likes = a.Count
			}
		}
	}
	if p.DeletedAt != nil || p.UserDeleted {
		c.Deleted = true
		return c
	}
	c.Body = strings.TrimSpace(htmltext.Text(p.Cooked, htmltext.Options{DropQuotes: true}))
	return c
}
