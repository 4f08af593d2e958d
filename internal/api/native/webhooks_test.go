package native

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

const testSecret = "0123456789abcdef-secret"

// webhookWithDelivery gives the caller's tenant a native webhook and one dead delivery
// with an attempt in its log, and returns their ids.
func (c *caller) webhookWithDelivery(t *testing.T) (webhook, delivery int64) {
	t.Helper()
	webhook = c.do("POST", "/api/v1/webhooks", m{"url": "https://hooks.example.com/outdial?token=abc", "secret": testSecret,
		"events": []string{"call.ended"}}).id(t)
	var d deliveryOut
	c.do("POST", path("/api/v1/webhooks/%d/test", webhook), nil).ok(t, http.StatusAccepted, &d)
	msg, err := c.e.store.OutboxMessage(ctx, c.tenant.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	msg.Status, msg.LastError = outdial.OutboxDead, "answered 500, which the native format does not count as delivered"
	if err := c.e.store.RecordAttempt(ctx, msg, outdial.DeliveryAttempt{At: c.e.clock.Now(), Status: 500,
		Response: "oops", Error: msg.LastError, Duration: 1500 * time.Microsecond}); err != nil {
		t.Fatal(err)
	}
	return webhook, d.ID
}

// webhookProbes are the tenant isolation test's probes of the webhook routes: B at A's
// webhooks and deliveries.
func webhookProbes(A, B full) map[string][]probe {
	body := m{"url": "https://b.example.com/hook", "secret": testSecret}
	return map[string][]probe{
		"GET /api/v1/webhooks":                 {{path: "/api/v1/webhooks", status: 200}},
		"POST /api/v1/webhooks":                {{path: "/api/v1/webhooks", body: m{"url": "https://b.example.com/hook", "secret": testSecret, "project_id": A.project}, status: 404, field: "project_id"}},
		"GET /api/v1/webhooks/{id}":            {{path: path("/api/v1/webhooks/%d", A.webhook), status: 404}},
		"PUT /api/v1/webhooks/{id}":            {{path: path("/api/v1/webhooks/%d", A.webhook), body: body, status: 404}},
		"DELETE /api/v1/webhooks/{id}":         {{path: path("/api/v1/webhooks/%d", A.webhook), status: 404}},
		"POST /api/v1/webhooks/{id}/test":      {{path: path("/api/v1/webhooks/%d/test", A.webhook), status: 404}},
		"GET /api/v1/webhooks/{id}/deliveries": {{path: path("/api/v1/webhooks/%d/deliveries", A.webhook), status: 404}},
		"GET /api/v1/deliveries": {
			{path: "/api/v1/deliveries", status: 200},
			{path: path("/api/v1/deliveries?webhook_id=%d", A.webhook), status: 200},
		},
		"GET /api/v1/deliveries/{id}":            {{path: path("/api/v1/deliveries/%d", A.delivery), status: 404}},
		"POST /api/v1/deliveries/{id}/redeliver": {{path: path("/api/v1/deliveries/%d/redeliver", A.delivery), status: 404}},
	}
}

// TestWebhooks: create, read, list, update and delete subscriptions; the secret is
// write-only and an update without one keeps it.
func TestWebhooks(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	var w webhookOut
	a.do("POST", "/api/v1/webhooks", m{"url": "https://hooks.example.com/a", "secret": testSecret,
		"events": []string{"call.ended", "task.finished"}, "schedule": []int{5, 60}}).ok(t, http.StatusCreated, &w)
	if w.Format != "native" || !w.Enabled || !w.HasSecret || len(w.Events) != 2 || len(w.Schedule) != 2 || w.CreatedAt == nil {
		t.Fatalf("created %+v", w)
	}
	r := a.do("GET", path("/api/v1/webhooks/%d", w.ID), nil).ok(t, http.StatusOK, nil)
	if strings.Contains(string(r.body), testSecret) || strings.Contains(string(r.body), `"secret"`) {
		t.Fatalf("the secret came back: %s", r.body)
	}
	a.do("POST", "/api/v1/webhooks", m{"format": "autocall", "url": "http://push.example.com/", "secret": "k", "encrypt": true}).
		ok(t, http.StatusCreated, nil)
	var list page[webhookOut]
	a.do("GET", "/api/v1/webhooks?format=autocall", nil).ok(t, http.StatusOK, &list)
	if len(list.Data) != 1 || list.Data[0].Format != "autocall" || !list.Data[0].Encrypt {
		t.Fatalf("autocall webhooks: %+v", list.Data)
	}
	a.do("GET", "/api/v1/webhooks?limit=1", nil).ok(t, http.StatusOK, &list)
	if len(list.Data) != 1 || list.NextCursor == nil {
		t.Fatalf("first page: %+v", list)
	}
	a.do("GET", "/api/v1/webhooks?limit=1&cursor="+*list.NextCursor, nil).ok(t, http.StatusOK, &list)
	if len(list.Data) != 1 || list.Data[0].Format != "autocall" {
		t.Fatalf("second page: %+v", list)
	}

	a.do("PUT", path("/api/v1/webhooks/%d", w.ID), m{"url": "https://hooks.example.com/b", "enabled": false}).ok(t, http.StatusOK, &w)
	if w.URL != "https://hooks.example.com/b" || w.Enabled || !w.HasSecret || len(w.Events) != 0 {
		t.Fatalf("updated %+v", w)
	}
	if sub, _ := e.store.Subscription(ctx, a.tenant.ID, w.ID); sub.Secret != testSecret {
		t.Fatalf("an update without a secret changed it to %q", sub.Secret)
	}
	a.do("PUT", path("/api/v1/webhooks/%d", w.ID), m{"url": "https://hooks.example.com/b", "secret": "another-secret-16b"}).ok(t, http.StatusOK, nil)
	if sub, _ := e.store.Subscription(ctx, a.tenant.ID, w.ID); sub.Secret != "another-secret-16b" {
		t.Fatalf("secret = %q after setting a new one", sub.Secret)
	}
	a.do("DELETE", path("/api/v1/webhooks/%d", w.ID), nil).ok(t, http.StatusNoContent, nil)
	a.do("GET", path("/api/v1/webhooks/%d", w.ID), nil).fails(t, http.StatusNotFound, "not_found", "")
}

func TestWebhookBadInput(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no secret", m{"url": "https://x.example/"}, "secret"},
		{"short secret", m{"url": "https://x.example/", "secret": "short"}, "secret"},
		{"no url", m{"secret": testSecret}, "url"},
		{"ftp url", m{"url": "ftp://x.example/", "secret": testSecret}, "url"},
		{"credentials in the url", m{"url": "https://u:p@x.example/", "secret": testSecret}, "url"},
		{"unknown format", m{"format": "groupcall", "url": "https://x.example/", "secret": testSecret}, "format"},
		{"unknown event", m{"url": "https://x.example/", "secret": testSecret, "events": []string{"call.exploded"}}, "events"},
		{"bad schedule", m{"url": "https://x.example/", "secret": testSecret, "schedule": []int{0}}, "schedule"},
		{"negative project", m{"url": "https://x.example/", "secret": testSecret, "project_id": -1}, "project_id"},
		{"secret of the wrong type", m{"url": "https://x.example/", "secret": 5}, "secret"},
		{"has_secret is read-only", m{"url": "https://x.example/", "secret": testSecret, "has_secret": true}, "has_secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a.do("POST", "/api/v1/webhooks", tc.body).fails(t, http.StatusBadRequest, "invalid", tc.field)
		})
	}
	a.do("GET", "/api/v1/webhooks?format=x", nil).fails(t, http.StatusBadRequest, "invalid", "format")
	a.do("GET", "/api/v1/deliveries?status=lost", nil).fails(t, http.StatusBadRequest, "invalid", "status")
	a.do("GET", "/api/v1/deliveries?webhook_id=x", nil).fails(t, http.StatusBadRequest, "invalid", "webhook_id")
	a.do("GET", "/api/v1/deliveries/abc", nil).fails(t, http.StatusNotFound, "not_found", "")
	if subs, _ := e.store.Subscriptions(ctx, a.tenant.ID, ""); len(subs) != 0 {
		t.Fatalf("refused requests created %d webhooks", len(subs))
	}
}

