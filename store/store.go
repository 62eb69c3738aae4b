// Package store defines how threaddigest keeps its state: every comment of
// every followed thread, which comments are new to each digest, each digest
// run with its schedule slot, chat follows, and leases that let several
// replicas share the work. Implementations live in store/sqlite (the default,
// one process) and store/postgres (several replicas); store/storetest holds
// the conformance suite both must pass.
//
// Exactly-once posting rests on the run record. A run is keyed by (digest,
// destination, slot) and moves through these states:
//
//	claimed  --MarkPosting-->  posting  --CompleteRun-->  posted
//	   |                          |
//	   +--------FailRun-----------+------------------->  failed
//
// A claim carries a lease. A claimed run whose holder died (lease expired) was
// never sent, so another process may take it over and post it. A run left in
// "posting" whose lease expired may or may not have reached the destination;
// it is moved to "uncertain" and never posted again automatically, because a
// second post is worse than a missing one for the people reading the channel.
// If its holder was only slow and reports back, CompleteRun or FailRun still
// settle it (posted or failed): then the outcome is known.
//
// Leases: ClaimRun's lease must cover the time to MarkPosting; MarkPosting's
// lease must cover the whole delivery, retries included, since nothing
// extends it while posting. A run with nothing to send (too few new comments)
// may go from claimed straight to CompleteRun, covering what the previous
// posted run covered, so that its comments stay new.
//
// Times: implementations keep every time in UTC to the microsecond; a zero
// time (an unknown CreatedAt) stays zero. Text: comment fields and source
// state are kept byte for byte (NUL bytes and invalid UTF-8 included). Names
// and keys (thread names, digests, destinations, holders, follow fields)
// must be valid UTF-8 without NUL, or the call fails; a thread's Title and
// URL, which come from strangers' pages, and run errors and references have
// such bytes replaced instead.
package store

import (
	"context"
	"errors"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
)

// ErrNotFound is returned when a named record does not exist.
var ErrNotFound = errors.New("not found")

// ErrLeaseLost is returned when a run or lease is no longer held by the caller
// (its lease expired and another holder took it over).
var ErrLeaseLost = errors.New("lease lost")

// ThreadRecord is a followed thread.
type ThreadRecord struct {
	// Name is the configured or chosen name ("huawei-europe"); the key.
	Name string
	// Source is where the thread is read from ("examples/x.txt", "reddit:…").
	Source string
	// Target is the configured stance target, "" to detect it.
	Target string
	// Title as last read from the source.
	Title string
	URL   string
	// ActiveAt is when a comment of the thread was last added or changed,
	// or the thread was last marked active (MarkActive: a new follow, a
	// resume); zero when neither has happened. The store keeps it:
	// SaveThread ignores it. A thread whose ActiveAt is long past is quiet
	// and no longer polled (Retention, README "Retention").
	ActiveAt time.Time
}

// CommentRecord is a stored comment.
type CommentRecord struct {
	threaddigest.Comment
	// Seq orders comments by when the store first saw them, across all
	// threads of the store. A digest's "new comments" are those with a Seq
	// above the one its previous posted run covered. Edits keep their Seq.
	Seq int64
	// FirstSeen is when the store first saw the comment; UpdatedAt when it
	// last changed (edit or deletion).
	FirstSeen time.Time
	UpdatedAt time.Time
}

// UpsertResult says what UpsertComments changed.
type UpsertResult struct {
	Added     int
	Updated   int // body, location, likes, deletion or other fields changed
	Unchanged int
}

// RunKey identifies one schedule slot of one digest to one destination.
type RunKey struct {
	// Digest names the [[digest]] entry or the chat follow that scheduled it.
	Digest string
	// Destination is the destination as configured ("slack:C0123", "stdout").
	Destination string
	// Slot is the scheduled time of the run, in UTC.
	Slot time.Time
}

// RunState is where a run is in its life.
type RunState string

