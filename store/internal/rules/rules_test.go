package rules

import (
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
)

func TestDecideClaim(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	live, expired := now.Add(time.Second), now // a lease ending now has expired
	tests := []struct {
		state  store.RunState
		holder string
		until  time.Time
		want   ClaimAction
	}{
		{store.RunClaimed, "other", live, Refuse},
		{store.RunClaimed, "me", live, TakeOver},
		{store.RunClaimed, "other", expired, TakeOver},
		{store.RunPosting, "other", live, Refuse},
		{store.RunPosting, "me", live, Refuse},
		{store.RunPosting, "other", expired, MarkUncertain},
		{store.RunPosting, "me", expired, MarkUncertain},
		{store.RunPosted, "other", expired, Refuse},
		{store.RunFailed, "me", expired, Refuse},
		{store.RunUncertain, "other", expired, Refuse},
	}
	for _, tc := range tests {
		r := store.Run{State: tc.state, Holder: tc.holder, LeaseUntil: tc.until}
		if got := DecideClaim(r, "me", now); got != tc.want {
			t.Errorf("DecideClaim(%s by %s, lease until %v) = %v, want %v", tc.state, tc.holder, tc.until.Sub(now), got, tc.want)
		}
	}
}

func TestMerge(t *testing.T) {
	stored := threaddigest.Comment{ID: "1", Author: "A", Body: "text", CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 1000, time.UTC)}
	tests := []struct {
		name     string
		stored   threaddigest.Comment
		incoming threaddigest.Comment
		want     threaddigest.Comment
		changed  bool
	}{
		{"same", stored, stored, stored, false},
		{"same instant in another zone, below a microsecond",
			stored, func() threaddigest.Comment {
				c := stored
				c.CreatedAt = c.CreatedAt.In(time.FixedZone("X", 3600)).Add(999)
				return c
			}(), stored, false},
		{"edit", stored, threaddigest.Comment{ID: "1", Author: "A", Body: "new", CreatedAt: stored.CreatedAt},
			threaddigest.Comment{ID: "1", Author: "A", Body: "new", CreatedAt: stored.CreatedAt}, true},
		{"deletion keeps the fields", stored, threaddigest.Comment{ID: "1", Deleted: true},
			func() threaddigest.Comment { c := stored; c.Deleted = true; return c }(), true},
	}
	for _, tc := range tests {
		got, changed := Merge(tc.stored, tc.incoming)
		if changed != tc.changed || !same(got, tc.want) {
			t.Errorf("%s: Merge = %+v, %v; want %+v, %v", tc.name, got, changed, tc.want, tc.changed)
		}
	}
}

func TestCheckNameAndCleanText(t *testing.T) {
	if err := CheckName("thread", "ok name ü"); err != nil {
		t.Errorf("CheckName(valid) = %v", err)
	}
	for _, bad := range []string{"a\x00b", "\xff"} {
		if err := CheckName("thread", bad); err == nil {
			t.Errorf("CheckName(%q) accepted it", bad)
		}
	}
	if got := CleanText("a\x00b\xffc"); got != "ab\uFFFDc" {
		t.Errorf("CleanText = %q", got)
	}
}
