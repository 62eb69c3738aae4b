package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
)

const day = 24 * time.Hour

func prune(t *testing.T, s Store, r store.Retention, now time.Time, dryRun bool) store.PruneReport {
	t.Helper()
	rep, err := s.Prune(context.Background(), r, now, dryRun)
	if err != nil {
		t.Fatalf("Prune(dryRun=%v): %v", dryRun, err)
	}
	return rep
}

// runOf makes a finished run of digest to dest at slot in the given state:
// "posted" (a real post), "skipped" (posted nothing), "failed", "uncertain",
// or "claimed" (left in progress).
func runOf(t *testing.T, s Store, digest, dest string, slot time.Time, state string) store.Run {
	t.Helper()
	ctx := context.Background()
	k := store.RunKey{Digest: digest, Destination: dest, Slot: slot}
	r, claimed := claim(t, s, k, "h1", time.Minute, slot)
	if !claimed {
		t.Fatalf("run %s/%s@%s already exists", digest, dest, slot)
	}
	done := slot.Add(time.Second)
	switch state {
	case "posted":
		ok(t, s.MarkPosting(ctx, r.ID, "h1", time.Minute, done))
		ok(t, s.CompleteRun(ctx, r.ID, "h1", 10, "msg-"+slot.Format(time.RFC3339), done))
	case "skipped":
		ok(t, s.CompleteRun(ctx, r.ID, "h1", 10, store.SkippedRef+" 0 new comments, fewer than min_new_comments 1", done))
	case "failed":
		ok(t, s.FailRun(ctx, r.ID, "h1", "slack: 500", done))
	case "uncertain":
		ok(t, s.MarkPosting(ctx, r.ID, "h1", time.Minute, done))
		if got, claimed := claim(t, s, k, "h2", time.Minute, slot.Add(time.Hour)); claimed || got.State != store.RunUncertain {
			t.Fatalf("run left mid-post = %+v, %v; want uncertain", got, claimed)
		}
	case "claimed":
	default:
		t.Fatalf("unknown run state %q", state)
	}
	return r
}

func runIDs(t *testing.T, s Store) []int64 {
	t.Helper()
	runs, err := s.Runs(context.Background(), "", 0)
	ok(t, err)
	var out []int64
	for _, r := range runs {
		out = append(out, r.ID)
	}
	slices.Sort(out)
	return out
}