// The states of a run; see the package documentation.
const (
	RunClaimed   RunState = "claimed"
	RunPosting   RunState = "posting"
	RunPosted    RunState = "posted"
	RunFailed    RunState = "failed"
	RunUncertain RunState = "uncertain"
)

// SkippedRef starts the Ref of a run that posted nothing because too few
// comments were new. Such a run is recorded as posted with the coverage of
// the run before it, so that its comments stay new for the next slot; it is
// what Retention.SkippedRuns prunes.
const SkippedRef = "skipped:"

// Run is one digest run.
type Run struct {
	ID int64
	RunKey
	Thread     string
	State      RunState
	Holder     string
	LeaseUntil time.Time
	// Attempts counts claims of this run (1 unless taken over).
	Attempts int
	// CoveredTo is the highest comment Seq the posted digest covered; the next
	// run of the same digest and destination starts above it.
	CoveredTo int64
	// Ref is the destination's reference to the posted message or file.
	Ref string
	// Error is the reason of a failed or uncertain run.
	Error      string
	ClaimedAt  time.Time
	FinishedAt time.Time
}

// Follow is a chat channel following a thread on a schedule, made with
// /thread follow.
type Follow struct {
	Platform string // "slack" or "discord"
	Channel  string
	Thread   string
	// Schedule is a cron spec with its zone ("CRON_TZ=Europe/Berlin 0 9 * * *").
	Schedule  string
	CreatedBy string
	CreatedAt time.Time
}

