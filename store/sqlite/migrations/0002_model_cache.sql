-- The language-model engine's cache (digest/llm): labels by a key hashing
-- everything an answer depends on (comment, parent, target, arguments, model,
-- prompt), and each thread's argument set by scope (model, prompt, target).
-- Both go with their thread.

CREATE TABLE model_labels (
	thread     TEXT NOT NULL REFERENCES threads (name) ON DELETE CASCADE,
	key        TEXT NOT NULL,
	labels     BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (thread, key)
) STRICT;

CREATE TABLE argument_sets (
	thread     TEXT NOT NULL REFERENCES threads (name) ON DELETE CASCADE,
	scope      TEXT NOT NULL,
	arguments  BLOB NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (thread, scope)
) STRICT;
