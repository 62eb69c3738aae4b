-- Times are INTEGER microseconds since 1970-01-01 UTC; NULL where unknown.
-- Comment text is stored exactly as the source gave it.

CREATE TABLE threads (
	name    TEXT PRIMARY KEY,
	source  TEXT NOT NULL,
	target  TEXT NOT NULL,
	title   TEXT NOT NULL,
	url     TEXT NOT NULL,
	-- version increases with every change to the thread or its comments, so
	-- that a digest cache can tell it is stale without reading comments.
	version INTEGER NOT NULL DEFAULT 0
) STRICT;

-- seq is the rowid: AUTOINCREMENT never reuses a value, and every write
-- transaction is serialised by SQLite's write lock, so seq follows the order
-- in which comments were first committed, store-wide.
CREATE TABLE comments (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	thread     TEXT NOT NULL REFERENCES threads (name) ON DELETE CASCADE,
	id         TEXT NOT NULL,
	parent_id  TEXT NOT NULL,
	author     TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	location   TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at INTEGER,
	likes      INTEGER NOT NULL,
	deleted    INTEGER NOT NULL,
	first_seen INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (thread, id)
) STRICT;

CREATE INDEX comments_by_thread ON comments (thread, seq);

CREATE TABLE runs (
	id          INTEGER PRIMARY KEY,
	digest      TEXT NOT NULL,
	destination TEXT NOT NULL,
	slot        INTEGER NOT NULL,
	thread      TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('claimed', 'posting', 'posted', 'failed', 'uncertain')),
	holder      TEXT NOT NULL,
	lease_until INTEGER NOT NULL,
	attempts    INTEGER NOT NULL,
	covered_to  INTEGER NOT NULL DEFAULT 0,
	ref         TEXT NOT NULL DEFAULT '',
	error       TEXT NOT NULL DEFAULT '',
	claimed_at  INTEGER NOT NULL,
	finished_at INTEGER,
	UNIQUE (digest, destination, slot)
) STRICT;

CREATE INDEX runs_by_slot ON runs (slot);

CREATE TABLE leases (
	name   TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	until  INTEGER NOT NULL
) STRICT;

CREATE TABLE source_states (
	thread TEXT PRIMARY KEY REFERENCES threads (name) ON DELETE CASCADE,
	state  BLOB NOT NULL
) STRICT;

CREATE TABLE follows (
	platform   TEXT NOT NULL,
	channel    TEXT NOT NULL,
	thread     TEXT NOT NULL REFERENCES threads (name) ON DELETE CASCADE,
	schedule   TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER,
	PRIMARY KEY (platform, channel, thread)
) STRICT;
