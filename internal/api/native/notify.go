package native

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"
)

// NotifierStore is what the Notifier needs from the store.
type NotifierStore interface {
	Subscriptions(ctx context.Context, tenantID int64, format string) ([]*outdial.Subscription, error)
	TaskProgress(ctx context.Context, tenantID, id int64) (outdial.Progress, error)
	AddOutbox(ctx context.Context, ms []*outdial.OutboxMessage) error
}

// Notifier turns what happens to calls and tasks into native webhook messages, one per
// native subscription that wants the event. It is the engine's engine.Notifier (call.ended
// and task.finished, written in the engine's own transactions), taskctl's Notify
// (TaskChanged) and the engine's Observe (call.ringing and call.answered; CallStarted for
// call.started). A tenant's subscriptions are cached for CacheFor, so the engine does not
// read them for every call.
type Notifier struct {
	store    NotifierStore
	clock    outdial.Clock
	log      *slog.Logger
	cacheFor time.Duration
	// Wake, if set, is called after live events are written (the dispatcher's Wake).
	Wake func()

	mu       sync.Mutex
	cache    map[int64]cachedSubs
	live     []*outdial.OutboxMessage // call.started/ringing/answered waiting to be written
	flushing bool
}

type cachedSubs struct {
	subs []*outdial.Subscription
	at   time.Time
}

// Limits of the Notifier.
const (
	// SubscriptionsCacheFor is how long a tenant's native subscriptions are reused.
	SubscriptionsCacheFor = 10 * time.Second
	// maxLive bounds the live call events waiting to be written; beyond it they are dropped
	// (and logged) rather than slow the engine down.
	maxLive = 10000
)

