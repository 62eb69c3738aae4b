package source

import (
	"errors"
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
