package outdial

import (
	"context"
	"time"
)

// Subscription sends a tenant's events to a URL in one format: outdial's native webhooks,
// or a dialect's push (seed 002's CDR push is a subscription in the "autocall" format).
type Subscription struct {
	ID       int64  `json:"id"`
	TenantID int64  `json:"-"`
	Format   string `json:"format"` // "native", "autocall", ...
	// ProjectID limits the subscription to one project's calls; 0 means all.
	ProjectID int64  `json:"project_id,omitempty"`
	URL       string `json:"url"`
	// Secret signs deliveries (and keys encryption where the format has it); write-only.
	Secret string `json:"-"`
	// Encrypt asks the format to encrypt the payload (autocall).
	Encrypt bool `json:"encrypt"`
	// Events are the event types delivered; empty means all.
	Events  []string `json:"events"`
	Enabled bool     `json:"enabled"`
	// Schedule is the retry delays in seconds after each failed attempt; empty means the
	// default (15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600), after which the delivery is dead.
	Schedule  []int     `json:"schedule,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DefaultRetrySchedule is seed 002's retry schedule, in seconds after each failure.
var DefaultRetrySchedule = []int{15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600}

// Wants reports whether the subscription delivers an event of type ev for project.
func (s *Subscription) Wants(ev string, projectID int64) bool {
	if !s.Enabled || (s.ProjectID != 0 && s.ProjectID != projectID) {
		return false
	}
	if len(s.Events) == 0 {
		return true
	}
	for _, e := range s.Events {
		if e == ev {
			return true
		}
	}
	return false
}

// Validate checks the subscription's fields.
func (s *Subscription) Validate() error {
	switch {
	case s.Format == "" || len(s.Format) > 32:
		return FieldErrorf("format", "format must be named")
	case !ValidCallbackURL(s.URL):
		return FieldErrorf("url", "url must be an http or https URL")
	case len(s.Secret) > 256:
		return FieldErrorf("secret", "secret must be at most 256 bytes")
	case len(s.Events) > 32:
		return FieldErrorf("events", "at most 32 event types")
	case len(s.Schedule) > 50:
		return FieldErrorf("schedule", "at most 50 retries")
	}
	for _, d := range s.Schedule {
		if d < 1 || d > 7*24*3600 {
			return FieldErrorf("schedule", "retry delays must be 1 to 604800 seconds")
		}
	}
	return nil
}

// SubscriptionStore keeps subscriptions.
type SubscriptionStore interface {
	CreateSubscription(ctx context.Context, s *Subscription) error
	Subscription(ctx context.Context, tenantID, id int64) (*Subscription, error)
	// Subscriptions lists a tenant's subscriptions; format "" lists every format.
	Subscriptions(ctx context.Context, tenantID int64, format string) ([]*Subscription, error)
	// UpdateSubscription updates a subscription; an empty Secret keeps the stored one.
	UpdateSubscription(ctx context.Context, s *Subscription) error
	DeleteSubscription(ctx context.Context, tenantID, id int64) error
}
