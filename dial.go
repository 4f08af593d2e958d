package outdial

import (
	"context"
	"time"
)

// DialStore is what the dialing engine needs from the store. Every limit that several
// engines (nodes sharing a PostgreSQL database) must respect together is checked here,
// atomically with the claim.
type DialStore interface {
	// RunningTasks returns every running task of every tenant.
	RunningTasks(ctx context.Context) ([]*Task, error)
	// DueContacts returns up to limit pending contacts of the task due at or before now,
	// highest priority first, then by due time, then by import order.
	DueContacts(ctx context.Context, taskID int64, now time.Time, limit int) ([]*Contact, error)
	// NextDue returns the earliest due time of the task's pending contacts; false if none.
	NextDue(ctx context.Context, taskID int64) (time.Time, bool, error)
	// StartAttempts records the attempts as started, each in order and atomically with its
	// checks: the contact is still pending, the line and the task have a free slot, the
	// line's pacing allows a call at Call.StartTime, the number is not blocked, and the
	// tenant's caps allow it. It returns one Refusal per attempt (nil: started).
	StartAttempts(ctx context.Context, as []AttemptStart) ([]*Refusal, error)
	// FinishAttempts writes, in one transaction per call of the slice, each call's CDR,
	// its contact's new state and its outbox messages, and releases its slots.
	FinishAttempts(ctx context.Context, es []AttemptEnd) error
	// SettleContact makes a pending contact final (blocked numbers) or due later (caps),
	// without a call.
	SettleContact(ctx context.Context, u ContactUpdate) error
	// LiveAttempts returns the node's calls that were started and have no outcome: after a
	// crash, the engine ends them as interrupted.
	LiveAttempts(ctx context.Context, nodeID string) ([]*Call, error)
	// AddOutbox writes outbox messages outside of a call (task events, test events).
	AddOutbox(ctx context.Context, ms []*OutboxMessage) error
}

// AttemptStart is one call about to be placed, with the limits to enforce.
type AttemptStart struct {
	// Call is the CDR row as known before dialing: id, tenant, project, task, batch,
	// contact, attempt number, line, node, caller, called and its location, StartTime.
	Call            *Call
	LineConcurrency int
	TaskConcurrency int
	// CallsPerSecond paces the line (0: no limit): starts are at least 1/CPS apart.
	CallsPerSecond float64
	CapPerHour     int
	CapPerDay      int
}

// RefusalReason says which check refused an attempt.
type RefusalReason string

// Refusal reasons.
const (
	RefuseNotPending RefusalReason = "not_pending" // another engine took it, or it changed
	RefuseLineFull   RefusalReason = "line_full"
	RefuseTaskFull   RefusalReason = "task_full"
	RefusePaced      RefusalReason = "paced" // the line's calls-per-second limit
	RefuseBlocked    RefusalReason = "blocked"
	RefuseCapped     RefusalReason = "capped" // the tenant's per-number caps
	// RefusePausing: every free channel of the task is in its pause after a call (Until:
	// when the first comes out of it).
	RefusePausing RefusalReason = "pausing"
	// RefuseLineClosed: the line is not valid at the start time (Until: when it becomes
	// valid; zero if it has expired).
	RefuseLineClosed RefusalReason = "line_closed"
	// RefuseOutsideHours: the task's window or time group forbids the start time as
	// stored now (Until: the next allowed instant; zero if none comes).
	RefuseOutsideHours RefusalReason = "outside_hours"
)

// Refusal explains why an attempt did not start, and when trying again can succeed
// (zero when unknown).
type Refusal struct {
	Reason RefusalReason
	Until  time.Time
}

// AttemptEnd is one finished call and everything that changes with it.
type AttemptEnd struct {
	Call    *Call // the complete CDR (Apply the Outcome first)
	Contact ContactUpdate
	Outbox  []*OutboxMessage
}

// ContactUpdate is a contact's new dialing state.
type ContactUpdate struct {
	TenantID      int64
	ContactID     int64
	Status        ContactStatus // ContactPending (recall at NextAttemptAt) or ContactFinished
	NextAttemptAt time.Time
	Result        Result
}
