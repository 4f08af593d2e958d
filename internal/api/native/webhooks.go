package native

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/webhook"
)

// webhookFormats are the formats a subscription made through this API can have.
var webhookFormats = []string{"native", "autocall"}

// MinSecretBytes is the shortest secret a native webhook accepts.
const MinSecretBytes = 16

// webhookIn is the body of webhook create and update. Secret is write-only: required on
// create; empty or absent on update keeps the stored one.
type webhookIn struct {
	Format    string   `json:"format" enum:"native,autocall"`
	URL       string   `json:"url"`
	Secret    string   `json:"secret"`
	Events    []string `json:"events"`
	ProjectID int64    `json:"project_id"`
	Enabled   *bool    `json:"enabled"`
	Encrypt   bool     `json:"encrypt"`
	Schedule  []int    `json:"schedule"`
}

// webhookOut is a subscription, without its secret.
type webhookOut struct {
	ID        int64      `json:"id"`
	Format    string     `json:"format" enum:"native,autocall"`
	URL       string     `json:"url"`
	HasSecret bool       `json:"has_secret"`
	Events    []string   `json:"events"`
	ProjectID int64      `json:"project_id"`
	Enabled   bool       `json:"enabled"`
	Encrypt   bool       `json:"encrypt"`
	Schedule  []int      `json:"schedule"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func fillWebhook(in *webhookIn, s *outdial.Subscription) error {
	if in.Format == "" {
		in.Format = "native"
	}
	if !slices.Contains(webhookFormats, in.Format) {
		return outdial.FieldErrorf("format", "format must be native or autocall")
	}
	minSecret := 1
	if in.Format == "native" {
		minSecret = MinSecretBytes
	}
	switch {
	case s.ID == 0 && in.Secret == "":
		return outdial.FieldErrorf("secret", "a webhook needs a secret (it signs every delivery)")
	case in.Secret != "" && len(in.Secret) < minSecret:
		return outdial.FieldErrorf("secret", "secret must be at least %d bytes", minSecret)
	case in.ProjectID < 0:
		return outdial.FieldErrorf("project_id", "project_id must be an id, or 0 for every project")
	}
	for _, ev := range in.Events {
		if !slices.Contains(webhook.NativeEvents, ev) {
			return outdial.FieldErrorf("events", "unknown event %q", ev)
		}
	}
	s.Format, s.URL, s.Secret, s.Events, s.ProjectID = in.Format, in.URL, in.Secret, in.Events, in.ProjectID
	s.Enabled = in.Enabled == nil || *in.Enabled
	s.Encrypt, s.Schedule = in.Encrypt, in.Schedule
	return s.Validate()
}

func showWebhook(s *outdial.Subscription) webhookOut {
	return webhookOut{ID: s.ID, Format: s.Format, URL: s.URL, HasSecret: s.Secret != "", Events: nonNil(s.Events),
		ProjectID: s.ProjectID, Enabled: s.Enabled, Encrypt: s.Encrypt, Schedule: nonNil(s.Schedule),
		CreatedAt: ts(s.CreatedAt), UpdatedAt: ts(s.UpdatedAt)}
}

func (h *Handler) webhooks() *resource[outdial.Subscription, webhookIn, webhookOut] {
	s := h.store
	return &resource[outdial.Subscription, webhookIn, webhookOut]{
		h: h, noun: "webhook", nouns: "webhooks", path: "/api/v1/webhooks",
		filters: []param{{name: "format", typ: "string", desc: "only webhooks of this format", enum: webhookFormats}},
		list: func(ctx context.Context, tenantID int64, q url.Values, pg outdial.Page) ([]*outdial.Subscription, error) {
			format := q.Get("format")
			if format != "" && !slices.Contains(webhookFormats, format) {
				return nil, outdial.FieldErrorf("format", "format must be native or autocall")
			}
			all, err := s.Subscriptions(ctx, tenantID, format)
			if err != nil {
				return nil, err
			}
			var out []*outdial.Subscription
			for _, sub := range all {
				if sub.ID > pg.After && len(out) < pg.Limit {
					out = append(out, sub)
				}
			}
			return out, nil
		},
		get:    s.Subscription,
		create: s.CreateSubscription,
		update: s.UpdateSubscription,
		remove: s.DeleteSubscription,
		blank:  func(tenantID int64) *outdial.Subscription { return &outdial.Subscription{TenantID: tenantID} },
		fill:   fillWebhook,
		refs: func(ctx context.Context, sub *outdial.Subscription) error {
			return owned(ctx, s.Project, sub.TenantID, sub.ProjectID, "project_id", "project")
		},
		show: showWebhook,
		key:  func(s *outdial.Subscription) int64 { return s.ID },
	}
}

// webhookRoutes are the subscriptions' routes and the delivery log's.
func (h *Handler) webhookRoutes() []route {
	rs := h.webhooks().routes()
	rs = append(rs, route{method: "POST", pattern: "/api/v1/webhooks/{id}/test",
		summary: "Send a test event (webhook.test) to a webhook now, through the outbox", out: deliveryOut{},
		status: http.StatusAccepted, handle: h.testWebhook})
	return append(rs, h.deliveryRoutes()...)
}

// testPayload is the data of a webhook.test event.
type testPayload struct {
	Test           bool   `json:"test"`
	SubscriptionID int64  `json:"subscription_id"`
	Message        string `json:"message"`
}

func (h *Handler) testWebhook(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	sub, err := h.store.Subscription(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	if !sub.Enabled {
		return outdial.Errorf(outdial.ECONFLICT, "webhook %d is disabled: enable it to test it", id)
	}
	payload, _ := json.Marshal(testPayload{Test: true, SubscriptionID: sub.ID,
		Message: "This is a test event from outdial. Its signature is made like every other delivery's."})
	b := make([]byte, 8)
	rand.Read(b)
	m := &outdial.OutboxMessage{TenantID: t.ID, EventID: "test-" + strconv.FormatInt(sub.ID, 10) + "-" + hex.EncodeToString(b),
		EventType: webhook.EventTest, Format: sub.Format, URL: sub.URL, SubscriptionID: sub.ID, Payload: payload,
		NextAttemptAt: h.clock.Now()}
	if err := h.store.AddOutbox(r.Context(), []*outdial.OutboxMessage{m}); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/deliveries/"+strconv.FormatInt(m.ID, 10))
	h.writeJSON(w, r, http.StatusAccepted, showDelivery(m, nil))
	return nil
}
