package jsonapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
	"github.com/threaddigest/threaddigest/source/internal/sourcetest"
)

type jComment struct {
	id      int
	user    string
	city    string
	text    string
	replies []jComment
}

// fakeAPI is a made-up comments API of the kind generic mappings are for:
// {"article": {"headline"}, "data": {"comments": [...]}, "paging": {"next"}},
// with nested replies, and paging either by next URL or by cursor.
type fakeAPI struct {
	mu       sync.Mutex
	comments []jComment
	perPage  int
	cursor   bool
}

func (f *fakeAPI) set(cs []jComment) { f.mu.Lock(); f.comments = cs; f.mu.Unlock() }

func enc(c jComment) map[string]any {
	m := map[string]any{"comment_id": c.id, "user": map[string]any{"display_name": c.user, "city": c.city},
		"text": c.text, "posted": 1577455500, "votes": map[string]any{"up": c.id}, "state": "visible",
		"links": map[string]any{"self": fmt.Sprintf("/comments/%d", c.id)}}
	// Permalinks as APIs give them: relative (above), absolute, or not a
	// web address at all.
	switch c.id {
	case 30:
		m["links"] = map[string]any{"self": "https://news.example/c/30"}
	case 40:
		m["links"] = map[string]any{"self": "javascript:alert(1)"}
	}
	var rs []any
	for _, r := range c.replies {
		rs = append(rs, enc(r))
	}
	m["children"] = rs
	if c.text == "" {
		m["state"] = "removed"
	}
	return m
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/v2/articles/42/comments" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Token t0k" {
		http.Error(w, `{"error": "unauthorized"}`, http.StatusUnauthorized)
		return
	}
	start := 0
	if f.cursor {
		start, _ = strconv.Atoi(r.URL.Query().Get("after"))
	} else {
		start, _ = strconv.Atoi(r.URL.Query().Get("offset"))
	}
	end := min(start+f.perPage, len(f.comments))
	var items []any
	for _, c := range f.comments[start:end] {
		items = append(items, enc(c))
	}
	var next any
	if end < len(f.comments) {
		if f.cursor {
			next = strconv.Itoa(end)
		} else {
			next = fmt.Sprintf("/v2/articles/42/comments?offset=%d", end)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"article": map[string]any{"headline": "Huawei and Europe"},
		"data": map[string]any{"comments": items}, "paging": map[string]any{"next": next}})
}

var mapping = Mapping{Items: "data.comments", ID: "comment_id", Author: "user.display_name", Location: "user.city", Body: "text",
	CreatedAt: "posted", Likes: "votes.up", Deleted: "state", Replies: "children", Title: "article.headline", Next: "paging.next",
	Permalink: "links.self",
	Headers:   map[string]string{"Authorization": "Token t0k"}}

func thread(n int) []jComment {
	var cs []jComment
	for i := 1; i <= n; i++ {
		c := jComment{id: i * 10, user: fmt.Sprintf("u%d", i), city: "köln", text: fmt.Sprintf("Comment %d &amp; more", i)}
		if i%3 == 0 {
			c.replies = []jComment{{id: i*10 + 1, user: "r", text: "reply", replies: []jComment{{id: i*10 + 2, user: "rr", text: "deeper"}}}}
		}
		cs = append(cs, c)
	}
	return cs
}

