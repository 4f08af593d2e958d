package autocall

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/outdial/outdial"
)

// subscriptionTTL is how long the notifier trusts its copy of a tenant's autocall
// subscriptions: a push configured on another node starts within this long.
const subscriptionTTL = 5 * time.Second

// Notifier is the engine side of the CDR push: for every finished call it returns one
// outbox message per enabled autocall subscription of the call's tenant that wants the
// call's project, with the push data JSON as payload (Format signs and encrypts it at
// send time). Messages are written in the same transaction as the CDR.
type Notifier struct {
	store    outdial.SubscriptionStore
	links    RecordingLinks
	clock    outdial.Clock
	log      *slog.Logger
	location *time.Location

	mu    sync.Mutex
	cache map[int64]subscriptions
}

// subscriptions is one tenant's autocall subscriptions as read at a time.
type subscriptions struct {
	at   time.Time
	subs []*outdial.Subscription
}

// CallEnded returns the push messages of a finished call.
func (n *Notifier) CallEnded(c *outdial.Call, contact *outdial.Contact, task *outdial.Task) []*outdial.OutboxMessage {
	var msgs []*outdial.OutboxMessage
	var payload []byte
	for _, sub := range n.subscriptions(c.TenantID) {
		if !sub.Wants(outdial.EventCallEnded, c.ProjectID) {
			continue
		}
		if payload == nil {
			recordURL := ""
			if c.Recording != "" && n.links != nil {
				recordURL = n.links.URL(c.TenantID, c.ID)
			}
			var err error
			if payload, err = marshalASCII(newPushData(c, contact, task, recordURL, n.location)); err != nil {
				n.log.Error("autocall push: encode call", slog.Int64("call", c.ID), slog.Any("err", err))
				return nil
			}
		}
		msgs = append(msgs, &outdial.OutboxMessage{TenantID: c.TenantID, EventID: "call.ended/" + itoa(c.ID),
			EventType: outdial.EventCallEnded, Format: FormatName, URL: sub.URL, SubscriptionID: sub.ID, Payload: payload})
	}
	return msgs
}

// TaskFinished returns nothing: the document pushes CDRs only.
func (n *Notifier) TaskFinished(*outdial.Task) []*outdial.OutboxMessage { return nil }

// subscriptions returns the tenant's autocall subscriptions, read again from the store
// when the copy is older than subscriptionTTL. When the store fails, the old copy is
// kept for another TTL (and the failure logged), so a database hiccup neither drops the
// pushes it knew of nor slows every call.
func (n *Notifier) subscriptions(tenantID int64) []*outdial.Subscription {
	now := n.clock.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.cache[tenantID]
	if ok && now.Sub(e.at) < subscriptionTTL && !now.Before(e.at) {
		return e.subs
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	subs, err := n.store.Subscriptions(ctx, tenantID, FormatName)
	if err != nil {
		n.log.Error("autocall push: read subscriptions", slog.Int64("tenant", tenantID), slog.Any("err", err))
		subs = e.subs // and try the store again after the TTL, not at every call
	}
	if n.cache == nil {
		n.cache = map[int64]subscriptions{}
	}
	n.cache[tenantID] = subscriptions{at: now, subs: subs}
	return subs
}

// forget drops the tenant's cached subscriptions (after this node changed them).
func (n *Notifier) forget(tenantID int64) {
	n.mu.Lock()
	delete(n.cache, tenantID)
	n.mu.Unlock()
}