// testPruneRuns: skipped runs go after Retention.SkippedRuns, failed and
// uncertain ones after FailedRuns; posted runs and runs in progress stay, and
// so does the latest run of every digest and destination; a dry run reports
// the same and deletes nothing.
func testPruneRuns(t *testing.T, s Store) {
	ctx := context.Background()
	old := base.Truncate(time.Hour)
	var keep, gone []int64
	add := func(to *[]int64, digest, dest string, slot time.Time, state string) {
		*to = append(*to, runOf(t, s, digest, dest, slot, state).ID)
	}
	// Forty days of a digest @every 1h to one destination, one of each kind,
	// the latest a young skipped run.
	add(&keep, "hourly", "slack:C1", old, "posted")
	add(&gone, "hourly", "slack:C1", old.Add(time.Hour), "skipped")
	add(&gone, "hourly", "slack:C1", old.Add(2*time.Hour), "skipped")
	add(&gone, "hourly", "slack:C1", old.Add(3*time.Hour), "failed")
	add(&gone, "hourly", "slack:C1", old.Add(4*time.Hour), "uncertain")
	// A run in progress, of the same digest to a third destination: it is
	// the latest of its digest and destination, as a run in flight always
	// is (one is in flight at a time, and the next claim settles one whose
	// lease expired).
	add(&keep, "hourly", "discord:5", old.Add(5*time.Hour), "claimed")
	add(&keep, "hourly", "slack:C1", old.Add(35*day), "skipped") // younger than 30 days
	add(&keep, "hourly", "slack:C1", old.Add(39*day), "skipped")
	// The same digest to another destination: its only run is an old
	// skipped one, kept as the latest.
	add(&keep, "hourly", "stdout", old.Add(time.Hour), "skipped")
	// Another digest whose latest run is an old failure: kept; the skip
	// before it goes.
	add(&gone, "other", "slack:C1", old, "skipped")
	add(&keep, "other", "slack:C1", old.Add(time.Hour), "failed")
	now := old.Add(40 * day)
	r := store.Retention{SkippedRuns: 30 * day, FailedRuns: 30 * day}
	all := runIDs(t, s)

	dry := prune(t, s, r, now, true)
	if dry.SkippedRuns != 3 || dry.FailedRuns != 2 {
		t.Errorf("dry run = %d skipped, %d failed runs; want 3 and 2", dry.SkippedRuns, dry.FailedRuns)
	}
	if got := runIDs(t, s); !slices.Equal(got, all) {
		t.Fatalf("a dry run deleted runs: %v left of %v", got, all)
	}
	if rep := prune(t, s, store.Retention{}, now, false); rep.SkippedRuns+rep.FailedRuns != 0 {
		t.Errorf("zero retention deleted %+v; want runs kept for ever", rep)
	}
	rep := prune(t, s, r, now, false)
	if rep.SkippedRuns != dry.SkippedRuns || rep.FailedRuns != dry.FailedRuns {
		t.Errorf("prune = %d skipped, %d failed; the dry run said %d, %d", rep.SkippedRuns, rep.FailedRuns, dry.SkippedRuns, dry.FailedRuns)
	}
	slices.Sort(keep)
	if got := runIDs(t, s); !slices.Equal(got, keep) {
		t.Errorf("runs left %v, want %v (deleted should be %v)", got, keep, gone)
	}
	// The scheduler's view is unchanged: the last run, and the last posted
	// one with its coverage.
	last, found, err := s.LastRun(ctx, "hourly", "slack:C1")
	ok(t, err)
	if !found || !last.Slot.Equal(wantTime(old.Add(39*day))) {
		t.Errorf("LastRun after pruning = %+v, %v", last, found)
	}
	posted, found, err := s.LastPosted(ctx, "hourly", "slack:C1")
	ok(t, err)
	if !found || posted.CoveredTo != 10 {
		t.Errorf("LastPosted after pruning = %+v, %v", posted, found)
	}
	if again := prune(t, s, r, now, false); again.SkippedRuns+again.FailedRuns != 0 {
		t.Errorf("a second prune deleted %+v more", again)
	}
}

// testPruneManyRuns deletes more runs than one batch holds (both stores
// delete 1,000 at a time).
func testPruneManyRuns(t *testing.T, s Store) {
	old := base.Truncate(time.Hour)
	const n = 1_500
	for i := range n {
		runOf(t, s, "every-minute", "stdout", old.Add(time.Duration(i)*time.Minute), "skipped")
	}
	now := old.Add(60 * day)
	rep := prune(t, s, store.Retention{SkippedRuns: 30 * day}, now, false)
	if rep.SkippedRuns != n-1 {
		t.Errorf("pruned %d skipped runs, want %d (all but the latest)", rep.SkippedRuns, n-1)
	}
	if left := runIDs(t, s); len(left) != 1 {
		t.Errorf("%d runs left, want 1", len(left))
	}
}