func TestFetchPagingAndPoll(t *testing.T) {
	for _, cursor := range []bool{false, true} {
		t.Run(fmt.Sprintf("cursor=%v", cursor), func(t *testing.T) {
			f := &fakeAPI{perPage: 4, cursor: cursor}
			cs := thread(10)
			cs[1].text = ""
			f.set(cs)
			fake := sourcetest.NewFake(t, f)
			c, _ := sourcetest.Client(t)
			m := mapping
			if cursor {
				m.NextParam = "after"
			}
			src, err := New(fake.URL+"/v2/articles/42/comments", m, c, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			first, err := src.Fetch(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			if n := len(fake.Requests()); n != 3 {
				t.Errorf("%d requests for 10 comments in pages of 4", n)
			}
			got := sourcetest.ByID(t, first.Comments)
			if first.Title != "Huawei and Europe" || len(got) != 16 {
				t.Fatalf("title %q, %d comments; want 10 + 3×2 replies", first.Title, len(got))
			}
			if c := got["10"]; c.Body != "Comment 1 & more" || c.Author != "u1" || c.Location != "köln" || c.Likes != 10 || c.CreatedAt.Unix() != 1577455500 {
				t.Errorf("10 = %+v", c)
			}
			if c := got["32"]; c.ParentID != "31" || got["31"].ParentID != "30" {
				t.Errorf("nested replies: 31=%+v 32=%+v", got["31"], c)
			}
			if !got["20"].Deleted {
				t.Errorf("removed comment 20 = %+v", got["20"])
			}
			for id, want := range map[string]string{"10": fake.URL + "/comments/10", "32": fake.URL + "/comments/32",
				"30": "https://news.example/c/30", "40": ""} {
				if got[id].URL != want {
					t.Errorf("%s: URL %q, want %q", id, got[id].URL, want)
				}
			}
			next := append([]jComment(nil), cs...)
			next[0].text = "Comment 1, edited"
			next = append(next, jComment{id: 110, user: "n", text: "a"}, jComment{id: 120, user: "n", text: "b"}, jComment{id: 130, user: "n", text: "c"})
			f.set(next)
			second, err := src.Fetch(context.Background(), first.State)
			if err != nil {
				t.Fatal(err)
			}
			got = sourcetest.ByID(t, second.Comments)
			if len(got) != 19 || got["10"].Body != "Comment 1, edited" || got["130"].Body != "c" {
				t.Errorf("second poll: %d comments", len(got))
			}
		})
	}
}

func TestPageCeilingAndLoop(t *testing.T) {
	f := &fakeAPI{perPage: 2}
	f.set(thread(5))
	fake := sourcetest.NewFake(t, f)
	c, _ := sourcetest.Client(t)
	src, _ := New(fake.URL+"/v2/articles/42/comments", mapping, c, nil, 2)
	first, err := src.Fetch(context.Background(), "")
	if err != nil || len(first.Comments) != 6 { // 10, 20, 30 with its two replies, 40
		t.Fatalf("first: %d comments, %v", len(first.Comments), err)
	}
	second, err := src.Fetch(context.Background(), first.State)
	if err != nil || len(second.Comments) != 1 || second.Comments[0].ID != "50" {
		t.Fatalf("second goes on at page 3: %+v, %v", second.Comments, err)
	}

	loop := sourcetest.NewFake(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"data": {"comments": [{"comment_id": 1, "text": "x"}]}, "paging": {"next": "/same"}}`))
	}))
	src, _ = New(loop.URL+"/same", mapping, c, nil, 0)
	if _, err := src.Fetch(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "paging loop") {
		t.Errorf("paging loop: err = %v", err)
	}
}

func TestFailures(t *testing.T) {
	f := &fakeAPI{perPage: 10}
	f.set(thread(3))
	fake := sourcetest.NewFake(t, f)
	u := fake.URL + "/v2/articles/42/comments"
	sourcetest.CheckFailures(t, fake, "json "+u, func(c *fetch.Client) source.Source {
		s, _ := New(u, mapping, c, nil, 0)
		return s
	})
}

func TestMalformed(t *testing.T) {
	for body, want := range map[string]string{
		`{"data": {}}`:                     `no "data.comments"`,
		`{"data": {"comments": {"a": 1}}}`: "not an array",
		`{"data": {"comments": [1, {"text": "x"}, {"comment_id": 5, "text": {"x": 1}}, {"comment_id": 6, "text": " "}]}}`: "",
	} {
		fake := sourcetest.NewFake(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		c, _ := sourcetest.Client(t)
		src, _ := New(fake.URL+"/x", mapping, c, nil, 0)
		res, err := src.Fetch(context.Background(), "")
		if want == "" {
			if err != nil || len(res.Comments) != 0 || res.Skipped != 4 {
				t.Errorf("%s: %+v, %v; want 4 skipped", body, res, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", body, err, want)
		}
	}
	if _, err := New("https://x.example/", Mapping{Body: "b"}, nil, nil, 0); err == nil || !strings.Contains(err.Error(), "path of id") {
		t.Errorf("mapping without id: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"data": {"comments": [{"comment_id": 1, "text": "x", "children": [{"comment_id": 2, "text": "y"}]}]}, "paging": {"next": "2"}}`))
	f.Add([]byte(`[{"comment_id": "a", "text": "<p>x</p>"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range []Mapping{mapping, {ID: "comment_id", Body: "text", Replies: "children"}} {
			p, err := m.Parse(b)
			if err == nil {
				for _, c := range p.Comments {
					if c.ID == "" {
						t.Fatal("comment without id")
					}
				}
			}
		}
	})
}
