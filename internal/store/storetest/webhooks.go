package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

func testSubscriptions(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	other := newWorld(t, s, "other")
	sub := &outdial.Subscription{TenantID: w.tenant.ID, Format: "native", URL: "https://hooks.example.com/a", Secret: "s3cret",
		Events: []string{outdial.EventCallEnded}, Enabled: true, Schedule: []int{5, 10}}
	must(t, s.CreateSubscription(ctx, sub))
	must(t, s.CreateSubscription(ctx, &outdial.Subscription{TenantID: w.tenant.ID, Format: "autocall", URL: "http://x.example/p",
		Secret: "k", Enabled: true}))
	must(t, s.CreateSubscription(ctx, &outdial.Subscription{TenantID: other.tenant.ID, Format: "native", URL: "http://o.example/",
		Secret: "o", Enabled: true}))
	wantCode(t, s.CreateSubscription(ctx, &outdial.Subscription{TenantID: w.tenant.ID, Format: "native", URL: "ftp://x"}), outdial.EINVALID)

	got, err := s.Subscription(ctx, w.tenant.ID, sub.ID)
	must(t, err)
	if got.URL != sub.URL || got.Secret != "s3cret" || !got.Enabled || !slices.Equal(got.Events, sub.Events) ||
		!slices.Equal(got.Schedule, []int{5, 10}) || !got.CreatedAt.Equal(clk.Now()) {
		t.Fatalf("subscription = %+v", got)
	}
	if list, _ := s.Subscriptions(ctx, w.tenant.ID, ""); len(list) != 2 {
		t.Fatalf("%d subscriptions of every format, want 2", len(list))
	}
	if list, _ := s.Subscriptions(ctx, w.tenant.ID, "native"); len(list) != 1 || list[0].ID != sub.ID {
		t.Fatalf("native subscriptions = %+v", list)
	}

	clk.Advance(time.Minute)
	sub.Secret, sub.URL, sub.Events, sub.Schedule = "", "https://hooks.example.com/b", nil, nil
	must(t, s.UpdateSubscription(ctx, sub))
	got, _ = s.Subscription(ctx, w.tenant.ID, sub.ID)
	if got.Secret != "s3cret" || got.URL != sub.URL || len(got.Events) != 0 || len(got.Schedule) != 0 || !got.UpdatedAt.Equal(clk.Now()) {
		t.Fatalf("after update with no secret: %+v", got)
	}
	sub.Secret = "new"
	must(t, s.UpdateSubscription(ctx, sub))
	if got, _ = s.Subscription(ctx, w.tenant.ID, sub.ID); got.Secret != "new" {
		t.Fatalf("secret = %q after setting a new one", got.Secret)
	}

	// Another tenant's subscription is not found, whatever the operation.
	_, err = s.Subscription(ctx, other.tenant.ID, sub.ID)
	wantCode(t, err, outdial.ENOTFOUND)
	wantCode(t, s.UpdateSubscription(ctx, &outdial.Subscription{ID: sub.ID, TenantID: other.tenant.ID, Format: "native",
		URL: "http://evil.example/"}), outdial.ENOTFOUND)
	wantCode(t, s.DeleteSubscription(ctx, other.tenant.ID, sub.ID), outdial.ENOTFOUND)

	// Deleting a subscription kills its waiting messages, and only those.
	mine := outboxMessage(w.tenant.ID, "e1", sub.ID, clk.Now())
	unrelated := outboxMessage(w.tenant.ID, "e2", 0, clk.Now())
	must(t, s.AddOutbox(ctx, []*outdial.OutboxMessage{mine, unrelated}))
	must(t, s.DeleteSubscription(ctx, w.tenant.ID, sub.ID))
	_, err = s.Subscription(ctx, w.tenant.ID, sub.ID)
	wantCode(t, err, outdial.ENOTFOUND)
	if m, _ := s.OutboxMessage(ctx, w.tenant.ID, mine.ID); m.Status != outdial.OutboxDead || m.LastError == "" {
		t.Fatalf("message of a deleted subscription = %+v, want dead with a reason", m)
	}
	if m, _ := s.OutboxMessage(ctx, w.tenant.ID, unrelated.ID); m.Status != outdial.OutboxPending {
		t.Fatalf("unrelated message = %+v, want pending", m)
	}
}

// outboxMessage is a pending native message due at due.
func outboxMessage(tenantID int64, eventID string, subID int64, due time.Time) *outdial.OutboxMessage {
	return &outdial.OutboxMessage{TenantID: tenantID, EventID: eventID, EventType: outdial.EventCallEnded, Format: "native",
		URL: "http://127.0.0.1:9/hook", SubscriptionID: subID, Payload: []byte(`{"n":"` + eventID + `"}`), NextAttemptAt: due}
}

// addOutbox queues n messages of the tenant, "e0" to "e<n-1>", all due at due.
func addOutbox(t *testing.T, s outdial.Store, tenantID int64, n int, due time.Time) []*outdial.OutboxMessage {
	t.Helper()
	msgs := make([]*outdial.OutboxMessage, n)
	for i := range msgs {
		msgs[i] = outboxMessage(tenantID, fmt.Sprint("e", i), 0, due)
	}
	must(t, s.AddOutbox(ctx, msgs))
	return msgs
}

