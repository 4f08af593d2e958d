-- A claimed outbox message names the dispatcher (node) holding its lease, so a node that
-- restarts after a crash takes its own leases back at once instead of waiting them out.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_claims ON outbox(claimed_by) WHERE claimed_by <> '';
