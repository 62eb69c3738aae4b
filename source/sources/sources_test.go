package sources

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/threaddigest/threaddigest/source/disqus"
	"github.com/threaddigest/threaddigest/source/fetch"
	"github.com/threaddigest/threaddigest/source/hackernews"
	"github.com/threaddigest/threaddigest/source/jsonapi"
)

func TestParseAddress(t *testing.T) {
	tests := []struct{ in, kind, target string }{
		{"examples/huawei.txt", KindFile, "examples/huawei.txt"},
		{"-", KindFile, "-"},
		{"file:C:odd:name.csv", KindFile, "C:odd:name.csv"},
		{"reddit:https://www.reddit.com/r/europe/comments/abc123/x/", KindReddit, "https://www.reddit.com/r/europe/comments/abc123/x/"},
		{"https://old.reddit.com/r/europe/comments/abc123/x/", KindReddit, "https://old.reddit.com/r/europe/comments/abc123/x/"},
		{"hn:8863", KindHN, "8863"},
		{"https://news.ycombinator.com/item?id=8863", KindHN, "https://news.ycombinator.com/item?id=8863"},
		{"discourse:https://meta.discourse.org/t/x/1", KindDiscourse, "https://meta.discourse.org/t/x/1"},
		{"disqus:forum/123", KindDisqus, "forum/123"},
		{"feed:https://blog.example/p/feed/", KindFeed, "https://blog.example/p/feed/"},
		{"json:mysite", KindJSON, "mysite"},
	}
	for _, tt := range tests {
		a, err := ParseAddress(tt.in)
		if err != nil || a.Kind != tt.kind || a.Target != tt.target {
			t.Errorf("ParseAddress(%q) = %+v, %v; want %s %q", tt.in, a, err, tt.kind, tt.target)
		}
		if a.Live() != (tt.kind != KindFile) {
			t.Errorf("%q: Live() = %v", tt.in, a.Live())
		}
	}
	for in, want := range map[string]string{
		"":                            "empty thread address",
		"reddit:":                     "nothing after",
		"https://blog.example/post/1": "cannot tell which kind of site",
		"https://":                    "not a valid URL",
	} {
		if _, err := ParseAddress(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAddress(%q) err = %v, want %q", in, err, want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	s := Settings{JSON: map[string]jsonapi.Mapping{"site": {URL: "https://api.example/c", ID: "id", Body: "b"}, "nourl": {ID: "id", Body: "b"}}}
	for spec, want := range map[string]string{
		"disqus:forum/123":                   "API key is needed",
		"disqus:nothread":                    "expected FORUM/THREAD-ID",
		"hn:abc":                             "expected an item id",
		"reddit:https://www.reddit.com/":     "no /comments/ID",
		"discourse:https://x.example/latest": "not a topic URL",
		"feed:ftp://x.example/feed":          "expected an http(s) URL",
		"json:other":                         "no mapping of that name in [sources.json] (mappings: nourl, site)",
		"json:nourl":                         "has no url",
		"json:https://other.example/":        "no mapping in [sources.json] has this url",
	} {
		if _, err := Open(spec, s, Deps{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) err = %v, want %q", spec, err, want)
		}
	}
}

func TestOpenCredentialsFromEnvironment(t *testing.T) {
	env := map[string]string{"THREADDIGEST_DISQUS_API_KEY": "k"}
	if _, err := Open("disqus:forum/123", Settings{}, Deps{Getenv: func(k string) string { return env[k] }}); err != nil {
		t.Errorf("key from the environment not used: %v", err)
	}
	env = map[string]string{"THREADDIGEST_REDDIT_CLIENT_ID": "id"}
	if _, err := Open("reddit:https://www.reddit.com/comments/abc/", Settings{}, Deps{Getenv: func(k string) string { return env[k] }}); err == nil || !strings.Contains(err.Error(), "client_secret") {
		t.Errorf("client id without secret: %v", err)
	}
}

func TestOpenEachKind(t *testing.T) {
	// One fake answering every API at its usual path, just enough to show
	// that Open wires each address to its source.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/comments/abc123.json"):
			w.Write([]byte(`[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc123", "title": "R"}}]}},
				{"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "c1", "author": "a", "body": "x", "replies": ""}}]}}]`))
		case r.URL.Path == "/api/v1/items/8863":
			w.Write([]byte(`{"id": 8863, "title": "H", "children": [{"id": 1, "author": "a", "text": "x", "children": []}]}`))
		case r.URL.Path == "/t/7.json":
			w.Write([]byte(`{"id": 7, "title": "D", "slug": "d", "post_stream": {"posts": [{"id": 70, "post_number": 2, "username": "a", "cooked": "<p>x</p>"}], "stream": [70]}}`))
		case r.URL.Path == "/api/3.0/threads/listPosts.json":
			w.Write([]byte(`{"code": 0, "cursor": {"hasNext": false}, "response": [{"id": "1", "message": "<p>x</p>", "author": {"name": "a"}}]}`))
		case r.URL.Path == "/feed/":
			w.Write([]byte(`<rss version="2.0"><channel><title>F</title><item><guid>g</guid><title>By: a</title><description>x</description></item></channel></rss>`))
		case r.URL.Path == "/api/c":
			w.Write([]byte(`[{"id": 1, "b": "x", "who": "a"}]`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s := Settings{
		HN:     hackernews.Config{FirebaseURL: srv.URL + "/v0"},
		Disqus: disqus.Config{APIKey: "k", APIURL: srv.URL + "/api/3.0"},
		JSON:   map[string]jsonapi.Mapping{"site": {URL: srv.URL + "/api/c", ID: "id", Body: "b", Author: "who"}},
	}
	path := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(path, []byte("T\n\nDec 27, 2019 · 1 comment\nA (X)\nx\n"), 0o644)
	for _, spec := range []string{
		path,
		"reddit:" + srv.URL + "/r/x/comments/abc123/y/",
		"hn:" + srv.URL + "/api/v1/items/8863",
		"discourse:" + srv.URL + "/t/d/7",
		"disqus:forum/1",
		"feed:" + srv.URL + "/feed/",
		"json:site",
		"json:" + srv.URL + "/api/c",
	} {
		src, err := Open(spec, s, Deps{})
		if err != nil {
			t.Errorf("Open(%q): %v", spec, err)
			continue
		}
		res, err := src.Fetch(context.Background(), "")
		if err != nil || len(res.Comments) != 1 || res.Comments[0].Body != "x" {
			t.Errorf("%s: %+v, %v", spec, res, err)
		}
	}
}

// Where there is no network, a live address fails with a clear network
// error naming the source, after its retries.
func TestNetworkError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	var waits []time.Duration
	src, err := Open("reddit:http://"+closed+"/r/x/comments/abc123/y/", Settings{}, Deps{Fetch: fetch.Config{
		Seed: 1, Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Fetch(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "reddit thread abc123") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v, want a connection error naming the thread", err)
	}
	if len(waits) != 3 {
		t.Errorf("waits %v, want 3 retries", waits)
	}
}

func TestSettingsTOML(t *testing.T) {
	const conf = `
user_agent = "threaddigest/1.0 by u/newsdesk"
timeout = "15s"
max_pages = 5
requests_per_minute = 30

[reddit]
client_id = "abc"
client_secret = "def"

[disqus]
api_key = "pub"

[json.mysite]
url = "https://api.example/comments?article=42"
items = "data.comments"
id = "id"
body = "text"
next = "paging.next"
headers = { Authorization = "Token x" }
`
	var s Settings
	dec := toml.NewDecoder(strings.NewReader(conf)).DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatal(err)
	}
	if s.Timeout.D() != 15*time.Second || s.MaxPages != 5 || s.Reddit.ClientSecret != "def" || s.Disqus.APIKey != "pub" ||
		s.JSON["mysite"].Items != "data.comments" || s.JSON["mysite"].Headers["Authorization"] != "Token x" {
		t.Errorf("decoded %+v", s)
	}
	if err := toml.Unmarshal([]byte(`timeout = "soon"`), &s); err == nil || !strings.Contains(err.Error(), "duration") {
		t.Errorf("bad duration: %v", err)
	}
}
