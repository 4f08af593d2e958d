-- outdial schema for SQLite. Times are Unix milliseconds (0 = none); pace_tat is microseconds.
CREATE TABLE tenants (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	cap_per_hour INTEGER NOT NULL,
	cap_per_day  INTEGER NOT NULL,
	created_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL
);
CREATE TABLE tokens (
	hash       TEXT PRIMARY KEY,
	tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
	created_at BIGINT NOT NULL
);
CREATE TABLE projects (
	id         INTEGER PRIMARY KEY,
	tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
	name       TEXT NOT NULL,
	is_default BOOLEAN NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX projects_tenant ON projects(tenant_id, id);
CREATE TABLE lines (
	id               INTEGER PRIMARY KEY,
	uuid             TEXT NOT NULL UNIQUE,
	tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
	name             TEXT NOT NULL,
	gateway          TEXT NOT NULL,
	transport        TEXT NOT NULL,
	username         TEXT NOT NULL,
	password         TEXT NOT NULL,
	caller_numbers   TEXT NOT NULL,
	concurrency      INTEGER NOT NULL,
	calls_per_second REAL NOT NULL,
	valid_from       BIGINT NOT NULL,
	valid_until      BIGINT NOT NULL,
	live             INTEGER NOT NULL DEFAULT 0,
	pace_tat         BIGINT NOT NULL DEFAULT 0,
	created_at       BIGINT NOT NULL,
	updated_at       BIGINT NOT NULL
);
CREATE INDEX lines_tenant ON lines(tenant_id, id);
CREATE TABLE time_groups (
	id         INTEGER PRIMARY KEY,
	uuid       TEXT NOT NULL UNIQUE,
	tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
	name       TEXT NOT NULL,
	ranges     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX time_groups_tenant ON time_groups(tenant_id, id);
CREATE TABLE recall_rules (
	id           INTEGER PRIMARY KEY,
	tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
	name         TEXT NOT NULL,
	remark       TEXT NOT NULL,
	enabled      BOOLEAN NOT NULL,
	results      TEXT NOT NULL,
	intervals    TEXT NOT NULL,
	max_attempts INTEGER NOT NULL,
	is_default   BOOLEAN NOT NULL,
	created_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL
);
CREATE INDEX recall_rules_tenant ON recall_rules(tenant_id, id);
CREATE TABLE agent_groups (
	id         INTEGER PRIMARY KEY,
	tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
	name       TEXT NOT NULL,
	line_id    INTEGER NOT NULL,
	status     INTEGER NOT NULL,
	agents     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX agent_groups_tenant ON agent_groups(tenant_id, id);
CREATE TABLE script_groups (
	id         INTEGER PRIMARY KEY,
	tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
	name       TEXT NOT NULL,
	debug      BOOLEAN NOT NULL,
	is_default BOOLEAN NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX script_groups_tenant ON script_groups(tenant_id, id);
CREATE TABLE scripts (
	id         INTEGER PRIMARY KEY,
	tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
	group_id   INTEGER NOT NULL REFERENCES script_groups(id),
	name       TEXT NOT NULL,
	prompts    TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX scripts_tenant ON scripts(tenant_id, group_id, id);
CREATE TABLE tasks (
	id                   INTEGER PRIMARY KEY,
	uuid                 TEXT NOT NULL UNIQUE,
	tenant_id            INTEGER NOT NULL REFERENCES tenants(id),
	project_id           INTEGER NOT NULL REFERENCES projects(id),
	name                 TEXT NOT NULL,
	remark               TEXT NOT NULL,
	status               TEXT NOT NULL,
	line_id              INTEGER NOT NULL REFERENCES lines(id),
	script_group_id      INTEGER NOT NULL REFERENCES script_groups(id),
	time_group_id        INTEGER NOT NULL,
	recall_rule_id       INTEGER NOT NULL,
	agent_group_id       INTEGER NOT NULL,
	max_concurrency      INTEGER NOT NULL,
	pause_seconds        INTEGER NOT NULL,
	ring_timeout_seconds INTEGER NOT NULL,
	window_start         INTEGER NOT NULL,
	window_end           INTEGER NOT NULL,
	time_zone            TEXT NOT NULL,
	caller_number        TEXT NOT NULL,
	notify_url           TEXT NOT NULL,
	notify_type          INTEGER NOT NULL,
	live                 INTEGER NOT NULL DEFAULT 0,
	total                INTEGER NOT NULL DEFAULT 0,
	pending              INTEGER NOT NULL DEFAULT 0,
	dialed               INTEGER NOT NULL DEFAULT 0,
	answered             INTEGER NOT NULL DEFAULT 0,
	failed               INTEGER NOT NULL DEFAULT 0,
	calls                INTEGER NOT NULL DEFAULT 0,
	created_at           BIGINT NOT NULL,
	updated_at           BIGINT NOT NULL
);
CREATE INDEX tasks_tenant ON tasks(tenant_id, id);
CREATE INDEX tasks_status ON tasks(status);
CREATE TABLE batches (
	id         INTEGER PRIMARY KEY,
	tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
	task_id    INTEGER NOT NULL REFERENCES tasks(id),
	name       TEXT NOT NULL,
	size       INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX batches_task ON batches(tenant_id, task_id, id);
CREATE TABLE contacts (
	id              INTEGER PRIMARY KEY,
	tenant_id       INTEGER NOT NULL,
	task_id         INTEGER NOT NULL,
	batch_id        INTEGER NOT NULL,
	phone           TEXT NOT NULL,
	name            TEXT NOT NULL,
	address         TEXT NOT NULL,
	email           TEXT NOT NULL,
	state           TEXT NOT NULL,
	callback_url    TEXT NOT NULL,
	external_id     TEXT NOT NULL,
	variables       TEXT NOT NULL,
	priority        INTEGER NOT NULL,
	area_code       TEXT NOT NULL,
	area_name       TEXT NOT NULL,
	number_type     TEXT NOT NULL,
	carrier         TEXT NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	last_result     TEXT NOT NULL,
	last_call_id    BIGINT NOT NULL,
	created_at      BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL,
	UNIQUE (batch_id, phone)
);
CREATE INDEX contacts_due ON contacts(task_id, priority DESC, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX contacts_task ON contacts(tenant_id, task_id, id);
CREATE TABLE calls (
	id              BIGINT PRIMARY KEY,
	tenant_id       INTEGER NOT NULL,
	project_id      INTEGER NOT NULL,
	task_id         INTEGER NOT NULL,
	batch_id        INTEGER NOT NULL,
	contact_id      INTEGER NOT NULL,
	line_id         INTEGER NOT NULL,
	attempt         INTEGER NOT NULL,
	node_id         TEXT NOT NULL,
	status          TEXT NOT NULL,
	caller          TEXT NOT NULL,
	called          TEXT NOT NULL,
	called_areacode TEXT NOT NULL,
	called_areaname TEXT NOT NULL,
	called_type     TEXT NOT NULL,
	called_vendor   TEXT NOT NULL,
	trans_caller    TEXT NOT NULL DEFAULT '',
	trans_phone     TEXT NOT NULL DEFAULT '',
	trans_areacode  TEXT NOT NULL DEFAULT '',
	trans_areaname  TEXT NOT NULL DEFAULT '',
	trans_type      TEXT NOT NULL DEFAULT '',
	trans_vendor    TEXT NOT NULL DEFAULT '',
	start_time_ee   BIGINT NOT NULL DEFAULT 0,
	ring_time_ee    BIGINT NOT NULL DEFAULT 0,
	answer_time_ee  BIGINT NOT NULL DEFAULT 0,
	end_time_ee     BIGINT NOT NULL DEFAULT 0,
	start_time      BIGINT NOT NULL,
	ring_time       BIGINT NOT NULL DEFAULT 0,
	answer_time     BIGINT NOT NULL DEFAULT 0,
	link_time       BIGINT NOT NULL DEFAULT 0,
	end_time        BIGINT NOT NULL DEFAULT 0,
	ans_secs        INTEGER NOT NULL DEFAULT 0,
	link_secs       INTEGER NOT NULL DEFAULT 0,
	all_secs        INTEGER NOT NULL DEFAULT 0,
	result          TEXT NOT NULL DEFAULT '',
	callresult      INTEGER NOT NULL DEFAULT 0,
	endresult       INTEGER NOT NULL DEFAULT 0,
	hangup_by       TEXT NOT NULL DEFAULT '',
	sip_status      INTEGER NOT NULL DEFAULT 0,
	reason          TEXT NOT NULL DEFAULT '',
	recording       TEXT NOT NULL DEFAULT '',
	dtmf            TEXT NOT NULL DEFAULT '',
	tags            TEXT NOT NULL DEFAULT '',
	updated_at      BIGINT NOT NULL
);
CREATE INDEX calls_tenant ON calls(tenant_id, id);
CREATE INDEX calls_task ON calls(tenant_id, task_id, id);
CREATE INDEX calls_task_result ON calls(tenant_id, task_id, callresult, id);
CREATE INDEX calls_called ON calls(tenant_id, called, id);
CREATE INDEX calls_contact ON calls(contact_id, id);
CREATE INDEX calls_live ON calls(node_id) WHERE status = 'started';
CREATE TABLE blocklist (
	tenant_id  INTEGER NOT NULL,
	phone      TEXT NOT NULL,
	reason     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, phone)
);
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	tenant_id       INTEGER NOT NULL,
	event_id        TEXT NOT NULL,
	event_type      TEXT NOT NULL,
	format          TEXT NOT NULL,
	url             TEXT NOT NULL,
	subscription_id INTEGER NOT NULL,
	payload         BLOB NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	last_error      TEXT NOT NULL,
	created_at      BIGINT NOT NULL,
	delivered_at    BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_tenant ON outbox(tenant_id, id);
