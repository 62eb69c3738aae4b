-- Retention (README "Retention"). active_at: when a comment of the thread was
-- last added or changed, or the thread was marked active (a follow, a
-- resume); a thread quiet for long is no longer polled. unfollowed_at: when a
-- prune first found that nothing follows the thread; it is forgotten some
-- time after. Both NULL where unknown.
ALTER TABLE threads ADD COLUMN active_at timestamptz, ADD COLUMN unfollowed_at timestamptz;
UPDATE threads SET active_at = (SELECT max(updated_at) FROM comments WHERE comments.thread = threads.name);
