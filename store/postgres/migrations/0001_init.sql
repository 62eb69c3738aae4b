-- Tables are created in the store's schema (search_path). Comment text and
-- source state are bytea: they are stored exactly as the source gave them,
-- and text columns cannot hold NUL bytes or invalid UTF-8.

CREATE TABLE threads (
	name    text PRIMARY KEY,
	source  text NOT NULL,
	target  text NOT NULL,
	title   text NOT NULL,
	url     text NOT NULL,
	-- version increases with every change to the thread or its comments, so
	-- that replicas' digest caches can tell they are stale cheaply.
	version bigint NOT NULL DEFAULT 0
);

-- seq comes from a sequence. Sequence values are handed out in call order,
-- not commit order, but every upsert of a thread first locks the thread's row,
-- so within one thread the comments become visible in seq order — which is
-- all that "new since the last digest" of that thread needs.
-- thread has no foreign key: UpsertComments checks and locks the thread row
-- in the same transaction, and a per-row foreign-key check costs a third of
-- the time of a 100k-comment import.
CREATE TABLE comments (
	seq        bigserial PRIMARY KEY,
	thread     text NOT NULL,
	id         bytea NOT NULL,
	parent_id  bytea NOT NULL,
	author     bytea NOT NULL,
	author_id  bytea NOT NULL,
	location   bytea NOT NULL,
	body       bytea NOT NULL,
	created_at timestamptz,
	likes      bigint NOT NULL,
	deleted    boolean NOT NULL,
	first_seen timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	UNIQUE (thread, id)
);

CREATE INDEX comments_by_thread ON comments (thread, seq);

CREATE TABLE runs (
	id          bigserial PRIMARY KEY,
	digest      text NOT NULL,
	destination text NOT NULL,
	slot        timestamptz NOT NULL,
	thread      text NOT NULL,
	state       text NOT NULL CHECK (state IN ('claimed', 'posting', 'posted', 'failed', 'uncertain')),
	holder      text NOT NULL,
	lease_until timestamptz NOT NULL,
	attempts    integer NOT NULL,
	covered_to  bigint NOT NULL DEFAULT 0,
	ref         text NOT NULL DEFAULT '',
	error       text NOT NULL DEFAULT '',
	claimed_at  timestamptz NOT NULL,
	finished_at timestamptz,
	UNIQUE (digest, destination, slot)
);

CREATE INDEX runs_by_slot ON runs (slot);

CREATE TABLE leases (
	name   text PRIMARY KEY,
	holder text NOT NULL,
	until  timestamptz NOT NULL
);

CREATE TABLE source_states (
	thread text PRIMARY KEY REFERENCES threads (name) ON DELETE CASCADE,
	state  bytea NOT NULL
);

CREATE TABLE follows (
	platform   text NOT NULL,
	channel    text NOT NULL,
	thread     text NOT NULL REFERENCES threads (name) ON DELETE CASCADE,
	schedule   text NOT NULL,
	created_by text NOT NULL,
	created_at timestamptz,
	PRIMARY KEY (platform, channel, thread)
);
