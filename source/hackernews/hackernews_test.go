package hackernews

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
	"github.com/threaddigest/threaddigest/source/internal/sourcetest"
)

type hnComment struct {
	id, parent int64
	author     string
	text       string // HTML as HN writes it; "" with author "" is deleted
}

// fakeHN serves /api/v1/items/ID (Algolia: nested children, null author and
// text for deleted comments) and /v0/item/ID.json (Firebase: descendants).
type fakeHN struct {
	mu       sync.Mutex
	comments []hnComment
}

func (f *fakeHN) set(cs []hnComment) { f.mu.Lock(); f.comments = cs; f.mu.Unlock() }

func (f *fakeHN) children(parent int64) []any {
	out := []any{}
	for _, c := range f.comments {
		if c.parent != parent {
			continue
		}
		item := map[string]any{"id": c.id, "created_at": "2019-12-27T14:05:00.000Z", "created_at_i": 1577455500, "type": "comment",
			"author": c.author, "title": nil, "url": nil, "text": c.text, "points": nil, "parent_id": c.parent, "story_id": 100,
			"children": f.children(c.id), "options": []any{}}
		if c.author == "" {
			item["author"], item["text"] = nil, nil
		}
		out = append(out, item)
	}
	return out
}

func (f *fakeHN) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch r.URL.Path {
	case "/api/v1/items/100":
		json.NewEncoder(w).Encode(map[string]any{"id": 100, "created_at": "2019-12-27T12:00:00.000Z", "created_at_i": 1577448000,
			"type": "story", "author": "pg", "title": "Huawei and 5G in Europe", "url": "https://example.com/a", "text": nil,
			"points": 120, "parent_id": nil, "story_id": 100, "children": f.children(100), "options": []any{}})
	case "/v0/item/100.json":
		n := 0
		var kids []int64
		for _, c := range f.comments {
			if c.author != "" {
				n++
			}
			if c.parent == 100 {
				kids = append(kids, c.id)
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"by": "pg", "descendants": n, "id": 100, "kids": kids, "score": 120,
			"time": 1577448000, "title": "Huawei and 5G in Europe", "type": "story", "url": "https://example.com/a"})
	case "/v0/item/999.json":
		w.Write([]byte("null"))
	default:
		http.NotFound(w, r)
	}
}

var thread = []hnComment{
	{id: 101, parent: 100, author: "anna", text: "Ban them.<p>It&#x27;s a matter of <i>trust</i>: <a href=\"https://x.example\" rel=\"nofollow\">link</a>."},
	{id: 102, parent: 101, author: "bob", text: "No."},
	{id: 103, parent: 101, author: ""},
}

func TestFetchAndPoll(t *testing.T) {
	f := &fakeHN{}
	f.set(append([]hnComment(nil), thread...))
	fake := sourcetest.NewFake(t, f)
	c, _ := sourcetest.Client(t)
	id, cfg, err := ParseAddress(fake.URL+"/api/v1/items/100", Config{FirebaseURL: fake.URL + "/v0", RefreshEvery: 100})
	if err != nil || id != "100" {
		t.Fatalf("ParseAddress: %q %v", id, err)
	}
	src := New(id, cfg, c)
	ctx := context.Background()
	first, err := src.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	got := sourcetest.ByID(t, first.Comments)
	if first.Title != "Huawei and 5G in Europe" || len(got) != 3 {
		t.Fatalf("first: %q, %d comments", first.Title, len(got))
	}
	if c := got["101"]; c.Body != "Ban them.\n\nIt's a matter of trust: link." || c.ParentID != "" || c.Author != "anna" {
		t.Errorf("101 = %+v", c)
	}
	if c := got["102"]; c.ParentID != "101" {
		t.Errorf("102 = %+v", c)
	}
	if c := got["102"]; c.URL != "https://news.ycombinator.com/item?id=102" {
		t.Errorf("102: URL %q, want its Hacker News page", c.URL)
	}
	if c := got["103"]; !c.Deleted || c.Author != "" {
		t.Errorf("deleted 103 = %+v", c)
	}
	fake.Requests()

	// Nothing new: one small Firebase request, NotModified.
	idle, err := src.Fetch(ctx, first.State)
	if err != nil || !idle.NotModified {
		t.Fatalf("idle poll: %+v, %v", idle, err)
	}
	if reqs := fake.Requests(); len(reqs) != 1 || reqs[0] != "/v0/item/100.json" {
		t.Errorf("idle poll requests %v", reqs)
	}

	// Three new comments and one edit.
	next := append([]hnComment(nil), thread...)
	next[1].text = "No. (edited)"
	next = append(next, hnComment{id: 104, parent: 100, author: "cy", text: "c"}, hnComment{id: 105, parent: 104, author: "dee", text: "d"},
		hnComment{id: 106, parent: 102, author: "eve", text: "e"})
	f.set(next)
	second, err := src.Fetch(ctx, idle.State)
	if err != nil {
		t.Fatal(err)
	}
	got = sourcetest.ByID(t, second.Comments)
	if len(got) != 6 || got["102"].Body != "No. (edited)" || got["106"].ParentID != "102" || got["105"].ParentID != "104" {
		t.Errorf("second poll: %+v", second.Comments)
	}
}

