// Package hackernews follows a Hacker News story's comments. The whole tree
// comes in one request from the Algolia items API; between full reads, the
// official Firebase API's story item tells cheaply whether anything was
// added (its descendants count), so an idle thread costs one small request.
package hackernews

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/htmltext"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
)

// Config points at the two APIs; the defaults are the public ones.
type Config struct {
	AlgoliaURL  string `toml:"algolia_url"`
	FirebaseURL string `toml:"firebase_url"`
	// RefreshEvery forces a full read every N polls even when the count of
	// comments is unchanged, so that edits (allowed for two hours) are seen
	// (default 6).
	RefreshEvery int `toml:"refresh_every"`
}

// Default API roots.
const (
	DefaultAlgoliaURL  = "https://hn.algolia.com/api/v1"
	DefaultFirebaseURL = "https://hacker-news.firebaseio.com/v0"
)

// Source is one story's comments.
type Source struct {
	id       string
	algolia  string
	firebase string
	refresh  int
	client   *fetch.Client
}

// ParseAddress reads the part after "hn:": an item id, a
// news.ycombinator.com/item?id=N URL, or an Algolia items URL on any host
// (…/api/v1/items/N), which then serves as the Algolia root.
func ParseAddress(addr string, cfg Config) (id string, _ Config, _ error) {
	addr = strings.TrimSpace(addr)
	if _, err := strconv.ParseUint(addr, 10, 64); err == nil {
		return addr, cfg, nil
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		return "", cfg, fmt.Errorf("hn: %q: expected an item id or a URL such as https://news.ycombinator.com/item?id=ID", addr)
	}
	if v := u.Query().Get("id"); v != "" {
		if _, err := strconv.ParseUint(v, 10, 64); err == nil {
			return v, cfg, nil
		}
	}
	if i := strings.Index(u.Path, "/items/"); i >= 0 {
		v := strings.Trim(u.Path[i+len("/items/"):], "/")
		if _, err := strconv.ParseUint(v, 10, 64); err == nil {
			cfg.AlgoliaURL = u.Scheme + "://" + u.Host + u.Path[:i]
			return v, cfg, nil
		}
	}
	return "", cfg, fmt.Errorf("hn: %q names no item: expected ?id=ID or /items/ID", addr)
}

// New reads story id.
func New(id string, cfg Config, client *fetch.Client) *Source {
	s := &Source{id: id, client: client,
		algolia:  strings.TrimRight(cfg.AlgoliaURL, "/"),
		firebase: strings.TrimRight(cfg.FirebaseURL, "/"),
		refresh:  cfg.RefreshEvery,
	}
	if s.algolia == "" {
		s.algolia = DefaultAlgoliaURL
	}
	if s.firebase == "" {
		s.firebase = DefaultFirebaseURL
	}
	if s.refresh <= 0 {
		s.refresh = 6
	}
	return s
}

type state struct {
	Descendants int `json:"descendants"`
	Polls       int `json:"polls"`
}

// Fetch reads the tree, or answers NotModified when the story's comment
// count is unchanged since the last full read (except every RefreshEvery
// polls).
func (s *Source) Fetch(ctx context.Context, prev string) (source.Result, error) {
	return source.WithState(prev, "hn item "+s.id, func(st *state, known bool) (source.Result, error) {
		return s.fetch(ctx, st, known)
	})
}

func (s *Source) fetch(ctx context.Context, st *state, known bool) (source.Result, error) {
	st.Polls++
	if known {
		resp, err := s.client.DoJSON(ctx, fetch.Request{URL: s.firebase + "/item/" + s.id + ".json"})
		if err != nil {
			return source.Result{}, err
		}
		item, err := ParseFirebaseItem(resp.Body)
		if err != nil {
			return source.Result{}, fetch.Malformed(resp, err)
		}
		if item == nil {
			// Firebase answers null for an item that does not exist.
			return source.Result{}, &fetch.StatusError{URL: resp.URL, Status: 404, Snippet: "the item is null"}
		}
		if item.Descendants == st.Descendants && st.Polls%s.refresh != 0 {
			return source.Result{NotModified: true}, nil
		}
	}
	resp, err := s.client.DoJSON(ctx, fetch.Request{URL: s.algolia + "/items/" + s.id})
	if err != nil {
		return source.Result{}, err
	}
	story, comments, err := ParseAlgoliaItem(resp.Body)
	if err != nil {
		return source.Result{}, fetch.Malformed(resp, err)
	}
	st.Descendants = 0
	for _, c := range comments {
		if !c.Deleted {
			st.Descendants++
		}
	}
	return source.Result{Title: story.Title, URL: itemURL + s.id, Comments: comments}, nil
}

