package outdial

import (
	"context"
	"time"
)

// Page asks for one page of a list ordered by id: at most Limit items (the store caps it)
// with ids after After (0: from the start).
type Page struct {
	After int64
	Limit int
}

// Store is everything outdial keeps. internal/store/sqlite and internal/store/postgres
// implement it with one behaviour, checked by internal/store/storetest. Every method that
// takes a tenant id answers ENOTFOUND for ids of another tenant.
type Store interface {
	TenantStore
	ProjectStore
	LineStore
	TimeGroupStore
	RecallRuleStore
	AgentGroupStore
	ScriptStore
	TaskStore
	BatchStore
	ContactStore
	CallStore
	BlocklistStore
	DialStore
	SubscriptionStore
	OutboxStore
	// Close releases the database.
	Close() error
}

// TenantStore keeps tenants and their API tokens (only token hashes are stored).
type TenantStore interface {
	// CreateTenant creates the tenant with its default project; ECONFLICT if the name is taken.
	CreateTenant(ctx context.Context, t *Tenant) error
	Tenant(ctx context.Context, id int64) (*Tenant, error)
	TenantByName(ctx context.Context, name string) (*Tenant, error)
	UpdateTenant(ctx context.Context, t *Tenant) error
	// AddToken stores a token hash for the tenant.
	AddToken(ctx context.Context, tenantID int64, hash string) error
	// TenantByToken returns the tenant holding the token hash; EUNAUTHORIZED if none.
	TenantByToken(ctx context.Context, hash string) (*Tenant, error)
}

// ProjectStore keeps projects.
type ProjectStore interface {
	CreateProject(ctx context.Context, p *Project) error
	Project(ctx context.Context, tenantID, id int64) (*Project, error)
	DefaultProject(ctx context.Context, tenantID int64) (*Project, error)
	Projects(ctx context.Context, tenantID int64, p Page) ([]*Project, error)
	UpdateProject(ctx context.Context, p *Project) error
	// DeleteProject deletes a project without tasks; ECONFLICT for the default project or
	// one that still has tasks.
	DeleteProject(ctx context.Context, tenantID, id int64) error
}

// LineStore keeps lines.
type LineStore interface {
	CreateLine(ctx context.Context, l *Line) error
	Line(ctx context.Context, tenantID, id int64) (*Line, error)
	LineByUUID(ctx context.Context, tenantID int64, uuid string) (*Line, error)
	Lines(ctx context.Context, tenantID int64, p Page) ([]*Line, error)
	// UpdateLine updates a line; an empty Password keeps the stored one.
	UpdateLine(ctx context.Context, l *Line) error
	// DeleteLine deletes a line no task or agent group uses; ECONFLICT otherwise.
	DeleteLine(ctx context.Context, tenantID, id int64) error
	// LineUsage returns how many calls are live on the line and how much of its
	// concurrency running tasks have reserved (the sum of their MaxConcurrency).
	LineUsage(ctx context.Context, tenantID, id int64) (live, reserved int, err error)
	// LinesByGateway returns every line of every tenant (for telephony to know its peers).
	AllLines(ctx context.Context) ([]*Line, error)
}

// TimeGroupStore keeps forbidden time groups.
type TimeGroupStore interface {
	CreateTimeGroup(ctx context.Context, g *TimeGroup) error
	TimeGroup(ctx context.Context, tenantID, id int64) (*TimeGroup, error)
	TimeGroupByUUID(ctx context.Context, tenantID int64, uuid string) (*TimeGroup, error)
	TimeGroups(ctx context.Context, tenantID int64, p Page) ([]*TimeGroup, error)
	UpdateTimeGroup(ctx context.Context, g *TimeGroup) error
	DeleteTimeGroup(ctx context.Context, tenantID, id int64) error
}

// RecallRuleStore keeps recall rules.
type RecallRuleStore interface {
	CreateRecallRule(ctx context.Context, r *RecallRule) error
	RecallRule(ctx context.Context, tenantID, id int64) (*RecallRule, error)
	RecallRules(ctx context.Context, tenantID int64, p Page) ([]*RecallRule, error)
	UpdateRecallRule(ctx context.Context, r *RecallRule) error
	DeleteRecallRule(ctx context.Context, tenantID, id int64) error
}

// AgentGroupStore keeps agent groups and their agents.
type AgentGroupStore interface {
	CreateAgentGroup(ctx context.Context, g *AgentGroup) error
	AgentGroup(ctx context.Context, tenantID, id int64) (*AgentGroup, error)
	AgentGroups(ctx context.Context, tenantID int64, p Page) ([]*AgentGroup, error)
	UpdateAgentGroup(ctx context.Context, g *AgentGroup) error
	DeleteAgentGroup(ctx context.Context, tenantID, id int64) error
}

// ScriptStore keeps script groups and scripts.
type ScriptStore interface {
	CreateScriptGroup(ctx context.Context, g *ScriptGroup) error
	ScriptGroup(ctx context.Context, tenantID, id int64) (*ScriptGroup, error)
	ScriptGroups(ctx context.Context, tenantID int64, p Page) ([]*ScriptGroup, error)
	UpdateScriptGroup(ctx context.Context, g *ScriptGroup) error
	// DeleteScriptGroup deletes a group (and its scripts) no task uses.
	DeleteScriptGroup(ctx context.Context, tenantID, id int64) error

	CreateScript(ctx context.Context, s *Script) error
	Script(ctx context.Context, tenantID, id int64) (*Script, error)
	// Scripts lists a tenant's scripts; groupID 0 lists all.
	Scripts(ctx context.Context, tenantID, groupID int64, p Page) ([]*Script, error)
	UpdateScript(ctx context.Context, s *Script) error
	DeleteScript(ctx context.Context, tenantID, id int64) error
}

