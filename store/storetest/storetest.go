// Package storetest is the conformance suite of Store: every
// implementation runs it from its own tests, so that SQLite and PostgreSQL
// behave the same to the service.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
)

// Store is every method the suite checks.
type Store interface {
	SaveThread(ctx context.Context, t store.ThreadRecord) error
	Thread(ctx context.Context, name string) (store.ThreadRecord, error)
	Threads(ctx context.Context) ([]store.ThreadRecord, error)
	UpsertComments(ctx context.Context, thread string, cs []threaddigest.Comment, now time.Time) (store.UpsertResult, error)
	Comments(ctx context.Context, thread string) ([]store.CommentRecord, error)
	ThreadVersion(ctx context.Context, thread string) (int64, error)
	MarkActive(ctx context.Context, thread string, now time.Time) error

	ClaimRun(ctx context.Context, key store.RunKey, thread, holder string, lease time.Duration, now time.Time) (store.Run, bool, error)
	MarkPosting(ctx context.Context, runID int64, holder string, lease time.Duration, now time.Time) error
	CompleteRun(ctx context.Context, runID int64, holder string, coveredTo int64, ref string, now time.Time) error
	FailRun(ctx context.Context, runID int64, holder, reason string, now time.Time) error
	LastPosted(ctx context.Context, digest, destination string) (store.Run, bool, error)
	LastRun(ctx context.Context, digest, destination string) (store.Run, bool, error)
	Runs(ctx context.Context, digest string, limit int) ([]store.Run, error)

	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	SourceState(ctx context.Context, thread string) (string, error)
	SetSourceState(ctx context.Context, thread, state string) error

	AddFollow(ctx context.Context, f store.Follow) error
	RemoveFollow(ctx context.Context, platform, channel, thread string) error
	Follows(ctx context.Context, platform, channel string) ([]store.Follow, error)

	ModelLabels(ctx context.Context, thread string, keys []string) (map[string][]byte, error)
	SaveModelLabels(ctx context.Context, thread string, labels map[string][]byte, now time.Time) error
	ArgumentSet(ctx context.Context, thread, scope string) ([]byte, bool, error)
	SaveArgumentSet(ctx context.Context, thread, scope string, set []byte, now time.Time) error

	Prune(ctx context.Context, r store.Retention, now time.Time, dryRun bool) (store.PruneReport, error)

	Close() error
}

// Opener returns a fresh, empty store for one test. The suite closes it; the
// opener registers with t.Cleanup whatever must happen after that (removing
// a database schema).
type Opener func(t *testing.T) Store

// Option changes how the suite runs.
type Option int

// Parallel runs the behaviours side by side, each on a database of its
// own: for a database that spends most of the suite's time waiting for
// commits (PostgreSQL), not for one that spends it computing (SQLite).
const Parallel Option = 1

// Run runs every behaviour of the suite against fresh stores from open.
func Run(t *testing.T, open Opener, opts ...Option) {
	parallel := slices.Contains(opts, Parallel)
	tests := []struct {
		name string
		run  func(t *testing.T, s Store)
	}{
		{"Threads", testThreads},
		{"UpsertAdd", testUpsertAdd},
		{"UpsertExactText", testUpsertExactText},
		{"UpsertUnchanged", testUpsertUnchanged},
		{"UpsertEdit", testUpsertEdit},
		{"UpsertDelete", testUpsertDelete},
		{"UpsertDuplicatesInBatch", testUpsertDuplicates},
		{"UpsertBadBatch", testUpsertBadBatch},
		{"UpsertBigBatch", testUpsertBigBatch},
		{"SeqStoreWide", testSeqStoreWide},
		{"ThreadVersions", testThreadVersions},
		{"ClaimNew", testClaimNew},
		{"ClaimHeld", testClaimHeld},
		{"ClaimTakeOverAfterLease", testClaimTakeOver},
		{"ClaimSameHolder", testClaimSameHolder},
		{"PostingBecomesUncertain", testPostingUncertain},
		{"ClaimOneInFlightPerDestination", testClaimOneInFlight},
		{"ClaimSlotsInOrder", testClaimSlotsInOrder},
		{"CompleteAndFail", testCompleteAndFail},
		{"TransitionErrors", testTransitionErrors},
		{"LastPostedLastRunRuns", testLastRuns},
		{"Leases", testLeases},
		{"SourceState", testSourceState},
		{"Follows", testFollows},
		{"ModelLabels", testModelLabels},
		{"ArgumentSets", testArgumentSets},
		{"ActiveAt", testActiveAt},
		{"PruneRuns", testPruneRuns},
		{"PruneManyRuns", testPruneManyRuns},
		{"PruneThreads", testPruneThreads},
		{"PruneLeases", testPruneLeases},
		{"ConcurrentClaims", func(t *testing.T, s Store) { testConcurrentClaims(t, s, s) }},
		{"ConcurrentSlotsOneInFlight", func(t *testing.T, s Store) { testConcurrentSlotsOneInFlight(t, s, s) }},
		{"ConcurrentLeases", func(t *testing.T, s Store) { testConcurrentLeases(t, s, s) }},
		{"ConcurrentUpserts", func(t *testing.T, s Store) { testConcurrentUpserts(t, s, s) }},
		{"NoCommentSkippedBySeq", func(t *testing.T, s Store) { testNoCommentSkipped(t, s, s) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.run(t, s)
		})
	}
}

// TwoOpener returns two stores on one fresh database, as two processes (or
// replicas) would have them.
type TwoOpener func(t *testing.T) (Store, Store)

