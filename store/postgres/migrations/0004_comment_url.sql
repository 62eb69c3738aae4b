-- A comment's permalink when its source gives one (Reddit, Hacker News,
-- Discourse, Disqus, a JSON API mapping); '' otherwise and for comments
-- stored before: the next poll fills it in.
ALTER TABLE comments ADD COLUMN url bytea NOT NULL DEFAULT '';
