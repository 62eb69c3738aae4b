package rules

import (
	"strings"
	"testing"
	"testing/fstest"
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

func TestPlanClaim(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	live, expired := now.Add(time.Second), now
	slot := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	key := store.RunKey{Digest: "d", Destination: "stdout", Slot: slot(2)}
	run := func(id int64, h int, state store.RunState, holder string, until time.Time) *store.Run {
		return &store.Run{ID: id, RunKey: store.RunKey{Digest: "d", Destination: "stdout", Slot: slot(h)}, State: state, Holder: holder, LeaseUntil: until}
	}
	tests := []struct {
		name     string
		existing *store.Run
		inFlight []store.Run
		latest   *store.Run
		insert   bool
		action   ClaimAction
		blocker  int64 // the blocker's ID, 0 for none
		settle   map[int64]store.RunState
	}{
		{name: "first run", insert: true},
		{name: "after a posted slot", latest: run(1, 1, store.RunPosted, "x", expired), insert: true},
		{name: "another slot claimed, live", inFlight: []store.Run{*run(1, 1, store.RunClaimed, "x", live)}, latest: run(1, 1, store.RunClaimed, "x", live),
			action: Refuse, blocker: 1},
		{name: "another slot posting, live, same holder", inFlight: []store.Run{*run(1, 1, store.RunPosting, "me", live)}, latest: run(1, 1, store.RunPosting, "me", live),
			action: Refuse, blocker: 1},
		{name: "dead holders' runs are settled", inFlight: []store.Run{*run(1, 0, store.RunClaimed, "x", expired), *run(3, 1, store.RunPosting, "y", expired)},
			latest: run(3, 1, store.RunPosting, "y", expired), insert: true,
			settle: map[int64]store.RunState{1: store.RunFailed, 3: store.RunUncertain}},
		{name: "a later slot has a run", latest: run(5, 3, store.RunPosted, "x", expired), action: Refuse, blocker: 5},
		{name: "own expired claim, a later slot has a run", existing: run(2, 2, store.RunClaimed, "x", expired), latest: run(5, 3, store.RunClaimed, "z", live),
			action: Supersede},
		{name: "own expired claim taken over", existing: run(2, 2, store.RunClaimed, "x", expired), latest: run(2, 2, store.RunClaimed, "x", expired),
			action: TakeOver},
		{name: "own expired claim, another slot live", existing: run(2, 2, store.RunClaimed, "x", expired),
			inFlight: []store.Run{*run(1, 1, store.RunPosting, "y", live)}, latest: run(2, 2, store.RunClaimed, "x", expired), action: Refuse, blocker: 1},
		{name: "own posting expired", existing: run(2, 2, store.RunPosting, "x", expired), latest: run(5, 3, store.RunClaimed, "z", live), action: MarkUncertain},
		{name: "own posted", existing: run(2, 2, store.RunPosted, "x", expired), action: Refuse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := PlanClaim(key, tc.existing, tc.inFlight, tc.latest, "me", now)
			if p.Insert != tc.insert || (!tc.insert && p.Action != tc.action) {
				t.Errorf("plan %+v: insert %v, action %v; want insert %v, action %v", p, p.Insert, p.Action, tc.insert, tc.action)
			}
			var blocker int64
			if p.Blocker != nil {
				blocker = p.Blocker.ID
			}
			if blocker != tc.blocker {
				t.Errorf("blocker %d, want %d", blocker, tc.blocker)
			}
			got := map[int64]store.RunState{}
			for _, st := range p.Settle {
				got[st.Run.ID] = st.State
				if st.Reason == "" {
					t.Errorf("settlement of run %d has no reason", st.Run.ID)
				}
			}
			if len(got) != len(tc.settle) {
				t.Errorf("settled %v, want %v", got, tc.settle)
			}
			for id, state := range tc.settle {
				if got[id] != state {
					t.Errorf("run %d settled as %q, want %q", id, got[id], state)
				}
			}
			if p.Action == Supersede && !strings.Contains(p.Reason, "superseded") {
				t.Errorf("supersede reason %q", p.Reason)
			}
		})
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

func TestMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0002_runs.sql": {Data: []byte("CREATE TABLE runs ();")},
		"migrations/0001_init.sql": {Data: []byte("CREATE TABLE threads ();")},
		"migrations/README":        {Data: []byte("not a migration")},
	}
	ms, err := Migrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].Name != "0001_init.sql" || ms[0].SQL != "CREATE TABLE threads ();" ||
		ms[1].Version != 2 || ms[1].Name != "0002_runs.sql" {
		t.Fatalf("Migrations = %+v", ms)
	}
	for current, want := range map[int]int{0: 2, 1: 1, 2: 0} {
		pending, err := Pending(ms, current)
		if err != nil || len(pending) != want || (want > 0 && pending[0].Version != current+1) {
			t.Errorf("Pending(at %d) = %+v, %v; want %d from %d", current, pending, err, want, current+1)
		}
	}
	if _, err := Pending(ms, 3); err == nil || err.Error() != "version 3, newer than this threaddigest knows (2); run a newer threaddigest" {
		t.Errorf("Pending(at 3) error = %v", err)
	}

	fsys["migrations/init.sql"] = &fstest.MapFile{Data: []byte("")}
	if _, err := Migrations(fsys); err == nil || !strings.Contains(err.Error(), `migration "init.sql": name must start with a positive number`) {
		t.Errorf("a file without a version: error %v", err)
	}
}