// TaskStore keeps tasks.
type TaskStore interface {
	// CreateTask checks that every entity the task names belongs to its tenant (EINVALID
	// naming the field otherwise) and puts it in the default project when it names none.
	CreateTask(ctx context.Context, t *Task) error
	Task(ctx context.Context, tenantID, id int64) (*Task, error)
	TaskByUUID(ctx context.Context, tenantID int64, uuid string) (*Task, error)
	Tasks(ctx context.Context, tenantID int64, f TaskFilter) ([]*Task, error)
	// CountTasks counts what Tasks would list without paging.
	CountTasks(ctx context.Context, tenantID int64, f TaskFilter) (int64, error)
	UpdateTask(ctx context.Context, t *Task) error
	// DeleteTask deletes a task that has no live calls, with its batches and contacts
	// (its CDRs stay); ECONFLICT while it is running.
	DeleteTask(ctx context.Context, tenantID, id int64) error
	// SetTaskStatus moves a task to status if it is in one of from (any status when from
	// is empty) and reports whether it moved.
	SetTaskStatus(ctx context.Context, tenantID, id int64, status TaskStatus, from ...TaskStatus) (bool, error)
	// FinishTask moves a running task whose contacts are all final (it has some, none is
	// pending or dialing, no call is live) to finished and queues msgs, in one
	// transaction; it reports whether it did. Contacts added meanwhile keep it running.
	FinishTask(ctx context.Context, tenantID, id int64, msgs []*OutboxMessage) (bool, error)
	// TaskProgress reads the task's counters; it does not scan contacts.
	TaskProgress(ctx context.Context, tenantID, id int64) (Progress, error)
}

// TaskFilter narrows a task list.
type TaskFilter struct {
	ProjectID int64
	Status    TaskStatus
	Page
}

// BatchStore keeps batches.
type BatchStore interface {
	CreateBatch(ctx context.Context, b *Batch) error
	// BatchNamed returns the task's oldest batch with this name, creating it if there is
	// none; concurrent calls, on any node, get the same batch.
	BatchNamed(ctx context.Context, tenantID, taskID int64, name string) (*Batch, error)
	Batch(ctx context.Context, tenantID, id int64) (*Batch, error)
	// Batches lists batches; taskID 0 lists the tenant's all.
	Batches(ctx context.Context, tenantID, taskID int64, p Page) ([]*Batch, error)
	// DeleteBatch deletes a batch and its contacts that are not dialing; ECONFLICT while
	// any is.
	DeleteBatch(ctx context.Context, tenantID, id int64) error
}

// ContactStore keeps contacts.
type ContactStore interface {
	// AddContacts inserts validated contacts (same tenant, task and batch) in one
	// transaction and reports for each whether it was new; a contact whose normalised
	// phone is already in the batch is a duplicate and is skipped.
	AddContacts(ctx context.Context, cs []*Contact) (added []bool, err error)
	// BeginContactImport says that many contacts are about to be added to the batch, in
	// AddContacts calls, until end is called (which must be); the store may keep state in
	// memory meanwhile (SQLite keeps the batch's numbers, to check duplicates faster).
	BeginContactImport(ctx context.Context, tenantID, batchID int64) (end func(), err error)
	Contact(ctx context.Context, tenantID, id int64) (*Contact, error)
	Contacts(ctx context.Context, tenantID int64, f ContactFilter) ([]*Contact, error)
	// DeleteContact deletes a contact that is not dialing.
	DeleteContact(ctx context.Context, tenantID, id int64) error
}

// ContactFilter narrows a contact list.
type ContactFilter struct {
	TaskID  int64
	BatchID int64
	Phone   string
	Status  ContactStatus
	Page
}

// CallStore reads CDRs.
type CallStore interface {
	Call(ctx context.Context, tenantID, id int64) (*Call, error)
	// Calls lists ended calls by id (time order), ascending unless f.Desc.
	Calls(ctx context.Context, f CallFilter) ([]*Call, error)
	// CountCalls counts what Calls would list without paging.
	CountCalls(ctx context.Context, f CallFilter) (int64, error)
}

// CallFilter narrows a CDR search. TenantID is required; zero fields do not filter.
type CallFilter struct {
	TenantID    int64
	ProjectID   int64
	TaskID      int64
	BatchID     int64
	ContactID   int64
	CallID      int64
	Caller      string
	Called      string
	Result      Result
	CallResult  *int // nil: any
	EndResult   int  // 0: any
	From, To    time.Time
	IncludeLive bool
	// After is an exclusive cursor: the id of the last call of the previous page.
	After int64
	Desc  bool
	Limit int
}

// BlocklistStore keeps numbers that must never be called.
type BlocklistStore interface {
	// BlockNumber adds or updates a blocked number (normalised).
	BlockNumber(ctx context.Context, b *BlockedNumber) error
	UnblockNumber(ctx context.Context, tenantID int64, phone string) error
	BlockedNumbers(ctx context.Context, tenantID int64, afterPhone string, limit int) ([]*BlockedNumber, error)
	IsBlocked(ctx context.Context, tenantID int64, phone string) (bool, error)
}
