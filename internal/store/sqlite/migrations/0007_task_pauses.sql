-- The pause between calls (tasks.pause_seconds) is kept by the store, for every node: the
-- instants (Unix ms) at which a task's channels come out of their pause after a call,
-- space-separated, oldest first; StartAttempts counts those still to come as busy.
ALTER TABLE tasks ADD COLUMN pausing TEXT NOT NULL DEFAULT '';