// TestDeliveries: a test event goes through the outbox; the delivery log lists it by
// webhook and by event with its attempts; a dead delivery can be redelivered, a pending
// one cannot.
func TestDeliveries(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	hook, dead := a.webhookWithDelivery(t)
	var d deliveryOut
	a.do("GET", path("/api/v1/deliveries/%d", dead), nil).ok(t, http.StatusOK, &d)
	if d.Status != "dead" || d.EventType != "webhook.test" || d.WebhookID == nil || *d.WebhookID != hook || d.Attempts != 1 ||
		len(d.History) != 1 || d.History[0].Status != 500 || d.History[0].Response != "oops" || d.History[0].DurationMS != 1.5 ||
		d.NextAttemptAt != nil || !strings.HasPrefix(d.EventID, "test-") {
		t.Fatalf("dead delivery: %+v", d)
	}
	var list page[deliveryOut]
	a.do("GET", "/api/v1/deliveries?event_id="+d.EventID, nil).ok(t, http.StatusOK, &list)
	if len(list.Data) != 1 || list.Data[0].ID != dead || len(list.Data[0].History) != 1 {
		t.Fatalf("by event: %+v", list.Data)
	}
	var pending deliveryOut
	a.do("POST", path("/api/v1/webhooks/%d/test", hook), nil).ok(t, http.StatusAccepted, &pending)
	if pending.Status != "pending" || pending.NextAttemptAt == nil || !pending.NextAttemptAt.Equal(e.clock.Now()) {
		t.Fatalf("test event: %+v", pending)
	}
	a.do("GET", path("/api/v1/webhooks/%d/deliveries", hook), nil).ok(t, http.StatusOK, &list)
	if len(list.Data) != 2 || list.Data[0].ID != pending.ID || list.Data[1].ID != dead {
		t.Fatalf("by webhook, newest first: %+v", list.Data)
	}
	a.do("GET", path("/api/v1/webhooks/%d/deliveries?status=dead", hook), nil).ok(t, http.StatusOK, &list)
	if len(list.Data) != 1 || list.Data[0].ID != dead {
		t.Fatalf("dead ones: %+v", list.Data)
	}
	a.do("POST", path("/api/v1/deliveries/%d/redeliver", pending.ID), nil).fails(t, http.StatusConflict, "conflict", "")
	e.clock.Advance(time.Hour)
	a.do("POST", path("/api/v1/deliveries/%d/redeliver", dead), nil).ok(t, http.StatusAccepted, &d)
	if d.Status != "pending" || d.Attempts != 0 || len(d.History) != 1 || !d.NextAttemptAt.Equal(e.clock.Now()) {
		t.Fatalf("redelivered: %+v", d)
	}
	// A disabled webhook cannot be tested.
	a.do("PUT", path("/api/v1/webhooks/%d", hook), m{"url": "https://hooks.example.com/x", "enabled": false}).ok(t, http.StatusOK, nil)
	a.do("POST", path("/api/v1/webhooks/%d/test", hook), nil).fails(t, http.StatusConflict, "conflict", "")
	if strings.Contains(e.logs.String(), testSecret) {
		t.Fatal("the secret is in the log")
	}
}

// TestWebhookTestEventIsSigned: the test event, built by the native format, carries a
// signature the README's check accepts.
func TestWebhookTestEventIsSigned(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	hook := a.do("POST", "/api/v1/webhooks", m{"url": "https://hooks.example.com/a", "secret": testSecret}).id(t)
	var d deliveryOut
	a.do("POST", path("/api/v1/webhooks/%d/test", hook), nil).ok(t, http.StatusAccepted, &d)
	msg, _ := e.store.OutboxMessage(ctx, a.tenant.ID, d.ID)
	if !strings.Contains(string(msg.Payload), `"test":true`) || msg.Format != "native" || msg.SubscriptionID != hook {
		t.Fatalf("test message %+v %s", msg, msg.Payload)
	}
}
