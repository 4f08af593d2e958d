package groupcall

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/outdial/outdial"
)

// FormatName names the dialect's callbacks in outbox messages.
const FormatName = "groupcall"

// Fixed values of the callback's fields that outdial has no data for (README.md says why).
const (
	CallbackSuccess = "success" // call_result of an answered call
	CallbackFail    = "fail"    // call_result of every other call
)

// Callback is the body POSTed to a contact's callback_url when one of its calls ends.
type Callback struct {
	CallResult CallbackResult `json:"call_result"`
}

// CallbackResult is every field of the document's callback, in its order and JSON types.
// comment is always null, state null when the customer uploaded none.
type CallbackResult struct {
	ID            string  `json:"id"`         // the contact's id
	CompanyID     string  `json:"company_id"` // the tenant's id
	BatchID       string  `json:"batch_id"`
	Name          string  `json:"name"`
	Phone         string  `json:"phone"` // normalised
	Address       string  `json:"address"`
	CompanyName   string  `json:"company_name"` // the tenant's name
	CustomerType  string  `json:"customer_type"`
	Sex           string  `json:"sex"`
	Email         string  `json:"email"`
	Comment       *string `json:"comment"`
	CallOutStatus string  `json:"call_out_status"`
	CallResult    string  `json:"call_result"` // CallbackSuccess or CallbackFail
	GroupcallMark string  `json:"groupcall_mark"`
	ForecastMark  string  `json:"forecast_mark"`
	ServeType     string  `json:"serve_type"`
	ServeState    string  `json:"serve_state"`
	UpdateTime    string  `json:"update_time"` // the call's end, in the task's time zone
	CreateTime    string  `json:"create_time"` // the contact's upload, in the task's time zone
	CallbackURL   *string `json:"callback_url"`
	State         *string `json:"state"`
	IsPush        string  `json:"is_push"`
}

// NewCallback fills the callback of a call that ended, from the call, its contact, its
// task and the tenant's name.
func NewCallback(c *outdial.Call, ct *outdial.Contact, task *outdial.Task, tenantName string) Callback {
	loc := task.Location()
	result := CallbackFail
	if c.Result == outdial.ResultAnswered {
		result = CallbackSuccess
	}
	end := c.EndTime
	if end.IsZero() {
		end = c.StartTime
	}
	return Callback{CallResult: CallbackResult{
		ID: idString(ct.ID), CompanyID: idString(c.TenantID), BatchID: idString(ct.BatchID),
		Name: ct.Name, Phone: ct.Phone, Address: ct.Address, CompanyName: tenantName,
		CustomerType: "0", Sex: "0", Email: ct.Email, CallOutStatus: "0", CallResult: result,
		GroupcallMark: "1", ForecastMark: "0", ServeType: "0", ServeState: "0",
		UpdateTime: end.In(loc).Format(dateTime), CreateTime: ct.CreatedAt.In(loc).Format(dateTime),
		CallbackURL: nullable(ct.CallbackURL), State: nullable(ct.State), IsPush: "0",
	}}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Notifier is the engine notifier (engine.Notifier) of the dialect: for every call of a
// contact that has a callback_url, however it was imported, it writes one callback to the
// outbox, in the same transaction as the call's CDR.
type Notifier struct {
	tenants outdial.TenantStore
	clock   outdial.Clock
	log     *slog.Logger

	mu    sync.Mutex
	names map[int64]tenantName
}

// tenantName is a tenant's name as read at a time.
type tenantName struct {
	name string
	at   time.Time
}

// tenantNameTTL is how long a tenant's name is kept before it is read again.
const tenantNameTTL = time.Minute

// NewNotifier returns the notifier; it reads tenants' names (company_name) from tenants.
func NewNotifier(tenants outdial.TenantStore, clock outdial.Clock, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{tenants: tenants, clock: clock, log: log, names: map[int64]tenantName{}}
}

// CallEnded returns the callback of the call, or nothing when its contact has no
// callback_url. The event id, "groupcall-call-<call id>", is the same on every retry.
func (n *Notifier) CallEnded(c *outdial.Call, ct *outdial.Contact, task *outdial.Task) []*outdial.OutboxMessage {
	if c == nil || ct == nil || task == nil || ct.CallbackURL == "" {
		return nil
	}
	payload, err := json.Marshal(NewCallback(c, ct, task, n.tenantName(c.TenantID)))
	if err != nil { // cannot happen: the callback is strings only
		n.log.Error("groupcall callback: encode", slog.Int64("call", c.ID), slog.Any("err", err))
		return nil
	}
	return []*outdial.OutboxMessage{{TenantID: c.TenantID, EventID: "groupcall-call-" + idString(c.ID),
		EventType: outdial.EventCallEnded, Format: FormatName, URL: ct.CallbackURL, Payload: payload}}
}

// TaskFinished returns nothing: the document has no task callback.
func (n *Notifier) TaskFinished(*outdial.Task) []*outdial.OutboxMessage { return nil }

// tenantName returns the tenant's name, read at most once a tenantNameTTL; when it cannot
// be read, the last name known (or "") is used and the failure logged.
func (n *Notifier) tenantName(id int64) string {
	now := n.clock.Now()
	n.mu.Lock()
	cached, ok := n.names[id]
	n.mu.Unlock()
	if ok && now.Sub(cached.at) < tenantNameTTL {
		return cached.name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	t, err := n.tenants.Tenant(ctx, id)
	if err != nil {
		n.log.Warn("groupcall callback: cannot read the tenant's name", slog.Int64("tenant", id), slog.Any("err", err))
		return cached.name
	}
	n.mu.Lock()
	n.names[id] = tenantName{name: t.Name, at: now}
	n.mu.Unlock()
	return t.Name
}

// Format is the dialect's webhook format: the callback as the body, JSON, unsigned (the
// document has no signature); any 2xx answer means delivered.
type Format struct{}

// Name returns FormatName.
func (Format) Name() string { return FormatName }

// Build returns the message's payload with a JSON content type and, for receivers that
// want to drop repeats, the event id in X-Outdial-Event-Id.
func (Format) Build(m *outdial.OutboxMessage, _ *outdial.Subscription, _ time.Time) ([]byte, http.Header, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Outdial-Event-Id", m.EventID)
	return m.Payload, h, nil
}

// Delivered reports whether status is 2xx.
func (Format) Delivered(status int, _ []byte) bool { return status >= 200 && status <= 299 }
