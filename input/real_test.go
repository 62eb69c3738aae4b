package input

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// The exact --map strings README gives for the real sets.
const (
	rumourEvalMap = "id=tweet_id,parent_id=parent_id,author=user_screen_name,author_id=user_id,location=user_location,body=text,thread=thread_id,created_at=created_at"
	globeMap      = "id=ID,parent_id=parentID,author=author,body=text,thread=article_id,created_at=timestamp,likes=posVotes,deleted=status"
)

func TestRealSets(t *testing.T) {
	tests := []struct {
		path     []string
		mapping  string
		format   Format
		threads  int
		comments int
		deleted  int
		withTime bool
		withLoc  bool
		replies  bool
	}{
		{[]string{"nyt-comments-kaggle-samples", "CommentsMay2017_sample.csv"}, "", CSV, 2, 299, 0, true, true, true},
		{[]string{"nyt-comments-kaggle-samples", "CommentsMarch2018_sample.csv"}, "", CSV, 3, 149, 0, true, true, false},
		{[]string{"rumoureval2017-twitter-threads", "tweets.jsonl"}, rumourEvalMap, JSONL, 325, 5568, 0, true, true, true},
		{[]string{"globe-and-mail-comment-threads-sfu", "old_comments.csv"}, globeMap, CSV, 38, 2153, 48, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.path[len(tt.path)-1], func(t *testing.T) {
			path := shareddata.Path(t, tt.path...)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := ParseMap(tt.mapping)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Read(f, path, Options{Map: m})
			if err != nil {
				t.Fatal(err)
			}
			if res.Format != tt.format {
				t.Errorf("format %q, want %q", res.Format, tt.format)
			}
			if len(res.Skipped) != 0 {
				t.Errorf("%d skipped, want none; first: %v", len(res.Skipped), res.Skipped[0].Error())
			}
			if len(res.Warnings) != 0 {
				t.Errorf("%d warnings, want none; first: %v", len(res.Warnings), res.Warnings[0].Error())
			}
			if len(res.Threads) != tt.threads || res.Comments() != tt.comments {
				t.Errorf("%d threads, %d comments; want %d, %d", len(res.Threads), res.Comments(), tt.threads, tt.comments)
			}
			deleted, timed, located, replies, orphans := 0, 0, 0, 0, 0
			for _, th := range res.Threads {
				ids := map[string]bool{}
				for _, c := range th.Comments {
					ids[c.ID] = true
				}
				for _, c := range th.Comments {
					if c.Deleted {
						deleted++
					}
					if !c.CreatedAt.IsZero() {
						timed++
						if y := c.CreatedAt.Year(); y < 2005 || y > 2025 {
							t.Errorf("comment %s: implausible time %v", c.ID, c.CreatedAt)
						}
					}
					if c.Location != "" {
						located++
					}
					if c.ParentID != "" {
						replies++
						if !ids[c.ParentID] {
							orphans++
						}
					}
					if !utf8.ValidString(c.Body) || strings.Contains(c.Body, "<br") || strings.Contains(c.Body, "&amp;") {
						t.Errorf("comment %s: body not plain text: %q", c.ID, c.Body)
					}
				}
			}
			if deleted != tt.deleted {
				t.Errorf("%d deleted, want %d", deleted, tt.deleted)
			}
			if tt.withTime && timed != tt.comments {
				t.Errorf("%d of %d comments have a time", timed, tt.comments)
			}
			if tt.withLoc && located == 0 {
				t.Errorf("no locations read")
			}
			if tt.replies && replies == 0 {
				t.Errorf("no reply links read")
			}
			t.Logf("%d threads, %d comments, %d replies (%d with parent outside the thread), %d located, %d deleted", len(res.Threads), res.Comments(), replies, orphans, located, deleted)
		})
	}
}

// The April 2017 NYT sample has no comment text: it must fail saying so.
func TestRealMetadataOnly(t *testing.T) {
	path := shareddata.Path(t, "nyt-comments-kaggle-samples", "CommentsApril2017_metadata_only_sample.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Read(f, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "missing columns") || !strings.Contains(err.Error(), "body") || !strings.Contains(err.Error(), ":1:") {
		t.Fatalf("err = %v, want missing body column on line 1", err)
	}
}
