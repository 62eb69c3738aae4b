// Package rules holds the decisions both store implementations must make the
// same way — how an incoming comment merges with the stored one, who may claim
// a run, what text a database column accepts — so that SQLite and PostgreSQL
// differ only in how they talk to their database, and the conformance suite
// checks one behaviour.
package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
)

// Time returns t as the stores keep it: UTC, truncated to the microsecond
// (PostgreSQL's timestamptz precision; SQLite keeps the same integer), and the
// zero time unchanged so that "unknown" stays unknown.
func Time(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// Comment returns c with its times as the stores keep them, so that comparing
// an incoming comment with a stored one does not see a change where there is
// only a difference of precision or zone.
func Comment(c threaddigest.Comment) threaddigest.Comment {
	c.CreatedAt = Time(c.CreatedAt)
	return c
}

// Merge returns what storing incoming over stored leaves in the store, and
// whether that differs from stored. A deletion only marks the stored comment
// deleted: sources usually blank a deleted comment's fields, and keeping them
// lets replies still show what they answered. An undeleted comment (Deleted
// false after true) replaces every field.
func Merge(stored, incoming threaddigest.Comment) (threaddigest.Comment, bool) {
	incoming = Comment(incoming)
	if incoming.Deleted {
		if stored.Deleted {
			return stored, false
		}
		stored.Deleted = true
		return stored, true
	}
	return incoming, !same(incoming, stored)
}

func same(a, b threaddigest.Comment) bool {
	return a.ID == b.ID && a.ParentID == b.ParentID && a.Author == b.Author &&
		a.AuthorID == b.AuthorID && a.Location == b.Location && a.Body == b.Body &&
		a.CreatedAt.Equal(b.CreatedAt) && a.Likes == b.Likes && a.Deleted == b.Deleted && a.URL == b.URL
}

// Plan is what one UpsertComments call writes.
type Plan struct {
	// Inserts are the new comments, in the order their first occurrence had
	// in the batch, which is the order their Seqs follow.
	Inserts []threaddigest.Comment
	// Updates are stored comments that changed, with their new content.
	Updates []threaddigest.Comment
	Result  store.UpsertResult
}

// PlanUpsert compares a batch with the stored comments it names (existing,
// keyed by ID) and says what to write. A comment that appears twice in one
// batch is applied in order: its second occurrence counts as an update or as
// unchanged against the first. Every comment of the batch is counted once in
// the result.
func PlanUpsert(existing map[string]threaddigest.Comment, batch []threaddigest.Comment) (Plan, error) {
	var p Plan
	inserted := make(map[string]int)
	updated := make(map[string]int)
	for i, c := range batch {
		if c.ID == "" {
			return Plan{}, fmt.Errorf("comment %d of %d has an empty ID", i+1, len(batch))
		}
		if at, ok := inserted[c.ID]; ok {
			p.mergeInto(p.Inserts, at, c)
			continue
		}
		if at, ok := updated[c.ID]; ok {
			p.mergeInto(p.Updates, at, c)
			continue
		}
		if stored, ok := existing[c.ID]; ok {
			merged, changed := Merge(Comment(stored), c)
			if changed {
				updated[c.ID] = len(p.Updates)
				p.Updates = append(p.Updates, merged)
				p.Result.Updated++
			} else {
				p.Result.Unchanged++
			}
			continue
		}
		inserted[c.ID] = len(p.Inserts)
		p.Inserts = append(p.Inserts, Comment(c))
		p.Result.Added++
	}
	return p, nil
}

// mergeInto applies c over the planned comment list[at] and counts it.
func (p *Plan) mergeInto(list []threaddigest.Comment, at int, c threaddigest.Comment) {
	merged, changed := Merge(list[at], c)
	if !changed {
		p.Result.Unchanged++
		return
	}
	list[at] = merged
	p.Result.Updated++
}

// BatchIDs returns the distinct IDs of a batch, in first-seen order.
func BatchIDs(batch []threaddigest.Comment) []string {
	seen := make(map[string]bool, len(batch))
	ids := make([]string, 0, len(batch))
	for _, c := range batch {
		if !seen[c.ID] {
			seen[c.ID] = true
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// ClaimAction is what ClaimRun does to an existing run.
type ClaimAction int

// The claim actions.
const (
	// Refuse leaves the run as it is: it is held by another live holder, or
	// finished (posted, failed, uncertain).
	Refuse ClaimAction = iota
	// TakeOver gives the claimed run to the caller. Nothing was sent for it:
	// its holder never reached MarkPosting.
	TakeOver
	// MarkUncertain records that a run was left mid-post: the destination may
	// or may not have received it, so it is never posted again automatically.
	MarkUncertain
	// Supersede marks a claimed run whose holder died as failed because a
	// later slot of its digest and destination has a run: taking it over
	// would post an older slot after a newer one, and the newer covers its
	// comments (PlanClaim).
	Supersede
)

// DecideClaim says what a claim by holder at now does to the existing run r.
// A lease has expired when now is at or after LeaseUntil. The holder of a
// claimed run may claim it again (a restarted process with a stable replica
// id); MarkPosting then lets only one of its attempts proceed.
func DecideClaim(r store.Run, holder string, now time.Time) ClaimAction {
	expired := !now.Before(r.LeaseUntil)
	switch r.State {
	case store.RunClaimed:
		if expired || r.Holder == holder {
			return TakeOver
		}
	case store.RunPosting:
		if expired {
			return MarkUncertain
		}
	}
	return Refuse
}

// ClaimPlan is what one ClaimRun does, decided by PlanClaim from the run of
// its key and the other runs of the same digest and destination.
type ClaimPlan struct {
	// Insert creates the key's run, claimed by the caller; Action is then
	// Refuse's zero value and unused.
	Insert bool
	// Action is what happens to the key's existing run when Insert is
	// false: TakeOver, MarkUncertain, Supersede or Refuse.
	Action ClaimAction
	// Blocker is the run of another slot that keeps the key from being
	// claimed (in flight, or of a later slot); the claim reports it with
	// claimed=false. Nil when the key's own run is the answer.
	Blocker *store.Run
	// Settle are runs of earlier slots, left by holders whose leases
	// expired, to settle before the claim: a claimed one is superseded by
	// this claim (failed: its comments are still new and this slot covers
	// them), a posting one becomes uncertain. They no longer count as in
	// flight.
	Settle []Settlement
	// Reason is the Error recorded when Action is Supersede.
	Reason string
}

// Settlement is a run of another slot moved to State with Error Reason.
type Settlement struct {
	Run    store.Run
	State  store.RunState
	Reason string
}

// PlanClaim says what a claim of key by holder at now does, given the run
// of the key (nil when none), the claimed and posting runs of the key's
// digest and destination at other slots (inFlight), and the run of their
// latest slot (nil when there is none; it may be existing).
//
// One run of a digest and destination is in flight at a time, and slots
// run in order:
//   - a claim is refused while a run of another slot is claimed or posting
//     under a live lease (the blocker is reported), so later slots wait and
//     fold into one catch-up run instead of posting beside it;
//   - a slot earlier than one that has a run is not run: refused when it
//     has no run, superseded when its claim was left by a holder that died;
//   - runs of earlier slots left by dead holders are settled by the claim
//     that follows them (superseded or uncertain).
func PlanClaim(key store.RunKey, existing *store.Run, inFlight []store.Run, latest *store.Run, holder string, now time.Time) ClaimPlan {
	var p ClaimPlan
	later := latest != nil && latest.Slot.After(key.Slot)
	if existing != nil {
		p.Action = DecideClaim(*existing, holder, now)
		if p.Action != TakeOver {
			return p
		}
		if later {
			p.Action = Supersede
			p.Reason = supersededReason(*existing, latest.Slot)
			return p
		}
	} else if later {
		p.Action, p.Blocker = Refuse, latest
		return p
	}
	for i := range inFlight {
		r := inFlight[i]
		if now.Before(r.LeaseUntil) {
			return ClaimPlan{Action: Refuse, Blocker: &r}
		}
	}
	for _, r := range inFlight {
		switch r.State {
		case store.RunClaimed:
			p.Settle = append(p.Settle, Settlement{Run: r, State: store.RunFailed, Reason: supersededReason(r, key.Slot)})
		case store.RunPosting:
			p.Settle = append(p.Settle, Settlement{Run: r, State: store.RunUncertain, Reason: UncertainReason(r)})
		}
	}
	p.Insert = existing == nil
	return p
}

// RecentRuns is how many of a digest and destination's latest runs (by
// slot) a claim looks through for those in flight. Claims keep
// slots in order and settle what earlier holders left, so a run in flight
// is among the last few; reading a bounded number keeps a claim as fast
// after a year of one-minute slots as on the first day.
const RecentRuns = 64

// supersededReason is the Error recorded on a claimed run superseded by
// the run of slot later.
func supersededReason(r store.Run, later time.Time) string {
	return fmt.Sprintf("superseded: the claim of %s expired before posting, and the run of the later slot %s covers its comments",
		r.Holder, later.UTC().Format(time.RFC3339))
}

// UncertainReason is the Error recorded on a run left mid-post.
func UncertainReason(r store.Run) string {
	return fmt.Sprintf("lease of %s expired at %s while posting; the destination may or may not have received it, so it is not posted again",
		r.Holder, r.LeaseUntil.UTC().Format(time.RFC3339Nano))
}

// Key names a run in error messages: "daily/slack:C1@2026-03-01T08:00:00Z".
func Key(k store.RunKey) string {
	return k.Digest + "/" + k.Destination + "@" + k.Slot.UTC().Format(time.RFC3339Nano)
}

// CheckName reports whether a key or identifier (a thread name, a digest, a
// destination, a holder, a channel) can be stored as text by both databases:
// valid UTF-8 without NUL bytes. field names it in the error.
func CheckName(field, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", field, s)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%s %q contains a NUL byte", field, s)
	}
	return nil
}

// CleanText returns s as text both databases can store: invalid UTF-8
// becomes U+FFFD and NUL bytes are dropped. It is for text the store records
// about itself or a thread (titles, URLs, error reasons, references) where a
// stray byte must not make a write fail; comment fields are stored exactly.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}

// CheckThread reports what keeps a thread record from being stored: an
// empty name, or a key that CheckName refuses.
func CheckThread(t store.ThreadRecord) error {
	if t.Name == "" {
		return errors.New("thread name is empty")
	}
	return errors.Join(CheckName("thread name", t.Name), CheckName("thread source", t.Source),
		CheckName("thread target", t.Target))
}

// CheckFollow reports what keeps a follow from being stored.
func CheckFollow(f store.Follow) error {
	if f.Platform == "" || f.Channel == "" || f.Thread == "" {
		return errors.New("a follow needs a platform, a channel and a thread")
	}
	return errors.Join(CheckName("platform", f.Platform), CheckName("channel", f.Channel),
		CheckName("thread", f.Thread), CheckName("schedule", f.Schedule),
		CheckName("created by", f.CreatedBy))
}

// CheckRunKey reports what keeps a run from being claimed under key by
// holder for thread.
func CheckRunKey(key store.RunKey, thread, holder string) error {
	if key.Digest == "" || key.Destination == "" || key.Slot.IsZero() {
		return errors.New("run key needs a digest, a destination and a slot")
	}
	if holder == "" {
		return errors.New("holder is empty")
	}
	return errors.Join(CheckName("digest", key.Digest), CheckName("destination", key.Destination),
		CheckName("thread", thread), CheckName("holder", holder))
}

// CheckLease reports what keeps holder from taking the named lease: an
// empty name or holder, or one that CheckName refuses.
func CheckLease(name, holder string) error {
	if name == "" || holder == "" {
		return errors.New("lease name and holder must not be empty")
	}
	return errors.Join(CheckName("lease name", name), CheckName("holder", holder))
}

// LeaseKeep is how long after it expired a lease is deleted by Prune. An
// expired lease is as good as none (AcquireLease takes it); its row only
// records who held it last, which is worth a day for looking into an
// incident.
const LeaseKeep = 24 * time.Hour

// LeaseLost is the error of a run transition that found the run r in a
// state, or with a holder, it may not move from.
func LeaseLost(r store.Run) error {
	return fmt.Errorf("%w: the run is %s, held by %s", store.ErrLeaseLost, r.State, r.Holder)
}

// Migration is one schema migration, a file migrations/N_what.sql.
type Migration = store.Migration

// Migrations reads the migrations/*.sql files of fsys in the order of their
// names (zero-padded versions, so version order).
func Migrations(fsys fs.FS) ([]Migration, error) {
	files, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	ms := make([]Migration, 0, len(files))
	for _, f := range files {
		name := strings.TrimPrefix(f, "migrations/")
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive number and '_'", name)
		}
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	return ms, nil
}

// Status says where a database at version current stands against ms.
func Status(ms []Migration, current int) (store.SchemaStatus, error) {
	st := store.SchemaStatus{Current: current}
	if len(ms) > 0 {
		st.Latest = ms[len(ms)-1].Version
	}
	var err error
	st.Pending, err = Pending(ms, current)
	return st, err
}

// Pending returns the migrations of ms a database at version current has
// not applied. A database at a version after the last of ms was migrated by
// a newer threaddigest: the error, "version N, newer than …", says so.
func Pending(ms []Migration, current int) ([]Migration, error) {
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	if current > latest {
		return nil, fmt.Errorf("version %d, newer than this threaddigest knows (%d); run a newer threaddigest", current, latest)
	}
	var pending []Migration
	for _, m := range ms {
		if m.Version > current {
			pending = append(pending, m)
		}
	}
	return pending, nil
}

// CheckModelKeys reports what keeps model-cache entries of thread from being
// stored or read under keys (label keys or an argument-set scope): an empty
// thread or key, or one that CheckName refuses.
func CheckModelKeys(thread string, keys ...string) error {
	if thread == "" {
		return errors.New("thread name is empty")
	}
	errs := []error{CheckName("thread", thread)}
	for _, k := range keys {
		if k == "" {
			errs = append(errs, errors.New("a model cache key is empty"))
			continue
		}
		errs = append(errs, CheckName("model cache key", k))
	}
	return errors.Join(errs...)
}
