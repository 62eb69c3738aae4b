package reddit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
	"github.com/threaddigest/threaddigest/source/internal/sourcetest"
)

// fakeComment is one comment on the fake Reddit.
type fakeComment struct {
	id, parent, author, flair, body string
	score                           int
	hidden                          bool // behind a `more` stub
	deep                            bool // behind a "continue this thread" stub
}

// fakeReddit serves a post's comments the way Reddit's JSON API shapes
// them: a two-listing array, t1 things with nested "replies" listings ("" when
// none), a `more` stub for hidden comments, and /api/morechildren.
type fakeReddit struct {
	mu       sync.Mutex
	comments []fakeComment
	token    string // when set, requests need "bearer TOKEN"
}

func (f *fakeReddit) set(cs []fakeComment) { f.mu.Lock(); f.comments = cs; f.mu.Unlock() }

func t1Data(c fakeComment, replies any) map[string]any {
	d := map[string]any{
		"id": c.id, "name": "t1_" + c.id, "author": c.author, "author_fullname": "t2_" + c.author,
		"body": c.body, "body_html": `<div class="md"><p>` + strings.ReplaceAll(c.body, "\n\n", "</p>\n\n<p>") + "</p>\n</div>",
		"created_utc": 1577455500.0, "score": c.score, "link_id": "t3_abc123", "parent_id": "t3_abc123",
		"replies": replies, "edited": false, "author_flair_text": nil, "depth": 0,
	}
	if c.parent != "" {
		d["parent_id"] = "t1_" + c.parent
	}
	if c.flair != "" {
		d["author_flair_text"] = c.flair
	}
	if c.body == "[deleted]" {
		d["author"] = "[deleted]"
		delete(d, "author_fullname")
		d["body_html"] = `<div class="md"><p>[deleted]</p>\n</div>`
	}
	return d
}

func (f *fakeReddit) children(parent string) []any {
	return f.childrenOf(parent, false)
}

// childrenOf renders parent's replies; top is true on a continue-thread page,
// where the deep replies are shown.
func (f *fakeReddit) childrenOf(parent string, top bool) []any {
	var out []any
	var hidden []string
	deep := false
	for _, c := range f.comments {
		if c.parent != parent {
			continue
		}
		if c.deep && !top {
			deep = true
			continue
		}
		if c.hidden {
			hidden = append(hidden, c.id)
			continue
		}
		var replies any = ""
		if kids := f.children(c.id); len(kids) > 0 {
			replies = map[string]any{"kind": "Listing", "data": map[string]any{"children": kids, "after": nil, "before": nil}}
		}
		out = append(out, map[string]any{"kind": "t1", "data": t1Data(c, replies)})
	}
	if deep {
		out = append(out, map[string]any{"kind": "more", "data": map[string]any{
			"count": 0, "name": "t1__", "id": "_", "parent_id": "t1_" + parent, "depth": 10, "children": []any{}}})
	}
	if len(hidden) > 0 {
		pid := "t3_abc123"
		if parent != "" {
			pid = "t1_" + parent
		}
		out = append(out, map[string]any{"kind": "more", "data": map[string]any{
			"count": len(hidden), "name": "t1_" + hidden[0], "id": hidden[0], "parent_id": pid, "depth": 0, "children": hidden}})
	}
	return out
}

