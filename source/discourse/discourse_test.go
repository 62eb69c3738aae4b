package discourse

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

type dPost struct {
	number, replyTo int
	user, cooked    string
	deleted         bool
}

// fakeDiscourse serves a topic as Discourse does: /t/ID.json with the first
// 20 posts and the full stream of post ids, /t/ID/posts.json?post_ids[]=
// for the rest. Post ids are 1000 + post number.
type fakeDiscourse struct {
	mu    sync.Mutex
	posts []dPost
}

func (f *fakeDiscourse) set(ps []dPost) { f.mu.Lock(); f.posts = ps; f.mu.Unlock() }

func postJSON(p dPost) map[string]any {
	m := map[string]any{"id": 1000 + p.number, "name": strings.ToUpper(p.user[:1]) + p.user[1:], "username": p.user,
		"avatar_template": "/user_avatar/x/{size}/1.png", "created_at": "2019-12-27T14:05:00.000Z", "cooked": p.cooked,
		"post_number": p.number, "post_type": 1, "updated_at": "2019-12-27T14:05:00.000Z", "reply_count": 0,
		"reply_to_post_number": nil, "quote_count": 0, "incoming_link_count": 0, "reads": 3, "score": 0.4,
		"topic_id": 77, "topic_slug": "huawei-5g", "user_id": p.number, "hidden": false, "deleted_at": nil, "user_deleted": false,
		"actions_summary": []any{map[string]any{"id": 2, "count": p.number}}}
	if p.replyTo > 0 {
		m["reply_to_post_number"] = p.replyTo
	}
	if p.deleted {
		m["deleted_at"] = "2019-12-28T10:00:00.000Z"
		m["cooked"] = "<p>(post deleted by author)</p>"
	}
	return m
}

func (f *fakeDiscourse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch r.URL.Path {
	case "/forum/t/77.json":
		var stream []int
		var first []any
		for i, p := range f.posts {
			stream = append(stream, 1000+p.number)
			if i < 20 {
				first = append(first, postJSON(p))
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"id": 77, "title": "Huawei and 5G", "fancy_title": "Huawei and 5G", "slug": "huawei-5g",
			"posts_count": len(f.posts), "post_stream": map[string]any{"posts": first, "stream": stream}})
	case "/forum/t/77/posts.json":
		ids := r.URL.Query()["post_ids[]"]
		if len(ids) > 20 {
			http.Error(w, `{"errors": ["too many"]}`, http.StatusBadRequest)
			return
		}
		var out []any
		for _, s := range ids {
			id, _ := strconv.Atoi(s)
			for _, p := range f.posts {
				if 1000+p.number == id {
					out = append(out, postJSON(p))
				}
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"post_stream": map[string]any{"posts": out}, "id": 77})
	default:
		http.NotFound(w, r)
	}
}

func posts(n int) []dPost {
	ps := []dPost{{number: 1, user: "op", cooked: "<p>Should Europe ban Huawei?</p>"}}
	for i := 2; i <= n; i++ {
		p := dPost{number: i, user: fmt.Sprintf("user%d", i), cooked: fmt.Sprintf("<p>Post %d.</p>", i)}
		if i%5 == 0 {
			p.replyTo = i - 1
		}
		ps = append(ps, p)
	}
	return ps
}