// Store is the persistence threaddigest needs. All times are passed in by the
// caller (from its clock), never read inside, so that tests control time.
// Every method is safe for concurrent use, including by several processes
// sharing one database.
type Store interface {
	// SaveThread creates or updates a thread by name. An actual change to
	// any field bumps the thread's version (a cached digest shows them); an
	// unchanged save does not.
	SaveThread(ctx context.Context, t ThreadRecord) error
	// Thread returns the thread by name, or ErrNotFound.
	Thread(ctx context.Context, name string) (ThreadRecord, error)
	// Threads lists all threads by name.
	Threads(ctx context.Context) ([]ThreadRecord, error)

	// UpsertComments stores comments of a thread keyed by (thread, ID): new
	// ones get the next Seq and FirstSeen = now; changed ones are updated in
	// place (keeping Seq); a comment with Deleted set marks the stored one
	// deleted. The thread must exist (else ErrNotFound).
	//
	// A deletion only sets Deleted: the stored fields stay, because sources
	// blank a deleted comment's text and replies still need what they
	// answered. A comment first seen deleted is stored as given. Within one
	// batch a repeated ID is applied in order, each occurrence counted once
	// in the result. The batch is one transaction: a comment without an ID
	// rejects all of it, with an error naming its position. Seqs are
	// positive and follow batch order; UpdatedAt is now for changed comments.
	UpsertComments(ctx context.Context, thread string, cs []threaddigest.Comment, now time.Time) (UpsertResult, error)
	// Comments returns every stored comment of the thread, deleted ones
	// included, ordered by Seq; ErrNotFound for an unknown thread.
	Comments(ctx context.Context, thread string) ([]CommentRecord, error)
	// ThreadVersion increases whenever a comment of the thread is added,
	// changed or deleted; caches of digests compare it to know they are stale.
	// A new thread is at 0; an upsert that changes nothing leaves it.
	// ErrNotFound for an unknown thread.
	ThreadVersion(ctx context.Context, thread string) (int64, error)

	// ClaimRun claims the run for key for holder until now+lease. It creates
	// the run when none exists, takes over a claimed run whose lease expired
	// (Attempts+1), and marks a posting run whose lease expired uncertain. It
	// reports claimed=false, with the existing run, when the run is held by
	// another live holder, already posted, failed or uncertain. A lease has
	// expired when now is at or after LeaseUntil. The holder of a claimed run
	// may claim it again (Attempts+1): a restarted process with a stable
	// replica id gets its slot back at once.
	//
	// One run of a digest and destination is in flight at a time, across
	// processes, and its slots run in order, so that a digest never posts
	// beside another of the same destination nor after a later one:
	//   - while a run of another slot is claimed or posting under a live
	//     lease, the claim is refused and reports that run (claimed=false,
	//     a run of another slot); the caller's slot folds into a later one;
	//   - a slot earlier than one that has a run is refused, reporting the
	//     later run; when its own claim was left by a holder that died, it
	//     is marked failed as superseded instead of taken over;
	//   - runs of earlier slots left by holders whose leases expired are
	//     settled by the claim: claimed ones fail as superseded (their
	//     comments are still new, and the new run covers them), posting ones
	//     become uncertain.
	ClaimRun(ctx context.Context, key RunKey, thread, holder string, lease time.Duration, now time.Time) (run Run, claimed bool, err error)
	// MarkPosting records that the holder is about to send the run to its
	// destination, extending the lease to now+lease. ErrLeaseLost when the
	// run is no longer the holder's. Only a claimed run can start posting, so
	// of two claims by one holder only the first to get here proceeds; the
	// other gets ErrLeaseLost and must not send.
	MarkPosting(ctx context.Context, runID int64, holder string, lease time.Duration, now time.Time) error
	// CompleteRun records a posted run and what it covered. It accepts a
	// claimed, posting or uncertain run of holder; ErrLeaseLost otherwise,
	// ErrNotFound for no such run.
	CompleteRun(ctx context.Context, runID int64, holder string, coveredTo int64, ref string, now time.Time) error
	// FailRun records a failed run with its reason; the comments it would
	// have covered stay new for the next run. Same states as CompleteRun.
	FailRun(ctx context.Context, runID int64, holder, reason string, now time.Time) error
	// LastPosted returns the most recent posted run of a digest to a
	// destination (by slot), or ok=false when there is none.
	LastPosted(ctx context.Context, digest, destination string) (run Run, ok bool, err error)
	// LastRun returns the most recent run of a digest to a destination in any
	// state (by slot), or ok=false.
	LastRun(ctx context.Context, digest, destination string) (run Run, ok bool, err error)
	// Runs lists the runs of a digest ("" for all), newest slot first, at most
	// limit (0 for all).
	Runs(ctx context.Context, digest string, limit int) ([]Run, error)

	// AcquireLease takes or renews the named lease (e.g. "poll:THREAD") for
	// holder until now+ttl, and reports whether holder has it. A lease held by
	// another holder is taken only after it expired.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
	// ReleaseLease gives the lease up if holder has it.
	ReleaseLease(ctx context.Context, name, holder string) error

	// SourceState returns what a live source remembers between polls
	// (cursor, ETag, failure count) as an opaque string; "" when none.
	SourceState(ctx context.Context, thread string) (string, error)
	// SetSourceState replaces it. The thread must exist (else ErrNotFound).
	SetSourceState(ctx context.Context, thread, state string) error

	// MarkActive sets the thread's ActiveAt to now (never back in time): a
	// thread that had gone quiet is polled again. ErrNotFound for an unknown
	// thread.
	MarkActive(ctx context.Context, thread string, now time.Time) error

	// AddFollow records a follow; an existing (platform, channel, thread)
	// follow is replaced. The thread must exist (else ErrNotFound); it is
	// followed again from then on, so Prune no longer counts it unfollowed.
	AddFollow(ctx context.Context, f Follow) error
	// RemoveFollow deletes it; ErrNotFound when there was none.
	RemoveFollow(ctx context.Context, platform, channel, thread string) error
	// Follows lists follows of a channel ("" platform and channel: all; ""
	// channel: all of the platform), ordered by thread name (byte order).
	Follows(ctx context.Context, platform, channel string) ([]Follow, error)

	ModelCache

	// Close releases the database.
	Close() error
}

