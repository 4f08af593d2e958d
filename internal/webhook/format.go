// Package webhook delivers outbox messages: a bounded pool of workers sends each due
// message to its URL in its format, judges the answer by that format's rule, and retries
// on the subscription's schedule until delivered or dead.
package webhook

import (
	"net/http"
	"time"

	"github.com/outdial/outdial"
)

// Format is one way of delivering outbox messages: the native webhooks and each API
// dialect's callbacks register one, by the name they put in OutboxMessage.Format.
type Format interface {
	// Name is the format's name in outbox messages ("native", "groupcall", ...).
	Name() string
	// Build returns the body and headers of one delivery attempt made at now. sub is the
	// message's subscription (nil for callback URLs that came from a contact or a task);
	// signing and encryption happen here, so each attempt carries a fresh timestamp.
	Build(m *outdial.OutboxMessage, sub *outdial.Subscription, now time.Time) (body []byte, header http.Header, err error)
	// Delivered reports whether the receiver's answer means the message arrived.
	Delivered(status int, body []byte) bool
}

// Formats maps format names to formats.
type Formats map[string]Format

// Register adds f under its name.
func (fs Formats) Register(f Format) { fs[f.Name()] = f }

// Schedule returns the retry delays of a subscription (the default for nil or empty).
func Schedule(sub *outdial.Subscription) []time.Duration {
	secs := outdial.DefaultRetrySchedule
	if sub != nil && len(sub.Schedule) > 0 {
		secs = sub.Schedule
	}
	out := make([]time.Duration, len(secs))
	for i, s := range secs {
		out[i] = time.Duration(s) * time.Second
	}
	return out
}
