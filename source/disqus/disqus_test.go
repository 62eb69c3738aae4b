package disqus

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

type dqPost struct {
	id, parent           int
	name, location, html string
	anonymous, deleted   bool
}

// fakeDisqus serves threads/listPosts.json as Disqus 3.0 does: {"code": 0,
// "cursor": {...}, "response": [posts]}, pages of `limit` (at most 100)
// with an opaque cursor, and {"code": 2, ...} with HTTP 400 for an unknown
// thread or a missing key.
type fakeDisqus struct {
	mu    sync.Mutex
	posts []dqPost
	limit int // page size the fake uses (Disqus: the request's limit)
}

func (f *fakeDisqus) set(ps []dqPost) { f.mu.Lock(); f.posts = ps; f.mu.Unlock() }

func (f *fakeDisqus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	q := r.URL.Query()
	if r.URL.Path != "/api/3.0/threads/listPosts.json" {
		http.NotFound(w, r)
		return
	}
	if q.Get("api_key") != "pubkey" {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"code": 5, "response": "Invalid API key"}`))
		return
	}
	if q.Get("thread") != "7012345678" || q.Get("forum") != "newsforum" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code": 2, "response": "Invalid argument, 'thread': Unable to find thread '%s'"}`, q.Get("thread"))
		return
	}
	limit := f.limit
	if l, _ := strconv.Atoi(q.Get("limit")); l > 0 && l < limit {
		limit = l
	}
	start := 0
	if c := q.Get("cursor"); c != "" {
		start, _ = strconv.Atoi(strings.Split(c, ":")[0])
	}
	end := min(start+limit, len(f.posts))
	var resp []any
	for _, p := range f.posts[start:end] {
		author := map[string]any{"name": p.name, "isAnonymous": p.anonymous, "avatar": map[string]any{"cache": "x"}}
		if !p.anonymous {
			author["id"] = strconv.Itoa(5000 + p.id)
			author["username"] = strings.ToLower(p.name)
			author["location"] = p.location
			author["profileUrl"] = "https://disqus.com/by/x/"
		}
		post := map[string]any{"id": strconv.Itoa(p.id), "message": p.html, "raw_message": "raw", "createdAt": "2019-12-27T14:05:00",
			"likes": p.id % 4, "dislikes": 0, "points": 0, "isEdited": false, "isDeleted": p.deleted, "isSpam": false, "isApproved": true,
			"forum": "newsforum", "author": author, "parent": nil,
			"thread": map[string]any{"id": "7012345678", "title": "Huawei and Europe", "link": "https://news.example/huawei"}}
		if p.parent > 0 {
			post["parent"] = p.parent
		}
		if p.deleted {
			post["message"] = ""
		}
		resp = append(resp, post)
	}
	cursor := map[string]any{"prev": nil, "hasNext": end < len(f.posts), "next": fmt.Sprintf("%d:0:0", end), "hasPrev": start > 0,
		"total": nil, "id": fmt.Sprintf("%d:0:0", start), "more": end < len(f.posts)}
	json.NewEncoder(w).Encode(map[string]any{"cursor": cursor, "code": 0, "response": resp})
}

func thread(n int) []dqPost {
	var ps []dqPost
	for i := 1; i <= n; i++ {
		p := dqPost{id: i, name: fmt.Sprintf("Reader%d", i), location: "Edmonton AB", html: fmt.Sprintf("<p>Comment %d.</p>", i)}
		if i%4 == 0 {
			p.parent = i - 1
		}
		ps = append(ps, p)
	}
	return ps
}