func TestRefreshEvery(t *testing.T) {
	f := &fakeHN{}
	f.set(thread)
	fake := sourcetest.NewFake(t, f)
	c, _ := sourcetest.Client(t)
	src := New("100", Config{AlgoliaURL: fake.URL + "/api/v1", FirebaseURL: fake.URL + "/v0", RefreshEvery: 2}, c)
	res, _ := src.Fetch(context.Background(), "")
	res, _ = src.Fetch(context.Background(), res.State) // poll 2: refresh
	if res.NotModified || len(res.Comments) != 3 {
		t.Errorf("poll 2 with refresh_every 2 did not read the tree: %+v", res)
	}
}

func TestFirebaseNull(t *testing.T) {
	fake := sourcetest.NewFake(t, &fakeHN{})
	c, _ := sourcetest.Client(t)
	src := New("999", Config{AlgoliaURL: fake.URL + "/api/v1", FirebaseURL: fake.URL + "/v0"}, c)
	_, err := src.Fetch(context.Background(), `{"descendants": 3, "polls": 1}`)
	if !fetch.IsGone(err) || !strings.Contains(err.Error(), "hn item 999") {
		t.Errorf("null item: err = %v, want gone", err)
	}
}

func TestFailures(t *testing.T) {
	f := &fakeHN{}
	f.set(thread)
	fake := sourcetest.NewFake(t, f)
	sourcetest.CheckFailures(t, fake, "hn item 100", func(c *fetch.Client) source.Source {
		return New("100", Config{AlgoliaURL: fake.URL + "/api/v1", FirebaseURL: fake.URL + "/v0"}, c)
	})
}

func TestMalformed(t *testing.T) {
	for body, want := range map[string]string{
		`{"title": "no id"}`:                           "has no id",
		`{"id": 100, "children": [{"author": "x"}]}`:   "has no id",
		`{"id": 100, "children": {"not": "an array"}}`: "malformed JSON payload",
	} {
		fake := sourcetest.NewFake(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		c, _ := sourcetest.Client(t)
		_, err := New("100", Config{AlgoliaURL: fake.URL}, c).Fetch(context.Background(), "")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", body, err, want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	for in, want := range map[string]string{
		"8863": "8863",
		"https://news.ycombinator.com/item?id=8863": "8863",
	} {
		if id, _, err := ParseAddress(in, Config{}); err != nil || id != want {
			t.Errorf("ParseAddress(%q) = %q, %v", in, id, err)
		}
	}
	for _, in := range []string{"abc", "https://news.ycombinator.com/news", ""} {
		if _, _, err := ParseAddress(in, Config{}); err == nil {
			t.Errorf("ParseAddress(%q) accepted", in)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id": 1, "title": "T", "children": [{"id": 2, "author": "a", "text": "<p>x", "children": [{"id": 3}]}]}`))
	f.Add([]byte(`{"by": "a", "id": 1, "kids": [2], "descendants": 1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, cs, err := ParseAlgoliaItem(b)
		if err == nil {
			for _, c := range cs {
				if c.ID == "" {
					t.Fatal("comment without id")
				}
			}
		}
		ParseFirebaseItem(b)
	})
}
