package outdial

import "time"

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