func TestFetchPagingAndPoll(t *testing.T) {
	f := &fakeDiscourse{}
	ps := posts(45)
	ps[2].cooked = `<aside class="quote no-group" data-username="user2" data-post="2" data-topic="77"><div class="title">user2:</div><blockquote><p>Post 2.</p></blockquote></aside>` + "\n<p>I disagree &amp; here is why.</p>"
	ps[3].deleted = true
	f.set(ps)
	fake := sourcetest.NewFake(t, f)
	c, _ := sourcetest.Client(t)
	src, err := New(fake.URL+"/forum/t/huawei-5g/77/12", c, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := src.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if reqs := fake.Requests(); len(reqs) != 3 {
		t.Errorf("first fetch of 45 posts: requests %v, want topic + 2 chunks", reqs)
	}
	got := sourcetest.ByID(t, first.Comments)
	if first.Title != "Huawei and 5G" || len(got) != 44 {
		t.Fatalf("title %q, %d comments; want 44 (post 1 is the topic)", first.Title, len(got))
	}
	if c := got["3"]; c.Body != "I disagree & here is why." || c.Author != "User3" || c.AuthorID != "user3" || c.Likes != 3 {
		t.Errorf("post 3 = %+v", c)
	}
	if c := got["4"]; !c.Deleted || c.Body != "" {
		t.Errorf("deleted post 4 = %+v", c)
	}
	if c := got["10"]; c.ParentID != "9" {
		t.Errorf("post 10 = %+v", c)
	}
	if c := got["10"]; c.URL != fake.URL+"/forum/t/huawei-5g/77/10" {
		t.Errorf("post 10: URL %q, want the topic's URL and the post's number", c.URL)
	}

	// Three new posts, one edit, and post 6 removed from the stream.
	next := append([]dPost(nil), ps...)
	next[29].cooked = "<p>Post 30, edited.</p>"
	next = append(next[:5], next[6:]...)
	next = append(next, dPost{number: 46, user: "n1", cooked: "<p>new</p>"}, dPost{number: 47, user: "n2", cooked: "<p>new</p>", replyTo: 46},
		dPost{number: 48, user: "n3", cooked: "<p>new</p>"})
	f.set(next)
	second, err := src.Fetch(ctx, first.State)
	if err != nil {
		t.Fatal(err)
	}
	got = sourcetest.ByID(t, second.Comments)
	if got["30"].Body != "Post 30, edited." || got["47"].ParentID != "46" || got["48"].Body != "new" || !got["6"].Deleted {
		t.Errorf("second poll: 30=%+v 47=%+v 48=%+v 6=%+v", got["30"], got["47"], got["48"], got["6"])
	}
}

func TestPageCeilingRotates(t *testing.T) {
	f := &fakeDiscourse{}
	f.set(posts(100))
	fake := sourcetest.NewFake(t, f)
	c, _ := sourcetest.Client(t)
	src, _ := New(fake.URL+"/forum/t/77", c, 2) // topic + one chunk per poll
	seen := map[string]bool{}
	state := ""
	for range 5 {
		res, err := src.Fetch(context.Background(), state)
		if err != nil {
			t.Fatal(err)
		}
		if reqs := fake.Requests(); len(reqs) != 2 {
			t.Fatalf("requests %v, want 2 per poll", reqs)
		}
		for _, c := range res.Comments {
			seen[c.ID] = true
		}
		state = res.State
	}
	if len(seen) != 99 {
		t.Errorf("5 polls of 2 pages saw %d of 99 posts", len(seen))
	}
}

func TestFailures(t *testing.T) {
	f := &fakeDiscourse{}
	f.set(posts(5))
	fake := sourcetest.NewFake(t, f)
	sourcetest.CheckFailures(t, fake, "discourse topic 77", func(c *fetch.Client) source.Source {
		s, _ := New(fake.URL+"/forum/t/huawei-5g/77", c, 0)
		return s
	})
}

func TestMalformed(t *testing.T) {
	for body, want := range map[string]string{
		`{"id": 77, "title": "x"}`: "no post_stream",
		`{"post_stream": {"posts": [{"cooked": "<p>x</p>"}], "stream": [1]}}`: "lacks id or post_number",
		`{"post_stream": {"posts": [], "stream": "nope"}}`:                    "malformed JSON payload",
	} {
		fake := sourcetest.NewFake(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		c, _ := sourcetest.Client(t)
		s, _ := New(fake.URL+"/t/77", c, 0)
		if _, err := s.Fetch(context.Background(), ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", body, err, want)
		}
	}
}

func TestNew(t *testing.T) {
	for in, base := range map[string]string{
		"https://meta.discourse.org/t/some-topic/123":      "https://meta.discourse.org",
		"https://meta.discourse.org/t/123":                 "https://meta.discourse.org",
		"https://example.com/community/t/a-topic/9/4":      "https://example.com/community",
		"https://meta.discourse.org/t/some-topic/123.json": "https://meta.discourse.org",
	} {
		s, err := New(in, nil, 0)
		if err != nil || s.base != base {
			t.Errorf("New(%q): base %q, err %v; want %q", in, s.base, err, base)
		}
	}
	for _, in := range []string{"https://meta.discourse.org/latest", "nope"} {
		if _, err := New(in, nil, 0); err == nil {
			t.Errorf("New(%q) accepted", in)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"title": "T", "post_stream": {"posts": [{"id": 1, "post_number": 1, "cooked": "<p>x</p>", "reply_to_post_number": null}], "stream": [1, 2]}}`))
	f.Add([]byte(`{"post_stream": {"posts": [{"id": 2, "post_number": 2, "deleted_at": "2019-12-28T10:00:00.000Z"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if topic, err := ParseTopic(b); err == nil {
			for _, p := range topic.PostStream.Posts {
				comment(p)
			}
		}
		if ps, err := ParsePosts(b); err == nil {
			for _, p := range ps {
				if c := comment(p); c.ID == "" {
					t.Fatal("comment without id")
				}
			}
		}
	})
}
