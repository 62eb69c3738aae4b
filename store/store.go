// Package store defines how threaddigest keeps its state: every comment of
// every followed thread, which comments are new to each digest, each digest
// run with its schedule slot, chat follows, and leases that let several
// replicas share the work. The store is written once, in store/sqldb, on
// database/sql; store/sqlite (the default, one process) and store/postgres
// (several replicas) open their database and give it their dialect;
// store/storetest holds the conformance suite both pass. Each consumer
// defines the few methods it needs as an interface of its own.
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