func TestChecks(t *testing.T) {
	slot := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		err  error
		want string // "" for no error
	}{
		{"thread ok", CheckThread(store.ThreadRecord{Name: "t", Source: "reddit:x"}), ""},
		{"thread unnamed", CheckThread(store.ThreadRecord{Source: "x"}), "thread name is empty"},
		{"thread two bad keys", CheckThread(store.ThreadRecord{Name: "a\x00b", Target: "\xff"}),
			"thread name \"a\\x00b\" contains a NUL byte\nthread target \"\\xff\" is not valid UTF-8"},
		{"follow ok", CheckFollow(store.Follow{Platform: "slack", Channel: "C1", Thread: "t"}), ""},
		{"follow without channel", CheckFollow(store.Follow{Platform: "slack", Thread: "t"}), "a follow needs a platform, a channel and a thread"},
		{"follow bad schedule", CheckFollow(store.Follow{Platform: "slack", Channel: "C1", Thread: "t", Schedule: "\x00"}),
			"schedule \"\\x00\" contains a NUL byte"},
		{"run ok", CheckRunKey(store.RunKey{Digest: "d", Destination: "slack:C1", Slot: slot}, "t", "h"), ""},
		{"run without slot", CheckRunKey(store.RunKey{Digest: "d", Destination: "slack:C1"}, "t", "h"),
			"run key needs a digest, a destination and a slot"},
		{"run without holder", CheckRunKey(store.RunKey{Digest: "d", Destination: "slack:C1", Slot: slot}, "t", ""), "holder is empty"},
		{"lease ok", CheckLease("poll:t", "h"), ""},
		{"lease without holder", CheckLease("poll:t", ""), "lease name and holder must not be empty"},
		{"lease bad name", CheckLease("poll:\xff", "h\x00"),
			"lease name \"poll:\\xff\" is not valid UTF-8\nholder \"h\\x00\" contains a NUL byte"},
		{"run bad thread", CheckRunKey(store.RunKey{Digest: "d", Destination: "slack:C1", Slot: slot}, "\xfe", "h"),
			"thread \"\\xfe\" is not valid UTF-8"},
	}
	for _, tt := range tests {
		got := ""
		if tt.err != nil {
			got = tt.err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.name, got, tt.want)
		}
	}
}