// testPruneThreads: a thread nothing follows is marked at the first prune
// that finds it so, and forgotten — with its comments and source state —
// once Retention.Unfollowed has passed; configured and followed threads are
// never marked, and a thread followed again is unmarked.
func testPruneThreads(t *testing.T, s Store) {
	ctx := context.Background()
	t0 := base
	for _, name := range []string{"conf", "chat", "gone", "back", "kept"} {
		saveThread(t, s, name)
		upsert(t, s, name, t0, comment("1", name+" one"), comment("2", name+" two"))
		ok(t, s.SetSourceState(ctx, name, `{"cursor":"`+name+`"}`))
	}
	upsert(t, s, "gone", t0, comment("3", "gone three"))
	for _, name := range []string{"gone", "kept"} {
		ok(t, s.SaveModelLabels(ctx, name, map[string][]byte{"k": []byte(name)}, t0))
		ok(t, s.SaveArgumentSet(ctx, name, "scope", []byte(name), t0))
	}
	follow := func(thread string) {
		ok(t, s.AddFollow(ctx, store.Follow{Platform: "slack", Channel: "C1", Thread: thread, Schedule: "0 9 * * *", CreatedAt: t0}))
	}
	follow("chat")
	r := store.Retention{Unfollowed: 30 * day, Configured: []string{"conf"}}

	first := prune(t, s, r, t0, false)
	if want := []string{"back", "gone", "kept"}; !slices.Equal(first.Unfollowed, want) || len(first.Forgotten) != 0 {
		t.Errorf("first prune: unfollowed %v, forgotten %v; want %v and none", first.Unfollowed, first.Forgotten, want)
	}
	if again := prune(t, s, r, t0.Add(day), false); len(again.Unfollowed)+len(again.Refollowed)+len(again.Forgotten) != 0 {
		t.Errorf("a second prune the next day = %+v; want nothing new", again)
	}
	// Following "back" again unmarks it at once (AddFollow); "kept" is still
	// unfollowed but listed as configured now: the next prune unmarks it.
	follow("back")
	r2 := store.Retention{Unfollowed: 30 * day, Configured: []string{"conf", "kept"}}
	later := t0.Add(31 * day)
	dry := prune(t, s, r2, later, true)
	wantForgotten := []store.ForgottenThread{{Name: "gone", Comments: 3, UnfollowedAt: wantTime(t0)}}
	if !slices.Equal(dry.Refollowed, []string{"kept"}) || !forgottenEqual(dry.Forgotten, wantForgotten) {
		t.Errorf("dry run: refollowed %v, forgotten %+v; want [kept] and %+v", dry.Refollowed, dry.Forgotten, wantForgotten)
	}
	if got := comments(t, s, "gone"); len(got) != 3 {
		t.Fatalf("a dry run deleted comments: %d left", len(got))
	}
	rep := prune(t, s, r2, later, false)
	if !slices.Equal(rep.Refollowed, dry.Refollowed) || !forgottenEqual(rep.Forgotten, dry.Forgotten) {
		t.Errorf("prune = %+v; the dry run said %+v", rep, dry)
	}
	if _, err := s.Thread(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("forgotten thread: Thread error %v, want ErrNotFound", err)
	}
	if _, err := s.Comments(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("forgotten thread: Comments error %v, want ErrNotFound", err)
	}
	if _, err := s.UpsertComments(ctx, "gone", []threaddigest.Comment{comment("4", "late")}, later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("forgotten thread: UpsertComments error %v, want ErrNotFound", err)
	}
	if st, err := s.SourceState(ctx, "gone"); err != nil || st != "" {
		t.Errorf("forgotten thread: source state %q, %v; want none", st, err)
	}
	// The language model's labels and arguments go with their thread.
	if got, err := s.ModelLabels(ctx, "gone", []string{"k"}); err != nil || len(got) != 0 {
		t.Errorf("forgotten thread: model labels %q, %v; want none", got, err)
	}
	if _, found, err := s.ArgumentSet(ctx, "gone", "scope"); err != nil || found {
		t.Errorf("forgotten thread: argument set found %v, %v; want none", found, err)
	}
	if got, err := s.ModelLabels(ctx, "kept", []string{"k"}); err != nil || string(got["k"]) != "kept" {
		t.Errorf("kept thread: model labels %q, %v", got, err)
	}
	for _, name := range []string{"conf", "chat", "back", "kept"} {
		if got := comments(t, s, name); len(got) != 2 {
			t.Errorf("thread %s has %d comments after pruning, want 2", name, len(got))
		}
		if st, err := s.SourceState(ctx, name); err != nil || st == "" {
			t.Errorf("thread %s lost its source state: %q, %v", name, st, err)
		}
	}
	// Saved again later, the name starts afresh, its comments new.
	saveThread(t, s, "gone")
	upsert(t, s, "gone", later, comment("1", "gone one"))
	if got := comments(t, s, "gone"); len(got) != 1 || got[0].Seq <= comments(t, s, "kept")[1].Seq {
		t.Errorf("thread saved again = %+v; want one comment with a new seq", got)
	}

	// Unfollowed = 0 marks but never forgets.
	ok(t, s.RemoveFollow(ctx, "slack", "C1", "chat"))
	none := store.Retention{Configured: []string{"conf", "kept"}}
	if rep := prune(t, s, none, later, false); !slices.Contains(rep.Unfollowed, "chat") || len(rep.Forgotten) != 0 {
		t.Errorf("prune without Unfollowed = %+v; want chat marked, nothing forgotten", rep)
	}
	if rep := prune(t, s, none, later.Add(365*day), false); len(rep.Forgotten) != 0 {
		t.Errorf("prune without Unfollowed forgot %+v", rep.Forgotten)
	}
}

