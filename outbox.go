package outdial

import (
	"context"
	"time"
)

// OutboxMessage is one webhook delivery waiting in the outbox: one event to one endpoint,
// in one dialect's format. It is written in the same transaction as the change it reports
// and retried until delivered or dead; EventID stays the same on every retry.
type OutboxMessage struct {
	ID        int64  `json:"id"`
	TenantID  int64  `json:"-"`
	EventID   string `json:"event_id"`
	EventType string `json:"event_type"` // e.g. "call.ended", "task.finished"
	// Format names who renders, signs and judges the delivery: "native", "groupcall",
	// "telrobot", "autocall".
	Format string `json:"format"`
	URL    string `json:"url"`
	// SubscriptionID is the subscription (with its secret and schedule) the message is for,
	// 0 for callback URLs that come from contacts or tasks.
	SubscriptionID int64  `json:"subscription_id,omitempty"`
	Payload        []byte `json:"-"`

	Status        string    `json:"status"` // OutboxPending, OutboxDelivered, OutboxDead
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	DeliveredAt   time.Time `json:"delivered_at"`
}

// Outbox message statuses.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxDead      = "dead"
)

// Event types outdial reports.
const (
	EventCallStarted  = "call.started"
	EventCallRinging  = "call.ringing"
	EventCallAnswered = "call.answered"
	EventCallEnded    = "call.ended"
	EventTaskStarted  = "task.started"
	EventTaskStopped  = "task.stopped"
	EventTaskFinished = "task.finished"
)

// OutboxStore is what the webhook dispatcher needs from the store.
type OutboxStore interface {
	// ClaimOutbox leases up to limit pending messages due at now to node for lease: they
	// are not claimed again until the lease ends (a crashed dispatcher's messages come back).
	ClaimOutbox(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]*OutboxMessage, error)
	// ReleaseClaims makes the pending messages node has leased due at now: a restarted
	// node takes its own leases back at once. It returns how many it released.
	ReleaseClaims(ctx context.Context, node string, now time.Time) (int64, error)
	// ReleaseLease makes node's pending messages leased until leaseEnd (one claim's)
	// due at now: a claim whose answer was lost may have leased them all the same.
	ReleaseLease(ctx context.Context, node string, leaseEnd, now time.Time) (int64, error)
	// RecordAttempt stores the result of one delivery attempt and the message's new state
	// (delivered, pending with its next attempt time, or dead).
	RecordAttempt(ctx context.Context, m *OutboxMessage, a DeliveryAttempt) error
	// OutboxMessages lists a tenant's messages, newest first (filters: event id,
	// subscription, status).
	OutboxMessages(ctx context.Context, tenantID int64, f OutboxFilter) ([]*OutboxMessage, error)
	OutboxMessage(ctx context.Context, tenantID, id int64) (*OutboxMessage, error)
	// DeliveryAttempts lists the attempts of one message, oldest first.
	DeliveryAttempts(ctx context.Context, tenantID, messageID int64) ([]*DeliveryAttempt, error)
	// Redeliver makes a dead (or delivered) message pending again, due at now.
	Redeliver(ctx context.Context, tenantID, id int64, now time.Time) error
	// OutboxBacklog counts messages by status, for metrics.
	OutboxBacklog(ctx context.Context) (map[string]int64, error)
	// PruneOutbox deletes finished (delivered or dead) messages created before before,
	// with their delivery attempts, looking at up to n messages after the id after,
	// oldest first. It returns how many it deleted, the last id it looked at (the next
	// call's after) and whether there may be more. Pending messages are kept.
	PruneOutbox(ctx context.Context, before time.Time, after int64, n int) (deleted, last int64, more bool, err error)
}

// OutboxFilter narrows a list of outbox messages.
type OutboxFilter struct {
	EventID        string
	SubscriptionID int64
	Status         string
	Page
}

// DeliveryAttempt is one try at delivering an outbox message.
type DeliveryAttempt struct {
	ID        int64     `json:"id"`
	MessageID int64     `json:"message_id"`
	At        time.Time `json:"at"`
	// Status is the HTTP status (0 when no answer came: refused, timed out, reset).
	Status    int           `json:"status"`
	Response  string        `json:"response"` // the start of the answer's body
	Error     string        `json:"error,omitempty"`
	Duration  time.Duration `json:"duration"`
	Delivered bool          `json:"delivered"`
}
