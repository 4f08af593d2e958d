-- A contact's descriptive fields move into one JSON array, data (see sqlstore's
-- contactdata.go), and the batch's numbers are kept unique through contact_keys instead of
-- a unique index of contacts (sqlstore's contactkeys.go): both make imports several times
-- faster. The store fills contact_keys for the batches listed in contact_key_builds when
-- it opens: here, every batch that has contacts.
CREATE TABLE contacts_new (
	id              INTEGER PRIMARY KEY,
	tenant_id       INTEGER NOT NULL,
	task_id         INTEGER NOT NULL,
	batch_id        INTEGER NOT NULL,
	phone           TEXT NOT NULL,
	data            TEXT NOT NULL,
	priority        INTEGER NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	last_result     TEXT NOT NULL,
	last_call_id    BIGINT NOT NULL,
	created_at      BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL
);
INSERT INTO contacts_new (id, tenant_id, task_id, batch_id, phone, data, priority, status, attempts, next_attempt_at,
	last_result, last_call_id, created_at, updated_at)
SELECT id, tenant_id, task_id, batch_id, phone,
	CASE WHEN variables = '' THEN json_array(name, address, email, state, callback_url, external_id, area_code, area_name, number_type, carrier)
	ELSE json_array(name, address, email, state, callback_url, external_id, area_code, area_name, number_type, carrier, json(variables)) END,
	priority, status, attempts, next_attempt_at, last_result, last_call_id, created_at, updated_at
FROM contacts ORDER BY id;
DROP TABLE contacts;
ALTER TABLE contacts_new RENAME TO contacts;
CREATE INDEX contacts_due ON contacts(task_id, priority DESC, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX contacts_task ON contacts(tenant_id, task_id, id);
CREATE TABLE contact_keys (
	batch_id INTEGER NOT NULL,
	k        INTEGER NOT NULL,
	PRIMARY KEY (batch_id, k)
) WITHOUT ROWID;
-- Keys written by a large import at its end, as runs of up to 8,192 ascending keys, each
-- a blob of little-endian 64-bit integers from lo to hi (sqlstore's contactkeyruns.go). A
-- batch's keys are its rows of contact_keys and the keys of its runs.
CREATE TABLE contact_key_runs (
	id       INTEGER PRIMARY KEY,
	batch_id INTEGER NOT NULL,
	lo       INTEGER NOT NULL,
	hi       INTEGER NOT NULL,
	keys     BLOB NOT NULL
);
CREATE INDEX contact_key_runs_batch ON contact_key_runs(batch_id, lo, hi);
-- Batches whose keys are not all in contact_keys and contact_key_runs: an import holding its keys in memory
-- lists its batch here, with its store's instance as owner, while it runs; a store that
-- opens rebuilds the keys of the batches listed (after a crash), as does an add to a
-- batch listed by another store (another process).
CREATE TABLE contact_key_builds (
	batch_id INTEGER PRIMARY KEY,
	owner    TEXT NOT NULL
);
INSERT INTO contact_key_builds (batch_id, owner) SELECT DISTINCT batch_id, '' FROM contacts;