// RunTwoStores runs the concurrency behaviours with the work spread over two
// Store values on one database: only the database can keep them from both
// claiming a slot.
func RunTwoStores(t *testing.T, open TwoOpener, opts ...Option) {
	parallel := slices.Contains(opts, Parallel)
	tests := []struct {
		name string
		run  func(t *testing.T, a, b Store)
	}{
		{"ConcurrentClaims", testConcurrentClaims},
		{"ConcurrentSlotsOneInFlight", testConcurrentSlotsOneInFlight},
		{"ConcurrentLeases", testConcurrentLeases},
		{"ConcurrentUpserts", testConcurrentUpserts},
		{"NoCommentSkippedBySeq", testNoCommentSkipped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			a, b := open(t)
			t.Cleanup(func() {
				if err := errors.Join(a.Close(), b.Close()); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.run(t, a, b)
		})
	}
}

// base is the suite's clock; its sub-second part checks that the stores keep
// microseconds.
var base = time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func saveThread(t *testing.T, s Store, name string) {
	t.Helper()
	ok(t, s.SaveThread(context.Background(), store.ThreadRecord{Name: name, Source: name + ".txt"}))
}

func upsert(t *testing.T, s Store, thread string, now time.Time, cs ...threaddigest.Comment) store.UpsertResult {
	t.Helper()
	res, err := s.UpsertComments(context.Background(), thread, cs, now)
	if err != nil {
		t.Fatalf("UpsertComments(%s): %v", thread, err)
	}
	return res
}

func comments(t *testing.T, s Store, thread string) []store.CommentRecord {
	t.Helper()
	cs, err := s.Comments(context.Background(), thread)
	if err != nil {
		t.Fatalf("Comments(%s): %v", thread, err)
	}
	return cs
}

func version(t *testing.T, s Store, thread string) int64 {
	t.Helper()
	v, err := s.ThreadVersion(context.Background(), thread)
	if err != nil {
		t.Fatalf("ThreadVersion(%s): %v", thread, err)
	}
	return v
}

func comment(id, body string) threaddigest.Comment {
	return threaddigest.Comment{ID: id, Author: "author " + id, Body: body}
}

func checkResult(t *testing.T, got, want store.UpsertResult) {
	t.Helper()
	if got != want {
		t.Errorf("UpsertResult = %+v, want %+v", got, want)
	}
}

func ids(cs []store.CommentRecord) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func testThreads(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.Thread(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Thread(missing) error = %v, want ErrNotFound", err)
	}
	if ts, err := s.Threads(ctx); err != nil || len(ts) != 0 {
		t.Errorf("Threads() on an empty store = %v, %v; want none", ts, err)
	}
	b := store.ThreadRecord{Name: "b-thread", Source: "reddit:https://example.org/r/x", Target: "Huawei", Title: "Title", URL: "https://example.org/x"}
	a := store.ThreadRecord{Name: "A-thread", Source: "a.txt"}
	c := store.ThreadRecord{Name: "a-thread", Source: "c.txt"}
	for _, tr := range []store.ThreadRecord{b, a, c} {
		ok(t, s.SaveThread(ctx, tr))
	}
	got, err := s.Thread(ctx, "b-thread")
	ok(t, err)
	if got != b {
		t.Errorf("Thread = %+v, want %+v", got, b)
	}
	ts, err := s.Threads(ctx)
	ok(t, err)
	if want := []store.ThreadRecord{a, c, b}; !slices.Equal(ts, want) {
		t.Errorf("Threads = %+v, want %+v (by name, byte order)", ts, want)
	}

	v0 := version(t, s, "b-thread")
	ok(t, s.SaveThread(ctx, b))
	if v := version(t, s, "b-thread"); v != v0 {
		t.Errorf("saving an unchanged thread moved its version from %d to %d", v0, v)
	}
	b.Title = "New title"
	ok(t, s.SaveThread(ctx, b))
	if v := version(t, s, "b-thread"); v <= v0 {
		t.Errorf("changing a thread's title left its version at %d (was %d)", v, v0)
	}
	got, err = s.Thread(ctx, "b-thread")
	ok(t, err)
	if got != b {
		t.Errorf("Thread after update = %+v, want %+v", got, b)
	}

	// A title comes from a stranger's page: bytes no database can keep as
	// text are replaced rather than failing the write.
	b.Title = "bad \xff byte and NUL\x00here"
	ok(t, s.SaveThread(ctx, b))
	got, err = s.Thread(ctx, "b-thread")
	ok(t, err)
	if want := "bad \uFFFD byte and NULhere"; got.Title != want {
		t.Errorf("Title = %q, want %q", got.Title, want)
	}

	if err := s.SaveThread(ctx, store.ThreadRecord{Source: "x"}); err == nil {
		t.Error("SaveThread with an empty name succeeded")
	}
	if err := s.SaveThread(ctx, store.ThreadRecord{Name: "bad\x00name"}); err == nil {
		t.Error("SaveThread with a NUL in the name succeeded")
	}
	if _, err := s.ThreadVersion(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ThreadVersion(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := s.Comments(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Comments(missing) error = %v, want ErrNotFound", err)
	}
}

func testUpsertAdd(t *testing.T, s Store) {
	saveThread(t, s, "t")
	created := time.Date(2025, 11, 3, 9, 15, 42, 987654321, time.FixedZone("CET", 3600))
	in := []threaddigest.Comment{
		{ID: "c3", Author: "Anna", AuthorID: "u1", Location: "Boulder, Co", Body: "first\nline two", CreatedAt: created, Likes: 7,
			URL: "https://news.ycombinator.com/item?id=3"},
		{ID: "c1", ParentID: "c3", Author: "Bo", Body: "a reply"},
		{ID: "c2", Author: "Cy", Body: "", Deleted: true},
	}
	if v := version(t, s, "t"); v != 0 {
		t.Errorf("a new thread's version = %d, want 0", v)
	}
	checkResult(t, upsert(t, s, "t", at(0), in...), store.UpsertResult{Added: 3})
	got := comments(t, s, "t")
	if len(got) != 3 {
		t.Fatalf("Comments returned %d, want 3", len(got))
	}
	for i, c := range got {
		want := in[i]
		want.CreatedAt = wantTime(want.CreatedAt)
		if c.Comment != want {
			t.Errorf("comment %d = %+v, want %+v", i, c.Comment, want)
		}
		if !c.FirstSeen.Equal(wantTime(at(0))) || !c.UpdatedAt.Equal(wantTime(at(0))) {
			t.Errorf("comment %s FirstSeen, UpdatedAt = %v, %v, want both %v", c.ID, c.FirstSeen, c.UpdatedAt, wantTime(at(0)))
		}
		if c.FirstSeen.Location() != time.UTC || (!c.CreatedAt.IsZero() && c.CreatedAt.Location() != time.UTC) {
			t.Errorf("comment %s times are not in UTC: %v, %v", c.ID, c.FirstSeen, c.CreatedAt)
		}
		if i > 0 && c.Seq <= got[i-1].Seq {
			t.Errorf("Seq %d of %s does not follow %d of %s: Seq must follow batch order", c.Seq, c.ID, got[i-1].Seq, got[i-1].ID)
		}
	}
	if !got[1].CreatedAt.IsZero() {
		t.Errorf("an unknown CreatedAt came back as %v, want the zero time", got[1].CreatedAt)
	}
	if v := version(t, s, "t"); v != 1 {
		t.Errorf("version after one changing upsert = %d, want 1", v)
	}
	checkResult(t, upsert(t, s, "t", at(time.Minute)), store.UpsertResult{})
	if v := version(t, s, "t"); v != 1 {
		t.Errorf("an empty upsert moved the version to %d", v)
	}
}

// wantTime is a time as the stores promise to return it: UTC, to the
// microsecond.
func wantTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func testUpsertExactText(t *testing.T, s Store) {
	saveThread(t, s, "t")
	long := strings.Repeat("Ünïcödé and ascii 🙂 ", 5000)
	in := []threaddigest.Comment{
		{ID: "nul", Author: "a\x00b", Body: "before\x00after"},
		{ID: "bytes", Author: "\xff\xfe", Location: "k\xf6ln", Body: "invalid \xc3\x28 utf8 \xff"},
		{ID: "ping", Author: "<@U012>", Body: "@everyone @here <!channel> <@&123> [x](https://evil.example) *bold* `code`"},
		{ID: "emoji", Author: "👩‍👩‍👧", Location: "Yvr", Body: "family 👩‍👩‍👧 flag 🇩🇪 \u202eevil\u202c zero\u200bwidth"},
		{ID: "long", Author: "L", Body: long},
		{ID: "spaces", Author: " ", Location: "\t", Body: "  leading and trailing  \n\n"},
		{ID: "id with spaces/and?odd#chars%", ParentID: "\x00", Author: "odd", Body: "odd id"},
		{ID: "url", Author: "U", Body: "a permalink kept as given", URL: "javascript:alert(1)//\x00\xff"},
	}
	checkResult(t, upsert(t, s, "t", at(0), in...), store.UpsertResult{Added: len(in)})
	got := comments(t, s, "t")
	if len(got) != len(in) {
		t.Fatalf("Comments returned %d, want %d", len(got), len(in))
	}
	for i := range in {
		if got[i].Comment != in[i] {
			t.Errorf("comment %q did not come back byte for byte:\n got %+q\nwant %+q", in[i].ID, []string{got[i].ID, got[i].ParentID, got[i].Author, got[i].AuthorID, got[i].Location, got[i].Body}, []string{in[i].ID, in[i].ParentID, in[i].Author, in[i].AuthorID, in[i].Location, in[i].Body})
		}
	}
	checkResult(t, upsert(t, s, "t", at(time.Minute), in...), store.UpsertResult{Unchanged: len(in)})
}

func testUpsertUnchanged(t *testing.T, s Store) {
	saveThread(t, s, "t")
	created := time.Date(2025, 11, 3, 9, 15, 42, 987654000, time.UTC)
	in := []threaddigest.Comment{
		{ID: "1", Author: "A", Body: "one", CreatedAt: created, Likes: 3},
		{ID: "2", Author: "B", Body: "two"},
	}
	upsert(t, s, "t", at(0), in...)
	v := version(t, s, "t")
	before := comments(t, s, "t")

	// The same comments, with the time in another zone and with nanoseconds
	// the store does not keep: still unchanged.
	again := slices.Clone(in)
	again[0].CreatedAt = created.In(time.FixedZone("PST", -8*3600)).Add(321 * time.Nanosecond)
	checkResult(t, upsert(t, s, "t", at(time.Hour), again...), store.UpsertResult{Unchanged: 2})
	if got := version(t, s, "t"); got != v {
		t.Errorf("unchanged comments moved the version from %d to %d", v, got)
	}
	after := comments(t, s, "t")
	if !slices.EqualFunc(before, after, recordsEqual) {
		t.Errorf("unchanged upsert changed the records:\nbefore %+v\nafter  %+v", before, after)
	}
}

func recordsEqual(a, b store.CommentRecord) bool {
	return a.Comment == b.Comment && a.Seq == b.Seq && a.FirstSeen.Equal(b.FirstSeen) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func testUpsertEdit(t *testing.T, s Store) {
	saveThread(t, s, "t")
	upsert(t, s, "t", at(0), comment("1", "one"), comment("2", "two"), comment("3", "three"))
	before := comments(t, s, "t")
	v := version(t, s, "t")

	edits := []threaddigest.Comment{comment("1", "one, edited"), comment("2", "two"), comment("3", "three")}
	edits[2].Likes = 5
	edits[1].Location = "Small-town Ontario"
	checkResult(t, upsert(t, s, "t", at(time.Hour), edits...), store.UpsertResult{Updated: 3})
	after := comments(t, s, "t")
	if got := version(t, s, "t"); got <= v {
		t.Errorf("edits left the version at %d (was %d)", got, v)
	}
	for i := range after {
		if after[i].Seq != before[i].Seq {
			t.Errorf("edit of %s moved its Seq from %d to %d", after[i].ID, before[i].Seq, after[i].Seq)
		}
		if !after[i].FirstSeen.Equal(before[i].FirstSeen) {
			t.Errorf("edit of %s moved FirstSeen from %v to %v", after[i].ID, before[i].FirstSeen, after[i].FirstSeen)
		}
		if !after[i].UpdatedAt.Equal(wantTime(at(time.Hour))) {
			t.Errorf("edit of %s: UpdatedAt = %v, want %v", after[i].ID, after[i].UpdatedAt, wantTime(at(time.Hour)))
		}
		if after[i].Comment != edits[i] {
			t.Errorf("edited comment = %+v, want %+v", after[i].Comment, edits[i])
		}
	}
	// Each field alone is a change.
	changes := []func(*threaddigest.Comment){
		func(c *threaddigest.Comment) { c.ParentID = "2" },
		func(c *threaddigest.Comment) { c.Author = "someone else" },
		func(c *threaddigest.Comment) { c.AuthorID = "u9" },
		func(c *threaddigest.Comment) { c.CreatedAt = base },
		func(c *threaddigest.Comment) { c.Likes = 99 },
		func(c *threaddigest.Comment) { c.URL = "https://forum.example/t/x/1/2" },
	}
	cur := edits[0]
	for i, change := range changes {
		change(&cur)
		checkResult(t, upsert(t, s, "t", at(time.Duration(i+2)*time.Hour), cur), store.UpsertResult{Updated: 1})
	}
	got := comments(t, s, "t")[0]
	if got.Comment != cur {
		t.Errorf("after every change the comment is %+v, want %+v", got.Comment, cur)
	}
}

func testUpsertDelete(t *testing.T, s Store) {
	saveThread(t, s, "t")
	orig := comment("1", "something I regret")
	orig.URL = "https://www.reddit.com/r/x/comments/abc/t/c1/"
	upsert(t, s, "t", at(0), orig, comment("2", "a reply"))
	v := version(t, s, "t")

	// Sources send a deleted comment with its fields blanked.
	checkResult(t, upsert(t, s, "t", at(time.Hour), threaddigest.Comment{ID: "1", Deleted: true}), store.UpsertResult{Updated: 1})
	if got := version(t, s, "t"); got <= v {
		t.Errorf("a deletion left the version at %d (was %d)", got, v)
	}
	got := comments(t, s, "t")
	want := orig
	want.Deleted = true
	if got[0].Comment != want {
		t.Errorf("deleted comment = %+v, want the stored one marked deleted: %+v", got[0].Comment, want)
	}
	if !got[0].UpdatedAt.Equal(wantTime(at(time.Hour))) {
		t.Errorf("deleted comment UpdatedAt = %v, want %v", got[0].UpdatedAt, wantTime(at(time.Hour)))
	}
	v = version(t, s, "t")
	checkResult(t, upsert(t, s, "t", at(2*time.Hour), threaddigest.Comment{ID: "1", Deleted: true, Body: "[deleted]"}), store.UpsertResult{Unchanged: 1})
	if got := version(t, s, "t"); got != v {
		t.Errorf("deleting a deleted comment moved the version from %d to %d", v, got)
	}
	// Restored at the source: every field comes back from it.
	restored := comment("1", "restored text")
	checkResult(t, upsert(t, s, "t", at(3*time.Hour), restored), store.UpsertResult{Updated: 1})
	if got := comments(t, s, "t")[0]; got.Comment != restored {
		t.Errorf("restored comment = %+v, want %+v", got.Comment, restored)
	}
	// A comment first seen deleted is stored, so replies keep their parent.
	checkResult(t, upsert(t, s, "t", at(4*time.Hour), threaddigest.Comment{ID: "3", Deleted: true}), store.UpsertResult{Added: 1})
	if got := comments(t, s, "t"); len(got) != 3 || !got[2].Deleted {
		t.Errorf("a comment first seen deleted: %+v", got)
	}
}

func testUpsertDuplicates(t *testing.T, s Store) {
	saveThread(t, s, "t")
	upsert(t, s, "t", at(0), comment("old", "stored"))
	res := upsert(t, s, "t", at(time.Hour),
		comment("new", "v1"), comment("new", "v2"), comment("new", "v2"),
		comment("old", "edited"), comment("old", "edited again"), comment("old", "edited again"))
	checkResult(t, res, store.UpsertResult{Added: 1, Updated: 3, Unchanged: 2})
	got := comments(t, s, "t")
	if len(got) != 2 || got[0].Body != "edited again" || got[1].Body != "v2" {
		t.Errorf("after duplicates in one batch: %+v, want old=%q and new=%q", got, "edited again", "v2")
	}
}

func testUpsertBadBatch(t *testing.T, s Store) {
	ctx := context.Background()
	saveThread(t, s, "t")
	_, err := s.UpsertComments(ctx, "t", []threaddigest.Comment{comment("1", "fine"), {Body: "no id"}}, at(0))
	if err == nil || !strings.Contains(err.Error(), "comment 2 of 2") {
		t.Errorf("a comment without ID: error %v, want one naming comment 2 of 2", err)
	}
	if got := comments(t, s, "t"); len(got) != 0 {
		t.Errorf("a rejected batch stored %d comments", len(got))
	}
	if v := version(t, s, "t"); v != 0 {
		t.Errorf("a rejected batch moved the version to %d", v)
	}
	_, err = s.UpsertComments(ctx, "missing", []threaddigest.Comment{comment("1", "x")}, at(0))
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("upsert into a missing thread: error %v, want ErrNotFound", err)
	}
}

func testUpsertBigBatch(t *testing.T, s Store) {
	saveThread(t, s, "t")
	const n = 5003 // crosses every chunk size the implementations use
	in := make([]threaddigest.Comment, n)
	for i := range in {
		in[i] = threaddigest.Comment{ID: fmt.Sprintf("c%05d", n-i), Author: fmt.Sprintf("user%d", i%97), Body: fmt.Sprintf("comment number %d", i), Likes: i % 13}
	}
	checkResult(t, upsert(t, s, "t", at(0), in...), store.UpsertResult{Added: n})
	got := comments(t, s, "t")
	if len(got) != n {
		t.Fatalf("Comments returned %d, want %d", len(got), n)
	}
	for i := range got {
		if got[i].Comment != in[i] {
			t.Fatalf("comment %d = %+v, want %+v (Seq must follow batch order)", i, got[i].Comment, in[i])
		}
	}
	// The whole thread again with a few edits and additions, as a file
	// source sends it.
	in[10].Body, in[4000].Likes, in[n-1].Deleted = "edited", 1000, true
	more := append(slices.Clone(in), comment("x1", "new"), comment("x2", "new"))
	checkResult(t, upsert(t, s, "t", at(time.Hour), more...), store.UpsertResult{Added: 2, Updated: 3, Unchanged: n - 3})
	// A small batch of one edit among many stored comments.
	checkResult(t, upsert(t, s, "t", at(2*time.Hour), comment("x1", "edited")), store.UpsertResult{Updated: 1})
	if got := comments(t, s, "t"); len(got) != n+2 {
		t.Errorf("Comments returned %d, want %d", len(got), n+2)
	}
}

func testSeqStoreWide(t *testing.T, s Store) {
	saveThread(t, s, "a")
	saveThread(t, s, "b")
	upsert(t, s, "a", at(0), comment("1", "a1"), comment("2", "a2"))
	upsert(t, s, "b", at(1), comment("1", "b1"))
	upsert(t, s, "a", at(2), comment("3", "a3"), comment("1", "a1 edited"))
	a, b := comments(t, s, "a"), comments(t, s, "b")
	if !(a[0].Seq < a[1].Seq && a[1].Seq < b[0].Seq && b[0].Seq < a[2].Seq) {
		t.Errorf("Seqs a1=%d a2=%d b1=%d a3=%d are not in first-seen order across threads", a[0].Seq, a[1].Seq, b[0].Seq, a[2].Seq)
	}
	if a[0].Seq <= 0 {
		t.Errorf("Seq %d is not positive; runs that covered nothing have CoveredTo 0", a[0].Seq)
	}
	if got, want := ids(a), []string{"1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("Comments(a) = %v, want %v in Seq order", got, want)
	}
}

func testThreadVersions(t *testing.T, s Store) {
	saveThread(t, s, "a")
	saveThread(t, s, "b")
	var last int64
	step := func(what string, wantChange bool, cs ...threaddigest.Comment) {
		t.Helper()
		upsert(t, s, "a", at(time.Duration(last+1)*time.Minute), cs...)
		v := version(t, s, "a")
		if wantChange && v <= last {
			t.Errorf("%s: version %d did not increase from %d", what, v, last)
		}
		if !wantChange && v != last {
			t.Errorf("%s: version moved from %d to %d", what, last, v)
		}
		last = v
	}
	step("add", true, comment("1", "x"))
	step("same", false, comment("1", "x"))
	step("edit", true, comment("1", "y"))
	step("delete", true, threaddigest.Comment{ID: "1", Deleted: true})
	step("delete again", false, threaddigest.Comment{ID: "1", Deleted: true})
	if v := version(t, s, "b"); v != 0 {
		t.Errorf("changes to thread a moved thread b's version to %d", v)
	}
}

func key(slot time.Time) store.RunKey {
	return store.RunKey{Digest: "daily", Destination: "slack:C1", Slot: slot}
}

func claim(t *testing.T, s Store, k store.RunKey, holder string, lease time.Duration, now time.Time) (store.Run, bool) {
	t.Helper()
	r, claimed, err := s.ClaimRun(context.Background(), k, "t", holder, lease, now)
	if err != nil {
		t.Fatalf("ClaimRun(%s): %v", holder, err)
	}
	return r, claimed
}

func testClaimNew(t *testing.T, s Store) {
	slot := time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	r, claimed := claim(t, s, key(slot), "h1", time.Minute, at(0))
	if !claimed {
		t.Fatal("claiming a new slot returned claimed=false")
	}
	want := store.Run{ID: r.ID, RunKey: store.RunKey{Digest: "daily", Destination: "slack:C1", Slot: slot.UTC()}, Thread: "t",
		State: store.RunClaimed, Holder: "h1", LeaseUntil: wantTime(at(time.Minute)), Attempts: 1, ClaimedAt: wantTime(at(0))}
	if !runsEqual(r, want) {
		t.Errorf("claimed run = %+v\nwant %+v", r, want)
	}
	if r.Slot.Location() != time.UTC {
		t.Errorf("Slot %v is not in UTC", r.Slot)
	}
	// The same instant in another zone is the same slot.
	if _, claimed := claim(t, s, key(slot.UTC()), "h2", time.Minute, at(time.Second)); claimed {
		t.Error("the same slot given in UTC was claimed again")
	}
	// Another destination or digest is another run.
	k := key(slot)
	k.Destination = "stdout"
	if _, claimed := claim(t, s, k, "h2", time.Minute, at(time.Second)); !claimed {
		t.Error("the same slot to another destination was not claimable")
	}
	if _, _, err := s.ClaimRun(context.Background(), store.RunKey{Digest: "d", Destination: "x"}, "t", "h", time.Minute, at(0)); err == nil {
		t.Error("ClaimRun with a zero slot succeeded")
	}
	if _, _, err := s.ClaimRun(context.Background(), key(slot), "t", "", time.Minute, at(0)); err == nil {
		t.Error("ClaimRun with an empty holder succeeded")
	}
}

func runsEqual(a, b store.Run) bool {
	return a.ID == b.ID && a.Digest == b.Digest && a.Destination == b.Destination && a.Slot.Equal(b.Slot) &&
		a.Thread == b.Thread && a.State == b.State && a.Holder == b.Holder && a.LeaseUntil.Equal(b.LeaseUntil) &&
		a.Attempts == b.Attempts && a.CoveredTo == b.CoveredTo && a.Ref == b.Ref && a.Error == b.Error &&
		a.ClaimedAt.Equal(b.ClaimedAt) && a.FinishedAt.Equal(b.FinishedAt)
}

func testClaimHeld(t *testing.T, s Store) {
	k := key(base.Truncate(time.Hour))
	first, _ := claim(t, s, k, "h1", time.Minute, at(0))
	r, claimed := claim(t, s, k, "h2", time.Minute, at(59*time.Second))
	if claimed {
		t.Fatal("a slot held by a live holder was claimed by another")
	}
	if !runsEqual(r, first) {
		t.Errorf("a refused claim returned %+v, want the existing run %+v", r, first)
	}
}

func testClaimTakeOver(t *testing.T, s Store) {
	ctx := context.Background()
	k := key(base.Truncate(time.Hour))
	first, _ := claim(t, s, k, "h1", time.Minute, at(0))
	// The lease ends at exactly at(time.Minute): expired from that instant.
	r, claimed := claim(t, s, k, "h2", 2*time.Minute, at(time.Minute))
	if !claimed {
		t.Fatal("a claimed run whose lease expired was not taken over")
	}
	if r.ID != first.ID || r.Holder != "h2" || r.Attempts != 2 || r.State != store.RunClaimed ||
		!r.LeaseUntil.Equal(wantTime(at(3*time.Minute))) || !r.ClaimedAt.Equal(wantTime(at(time.Minute))) {
		t.Errorf("taken-over run = %+v", r)
	}
	// The first holder comes back: it must not post.
	if err := s.MarkPosting(ctx, first.ID, "h1", time.Minute, at(90*time.Second)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("MarkPosting by the old holder: error %v, want ErrLeaseLost", err)
	}
	if err := s.CompleteRun(ctx, first.ID, "h1", 10, "ref", at(90*time.Second)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("CompleteRun by the old holder: error %v, want ErrLeaseLost", err)
	}
	if err := s.FailRun(ctx, first.ID, "h1", "boom", at(90*time.Second)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("FailRun by the old holder: error %v, want ErrLeaseLost", err)
	}
	ok(t, s.MarkPosting(ctx, r.ID, "h2", time.Minute, at(100*time.Second)))
	ok(t, s.CompleteRun(ctx, r.ID, "h2", 42, "msg-1", at(110*time.Second)))
	got, found, err := s.LastPosted(ctx, k.Digest, k.Destination)
	ok(t, err)
	if !found || got.Holder != "h2" || got.CoveredTo != 42 || got.Ref != "msg-1" || got.State != store.RunPosted ||
		!got.FinishedAt.Equal(wantTime(at(110*time.Second))) {
		t.Errorf("LastPosted = %+v, %v", got, found)
	}
}

func testClaimSameHolder(t *testing.T, s Store) {
	ctx := context.Background()
	k := key(base.Truncate(time.Hour))
	first, _ := claim(t, s, k, "replica-1", time.Minute, at(0))
	// A restarted process with the same replica id claims its slot again.
	again, claimed := claim(t, s, k, "replica-1", time.Minute, at(10*time.Second))
	if !claimed || again.ID != first.ID || again.Attempts != 2 {
		t.Fatalf("re-claim by the same holder = %+v, %v; want claimed, Attempts 2", again, claimed)
	}
	// Two attempts of one holder: only one may post.
	ok(t, s.MarkPosting(ctx, again.ID, "replica-1", time.Minute, at(11*time.Second)))
	if err := s.MarkPosting(ctx, first.ID, "replica-1", time.Minute, at(12*time.Second)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("second MarkPosting of one run: error %v, want ErrLeaseLost", err)
	}
	if r, claimed := claim(t, s, k, "replica-1", time.Minute, at(13*time.Second)); claimed || r.State != store.RunPosting {
		t.Errorf("claiming a run its holder is posting = %+v, %v; want refused", r, claimed)
	}
}

func testPostingUncertain(t *testing.T, s Store) {
	ctx := context.Background()
	k := key(base.Truncate(time.Hour))
	r, _ := claim(t, s, k, "h1", time.Minute, at(0))
	ok(t, s.MarkPosting(ctx, r.ID, "h1", 2*time.Minute, at(30*time.Second)))
	// MarkPosting extended the lease: at 1m30s it is still live.
	if got, claimed := claim(t, s, k, "h2", time.Minute, at(90*time.Second)); claimed || got.State != store.RunPosting {
		t.Errorf("claim during a live post = %+v, %v; want refused, posting", got, claimed)
	}
	got, claimed := claim(t, s, k, "h2", time.Minute, at(150*time.Second))
	if claimed {
		t.Fatal("a run whose holder died mid-post was claimed again: it could be posted twice")
	}
	if got.State != store.RunUncertain || got.Error == "" || got.Holder != "h1" || !got.FinishedAt.Equal(wantTime(at(150*time.Second))) {
		t.Errorf("run left mid-post = %+v; want uncertain with a reason, still naming h1", got)
	}
	if got, claimed := claim(t, s, k, "h3", time.Minute, at(time.Hour)); claimed || got.State != store.RunUncertain {
		t.Errorf("an uncertain run = %+v, %v; want never claimed again", got, claimed)
	}
	if _, found, err := s.LastPosted(ctx, k.Digest, k.Destination); err != nil || found {
		t.Errorf("LastPosted with only an uncertain run = %v, %v; want none", found, err)
	}
	// The holder was only slow: its report settles the run.
	ok(t, s.CompleteRun(ctx, r.ID, "h1", 7, "late-ref", at(151*time.Second)))
	last, found, err := s.LastPosted(ctx, k.Digest, k.Destination)
	ok(t, err)
	if !found || last.State != store.RunPosted || last.Error != "" || last.CoveredTo != 7 {
		t.Errorf("uncertain run completed by its holder = %+v, %v", last, found)
	}
}

// testClaimOneInFlight: while a run of one slot is claimed or posting, no
// other slot of its digest and destination is claimed; what holders left
// behind is settled by the next claim.
func testClaimOneInFlight(t *testing.T, s Store) {
	ctx := context.Background()
	h := func(n int) time.Time { return base.Truncate(time.Hour).Add(time.Duration(n) * time.Hour) }
	first, claimed := claim(t, s, key(h(1)), "h1", time.Minute, at(0))
	if !claimed {
		t.Fatal("the first slot was not claimed")
	}
	// Another slot, another holder, while the first is claimed: refused,
	// reporting the run in flight.
	r, claimed := claim(t, s, key(h(2)), "h2", time.Minute, at(30*time.Second))
	if claimed || r.ID != first.ID || !r.Slot.Equal(h(1)) {
		t.Fatalf("claim of slot 2 while slot 1 is claimed = %+v, %v; want refused with slot 1's run", r, claimed)
	}
	// The same holder too: one run at a time, whoever holds it.
	if r, claimed := claim(t, s, key(h(2)), "h1", time.Minute, at(31*time.Second)); claimed || r.ID != first.ID {
		t.Errorf("claim of slot 2 by slot 1's own holder = %+v, %v; want refused", r, claimed)
	}
	// Another destination and another digest are not held up.
	other := key(h(2))
	other.Destination = "stdout"
	if _, claimed := claim(t, s, other, "h2", time.Minute, at(32*time.Second)); !claimed {
		t.Error("a slot to another destination waited for slot 1")
	}
	other = key(h(2))
	other.Digest = "weekly"
	if _, claimed := claim(t, s, other, "h2", time.Minute, at(33*time.Second)); !claimed {
		t.Error("a slot of another digest waited for slot 1")
	}
	// Posting holds the destination as long as its lease.
	ok(t, s.MarkPosting(ctx, first.ID, "h1", 5*time.Minute, at(40*time.Second)))
	if r, claimed := claim(t, s, key(h(2)), "h2", time.Minute, at(5*time.Minute)); claimed || r.ID != first.ID || r.State != store.RunPosting {
		t.Errorf("claim of slot 2 while slot 1 posts = %+v, %v; want refused", r, claimed)
	}
	ok(t, s.CompleteRun(ctx, first.ID, "h1", 10, "ref-1", at(5*time.Minute+time.Second)))
	second, claimed := claim(t, s, key(h(2)), "h2", time.Minute, at(5*time.Minute+2*time.Second))
	if !claimed || second.State != store.RunClaimed {
		t.Fatalf("claim of slot 2 after slot 1 posted = %+v, %v; want claimed", second, claimed)
	}
	// Slot 2's holder dies mid-post: slot 3 waits until the post's lease
	// ends, then is claimed, and slot 2 is recorded uncertain.
	ok(t, s.MarkPosting(ctx, second.ID, "h2", 2*time.Minute, at(6*time.Minute)))
	if _, claimed := claim(t, s, key(h(3)), "h3", time.Minute, at(7*time.Minute)); claimed {
		t.Error("slot 3 was claimed while slot 2 was posting under a live lease")
	}
	third, claimed := claim(t, s, key(h(3)), "h3", time.Minute, at(8*time.Minute))
	if !claimed {
		t.Fatal("slot 3 was not claimed after slot 2's posting lease expired")
	}
	runs, err := s.Runs(ctx, "daily", 0)
	ok(t, err)
	states := map[string]store.RunState{}
	for _, r := range runs {
		if r.Destination == "slack:C1" {
			states[r.Slot.Format("15:04")] = r.State
			if r.ID == second.ID && (r.Error == "" || !r.FinishedAt.Equal(wantTime(at(8*time.Minute)))) {
				t.Errorf("slot 2 settled as %+v; want a reason and the time of the claim that settled it", r)
			}
		}
	}
	if states[h(2).Format("15:04")] != store.RunUncertain {
		t.Errorf("slot 2 left mid-post is %s after slot 3 was claimed, want uncertain (%v)", states[h(2).Format("15:04")], states)
	}
	// Slot 3's holder dies before posting: slot 4 takes over once the claim
	// expired and supersedes it; slot 3's holder, back, cannot post.
	fourth, claimed := claim(t, s, key(h(4)), "h4", time.Minute, at(9*time.Minute))
	if !claimed {
		t.Fatal("slot 4 was not claimed after slot 3's claim expired")
	}
	if err := s.MarkPosting(ctx, third.ID, "h3", time.Minute, at(9*time.Minute+time.Second)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("MarkPosting of the superseded slot 3: %v, want ErrLeaseLost", err)
	}
	got, claimed := claim(t, s, key(h(3)), "h5", time.Minute, at(10*time.Minute))
	if claimed || got.ID != third.ID || got.State != store.RunFailed || !strings.Contains(got.Error, "superseded") {
		t.Errorf("slot 3 after slot 4 was claimed = %+v, %v; want slot 3 failed, superseded", got, claimed)
	}
	if fourth.State != store.RunClaimed {
		t.Errorf("slot 4 = %+v", fourth)
	}
	if _, found, err := s.LastPosted(ctx, "daily", "slack:C1"); err != nil || !found {
		t.Errorf("LastPosted = %v, %v", found, err)
	}
}

// testClaimSlotsInOrder: a slot earlier than one that has a run is not run,
// so that a late claim never posts an older slot after a newer one.
func testClaimSlotsInOrder(t *testing.T, s Store) {
	ctx := context.Background()
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	later, _ := claim(t, s, key(day.Add(24*time.Hour)), "h1", time.Minute, at(0))
	ok(t, s.CompleteRun(ctx, later.ID, "h1", 5, "ref", at(time.Second)))
	r, claimed := claim(t, s, key(day), "h2", time.Minute, at(2*time.Second))
	if claimed || r.ID != later.ID {
		t.Errorf("claim of a slot before a posted one = %+v, %v; want refused with the later run", r, claimed)
	}
	if _, found, err := s.LastRun(ctx, "daily", "slack:C1"); err != nil || !found {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx, "daily", 0)
	ok(t, err)
	if len(runs) != 1 {
		t.Errorf("the refused earlier slot left a run: %+v", runs)
	}
	// The next slot after it runs.
	if _, claimed := claim(t, s, key(day.Add(48*time.Hour)), "h2", time.Minute, at(3*time.Second)); !claimed {
		t.Error("the slot after the posted one was not claimed")
	}
}

// testConcurrentSlotsOneInFlight: workers on two stores claim different
// slots of one digest and destination at once: exactly one claim wins each
// round, whatever the interleaving; once it is settled, the next round's
// does.
func testConcurrentSlotsOneInFlight(t *testing.T, a, b Store) {
	ctx := context.Background()
	const workers, rounds = 8, 5
	for round := range rounds {
		now := at(time.Duration(round) * time.Hour)
		var mu sync.Mutex
		var won []store.Run
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				s := pick(w, a, b)
				slot := base.Truncate(time.Hour).Add(time.Duration(round*workers+w) * time.Minute)
				r, claimed, err := s.ClaimRun(ctx, key(slot), "t", fmt.Sprintf("worker-%d", w), time.Minute, now)
				if err != nil {
					t.Errorf("ClaimRun: %v", err)
					return
				}
				if claimed {
					mu.Lock()
					won = append(won, r)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("round %d: %d slots of one digest and destination were claimed at once, want 1: %+v", round, len(won), won)
		}
		ok(t, a.CompleteRun(ctx, won[0].ID, won[0].Holder, int64(round+1), "ref", now.Add(time.Second)))
	}
}

func testCompleteAndFail(t *testing.T, s Store) {
	ctx := context.Background()
	slot := base.Truncate(time.Hour)
	r, _ := claim(t, s, key(slot), "h1", time.Minute, at(0))
	ok(t, s.MarkPosting(ctx, r.ID, "h1", time.Minute, at(time.Second)))
	ok(t, s.FailRun(ctx, r.ID, "h1", "slack: 500 \xff\x00 Internal Server Error", at(2*time.Second)))
	got, claimed := claim(t, s, key(slot), "h2", time.Minute, at(time.Hour))
	if claimed {
		t.Error("a failed run was claimed again; failed slots are retried at the next tick")
	}
	if got.State != store.RunFailed || got.Error != "slack: 500 \uFFFD Internal Server Error" || !got.FinishedAt.Equal(wantTime(at(2*time.Second))) {
		t.Errorf("failed run = %+v", got)
	}
	if _, found, err := s.LastPosted(ctx, "daily", "slack:C1"); err != nil || found {
		t.Errorf("LastPosted after a failure = %v, %v; want none", found, err)
	}
	// A run can be completed without MarkPosting (nothing to send).
	r2, _ := claim(t, s, key(slot.Add(time.Hour)), "h1", time.Minute, at(time.Hour))
	ok(t, s.CompleteRun(ctx, r2.ID, "h1", 0, "", at(time.Hour+time.Second)))
	if err := s.CompleteRun(ctx, r2.ID, "h1", 5, "x", at(time.Hour+2*time.Second)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("completing a posted run again: error %v, want ErrLeaseLost", err)
	}
	if err := s.FailRun(ctx, r2.ID, "h1", "late", at(time.Hour+2*time.Second)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("failing a posted run: error %v, want ErrLeaseLost", err)
	}
}

func testTransitionErrors(t *testing.T, s Store) {
	ctx := context.Background()
	if err := s.MarkPosting(ctx, 987654, "h", time.Minute, at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkPosting of no run: %v, want ErrNotFound", err)
	}
	if err := s.CompleteRun(ctx, 987654, "h", 1, "", at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CompleteRun of no run: %v, want ErrNotFound", err)
	}
	if err := s.FailRun(ctx, 987654, "h", "x", at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FailRun of no run: %v, want ErrNotFound", err)
	}
	r, _ := claim(t, s, key(base), "h1", time.Minute, at(0))
	if err := s.MarkPosting(ctx, r.ID, "h2", time.Minute, at(0)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("MarkPosting by a stranger: %v, want ErrLeaseLost", err)
	}
	if err := s.CompleteRun(ctx, r.ID, "h2", 1, "", at(0)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("CompleteRun by a stranger: %v, want ErrLeaseLost", err)
	}
}

func testLastRuns(t *testing.T, s Store) {
	ctx := context.Background()
	if _, found, err := s.LastRun(ctx, "daily", "slack:C1"); err != nil || found {
		t.Errorf("LastRun on an empty store = %v, %v", found, err)
	}
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	type step struct {
		digest, dest string
		slot         time.Time
		end          store.RunState
	}
	steps := []step{
		{"daily", "slack:C1", day, store.RunPosted},
		{"daily", "slack:C1", day.Add(24 * time.Hour), store.RunPosted},
		{"daily", "slack:C1", day.Add(48 * time.Hour), store.RunFailed},
		{"daily", "stdout", day.Add(72 * time.Hour), store.RunPosted},
		{"hourly", "slack:C1", day.Add(time.Hour), store.RunClaimed},
	}
	for i, st := range steps {
		r, _, err := s.ClaimRun(ctx, store.RunKey{Digest: st.digest, Destination: st.dest, Slot: st.slot}, "t", "h", time.Minute, at(time.Duration(i)*time.Minute))
		ok(t, err)
		switch st.end {
		case store.RunPosted:
			ok(t, s.CompleteRun(ctx, r.ID, "h", int64(i+1), fmt.Sprintf("ref-%d", i), at(time.Duration(i)*time.Minute+time.Second)))
		case store.RunFailed:
			ok(t, s.FailRun(ctx, r.ID, "h", "down", at(time.Duration(i)*time.Minute+time.Second)))
		}
	}
	last, found, err := s.LastPosted(ctx, "daily", "slack:C1")
	ok(t, err)
	if !found || !last.Slot.Equal(day.Add(24*time.Hour)) || last.Ref != "ref-1" {
		t.Errorf("LastPosted(daily, slack:C1) = %+v, %v; want the posted run of the latest slot (day 2)", last, found)
	}
	lr, found, err := s.LastRun(ctx, "daily", "slack:C1")
	ok(t, err)
	if !found || !lr.Slot.Equal(day.Add(48*time.Hour)) || lr.State != store.RunFailed {
		t.Errorf("LastRun(daily, slack:C1) = %+v, %v; want the failed day-3 run", lr, found)
	}
	if _, found, err := s.LastPosted(ctx, "hourly", "slack:C1"); err != nil || found {
		t.Errorf("LastPosted(hourly) with only a claimed run = %v, %v", found, err)
	}

	runs, err := s.Runs(ctx, "daily", 0)
	ok(t, err)
	var slots []string
	for _, r := range runs {
		slots = append(slots, r.Slot.Format("01-02")+" "+r.Destination)
	}
	if want := []string{"03-04 stdout", "03-03 slack:C1", "03-02 slack:C1", "03-01 slack:C1"}; !slices.Equal(slots, want) {
		t.Errorf("Runs(daily) = %v, want %v", slots, want)
	}
	runs, err = s.Runs(ctx, "", 2)
	ok(t, err)
	if len(runs) != 2 || !runs[0].Slot.Equal(day.Add(72*time.Hour)) || !runs[1].Slot.Equal(day.Add(48*time.Hour)) {
		t.Errorf("Runs(all, 2) = %+v", runs)
	}
	runs, err = s.Runs(ctx, "", 0)
	ok(t, err)
	if len(runs) != len(steps) {
		t.Errorf("Runs(all) returned %d, want %d", len(runs), len(steps))
	}
	if runs, err := s.Runs(ctx, "nope", 0); err != nil || len(runs) != 0 {
		t.Errorf("Runs(unknown digest) = %v, %v", runs, err)
	}
}

func acquire(t *testing.T, s Store, name, holder string, ttl time.Duration, now time.Time) bool {
	t.Helper()
	got, err := s.AcquireLease(context.Background(), name, holder, ttl, now)
	if err != nil {
		t.Fatalf("AcquireLease(%s, %s): %v", name, holder, err)
	}
	return got
}

func testLeases(t *testing.T, s Store) {
	ctx := context.Background()
	if !acquire(t, s, "poll:t", "a", time.Minute, at(0)) {
		t.Fatal("a free lease was refused")
	}
	if acquire(t, s, "poll:t", "b", time.Minute, at(30*time.Second)) {
		t.Error("a live lease was given to another holder")
	}
	if !acquire(t, s, "poll:other", "b", time.Minute, at(30*time.Second)) {
		t.Error("another lease name was refused")
	}
	if !acquire(t, s, "poll:t", "a", time.Minute, at(50*time.Second)) {
		t.Error("the holder could not renew its lease")
	}
	if acquire(t, s, "poll:t", "b", time.Minute, at(100*time.Second)) {
		t.Error("a renewed lease (until 1m50s) was taken at 1m40s")
	}
	if !acquire(t, s, "poll:t", "b", time.Minute, at(110*time.Second)) {
		t.Error("an expired lease was not taken over")
	}
	if acquire(t, s, "poll:t", "a", time.Minute, at(111*time.Second)) {
		t.Error("the old holder got the lease back while the new one holds it")
	}
	ok(t, s.ReleaseLease(ctx, "poll:t", "a")) // not a's: no effect
	if acquire(t, s, "poll:t", "c", time.Minute, at(112*time.Second)) {
		t.Error("a release by a non-holder freed the lease")
	}
	ok(t, s.ReleaseLease(ctx, "poll:t", "b"))
	if !acquire(t, s, "poll:t", "c", time.Minute, at(113*time.Second)) {
		t.Error("a released lease was refused")
	}
	ok(t, s.ReleaseLease(ctx, "never-held", "x"))
	if _, err := s.AcquireLease(ctx, "", "a", time.Minute, at(0)); err == nil {
		t.Error("AcquireLease with an empty name succeeded")
	}
}

func testSourceState(t *testing.T, s Store) {
	ctx := context.Background()
	saveThread(t, s, "t")
	saveThread(t, s, "u")
	if st, err := s.SourceState(ctx, "t"); err != nil || st != "" {
		t.Errorf("SourceState before any = %q, %v", st, err)
	}
	ok(t, s.SetSourceState(ctx, "t", `{"cursor":"abc","etag":"W/\"1\""}`))
	ok(t, s.SetSourceState(ctx, "u", "other"))
	binary := "opaque \x00\xff\xfe bytes"
	ok(t, s.SetSourceState(ctx, "t", binary))
	if st, err := s.SourceState(ctx, "t"); err != nil || st != binary {
		t.Errorf("SourceState = %q, %v; want %q", st, err, binary)
	}
	if st, err := s.SourceState(ctx, "u"); err != nil || st != "other" {
		t.Errorf("SourceState(u) = %q, %v", st, err)
	}
	ok(t, s.SetSourceState(ctx, "t", ""))
	if st, err := s.SourceState(ctx, "t"); err != nil || st != "" {
		t.Errorf("SourceState after clearing = %q, %v", st, err)
	}
	if err := s.SetSourceState(ctx, "missing", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSourceState of a missing thread: %v, want ErrNotFound", err)
	}
}

func testFollows(t *testing.T, s Store) {
	ctx := context.Background()
	for _, name := range []string{"zeta", "alpha", "mid"} {
		saveThread(t, s, name)
	}
	f1 := store.Follow{Platform: "slack", Channel: "C1", Thread: "zeta", Schedule: "CRON_TZ=Europe/Berlin 0 9 * * *", CreatedBy: "U1", CreatedAt: wantTime(at(0))}
	f2 := store.Follow{Platform: "slack", Channel: "C1", Thread: "alpha", Schedule: "0 9 * * *", CreatedBy: "U2", CreatedAt: wantTime(at(time.Minute))}
	f3 := store.Follow{Platform: "discord", Channel: "C1", Thread: "mid", Schedule: "@every 1h", CreatedBy: "D1", CreatedAt: wantTime(at(2 * time.Minute))}
	f4 := store.Follow{Platform: "slack", Channel: "C2", Thread: "mid", Schedule: "0 8 * * 1", CreatedBy: "U3", CreatedAt: wantTime(at(3 * time.Minute))}
	for _, f := range []store.Follow{f1, f2, f3, f4} {
		ok(t, s.AddFollow(ctx, f))
	}
	list := func(platform, channel string) []store.Follow {
		t.Helper()
		fs, err := s.Follows(ctx, platform, channel)
		ok(t, err)
		return fs
	}
	eq := func(a, b store.Follow) bool {
		return a.Platform == b.Platform && a.Channel == b.Channel && a.Thread == b.Thread && a.Schedule == b.Schedule &&
			a.CreatedBy == b.CreatedBy && a.CreatedAt.Equal(b.CreatedAt)
	}
	if got, want := list("slack", "C1"), []store.Follow{f2, f1}; !slices.EqualFunc(got, want, eq) {
		t.Errorf("Follows(slack, C1) = %+v, want %+v", got, want)
	}
	if got, want := list("", ""), []store.Follow{f2, f3, f4, f1}; !slices.EqualFunc(got, want, eq) {
		t.Errorf("Follows(all) = %+v, want %+v", got, want)
	}
	if got, want := list("slack", ""), []store.Follow{f2, f4, f1}; !slices.EqualFunc(got, want, eq) {
		t.Errorf("Follows(slack) = %+v, want %+v", got, want)
	}
	// Following again replaces the schedule.
	f1.Schedule, f1.CreatedBy = "0 7 * * *", "U9"
	ok(t, s.AddFollow(ctx, f1))
	if got := list("slack", "C1"); len(got) != 2 || !eq(got[1], f1) {
		t.Errorf("after re-follow: %+v, want %+v second", got, f1)
	}
	ok(t, s.RemoveFollow(ctx, "slack", "C1", "zeta"))
	if err := s.RemoveFollow(ctx, "slack", "C1", "zeta"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing a removed follow: %v, want ErrNotFound", err)
	}
	if got, want := list("slack", "C1"), []store.Follow{f2}; !slices.EqualFunc(got, want, eq) {
		t.Errorf("after unfollow: %+v, want %+v", got, want)
	}
	if err := s.AddFollow(ctx, store.Follow{Platform: "slack", Channel: "C1", Thread: "missing", Schedule: "0 9 * * *"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("following a missing thread: %v, want ErrNotFound", err)
	}
	if err := s.AddFollow(ctx, store.Follow{Platform: "slack", Thread: "alpha"}); err == nil {
		t.Error("a follow without a channel was stored")
	}
	if got := list("teams", "C1"); len(got) != 0 {
		t.Errorf("Follows(teams, C1) = %+v, want none", got)
	}
}

// pick spreads goroutines over the stores under test.
func pick(i int, a, b Store) Store {
	if i%2 == 0 {
		return a
	}
	return b
}

// slotKey is the run of slot i of a digest to a destination of its own, so
// that the claims of different slots do not wait for each other.
func slotKey(i int) store.RunKey {
	return store.RunKey{Digest: "daily", Destination: fmt.Sprintf("slack:C%d", i), Slot: base.Add(time.Duration(i) * time.Hour)}
}

func testConcurrentClaims(t *testing.T, a, b Store) {
	ctx := context.Background()
	const workers, slots = 16, 20
	var wins [slots]int
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, workers*slots)
	for w := range workers {
		wg.Go(func() {
			s := pick(w, a, b)
			holder := fmt.Sprintf("worker-%d", w)
			for i := range slots {
				k := slotKey(i)
				_, claimed, err := s.ClaimRun(ctx, k, "t", holder, time.Minute, at(time.Second))
				if err != nil {
					errs <- err
					return
				}
				if claimed {
					mu.Lock()
					wins[i]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("ClaimRun: %v", err)
	}
	for i, n := range wins {
		if n != 1 {
			t.Errorf("slot %d was claimed by %d workers, want exactly 1", i, n)
		}
	}
	// Expired leases, taken over concurrently: again exactly one each.
	wins = [slots]int{}
	for w := range workers {
		wg.Go(func() {
			s := pick(w, a, b)
			holder := fmt.Sprintf("late-%d", w)
			for i := range slots {
				k := slotKey(i)
				r, claimed, err := s.ClaimRun(ctx, k, "t", holder, time.Minute, at(time.Hour))
				if err != nil {
					t.Errorf("ClaimRun: %v", err)
					return
				}
				if claimed {
					if r.Attempts != 2 {
						t.Errorf("taken-over run has Attempts %d, want 2", r.Attempts)
					}
					mu.Lock()
					wins[i]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for i, n := range wins {
		if n != 1 {
			t.Errorf("expired slot %d was taken over by %d workers, want exactly 1", i, n)
		}
	}
}

func testConcurrentLeases(t *testing.T, a, b Store) {
	const workers, rounds = 12, 15
	for r := range rounds {
		// Each round starts when the previous round's lease has expired.
		now := at(time.Duration(r) * time.Minute)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var holders []string
		for w := range workers {
			wg.Go(func() {
				holder := fmt.Sprintf("w%d", w)
				got, err := pick(w, a, b).AcquireLease(context.Background(), "poll:t", holder, time.Minute, now)
				if err != nil {
					t.Errorf("AcquireLease: %v", err)
					return
				}
				if got {
					mu.Lock()
					holders = append(holders, holder)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(holders) != 1 {
			t.Errorf("round %d: the lease went to %d holders %v, want exactly 1", r, len(holders), holders)
		}
	}
}

func testConcurrentUpserts(t *testing.T, a, b Store) {
	ctx := context.Background()
	saveThread(t, a, "shared")
	saveThread(t, a, "other")
	const workers, perWorker = 8, 60
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total store.UpsertResult
	for w := range workers {
		wg.Go(func() {
			s := pick(w, a, b)
			for i := 0; i < perWorker; i += 10 {
				// Every worker sends the same ids, as two pollers of one
				// thread would: each comment must be added exactly once.
				var batch []threaddigest.Comment
				for j := i; j < i+10; j++ {
					batch = append(batch, comment(fmt.Sprintf("c%03d", j), fmt.Sprintf("body %d", j)))
				}
				res, err := s.UpsertComments(ctx, "shared", batch, at(time.Duration(i)*time.Second))
				if err != nil {
					t.Errorf("UpsertComments(shared): %v", err)
					return
				}
				_, err = s.UpsertComments(ctx, "other", []threaddigest.Comment{comment(fmt.Sprintf("w%d-%d", w, i), "x")}, at(0))
				if err != nil {
					t.Errorf("UpsertComments(other): %v", err)
					return
				}
				mu.Lock()
				total.Added += res.Added
				total.Updated += res.Updated
				total.Unchanged += res.Unchanged
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if want := (store.UpsertResult{Added: perWorker, Unchanged: perWorker * (workers - 1)}); total != want {
		t.Errorf("concurrent upserts of the same comments summed to %+v, want %+v", total, want)
	}
	shared, other := comments(t, a, "shared"), comments(t, b, "other")
	if len(shared) != perWorker || len(other) != workers*perWorker/10 {
		t.Errorf("stored %d shared and %d other comments, want %d and %d", len(shared), len(other), perWorker, workers*perWorker/10)
	}
	seen := make(map[int64]string)
	for _, c := range append(shared, other...) {
		if prev, dup := seen[c.Seq]; dup {
			t.Errorf("Seq %d given to both %s and %s", c.Seq, prev, c.ID)
		}
		seen[c.Seq] = c.ID
	}
}

// testNoCommentSkipped checks what "new comments" rests on: once a reader has
// seen the thread up to Seq X, no comment with a Seq at or below X can appear
// later. Were Seqs given out in an order other than the order comments become
// visible, a digest covering up to X would skip the late one for ever.
func testNoCommentSkipped(t *testing.T, a, b Store) {
	ctx := context.Background()
	saveThread(t, a, "t")
	saveThread(t, a, "noise")
	const writers, batches = 4, 25
	type snapshot struct {
		max int64
		ids map[string]bool
	}
	var snaps []snapshot
	done := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			cs, err := b.Comments(ctx, "t")
			if err != nil {
				t.Errorf("Comments: %v", err)
				return
			}
			snap := snapshot{ids: make(map[string]bool, len(cs))}
			for _, c := range cs {
				snap.ids[c.ID] = true
				snap.max = max(snap.max, c.Seq)
			}
			snaps = append(snaps, snap)
		}
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			s := pick(w, a, b)
			for i := range batches {
				var batch []threaddigest.Comment
				for j := range 5 {
					batch = append(batch, comment(fmt.Sprintf("w%d-%d-%d", w, i, j), "x"))
				}
				thread := "t"
				if i%3 == 2 {
					thread = "noise"
				}
				if _, err := s.UpsertComments(ctx, thread, batch, at(0)); err != nil {
					t.Errorf("UpsertComments: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	final := comments(t, a, "t")
	for _, snap := range snaps {
		for _, c := range final {
			if c.Seq <= snap.max && !snap.ids[c.ID] {
				t.Fatalf("comment %s (Seq %d) became visible after a reader had seen the thread up to Seq %d", c.ID, c.Seq, snap.max)
			}
		}
	}
	if len(snaps) < 2 {
		t.Logf("only %d snapshots taken", len(snaps))
	}
}

func testModelLabels(t *testing.T, s Store) {
	ctx := context.Background()
	saveThread(t, s, "t")
	saveThread(t, s, "u")
	got, err := s.ModelLabels(ctx, "t", []string{"a", "b"})
	if err != nil || len(got) != 0 {
		t.Fatalf("ModelLabels before any = %v, %v; want none", got, err)
	}
	if got, err := s.ModelLabels(ctx, "missing", []string{"a"}); err != nil || len(got) != 0 {
		t.Errorf("ModelLabels of a missing thread = %v, %v; want none", got, err)
	}
	binary := []byte("{\"stance\":\"favor\"} \x00\xff\xfe")
	ok(t, s.SaveModelLabels(ctx, "t", map[string][]byte{"a": []byte(`{"v":1}`), "b": binary, "e": {}}, at(0)))
	ok(t, s.SaveModelLabels(ctx, "u", map[string][]byte{"a": []byte("other thread")}, at(0)))
	got, err = s.ModelLabels(ctx, "t", []string{"a", "b", "c", "e"})
	ok(t, err)
	want := map[string]string{"a": `{"v":1}`, "b": string(binary), "e": ""}
	if len(got) != len(want) {
		t.Errorf("ModelLabels = %q; want %q", got, want)
	}
	for k, v := range want {
		if g, found := got[k]; !found || string(g) != v || g == nil {
			t.Errorf("ModelLabels[%q] = %q (found %v); want %q, never nil", k, g, found, v)
		}
	}
	// Replacing a key keeps the others.
	ok(t, s.SaveModelLabels(ctx, "t", map[string][]byte{"a": []byte(`{"v":2}`)}, at(time.Minute)))
	got, err = s.ModelLabels(ctx, "t", []string{"a", "b"})
	ok(t, err)
	if string(got["a"]) != `{"v":2}` || string(got["b"]) != string(binary) {
		t.Errorf("after replacing a: %q", got)
	}
	if got, err := s.ModelLabels(ctx, "u", []string{"a", "b"}); err != nil || len(got) != 1 || string(got["a"]) != "other thread" {
		t.Errorf("ModelLabels(u) = %q, %v; want only its own", got, err)
	}
	// Many keys at once (more than one query's worth).
	many := make(map[string][]byte)
	var keys []string
	for i := range 1234 {
		k := fmt.Sprintf("k%05d", i)
		many[k] = []byte(fmt.Sprint(i))
		keys = append(keys, k)
	}
	ok(t, s.SaveModelLabels(ctx, "t", many, at(2*time.Minute)))
	got, err = s.ModelLabels(ctx, "t", append(keys, "absent"))
	ok(t, err)
	if len(got) != len(many) {
		t.Errorf("ModelLabels of %d keys found %d", len(many), len(got))
	}
	for k, v := range many {
		if string(got[k]) != string(v) {
			t.Errorf("ModelLabels[%q] = %q; want %q", k, got[k], v)
			break
		}
	}
	if err := s.SaveModelLabels(ctx, "missing", map[string][]byte{"a": {}}, at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SaveModelLabels of a missing thread: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "nul\x00key", "bad\xffutf8"} {
		if err := s.SaveModelLabels(ctx, "t", map[string][]byte{bad: {}}, at(0)); err == nil {
			t.Errorf("SaveModelLabels under key %q: no error", bad)
		}
		if _, err := s.ModelLabels(ctx, "t", []string{bad}); err == nil {
			t.Errorf("ModelLabels under key %q: no error", bad)
		}
	}
}

func testArgumentSets(t *testing.T, s Store) {
	ctx := context.Background()
	saveThread(t, s, "t")
	saveThread(t, s, "u")
	if set, found, err := s.ArgumentSet(ctx, "t", "m1"); err != nil || found || set != nil {
		t.Errorf("ArgumentSet before any = %q, %v, %v; want none", set, found, err)
	}
	ok(t, s.SaveArgumentSet(ctx, "t", "m1", []byte(`[{"claim":"one"}]`), at(0)))
	ok(t, s.SaveArgumentSet(ctx, "t", "m2", []byte("\x00\xff"), at(0)))
	ok(t, s.SaveArgumentSet(ctx, "u", "m1", []byte("u's"), at(0)))
	check := func(thread, scope, want string) {
		t.Helper()
		set, found, err := s.ArgumentSet(ctx, thread, scope)
		if err != nil || !found || string(set) != want {
			t.Errorf("ArgumentSet(%s, %s) = %q, %v, %v; want %q", thread, scope, set, found, err, want)
		}
	}
	check("t", "m1", `[{"claim":"one"}]`)
	check("t", "m2", "\x00\xff")
	check("u", "m1", "u's")
	ok(t, s.SaveArgumentSet(ctx, "t", "m1", []byte(`[{"claim":"one"},{"claim":"two"}]`), at(time.Hour)))
	check("t", "m1", `[{"claim":"one"},{"claim":"two"}]`)
	check("u", "m1", "u's")
	ok(t, s.SaveArgumentSet(ctx, "t", "m1", nil, at(time.Hour)))
	check("t", "m1", "")
	if err := s.SaveArgumentSet(ctx, "missing", "m1", []byte("x"), at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SaveArgumentSet of a missing thread: %v, want ErrNotFound", err)
	}
	if err := s.SaveArgumentSet(ctx, "t", "", []byte("x"), at(0)); err == nil {
		t.Error("SaveArgumentSet under an empty scope: no error")
	}
}