// NewNotifier returns a Notifier over store; clock and logger may be nil.
func NewNotifier(store NotifierStore, clock outdial.Clock, logger *slog.Logger) *Notifier {
	if clock == nil {
		clock = outdial.SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Notifier{store: store, clock: clock, log: logger, cacheFor: SubscriptionsCacheFor, cache: map[int64]cachedSubs{}}
}

// callEvent is the data of call.* events: the CDR as GET /api/v1/calls/{id} shows it and,
// on call.ended, the contact's new state and the task.
type callEvent struct {
	Call    callOut     `json:"call"`
	Contact *contactOut `json:"contact,omitempty"`
	Task    *taskOut    `json:"task,omitempty"`
}

// taskEvent is the data of task.* events.
type taskEvent struct {
	Task     taskOut           `json:"task"`
	Progress *outdial.Progress `json:"progress,omitempty"`
}

// CallEnded returns the call.ended messages of a finished call (engine.Notifier).
func (n *Notifier) CallEnded(call *outdial.Call, contact *outdial.Contact, task *outdial.Task) []*outdial.OutboxMessage {
	ev := callEvent{Call: showCall(call)}
	if contact != nil {
		c := showContact(contact)
		ev.Contact = &c
	}
	if task != nil {
		t := showTask(task)
		ev.Task = &t
	}
	return n.messages(call.TenantID, call.ProjectID, outdial.EventCallEnded, callEventID(call.ID, "ended"), ev)
}

// TaskFinished returns the task.finished messages of a task whose contacts are all final
// (engine.Notifier).
func (n *Notifier) TaskFinished(task *outdial.Task) []*outdial.OutboxMessage {
	return n.taskMessages(context.Background(), task, outdial.EventTaskFinished)
}

// TaskChanged writes task.started or task.stopped messages; it is taskctl.Control's
// Notify. A failure is logged: the task has changed already.
func (n *Notifier) TaskChanged(ctx context.Context, task *outdial.Task, eventType string) {
	msgs := n.taskMessages(ctx, task, eventType)
	if len(msgs) == 0 {
		return
	}
	if err := n.store.AddOutbox(ctx, msgs); err != nil {
		n.log.Error("native webhooks: task event", "task", task.ID, "event", eventType, "err", err)
		return
	}
	if n.Wake != nil {
		n.Wake()
	}
}

func (n *Notifier) taskMessages(ctx context.Context, task *outdial.Task, eventType string) []*outdial.OutboxMessage {
	if len(n.subscriptions(task.TenantID)) == 0 {
		return nil
	}
	ev := taskEvent{Task: showTask(task)}
	if p, err := n.store.TaskProgress(ctx, task.TenantID, task.ID); err == nil {
		ev.Progress = &p
	}
	id := fmt.Sprintf("task-%d-%s-%d", task.ID, eventType[len("task."):], n.clock.Now().UnixMilli())
	return n.messages(task.TenantID, task.ProjectID, eventType, id, ev)
}

// CallStarted queues call.started for a call whose INVITE is leaving. The engine calls
// it (from its loop; it never blocks).
func (n *Notifier) CallStarted(call *outdial.Call) {
	n.queueLive(n.messages(call.TenantID, call.ProjectID, outdial.EventCallStarted, callEventID(call.ID, "started"),
		callEvent{Call: showCall(call)}))
}

// Observe queues call.ringing and call.answered; it is the engine's Config.Observe (it
// never blocks). Ended is left to CallEnded, which is written with the CDR.
func (n *Notifier) Observe(call *outdial.Call, ev telephony.Event) {
	var eventType, suffix string
	switch ev.Kind {
	case telephony.Ringing:
		eventType, suffix = outdial.EventCallRinging, "ringing"
	case telephony.Answered:
		eventType, suffix = outdial.EventCallAnswered, "answered"
	default:
		return
	}
	c := *call
	if ev.Kind == telephony.Ringing && c.RingTime.IsZero() {
		c.RingTime = ev.At
	}
	if ev.Kind == telephony.Answered && c.AnswerTime.IsZero() {
		c.AnswerTime = ev.At
	}
	n.queueLive(n.messages(call.TenantID, call.ProjectID, eventType, callEventID(call.ID, suffix), callEvent{Call: showCall(&c)}))
}

// callEventID is the event id of a call's event: the same whenever it is made again (a
// call recovered after a crash), so receivers can drop duplicates.
func callEventID(callID int64, what string) string {
	return "call-" + strconv.FormatInt(callID, 10) + "-" + what
}

// messages builds one message per native subscription of the tenant that wants the event.
func (n *Notifier) messages(tenantID, projectID int64, eventType, eventID string, data any) []*outdial.OutboxMessage {
	subs := n.subscriptions(tenantID)
	var out []*outdial.OutboxMessage
	var payload []byte
	for _, sub := range subs {
		if !sub.Wants(eventType, projectID) {
			continue
		}
		if payload == nil {
			var err error
			if payload, err = json.Marshal(data); err != nil {
				n.log.Error("native webhooks: encode event", "event", eventID, "err", err)
				return nil
			}
		}
		out = append(out, &outdial.OutboxMessage{TenantID: tenantID, EventID: eventID, EventType: eventType,
			Format: "native", URL: sub.URL, SubscriptionID: sub.ID, Payload: payload})
	}
	return out
}

// subscriptions returns the tenant's native subscriptions, from the cache when fresh. If
// the store fails, a stale list is used (or none), and the failure is logged.
func (n *Notifier) subscriptions(tenantID int64) []*outdial.Subscription {
	now := n.clock.Now()
	n.mu.Lock()
	c, ok := n.cache[tenantID]
	n.mu.Unlock()
	if ok && now.Sub(c.at) < n.cacheFor && !now.Before(c.at) {
		return c.subs
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	subs, err := n.store.Subscriptions(ctx, tenantID, "native")
	if err != nil {
		n.log.Error("native webhooks: read subscriptions", "tenant", tenantID, "err", err)
		return c.subs
	}
	n.mu.Lock()
	if len(n.cache) > 100000 {
		n.cache = map[int64]cachedSubs{}
	}
	n.cache[tenantID] = cachedSubs{subs: subs, at: now}
	n.mu.Unlock()
	return subs
}

// Forget drops the tenant's cached subscriptions (after the API changed them).
func (n *Notifier) Forget(tenantID int64) {
	n.mu.Lock()
	delete(n.cache, tenantID)
	n.mu.Unlock()
}

// queueLive hands live call events to a writer goroutine, which writes whatever has
// gathered in one transaction. They are best effort: not in the engine's transaction,
// lost if the process dies first, and dropped (logged) beyond maxLive waiting.
func (n *Notifier) queueLive(msgs []*outdial.OutboxMessage) {
	if len(msgs) == 0 {
		return
	}
	n.mu.Lock()
	if len(n.live)+len(msgs) > maxLive {
		n.mu.Unlock()
		n.log.Warn("native webhooks: too many live call events waiting; dropped", "event", msgs[0].EventID)
		return
	}
	n.live = append(n.live, msgs...)
	start := !n.flushing
	n.flushing = true
	n.mu.Unlock()
	if start {
		go n.flushLive()
	}
}

func (n *Notifier) flushLive() {
	for {
		n.mu.Lock()
		batch := n.live
		n.live = nil
		if len(batch) == 0 {
			n.flushing = false
			n.mu.Unlock()
			return
		}
		n.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := n.store.AddOutbox(ctx, batch); err != nil {
			n.log.Error("native webhooks: live call events lost", "events", len(batch), "err", err)
		} else if n.Wake != nil {
			n.Wake()
		}
		cancel()
	}
}