func open(t *testing.T, fake *sourcetest.Fake, c *fetch.Client, maxPages int) *Source {
	t.Helper()
	forum, th, err := ParseAddress("newsforum/7012345678")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(forum, th, Config{APIKey: "pubkey", APIURL: fake.URL + "/api/3.0/"}, c, maxPages)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFetchPagingAndPoll(t *testing.T) {
	f := &fakeDisqus{limit: 10}
	ps := thread(25)
	ps[1].html = "<blockquote><p>Comment 1.</p></blockquote><p>Not &amp; never.</p>"
	ps[2].anonymous = true
	ps[4].deleted = true
	f.set(ps)
	fake := sourcetest.NewFake(t, f)
	c, _ := sourcetest.Client(t)
	src := open(t, fake, c, 0)
	ctx := context.Background()
	first, err := src.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if reqs := fake.Requests(); len(reqs) != 3 {
		t.Errorf("25 posts in pages of 10: %d requests", len(reqs))
	}
	got := sourcetest.ByID(t, first.Comments)
	if len(got) != 25 || first.Title != "Huawei and Europe" || first.URL != "https://news.example/huawei" {
		t.Fatalf("%d comments, title %q", len(got), first.Title)
	}
	if c := got["2"]; c.Body != "Not & never." || c.Location != "Edmonton AB" || c.AuthorID != "5002" || c.Author != "Reader2" {
		t.Errorf("post 2 = %+v", c)
	}
	if c := got["3"]; c.AuthorID != "" || c.Author != "Reader3" {
		t.Errorf("anonymous post 3 = %+v", c)
	}
	if c := got["4"]; c.ParentID != "3" || c.CreatedAt.Format("2006-01-02 15:04") != "2019-12-27 14:05" {
		t.Errorf("post 4 = %+v", c)
	}
	if !got["5"].Deleted {
		t.Errorf("post 5 not deleted: %+v", got["5"])
	}
	if c := got["4"]; c.URL != "https://news.example/huawei#comment-4" {
		t.Errorf("post 4: URL %q, want the thread's page with the post's anchor", c.URL)
	}

	next := append([]dqPost(nil), ps...)
	next[9].html = "<p>Comment 10, edited.</p>"
	next = append(next, dqPost{id: 26, name: "N1", html: "<p>n</p>"}, dqPost{id: 27, name: "N2", html: "<p>n</p>", parent: 26}, dqPost{id: 28, name: "N3", html: "<p>n</p>"})
	f.set(next)
	second, err := src.Fetch(ctx, first.State)
	if err != nil {
		t.Fatal(err)
	}
	got = sourcetest.ByID(t, second.Comments)
	if len(got) != 28 || got["10"].Body != "Comment 10, edited." || got["27"].ParentID != "26" {
		t.Errorf("second poll: %d comments, 10=%+v 27=%+v", len(got), got["10"], got["27"])
	}
}

func TestPageCeiling(t *testing.T) {
	f := &fakeDisqus{limit: 10}
	f.set(thread(35))
	fake := sourcetest.NewFake(t, f)
	c, _ := sourcetest.Client(t)
	src := open(t, fake, c, 2)
	first, err := src.Fetch(context.Background(), "")
	if err != nil || len(first.Comments) != 20 {
		t.Fatalf("first poll: %d comments, %v; want 20 (2 pages)", len(first.Comments), err)
	}
	second, err := src.Fetch(context.Background(), first.State)
	if err != nil || len(second.Comments) != 15 || second.Comments[0].ID != "21" {
		t.Fatalf("second poll goes on at the cursor: %d comments, %v", len(second.Comments), err)
	}
	third, _ := src.Fetch(context.Background(), second.State)
	if len(third.Comments) != 20 || third.Comments[0].ID != "1" {
		t.Errorf("third poll starts a new pass: %d comments", len(third.Comments))
	}
}

func TestAPIErrors(t *testing.T) {
	f := &fakeDisqus{limit: 10}
	f.set(thread(3))
	fake := sourcetest.NewFake(t, f)
	c, _ := sourcetest.Client(t)
	gone, _ := New("newsforum", "999", Config{APIKey: "pubkey", APIURL: fake.URL + "/api/3.0"}, c, 0)
	if _, err := gone.Fetch(context.Background(), ""); !fetch.IsGone(err) || !strings.Contains(err.Error(), "disqus thread newsforum/999") {
		t.Errorf("unknown thread: err = %v, want gone", err)
	}
	badKey, _ := New("newsforum", "7012345678", Config{APIKey: "wrong", APIURL: fake.URL + "/api/3.0"}, c, 0)
	_, err := badKey.Fetch(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "Invalid API key") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("bad key: err = %v (must say why, must not show the key)", err)
	}
	if _, err := New("f", "t", Config{}, c, 0); err == nil || !strings.Contains(err.Error(), "API key is needed") {
		t.Errorf("no key: err = %v", err)
	}
}

func TestFailures(t *testing.T) {
	f := &fakeDisqus{limit: 10}
	f.set(thread(3))
	fake := sourcetest.NewFake(t, f)
	sourcetest.CheckFailures(t, fake, "disqus thread newsforum/7012345678", func(c *fetch.Client) source.Source { return open(t, fake, c, 0) })
}

func TestMalformed(t *testing.T) {
	for body, want := range map[string]string{
		`{"response": []}`:            `no \"code\"`,
		`{"code": 0, "response": []}`: `no \"cursor\"`,
		`{"code": 0, "cursor": {"hasNext": false}, "response": {}}`:                 "expected an array of posts",
		`{"code": 0, "cursor": {"hasNext": false}, "response": [{"message": "x"}]}`: "a post has no id",
		`{"code": 0, "cursor": {"hasNext": true}, "response": []}`:                  "cursor.next",
		`{"code": 12, "response": "This application cannot access this resource"}`:  "Disqus error code 12",
	} {
		fake := sourcetest.NewFake(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		c, _ := sourcetest.Client(t)
		_, err := open(t, fake, c, 0).Fetch(context.Background(), "")
		if err == nil || !strings.Contains(err.Error(), strings.ReplaceAll(want, `\"`, `"`)) {
			t.Errorf("%s: err = %v, want %q", body, err, want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	for _, in := range []string{"forumonly", "/123", "forum/", "a/b/c"} {
		if _, _, err := ParseAddress(in); err == nil {
			t.Errorf("ParseAddress(%q) accepted", in)
		}
	}
}

func FuzzParseListPosts(f *testing.F) {
	f.Add([]byte(`{"code": 0, "cursor": {"hasNext": false, "next": "1:0:0"}, "response": [{"id": "1", "parent": 2, "message": "<p>x</p>", "author": {"name": "a", "location": "köln"}, "thread": {"title": "T"}}]}`))
	f.Add([]byte(`{"code": 2, "response": "Invalid argument"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if lp, err := ParseListPosts(b); err == nil {
			for _, p := range lp.Posts {
				if p.comment().ID == "" {
					t.Fatal("comment without id")
				}
			}
		}
	})
}

// The API key travels in the query string; no error may show it, whatever
// the failure (an HTML page, a truncated or malformed body, a redirect loop).
func TestFailuresHideKey(t *testing.T) {
	f := &fakeDisqus{limit: 10}
	f.set(thread(3))
	fake := sourcetest.NewFake(t, f)
	for _, mode := range []string{sourcetest.ServerError, sourcetest.HTMLPage, sourcetest.Truncated, sourcetest.Huge,
		sourcetest.RedirectLoop, sourcetest.Gone} {
		c, _ := sourcetest.Client(t)
		fake.SetMode(mode)
		_, err := open(t, fake, c, 0).Fetch(context.Background(), "")
		if err == nil {
			t.Errorf("mode %s: no error", mode)
		} else if strings.Contains(err.Error(), "pubkey") {
			t.Errorf("mode %s: the error shows the API key: %v", mode, err)
		}
	}
	fake.SetMode(sourcetest.OK)
}
