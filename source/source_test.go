package source

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"
	"syscall"
	"testing"
)

func TestWithState(t *testing.T) {
	type cursor struct {
		Next string `json:"next"`
		N    int    `json:"n"`
	}
	poll := func(st *cursor, known bool) (Result, error) {
		if known != (st.Next != "") {
			t.Errorf("known = %v with state %+v", known, *st)
		}
		st.Next, st.N = "p2", st.N+1
		return Result{Title: "t"}, nil
	}
	for _, tt := range []struct{ prev, want string }{
		{"", `{"next":"p2","n":1}`},
		{`{"next":"p1","n":4}`, `{"next":"p2","n":5}`},
		{`not json`, `{"next":"p2","n":1}`}, // an unreadable state reads afresh
	} {
		res, err := WithState(tt.prev, "thread 7", poll)
		if err != nil || res.State != tt.want || res.Title != "t" {
			t.Errorf("WithState(%q) = %+v, %v; want State %s", tt.prev, res, err, tt.want)
		}
	}

	boom := errors.New("boom")
	res, err := WithState(`{"next":"p1"}`, "thread 7", func(st *cursor, _ bool) (Result, error) {
		return Result{State: "kept?"}, boom
	})
	if !errors.Is(err, boom) || err.Error() != "thread 7: boom" || res.State != "" {
		t.Errorf("failed poll = %+v, %v; want no state and %q", res, err, "thread 7: boom")
	}
}

func TestReason(t *testing.T) {
	dns := &net.DNSError{Err: "no such host", Name: "news.ycombinator.com", Server: "10.0.0.2:53", IsNotFound: true}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("fetch hn:1: %w", &net.OpError{Op: "dial", Net: "tcp", Err: dns}), "the site's name could not be found"},
		{fmt.Errorf("fetch: %w", &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 443}, Err: syscall.ECONNREFUSED}), "the site could not be reached"},
		{fmt.Errorf("fetch: %w", context.DeadlineExceeded), "the site did not answer in time"},
		{fmt.Errorf("file source: %w", &fs.PathError{Op: "open", Path: "/srv/x.txt", Err: fs.ErrNotExist}), "the file does not exist"},
		{errors.New("something internal at 10.0.0.2"), "the source could not be read"},
	} {
		got := Reason(tc.err)
		if got != tc.want {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
		for _, secret := range []string{"10.0.0.2", "10.1.2.3", "ycombinator", "/srv"} {
			if strings.Contains(got, secret) {
				t.Errorf("Reason(%v) = %q shows %s", tc.err, got, secret)
			}
		}
	}
}
