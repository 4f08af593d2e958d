package native

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/outdial/outdial"
)

// deliveryOut is one outbox message (one event to one URL) with its delivery log.
type deliveryOut struct {
	ID        int64  `json:"id"`
	EventID   string `json:"event_id"`
	EventType string `json:"event_type"`
	Format    string `json:"format"`
	URL       string `json:"url"`
	// WebhookID is the subscription; null for callback URLs of contacts and tasks.
	WebhookID *int64 `json:"webhook_id"`
	Status    string `json:"status" enum:"pending,delivered,dead"`
	// Attempts counts the tries since the event was created or last redelivered.
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	LastError     string     `json:"last_error"`
	CreatedAt     *time.Time `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	// History is every attempt, oldest first, redeliveries included.
	History []deliveryAttemptOut `json:"history"`
}

// deliveryAttemptOut is one try: the receiver's answer (its status and the start of its
// body) or the error that kept it from answering.
type deliveryAttemptOut struct {
	ID         int64      `json:"id"`
	At         *time.Time `json:"at"`
	Status     int        `json:"status"`
	Response   string     `json:"response"`
	Error      string     `json:"error"`
	DurationMS float64    `json:"duration_ms"`
	Delivered  bool       `json:"delivered"`
}

func showDelivery(m *outdial.OutboxMessage, as []*outdial.DeliveryAttempt) deliveryOut {
	out := deliveryOut{ID: m.ID, EventID: m.EventID, EventType: m.EventType, Format: m.Format, URL: m.URL,
		Status: m.Status, Attempts: m.Attempts, LastError: m.LastError, CreatedAt: ts(m.CreatedAt),
		DeliveredAt: ts(m.DeliveredAt), History: make([]deliveryAttemptOut, 0, len(as))}
	if m.SubscriptionID != 0 {
		id := m.SubscriptionID
		out.WebhookID = &id
	}
	if m.Status == outdial.OutboxPending {
		out.NextAttemptAt = ts(m.NextAttemptAt)
	}
	for _, a := range as {
		out.History = append(out.History, deliveryAttemptOut{ID: a.ID, At: ts(a.At), Status: a.Status, Response: a.Response,
			Error: a.Error, DurationMS: float64(a.Duration.Microseconds()) / 1000, Delivered: a.Delivered})
	}
	return out
}

var deliveryStatuses = []string{outdial.OutboxPending, outdial.OutboxDelivered, outdial.OutboxDead}

func (h *Handler) deliveryRoutes() []route {
	statusParam := param{name: "status", typ: "string", desc: "only deliveries in this status", enum: deliveryStatuses}
	return []route{
		{method: "GET", pattern: "/api/v1/webhooks/{id}/deliveries", summary: "List a webhook's deliveries, newest first, with their attempts",
			list: true, out: deliveryOut{}, query: append(append([]param(nil), pageParams...), statusParam,
				param{name: "event_id", typ: "string", desc: "only the deliveries of this event"}),
			handle: h.listWebhookDeliveries},
		{method: "GET", pattern: "/api/v1/deliveries", summary: "List deliveries (webhooks and callback URLs), newest first, with their attempts",
			list: true, out: deliveryOut{}, query: append(append([]param(nil), pageParams...), statusParam,
				param{name: "event_id", typ: "string", desc: "only the deliveries of this event (every URL it went to)"},
				param{name: "webhook_id", typ: "integer", desc: "only the deliveries of this webhook"}),
			handle: h.listDeliveries},
		{method: "GET", pattern: "/api/v1/deliveries/{id}", summary: "Read a delivery and its attempts", out: deliveryOut{},
			handle: h.getDelivery},
		{method: "POST", pattern: "/api/v1/deliveries/{id}/redeliver",
			summary: "Deliver a dead or delivered event again now, with a fresh retry schedule", out: deliveryOut{},
			status: http.StatusAccepted, handle: h.redeliver},
	}
}

// deliveryFilter reads a delivery list's query.
func deliveryFilter(q url.Values) (outdial.OutboxFilter, error) {
	f := outdial.OutboxFilter{EventID: q.Get("event_id"), Status: q.Get("status")}
	switch f.Status {
	case "", outdial.OutboxPending, outdial.OutboxDelivered, outdial.OutboxDead:
	default:
		return f, outdial.FieldErrorf("status", "status must be pending, delivered or dead")
	}
	if len(f.EventID) > 200 {
		return f, outdial.FieldErrorf("event_id", "event_id is at most 200 bytes")
	}
	var err error
	if f.SubscriptionID, err = queryID(q, "webhook_id"); err != nil {
		return f, err
	}
	if f.Limit, err = listLimit(q); err != nil {
		return f, err
	}
	f.After, err = idCursor(q)
	return f, err
}

func (h *Handler) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	if _, err := h.store.Subscription(r.Context(), t.ID, id); err != nil {
		return err
	}
	f, err := deliveryFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.SubscriptionID = id
	return h.writeDeliveries(w, r, t, f)
}

func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	f, err := deliveryFilter(r.URL.Query())
	if err != nil {
		return err
	}
	return h.writeDeliveries(w, r, t, f)
}

// writeDeliveries answers a page of deliveries with their attempts.
func (h *Handler) writeDeliveries(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, f outdial.OutboxFilter) error {
	ms, err := h.store.OutboxMessages(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	p := page[deliveryOut]{Data: make([]deliveryOut, 0, len(ms))}
	for _, m := range ms {
		as, err := h.store.DeliveryAttempts(r.Context(), t.ID, m.ID)
		if err != nil {
			return err
		}
		p.Data = append(p.Data, showDelivery(m, as))
	}
	if len(ms) > 0 && len(ms) >= f.Limit {
		p.NextCursor = makeCursor(strconv.FormatInt(ms[len(ms)-1].ID, 10))
	}
	h.writeJSON(w, r, http.StatusOK, p)
	return nil
}

// readDelivery loads the delivery of the path's {id} with its attempts.
func (h *Handler) readDelivery(r *http.Request, t *outdial.Tenant) (deliveryOut, error) {
	id, err := pathID(r, "delivery")
	if err != nil {
		return deliveryOut{}, err
	}
	m, err := h.store.OutboxMessage(r.Context(), t.ID, id)
	if err != nil {
		return deliveryOut{}, err
	}
	as, err := h.store.DeliveryAttempts(r.Context(), t.ID, id)
	if err != nil {
		return deliveryOut{}, err
	}
	return showDelivery(m, as), nil
}

func (h *Handler) getDelivery(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	d, err := h.readDelivery(r, t)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, d)
	return nil
}

func (h *Handler) redeliver(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	id, err := pathID(r, "delivery")
	if err != nil {
		return err
	}
	if err := h.store.Redeliver(r.Context(), t.ID, id, h.clock.Now()); err != nil {
		return err
	}
	d, err := h.readDelivery(r, t)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusAccepted, d)
	return nil
}
