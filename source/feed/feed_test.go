package feed

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/source/fetch"
	"github.com/threaddigest/threaddigest/source/internal/sourcetest"
)

type fComment struct {
	n, parent    int
	author, html string
}

// fakeWordPress serves a post's comment feed as WordPress writes it: RSS 2.0
// with dc:creator, "By: Name" titles, content:encoded, and an ETag with
// 304 for an unchanged feed; or, for atom, the Atom form with the
// threading extension's thr:in-reply-to.
type fakeWordPress struct {
	mu       sync.Mutex
	comments []fComment
	atom     bool
}

func (f *fakeWordPress) set(cs []fComment) { f.mu.Lock(); f.comments = cs; f.mu.Unlock() }

const post = "https://blog.example/2019/12/huawei/"

func (f *fakeWordPress) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	etag := fmt.Sprintf(`"%d-%d"`, len(f.comments), len(f.comments[len(f.comments)-1].html))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	var b strings.Builder
	if f.atom {
		w.Header().Set("Content-Type", "application/atom+xml; charset=UTF-8")
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
<title type="text">Comments on: Huawei and Europe</title><link rel="alternate" href="` + post + `"/><id>` + post + `feed/atom/</id>
<updated>2019-12-27T14:05:00Z</updated>`)
		for _, c := range f.comments {
			ref := post
			if c.parent > 0 {
				ref = fmt.Sprintf("%s#comment-%d", post, c.parent)
			}
			fmt.Fprintf(&b, `<entry><title>By: %s</title><link rel="alternate" href="%s#comment-%d"/><author><name>%s</name></author>
<id>%s#comment-%d</id><updated>2019-12-27T14:05:00Z</updated><published>2019-12-27T14:05:00Z</published>
<thr:in-reply-to ref="%s" href="%s" type="text/html"/><content type="html"><![CDATA[%s]]></content></entry>`,
				c.author, post, c.n, c.author, post, c.n, ref, ref, c.html)
		}
		b.WriteString("</feed>")
	} else {
		w.Header().Set("Content-Type", "application/rss+xml; charset=UTF-8")
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Comments on: Huawei and Europe</title><link>` + post + `</link><description>A blog</description>
<lastBuildDate>Fri, 27 Dec 2019 14:05:00 +0000</lastBuildDate>`)
		for _, c := range f.comments {
			fmt.Fprintf(&b, `<item><title>By: %s</title><link>%s#comment-%d</link><dc:creator><![CDATA[%s]]></dc:creator>
<pubDate>Fri, 27 Dec 2019 14:05:00 +0000</pubDate><guid isPermaLink="false">%s#comment-%d</guid>
<description><![CDATA[excerpt]]></description><content:encoded><![CDATA[%s]]></content:encoded></item>`,
				c.author, post, c.n, c.author, post, c.n, c.html)
		}
		b.WriteString("</channel></rss>")
	}
	w.Write([]byte(b.String()))
}

var comments = []fComment{
	{n: 1, author: "Anna", html: "<p>Ban them &amp; fast.</p>"},
	{n: 2, parent: 1, author: "Bob", html: "<p>No.</p>"},
}

func TestFetchAndPoll(t *testing.T) {
	for _, atom := range []bool{false, true} {
		t.Run(fmt.Sprintf("atom=%v", atom), func(t *testing.T) {
			f := &fakeWordPress{atom: atom}
			f.set(append([]fComment(nil), comments...))
			fake := sourcetest.NewFake(t, f)
			c, _ := sourcetest.Client(t)
			src := New(fake.URL+"/2019/12/huawei/feed/", c)
			ctx := context.Background()
			first, err := src.Fetch(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			got := sourcetest.ByID(t, first.Comments)
			a := got[post+"#comment-1"]
			if first.Title != "Huawei and Europe" || len(got) != 2 || a.Author != "Anna" || a.Body != "Ban them & fast." ||
				!a.CreatedAt.Equal(time.Date(2019, 12, 27, 14, 5, 0, 0, time.UTC)) {
				t.Fatalf("first: %q %+v", first.Title, first.Comments)
			}
			wantParent := ""
			if atom {
				wantParent = post + "#comment-1"
			}
			if p := got[post+"#comment-2"].ParentID; p != wantParent {
				t.Errorf("parent %q, want %q", p, wantParent)
			}
			if u := got[post+"#comment-2"].URL; u != post+"#comment-2" {
				t.Errorf("URL %q, want the item's link", u)
			}
			idle, err := src.Fetch(ctx, first.State)
			if err != nil || !idle.NotModified {
				t.Fatalf("idle: %+v %v", idle, err)
			}
			next := append([]fComment(nil), comments...)
			next[1].html = "<p>No, edited.</p>"
			next = append(next, fComment{n: 3, author: "Cy", html: "<p>c</p>"}, fComment{n: 4, author: "Dee", html: "<p>d</p>", parent: 3},
				fComment{n: 5, author: "Eve", html: "<p>e</p>"})
			f.set(next)
			second, err := src.Fetch(ctx, idle.State)
			if err != nil {
				t.Fatal(err)
			}
			got = sourcetest.ByID(t, second.Comments)
			if len(got) != 5 || got[post+"#comment-2"].Body != "No, edited." {
				t.Errorf("second: %+v", second.Comments)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	f := &fakeWordPress{}
	f.set(comments)
	fake := sourcetest.NewFake(t, f)
	sourcetest.CheckFailuresSaying(t, fake, "feed "+fake.URL+"/feed/", func(c *fetch.Client) source.Source { return New(fake.URL+"/feed/", c) },
		map[string]string{sourcetest.HTMLPage: "got an HTML page", sourcetest.Truncated: "expected an RSS or Atom feed"})
}

func TestParseSkips(t *testing.T) {
	res, err := Parse([]byte(`<rss version="2.0"><channel><title>T</title>
<item><title>By: A</title><description>no id</description></item>
<item><guid>g1</guid><title>By: B</title><description>&lt;p&gt;one&lt;/p&gt;</description></item>
<item><guid>g1</guid><title>By: C</title><description>again</description></item>
<item><guid>g2</guid><title>By: D</title><description></description></item>
</channel></rss>`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Comments) != 1 || res.Comments[0].Body != "one" || res.Comments[0].Author != "B" || res.Skipped != 3 {
		t.Errorf("comments %+v, skipped %d; want one comment and 3 skipped", res.Comments, res.Skipped)
	}
	for _, body := range []string{"", "<html><body>x</body></html>", "{\"json\": 1}"} {
		if _, err := Parse([]byte(body)); err == nil {
			t.Errorf("Parse(%q) accepted", body)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`<rss version="2.0"><channel><item><guid>g</guid><description>x</description></item></channel></rss>`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><content>x</content></entry></feed>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Parse(b)
		if err == nil {
			for _, c := range res.Comments {
				if c.ID == "" || c.Body == "" {
					t.Fatalf("bad comment %+v", c)
				}
			}
		}
	})
}