func (f *fakeReddit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if f.token != "" && r.URL.Path != "/api/v1/access_token" && r.Header.Get("Authorization") != "bearer "+f.token {
		http.Error(w, `{"message": "Unauthorized", "error": 401}`, http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case "/api/v1/access_token":
		user, pass, ok := r.BasicAuth()
		if !ok || user != "app-id" || pass != "app-secret" || r.FormValue("grant_type") != "client_credentials" {
			http.Error(w, `{"error": 401, "message": "Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": f.token, "token_type": "bearer", "expires_in": 86400, "scope": "*"})
	case "/comments/abc123.json":
		if r.URL.Query().Get("raw_json") != "1" {
			http.Error(w, "raw_json missing", http.StatusBadRequest)
			return
		}
		post := map[string]any{"kind": "Listing", "data": map[string]any{"children": []any{map[string]any{"kind": "t3", "data": map[string]any{
			"id": "abc123", "name": "t3_abc123", "title": "Huawei and Europe's 5G", "permalink": "/r/europe/comments/abc123/huawei/", "num_comments": len(f.comments)}}}}}
		comments := map[string]any{"kind": "Listing", "data": map[string]any{"children": f.children(""), "after": nil, "before": nil}}
		json.NewEncoder(w).Encode([]any{post, comments})
	case "/comments/abc123/_/c2.json":
		var c2 fakeComment
		for _, c := range f.comments {
			if c.id == "c2" {
				c2 = c
			}
		}
		replies := map[string]any{"kind": "Listing", "data": map[string]any{"children": f.childrenOf("c2", true)}}
		post := map[string]any{"kind": "Listing", "data": map[string]any{"children": []any{map[string]any{"kind": "t3", "data": map[string]any{"id": "abc123", "title": "Huawei and Europe's 5G"}}}}}
		json.NewEncoder(w).Encode([]any{post, map[string]any{"kind": "Listing", "data": map[string]any{"children": []any{map[string]any{"kind": "t1", "data": t1Data(c2, replies)}}}}})
	case "/api/morechildren.json":
		if r.URL.Query().Get("link_id") != "t3_abc123" || r.URL.Query().Get("api_type") != "json" {
			http.Error(w, `{"json": {"errors": [["BAD_REQUEST", "bad", "link_id"]]}}`, http.StatusBadRequest)
			return
		}
		want := map[string]bool{}
		for _, id := range strings.Split(r.URL.Query().Get("children"), ",") {
			want[id] = true
		}
		// limit_children=false: descendants of the asked-for comments too.
		for grew := true; grew; {
			grew = false
			for _, c := range f.comments {
				if want[c.parent] && !want[c.id] {
					want[c.id], grew = true, true
				}
			}
		}
		var things []any
		for _, c := range f.comments {
			if want[c.id] {
				things = append(things, map[string]any{"kind": "t1", "data": t1Data(c, "")})
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"json": map[string]any{"errors": []any{}, "data": map[string]any{"things": things}}})
	default:
		http.NotFound(w, r)
	}
}

var thread = []fakeComment{
	{id: "c1", author: "anna", flair: ":flag-de: Köln", body: "Ban them from the core network.", score: 12},
	{id: "c2", parent: "c1", author: "bob", flair: "Boulder, CO", body: "No, that is paranoid.\n\nThey are cheaper.", score: 3},
	{id: "c3", parent: "c2", author: "cy", body: "[deleted]"},
	{id: "c4", author: "dee", body: "Hidden behind a more stub.", hidden: true},
	{id: "c5", parent: "c1", author: "eve", body: "Also hidden.", hidden: true},
}

func open(t *testing.T, f *sourcetest.Fake, c *fetch.Client, cfg Config) *Source {
	t.Helper()
	s, err := New(f.URL+"/r/europe/comments/abc123/huawei_and_europes_5g/", cfg, c, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFirstFetchAndPoll(t *testing.T) {
	fr := &fakeReddit{}
	fr.set(append([]fakeComment(nil), thread...))
	fake := sourcetest.NewFake(t, fr)
	c, _ := sourcetest.Client(t)
	src := open(t, fake, c, Config{})
	ctx := context.Background()

	first, err := src.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if first.Title != "Huawei and Europe's 5G" || first.URL != "https://www.reddit.com/r/europe/comments/abc123/huawei/" {
		t.Errorf("title %q url %q", first.Title, first.URL)
	}
	got := sourcetest.ByID(t, first.Comments)
	if len(got) != 5 {
		t.Fatalf("%d comments, want 5 (two behind a more stub): %+v", len(got), first.Comments)
	}
	if c := got["c1"]; c.Location != "Köln" || c.Author != "anna" || c.AuthorID != "t2_anna" || c.Likes != 12 || c.ParentID != "" ||
		!c.CreatedAt.Equal(time.Unix(1577455500, 0)) || c.Body != "Ban them from the core network." {
		t.Errorf("c1 = %+v", c)
	}
	if c := got["c2"]; c.ParentID != "c1" || c.Body != "No, that is paranoid.\n\nThey are cheaper." || c.Location != "Boulder, CO" {
		t.Errorf("c2 = %+v", c)
	}
	if c := got["c3"]; !c.Deleted || c.Body != "" {
		t.Errorf("deleted c3 = %+v", c)
	}
	if c := got["c5"]; c.ParentID != "c1" || c.Body != "Also hidden." {
		t.Errorf("c5 (from morechildren) = %+v", c)
	}
	for id, c := range got {
		if want := "https://www.reddit.com/r/europe/comments/abc123/huawei/" + id + "/"; c.URL != want {
			t.Errorf("%s: URL %q, want its permalink %s", id, c.URL, want)
		}
	}

	// Three new comments and one edit.
	next := append([]fakeComment(nil), thread...)
	next[1].body = "No, that is paranoid. (edited)"
	next = append(next,
		fakeComment{id: "c6", author: "fay", body: "New one."},
		fakeComment{id: "c7", parent: "c6", author: "gus", body: "A reply."},
		fakeComment{id: "c8", parent: "c4", author: "hal", body: "Reply to a hidden one.", hidden: true})
	fr.set(next)
	second, err := src.Fetch(ctx, first.State)
	if err != nil {
		t.Fatal(err)
	}
	got = sourcetest.ByID(t, second.Comments)
	if len(got) != 8 {
		t.Fatalf("second poll: %d comments, want 8", len(got))
	}
	if got["c2"].Body != "No, that is paranoid. (edited)" || got["c8"].ParentID != "c4" || got["c7"].ParentID != "c6" {
		t.Errorf("edit or new replies wrong: %+v %+v %+v", got["c2"], got["c8"], got["c7"])
	}
}

func TestContinueThisThread(t *testing.T) {
	fr := &fakeReddit{}
	fr.set(append(append([]fakeComment(nil), thread[:2]...), fakeComment{id: "d1", parent: "c2", author: "deep", body: "Ten levels down.", deep: true}))
	fake := sourcetest.NewFake(t, fr)
	c, _ := sourcetest.Client(t)
	res, err := open(t, fake, c, Config{}).Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	got := sourcetest.ByID(t, res.Comments)
	if d := got["d1"]; d.ParentID != "c2" || d.Body != "Ten levels down." || len(got) != 3 {
		t.Errorf("continue-thread comment: %+v (of %d)", d, len(got))
	}
}

func TestPageCeiling(t *testing.T) {
	fr := &fakeReddit{}
	var cs []fakeComment
	for i := 0; i < 250; i++ {
		cs = append(cs, fakeComment{id: "m" + string(rune('a'+i/26)) + string(rune('a'+i%26)), author: "u", body: "hidden", hidden: true})
	}
	fr.set(cs)
	fake := sourcetest.NewFake(t, fr)
	c, _ := sourcetest.Client(t)
	src, err := New(fake.URL+"/comments/abc123/", Config{}, c, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Comments) != 100 {
		t.Fatalf("%d comments with a 2-page ceiling, want 100 (one morechildren call)", len(res.Comments))
	}
	if reqs := fake.Requests(); len(reqs) != 2 {
		t.Errorf("requests %v, want 2", reqs)
	}
	// The next polls go on with the stubs not yet expanded.
	seen := map[string]bool{}
	for _, c := range res.Comments {
		seen[c.ID] = true
	}
	state := res.State
	for range 2 {
		res, err = src.Fetch(context.Background(), state)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Comments {
			seen[c.ID] = true
		}
		state = res.State
	}
	if len(seen) != 250 {
		t.Errorf("three polls expanded %d of 250 hidden comments", len(seen))
	}
}

func TestOAuth(t *testing.T) {
	fr := &fakeReddit{token: "tok-1"}
	fr.set(thread[:2])
	fake := sourcetest.NewFake(t, fr)
	c, _ := sourcetest.Client(t)
	src, err := New("https://www.reddit.com/r/europe/comments/abc123/x/",
		Config{ClientID: "app-id", ClientSecret: "app-secret", TokenURL: fake.URL + "/api/v1/access_token", APIURL: fake.URL}, c, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Comments) != 2 {
		t.Errorf("%d comments", len(res.Comments))
	}
	if _, err := New("https://www.reddit.com/comments/abc123/", Config{ClientID: "x"}, c, 0, nil); err == nil {
		t.Error("client id without secret accepted")
	}
	bad, _ := New("https://www.reddit.com/comments/abc123/", Config{ClientID: "app-id", ClientSecret: "wrong", TokenURL: fake.URL + "/api/v1/access_token", APIURL: fake.URL}, c, 0, nil)
	if _, err := bad.Fetch(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "OAuth token") || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong secret: err = %v", err)
	}
}

func TestFailures(t *testing.T) {
	fr := &fakeReddit{}
	fr.set(thread[:3])
	fake := sourcetest.NewFake(t, fr)
	sourcetest.CheckFailures(t, fake, "reddit thread abc123", func(c *fetch.Client) source.Source { return open(t, fake, c, Config{}) })
}

func TestMalformedPayloads(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"object not array", `{"kind": "Listing"}`, "expected an array of two listings"},
		{"one listing", `[{"kind": "Listing", "data": {"children": []}}]`, "found 1"},
		{"no post", `[{"kind": "Listing", "data": {"children": []}}, {"kind": "Listing", "data": {"children": []}}]`, "holds no post"},
		{"comment without id", `[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc123", "title": "T"}}]}}, {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"body": "x"}}]}}]`, "has no id"},
		{"body of wrong type", `[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc123"}}]}}, {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "c1", "body": 5}}]}}]`, "comment:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := sourcetest.NewFake(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.body)) }))
			c, _ := sourcetest.Client(t)
			_, err := open(t, fake, c, Config{}).Fetch(context.Background(), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "reddit thread abc123") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	for _, u := range []string{"not a url", "https://www.reddit.com/r/europe/", "/comments/abc"} {
		if _, err := New(u, Config{}, nil, 0, nil); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

func FuzzParseListing(f *testing.F) {
	f.Add([]byte(`[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc123", "title": "T"}}]}}, {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "c1", "body": "x", "replies": {"kind": "Listing", "data": {"children": [{"kind": "more", "data": {"children": ["c2"]}}]}}}}]}}]`))
	f.Add([]byte(`[{}, {}]`))
	f.Add([]byte(`{"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": {"id": "c1", "body_html": "<p>x</p>"}}]}}}`))
	f.Add([]byte(redditOrder))
	f.Add(chain(40, false))
	f.Add(chain(40, true))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, cs, _, _ := ParseListing(b)
		more, _, _ := ParseMoreChildren(b)
		for _, c := range append(cs, more...) {
			if c.ID == "" {
				t.Fatalf("comment without id: %+v", c)
			}
		}
	})
}

// redditOrder is an answer written in Reddit's own key order (kind before
// data, replies before id), where the fake above writes sorted keys.
const redditOrder = `[{"kind": "Listing", "data": {"after": null, "children": [{"kind": "t3", "data": {"title": "Free buses?", "id": "abc123", "permalink": "/r/europe/comments/abc123/x/"}}]}},
{"kind": "Listing", "data": {"after": null, "dist": 2, "children": [
 {"kind": "t1", "data": {"subreddit_id": "t5_2qh4j", "likes": null, "replies": {"kind": "Listing", "data": {"after": null, "children": [
   {"kind": "t1", "data": {"replies": "", "id": "r1", "author": "[deleted]", "parent_id": "t1_c1", "score": 1, "body": "[removed]", "body_html": "<div class=\"md\"><p>[removed]</p>\n</div>", "author_flair_text": null, "gildings": {}, "all_awardings": []}},
   {"kind": "more", "data": {"count": 3, "name": "t1_r2", "id": "r2", "parent_id": "t1_c1", "depth": 1, "children": ["r2", "r3"]}}]}},
  "user_reports": [], "id": "c1", "author": "anna", "created_utc": 1577455500.0, "parent_id": "t3_abc123", "score": -2, "author_fullname": "t2_anna",
  "body": "Fares \u0026 \"service\" \\ both matter.\n\nSecond paragraph.", "edited": 1577459100.0, "author_flair_richtext": [{"e": "emoji", "a": ":flag-de:"}],
  "author_flair_text": ":flag-de: K\u00f6ln", "body_html": "<div class=\"md\"><p>Fares &amp; &quot;service&quot; \\ both matter.</p>\n\n<p>Second paragraph.</p>\n</div>", "depth": 0}},
 {"kind": "more", "data": {"count": 0, "name": "t1__", "id": "_", "parent_id": "t1_c1", "depth": 10, "children": []}},
 {"kind": "t5", "data": {"replies": {"kind": "Listing", "data": 5}}}
]}}]`

func TestParseRedditOrder(t *testing.T) {
	post, cs, mores, err := ParseListing([]byte(redditOrder))
	if err != nil {
		t.Fatal(err)
	}
	if post != (Post{ID: "abc123", Title: "Free buses?", Permalink: "/r/europe/comments/abc123/x/"}) {
		t.Errorf("post %+v", post)
	}
	if len(cs) != 2 || cs[0].ID != "c1" || cs[1].ID != "r1" {
		t.Fatalf("comments %+v: want c1 then its reply r1", cs)
	}
	c1 := cs[0]
	if c1.Author != "anna" || c1.AuthorID != "t2_anna" || c1.Location != "Köln" || c1.Likes != -2 || c1.ParentID != "" ||
		!c1.CreatedAt.Equal(time.Unix(1577455500, 0)) || c1.Body != "Fares & \"service\" \\ both matter.\n\nSecond paragraph." || c1.Deleted {
		t.Errorf("c1 = %+v", c1)
	}
	if r1 := cs[1]; !r1.Deleted || r1.Author != "" || r1.Body != "" || r1.ParentID != "c1" {
		t.Errorf("removed r1 = %+v", r1)
	}
	want := []More{{ID: "r2", ParentID: "t1_c1", Count: 3, Children: []string{"r2", "r3"}}, {ID: "_", ParentID: "t1_c1", Children: []string{}}}
	if !reflect.DeepEqual(mores, want) {
		t.Errorf("more stubs %+v, want %+v", mores, want)
	}
}

// chain is an answer whose comments reply to each other depth levels deep,
// in Reddit's key order or (sorted) with data before kind.
func chain(depth int, sorted bool) []byte {
	var b strings.Builder
	b.WriteString(`[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "p"}}]}}, {"kind": "Listing", "data": {"children": [`)
	for d := range depth {
		if sorted {
			fmt.Fprintf(&b, `{"data": {"author": "u", "body": "level %d", "id": "d%d", "parent_id": %q, "replies": {"data": {"children": [`, d, d, chainParent(d))
		} else {
			b.WriteString(`{"kind": "t1", "data": {"replies": {"kind": "Listing", "data": {"children": [`)
		}
	}
	for d := depth - 1; d >= 0; d-- {
		if sorted {
			b.WriteString(`]}}}, "kind": "t1"}`)
		} else {
			fmt.Fprintf(&b, `]}}, "id": "d%d", "parent_id": %q, "author": "u", "body": "level %d"}}`, d, chainParent(d), d)
		}
	}
	b.WriteString(`]}}]`)
	return []byte(b.String())
}

func chainParent(d int) string {
	if d == 0 {
		return "t3_p"
	}
	return fmt.Sprintf("t1_d%d", d-1)
}

func TestParseDepth(t *testing.T) {
	for _, sorted := range []bool{false, true} {
		// maxDepth+1 levels: the top and maxDepth levels of replies.
		_, cs, _, err := ParseListing(chain(maxDepth+1, sorted))
		if err != nil {
			t.Fatalf("sorted %v: %d levels: %v", sorted, maxDepth+1, err)
		}
		if len(cs) != maxDepth+1 {
			t.Fatalf("sorted %v: %d comments, want %d", sorted, len(cs), maxDepth+1)
		}
		for d, c := range cs {
			if c.ID != fmt.Sprintf("d%d", d) || c.Body != fmt.Sprintf("level %d", d) || (d > 0 && c.ParentID != fmt.Sprintf("d%d", d-1)) {
				t.Fatalf("sorted %v: comment %d = %+v: want parents first, each replying to the one before", sorted, d, c)
			}
		}
		_, cs, _, err = ParseListing(chain(maxDepth+2, sorted))
		want := fmt.Sprintf("replies of d%d: replies nested more than %d deep", maxDepth, maxDepth)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "at byte") || cs != nil {
			t.Errorf("sorted %v: %d levels: err %v, %d comments; want an error saying %q and where", sorted, maxDepth+2, err, len(cs), want)
		}
	}
}

func TestParseProblems(t *testing.T) {
	const post = `{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "p"}}]}}`
	list := func(things string) []byte {
		return []byte(`[` + post + `, {"kind": "Listing", "data": {"children": [` + things + `]}}]`)
	}
	tests := []struct {
		name, things string
		want         string // "" when the answer reads, with the ids in ids
		ids          string
	}{
		{"reply without id", `{"kind": "t1", "data": {"id": "c1", "body": "x", "replies": {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"body": "y"}}]}}}}`,
			"replies of c1: a comment (kind t1) has no id (at byte", ""},
		{"replies of the wrong shape", `{"kind": "t1", "data": {"replies": {"kind": "Listing", "data": {"children": 5}}, "id": "c1"}}`,
			"replies of c1: children is a number, expected an array", ""},
		{"score not a whole number", `{"kind": "t1", "data": {"id": "c1", "score": 1.5}}`, "comment: score: json: cannot unmarshal number 1.5", ""},
		{"kind not a string", `{"kind": 1, "data": {"id": "c1"}}`, "kind: json: cannot unmarshal number", ""},
		{"comment without data", `{"kind": "t1"}`, "has no data", ""},
		// What a comment does not read cannot spoil it, nor can a thing
		// that is not a comment, whatever the order of its keys.
		{"problems in what is not read", `{"kind": "t1", "data": {"id": "c1", "body": "x", "count": "many", "children": 5, "depth": "deep"}},
			{"data": {"body": 5, "replies": {"data": {"children": [{"kind": "t1", "data": {}}]}}}, "kind": "t5"},
			{"data": {"replies": {"kind": "Listing", "data": 7}, "children": ["c9"], "parent_id": "t3_p"}, "kind": "more"}`, "", "c1"},
		// encoding/json's rules: keys match case-insensitively, the last of a
		// repeated key counts.
		{"repeated and folded keys", `{"KIND": "t1", "Data": {"id": "c1", "body": "first", "replies": {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "gone"}}]}},
			"Body": "second", "replies": ""}}, {"kind": "t1", "data": {"id": "c2", "body": "x"}, "data": {"id": "c3", "body": "y"}}`, "", "c1,c3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, cs, _, err := ParseListing(list(tt.things))
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("err = %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			if strings.Join(ids, ",") != tt.ids {
				t.Errorf("comments %v, want %s", ids, tt.ids)
			}
		})
	}
	_, cs, _, _ := ParseListing(list(`{"kind": "t1", "data": {"id": "c1", "body": "second", "Body": "first"}}`))
	if len(cs) != 1 || cs[0].Body != "first" {
		t.Errorf("repeated body: %+v, want the last (\"first\")", cs)
	}
}
