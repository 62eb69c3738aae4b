package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestDigestLiveAddress: `digest` reads a live address as it reads a file.
func TestDigestLiveAddress(t *testing.T) {
	tf := newThreadFile(t, filepath.Join(t.TempDir(), "unused.txt"))
	srv := httptest.NewServer(&fakeRedditThread{blocks: tf.blocks, n: 12})
	defer srv.Close()
	var stdout, stderr strings.Builder
	err := Run(context.Background(), []string{"digest", "--format", "json", "reddit:" + srv.URL + "/r/europe/comments/abc123/huawei/"},
		Env{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatalf("digest: %v\n%s", err, stderr.String())
	}
	var d struct {
		Title        string `json:"title"`
		CommentCount int    `json:"comment_count"`
		Comments     []struct {
			ID       string `json:"id"`
			Location string `json:"location"`
		} `json:"comments"`
	}
	if err := json.Unmarshal([]byte(stdout.String()), &d); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout.String())
	}
	if d.Title != "Should Europe let Huawei build its 5G networks?" || d.CommentCount != 12 || d.Comments[0].ID != "c1" {
		t.Errorf("digest = %+v", d)
	}
}

// Here there is no internet: a live address fails with a clear network
// error, exit status 1.
func TestDigestLiveAddressUnreachable(t *testing.T) {
	t.Parallel() // waits on real deadlines and connections more than it computes
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	var stderr strings.Builder
	err = Run(context.Background(), []string{"digest", "hn:http://" + closed + "/api/v1/items/8863"}, Env{Stderr: &stderr})
	if err == nil || !strings.Contains(err.Error(), "hn item 8863") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want a connection error naming the item", err)
	}
	if code := exitCode(err, &stderr); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	err = Run(context.Background(), []string{"digest", "https://blog.example/post/1"}, Env{Stderr: &stderr})
	if code := exitCode(err, &stderr); code != 2 || !strings.Contains(err.Error(), "cannot tell which kind of site") {
		t.Errorf("unknown site: exit %d, err %v", code, err)
	}
}
