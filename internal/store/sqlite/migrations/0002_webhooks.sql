-- Webhooks (issue 5): subscriptions, the delivery log, and indexes for listing the outbox.
-- A claimed outbox message is leased by moving its next_attempt_at to the end of the lease,
-- so claiming uses outbox_due and a crashed dispatcher's messages come back by themselves.
CREATE TABLE subscriptions (
	id         INTEGER PRIMARY KEY,
	tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
	format     TEXT NOT NULL,
	project_id INTEGER NOT NULL,
	url        TEXT NOT NULL,
	secret     TEXT NOT NULL,
	encrypt    BOOLEAN NOT NULL,
	events     TEXT NOT NULL,
	enabled    BOOLEAN NOT NULL,
	schedule   TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_tenant ON subscriptions(tenant_id, id);
CREATE TABLE delivery_attempts (
	id           INTEGER PRIMARY KEY,
	message_id   INTEGER NOT NULL,
	attempted_at BIGINT NOT NULL,
	status       INTEGER NOT NULL,
	response     TEXT NOT NULL,
	error        TEXT NOT NULL,
	duration_us  BIGINT NOT NULL,
	delivered    BOOLEAN NOT NULL
);
CREATE INDEX delivery_attempts_message ON delivery_attempts(message_id, id);
CREATE INDEX outbox_event ON outbox(tenant_id, event_id, id);
CREATE INDEX outbox_subscription ON outbox(tenant_id, subscription_id, id);
CREATE INDEX outbox_dead ON outbox(id) WHERE status = 'dead';