// AlgoliaItem is an item of the Algolia items API, children nested.
type AlgoliaItem struct {
	ID         *int64        `json:"id"`
	CreatedAtI int64         `json:"created_at_i"`
	Type       string        `json:"type"`
	Author     *string       `json:"author"`
	Title      *string       `json:"title"`
	Text       *string       `json:"text"`
	Points     *int          `json:"points"`
	ParentID   *int64        `json:"parent_id"`
	StoryID    *int64        `json:"story_id"`
	Children   []AlgoliaItem `json:"children"`
}

// Story is what a digest needs of the story.
type Story struct {
	ID    string
	Title string
}

// ParseAlgoliaItem reads /api/v1/items/ID: the story and every comment
// under it, parents before their replies.
func ParseAlgoliaItem(body []byte) (Story, []threaddigest.Comment, error) {
	var root AlgoliaItem
	if err := json.Unmarshal(body, &root); err != nil {
		return Story{}, nil, err
	}
	if root.ID == nil {
		return Story{}, nil, fmt.Errorf("the item has no id")
	}
	story := Story{ID: strconv.FormatInt(*root.ID, 10)}
	if root.Title != nil {
		story.Title = *root.Title
	}
	var out []threaddigest.Comment
	if err := walk(root.Children, story.ID, &out, 0); err != nil {
		return Story{}, nil, err
	}
	return story, out, nil
}

const maxDepth = 500

// itemURL is where Hacker News shows an item (a story or a comment), given
// its id: each comment's permalink.
const itemURL = "https://news.ycombinator.com/item?id="

func walk(items []AlgoliaItem, parent string, out *[]threaddigest.Comment, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("comments nested deeper than %d", maxDepth)
	}
	for _, it := range items {
		if it.ID == nil {
			return fmt.Errorf("a comment under %s has no id", parent)
		}
		id := strconv.FormatInt(*it.ID, 10)
		c := threaddigest.Comment{ID: id, URL: itemURL + id}
		if depth > 0 {
			c.ParentID = parent
		}
		if it.CreatedAtI > 0 {
			c.CreatedAt = time.Unix(it.CreatedAtI, 0).UTC()
		}
		if it.Points != nil {
			c.Likes = *it.Points
		}
		if it.Author == nil || it.Text == nil {
			c.Deleted = true // deleted or dead: no author, no text
		} else {
			c.Author = *it.Author
			c.Body = htmltext.Text(*it.Text, htmltext.Options{})
		}
		*out = append(*out, c)
		if err := walk(it.Children, id, out, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// FirebaseItem is an item of the official API.
type FirebaseItem struct {
	ID          int64   `json:"id"`
	By          string  `json:"by"`
	Time        int64   `json:"time"`
	Type        string  `json:"type"`
	Text        string  `json:"text"`
	Title       string  `json:"title"`
	Parent      int64   `json:"parent"`
	Kids        []int64 `json:"kids"`
	Descendants int     `json:"descendants"`
	Deleted     bool    `json:"deleted"`
	Dead        bool    `json:"dead"`
}

// ParseFirebaseItem reads /v0/item/ID.json; nil for the null Firebase
// answers for an item that does not exist.
func ParseFirebaseItem(body []byte) (*FirebaseItem, error) {
	var it *FirebaseItem
	if err := json.Unmarshal(body, &it); err != nil {
		return nil, err
	}
	if it != nil && it.ID == 0 {
		return nil, fmt.Errorf("the item has no id")
	}
	return it, nil
}