func testOutboxClaim(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	now := clk.Now()
	var msgs []*outdial.OutboxMessage
	for i := range 5 {
		msgs = append(msgs, outboxMessage(w.tenant.ID, fmt.Sprint("e", i), 0, now.Add(time.Duration(i-2)*time.Second)))
	}
	must(t, s.AddOutbox(ctx, msgs))
	lease := time.Minute
	got, err := s.ClaimOutbox(ctx, "n1", now, lease, 2)
	must(t, err)
	if ids(got) != ids(msgs[:2]) {
		t.Fatalf("claimed %s, want the two due first %s", ids(got), ids(msgs[:2]))
	}
	if string(got[0].Payload) != `{"n":"e0"}` || got[0].EventID != "e0" || got[0].Status != outdial.OutboxPending ||
		!got[0].NextAttemptAt.Equal(now.Add(lease)) {
		t.Fatalf("claimed message = %+v", got[0])
	}
	got, _ = s.ClaimOutbox(ctx, "n1", now, lease, 10)
	if ids(got) != ids(msgs[2:3]) {
		t.Fatalf("second claim %s, want only the last one due %s", ids(got), ids(msgs[2:3]))
	}
	if got, _ = s.ClaimOutbox(ctx, "n1", now.Add(lease-time.Millisecond), lease, 10); ids(got) != ids(msgs[3:5]) {
		t.Fatalf("before the lease ends: claimed %s, want the later ones %s", ids(got), ids(msgs[3:5]))
	}
	// A dispatcher that crashed: its messages come back when the lease ends.
	if got, _ = s.ClaimOutbox(ctx, "n1", now.Add(lease), lease, 10); ids(got) != ids(msgs[:3]) {
		t.Fatalf("after the lease: claimed %s, want %s", ids(got), ids(msgs[:3]))
	}

	// Several claimers at once never share a message.
	var many []*outdial.OutboxMessage
	for i := range 200 {
		many = append(many, outboxMessage(w.tenant.ID, fmt.Sprint("m", i), 0, now))
	}
	must(t, s.AddOutbox(ctx, many))
	later := now.Add(10 * lease)
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimOutbox(ctx, "n1", later, lease, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 205 {
		t.Fatalf("concurrent claimers got %d messages, want 205", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("message %d claimed %d times", id, n)
		}
	}
}

func ids(ms []*outdial.OutboxMessage) string {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return fmt.Sprint(out)
}

// testReleaseClaims checks that a restarted node takes its own leases back at once, leaves
// other nodes' leases alone, and does not pull forward a retry already scheduled.
func testReleaseClaims(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	now := clk.Now()
	addOutbox(t, s, w.tenant.ID, 4, now)
	mine, err := s.ClaimOutbox(ctx, "n1", now, time.Hour, 3)
	must(t, err)
	theirs, err := s.ClaimOutbox(ctx, "n2", now, time.Hour, 1)
	must(t, err)
	// One of n1's messages failed once: its retry is due in 15 s, it is no longer leased.
	retry := mine[2]
	retry.Status, retry.NextAttemptAt, retry.LastError = outdial.OutboxPending, now.Add(15*time.Second), "HTTP 500"
	must(t, s.RecordAttempt(ctx, retry, outdial.DeliveryAttempt{At: now, Status: 500}))

	n, err := s.ReleaseClaims(ctx, "n1", now)
	must(t, err)
	if n != 2 {
		t.Fatalf("released %d, want n1's 2 leased messages", n)
	}
	got, _ := s.ClaimOutbox(ctx, "n1", now, time.Hour, 10)
	if ids(got) != ids(mine[:2]) {
		t.Fatalf("after release claimed %s, want %s (not n2's %s, not the scheduled retry)", ids(got), ids(mine[:2]), ids(theirs))
	}
}

// testReleaseLease: giving back one claim's lease releases only that claim's messages
// (not the node's other claims, not another node's).
func testReleaseLease(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	now := clk.Now()
	addOutbox(t, s, w.tenant.ID, 5, now)
	first, err := s.ClaimOutbox(ctx, "n1", now, time.Hour, 2)
	must(t, err)
	later := now.Add(time.Second)
	second, err := s.ClaimOutbox(ctx, "n1", later, time.Hour, 2)
	must(t, err)
	other, err := s.ClaimOutbox(ctx, "n2", now, time.Hour, 1)
	must(t, err)
	if len(first) != 2 || len(second) != 2 || len(other) != 1 {
		t.Fatalf("claims of %d, %d and %d messages", len(first), len(second), len(other))
	}
	n, err := s.ReleaseLease(ctx, "n1", later.Add(time.Hour), later)
	must(t, err)
	if n != 2 {
		t.Fatalf("released %d, want the second claim's 2", n)
	}
	got, _ := s.ClaimOutbox(ctx, "n3", later, time.Hour, 10)
	if ids(got) != ids(second) {
		t.Fatalf("claimable after the release: %s, want %s", ids(got), ids(second))
	}
}
