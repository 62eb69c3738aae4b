-- The language-model engine's cache (digest/llm): labels by a key hashing
-- everything an answer depends on (comment, parent, target, arguments, model,
-- prompt), and each thread's argument set by scope (model, prompt, target).
-- Both go with their thread.

CREATE TABLE model_labels (
	thread     text NOT NULL REFERENCES threads (name) ON DELETE CASCADE,
	key        text NOT NULL,
	labels     bytea NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (thread, key)
);

CREATE TABLE argument_sets (
	thread     text NOT NULL REFERENCES threads (name) ON DELETE CASCADE,
	scope      text NOT NULL,
	arguments  bytea NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (thread, scope)
);