// ModelCache keeps what the language-model engine (digest/llm) learnt about a
// thread, so that a scheduled digest asks the model only about comments it
// has not read before, and labels them against the same arguments.
//
// Keys and scopes are opaque to the store (the engine makes them from a hash
// of everything an answer depends on); values are opaque bytes kept exactly.
// Both belong to a thread and go with it. Keys and scopes must be valid UTF-8
// without NUL, or the call fails.
type ModelCache interface {
	// ModelLabels returns the stored labels of the thread under the given
	// keys; keys with none are absent from the map. ErrNotFound is never
	// returned: an unknown thread has no labels.
	ModelLabels(ctx context.Context, thread string, keys []string) (map[string][]byte, error)
	// SaveModelLabels stores labels by key, replacing those already stored
	// under the same keys. The thread must exist (else ErrNotFound).
	SaveModelLabels(ctx context.Context, thread string, labels map[string][]byte, now time.Time) error
	// ArgumentSet returns the thread's argument set stored under scope, or
	// ok=false when there is none.
	ArgumentSet(ctx context.Context, thread, scope string) (set []byte, ok bool, err error)
	// SaveArgumentSet stores (or replaces) the thread's argument set under
	// scope. The thread must exist (else ErrNotFound).
	SaveArgumentSet(ctx context.Context, thread, scope string, set []byte, now time.Time) error
}

// Migration is one step of a store's schema, applied by Open in version
// order, each once.
type Migration struct {
	Version int    // N, from the file name
	Name    string // the file's name, N_what.sql
	SQL     string
}

// SchemaStatus says where a database's schema stands: the version it is at
// (0 for an empty or missing database), the latest this threaddigest knows,
// and the migrations Open would apply.
type SchemaStatus struct {
	Current int
	Latest  int
	Pending []Migration
	// Missing is set when the database does not exist yet (an SQLite file
	// not created, a PostgreSQL schema not made): Open creates it.
	Missing bool
}

// Retention says what Prune removes. Each zero duration keeps that kind of
// record for ever. Posted runs (other than skipped ones) are always kept:
// they record what was posted where, and which comments each digest covered.
type Retention struct {
	// SkippedRuns: runs that posted nothing (their Ref starts with
	// SkippedRef) are deleted once their slot is this old.
	SkippedRuns time.Duration
	// FailedRuns: failed and uncertain runs are deleted once their slot is
	// this old.
	FailedRuns time.Duration
	// Unfollowed: a thread that no chat channel follows and that is not
	// in Configured is forgotten — deleted with its comments and source
	// state — once it has been unfollowed this long, counted from the first
	// Prune that found it so.
	Unfollowed time.Duration
	// Configured names the threads the configuration follows: never
	// unfollowed.
	Configured []string
}

// PruneReport says what a Prune removed, or with dryRun would remove.
type PruneReport struct {
	SkippedRuns int64
	FailedRuns  int64
	// Leases counts leases that had expired a day or more before.
	Leases int64
	// Unfollowed lists the threads found unfollowed for the first time,
	// whose time to be forgotten starts now; Refollowed those followed
	// again since an earlier Prune found them unfollowed.
	Unfollowed []string
	Refollowed []string
	// Forgotten lists the threads deleted, by name, with their comments.
	Forgotten []ForgottenThread
}

// ForgottenThread is a thread Prune deleted.
type ForgottenThread struct {
	Name         string
	Comments     int64
	UnfollowedAt time.Time
}

// Pruner deletes what the retention settings no longer keep. Both stores
// implement it.
type Pruner interface {
	// Prune applies r at now. Runs are never pruned while in progress
	// (claimed, posting), and the latest run of each digest and destination
	// is always kept, whatever its state: it tells the scheduler which slot
	// ran last. With dryRun nothing is written, and the report says what
	// would have been.
	Prune(ctx context.Context, r Retention, now time.Time, dryRun bool) (PruneReport, error)
}