func forgottenEqual(a, b []store.ForgottenThread) bool {
	return slices.EqualFunc(a, b, func(x, y store.ForgottenThread) bool {
		return x.Name == y.Name && x.Comments == y.Comments && x.UnfollowedAt.Equal(y.UnfollowedAt)
	})
}

// testPruneLeases: leases that expired a day or more ago are deleted; a
// holder that comes back takes its lease anew.
func testPruneLeases(t *testing.T, s Store) {
	acquire(t, s, "poll:old", "h1", time.Minute, at(0))
	acquire(t, s, "poll:recent", "h1", time.Minute, at(20*time.Hour))
	acquire(t, s, "poll:live", "h1", 48*time.Hour, at(0))
	dry := prune(t, s, store.Retention{}, at(25*time.Hour), true)
	rep := prune(t, s, store.Retention{}, at(25*time.Hour), false)
	if dry.Leases != 1 || rep.Leases != 1 {
		t.Errorf("pruned %d leases (dry run %d), want 1", rep.Leases, dry.Leases)
	}
	if !acquire(t, s, "poll:old", "h2", time.Minute, at(26*time.Hour)) {
		t.Error("a pruned lease cannot be taken")
	}
	if acquire(t, s, "poll:live", "h2", time.Minute, at(26*time.Hour)) {
		t.Error("a live lease was pruned")
	}
}

// testActiveAt: a thread is active when a comment is added or changed, or
// when it is marked active; never back in time.
func testActiveAt(t *testing.T, s Store) {
	ctx := context.Background()
	saveThread(t, s, "t")
	activeAt := func() time.Time {
		t.Helper()
		rec, err := s.Thread(ctx, "t")
		ok(t, err)
		all, err := s.Threads(ctx)
		ok(t, err)
		if len(all) != 1 || !all[0].ActiveAt.Equal(rec.ActiveAt) {
			t.Errorf("Threads says active at %v, Thread %v", all, rec.ActiveAt)
		}
		return rec.ActiveAt
	}
	if got := activeAt(); !got.IsZero() {
		t.Errorf("a new thread is active at %v, want zero", got)
	}
	step := func(what string, want time.Time) {
		t.Helper()
		if got := activeAt(); !got.Equal(wantTime(want)) {
			t.Errorf("after %s: active at %v, want %v", what, got, wantTime(want))
		}
	}
	upsert(t, s, "t", at(time.Hour), comment("1", "one"))
	step("a new comment", at(time.Hour))
	upsert(t, s, "t", at(2*time.Hour), comment("1", "one"))
	step("an unchanged comment", at(time.Hour))
	upsert(t, s, "t", at(3*time.Hour), comment("1", "one, edited"))
	step("an edit", at(3*time.Hour))
	ok(t, s.MarkActive(ctx, "t", at(10*time.Hour)))
	step("MarkActive", at(10*time.Hour))
	ok(t, s.MarkActive(ctx, "t", at(5*time.Hour)))
	step("MarkActive back in time", at(10*time.Hour))
	upsert(t, s, "t", at(4*time.Hour), comment("2", "two"))
	step("a comment stored with an earlier clock", at(10*time.Hour))
	ok(t, s.SaveThread(ctx, store.ThreadRecord{Name: "t", Source: "t.txt", Title: "new title", ActiveAt: at(100 * time.Hour)}))
	step("SaveThread", at(10*time.Hour))
	if err := s.MarkActive(ctx, "nope", at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkActive of an unknown thread: %v, want ErrNotFound", err)
	}
}
