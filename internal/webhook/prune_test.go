package webhook

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestPruneDeliveredPastRetention: a delivered message queued more than Retention ago
// goes, with its delivery log; a newer one stays.
func TestPruneDeliveredPastRetention(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Retention, c.PruneEvery = time.Hour, 20*time.Millisecond })
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusNoContent) })
	sub := r.subscribe(rc.URL+"/hook", nil)
	r.start()
	old := r.enqueue(sub, "", "evt-old")
	r.attempts(old.ID, 1)
	r.clock.AdvanceTo(r.clock.Now().Add(2 * time.Hour))
	fresh := r.enqueue(sub, "", "evt-fresh")
	r.attempts(fresh.ID, 1)

	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := r.store.OutboxMessage(ctx, r.tenant.ID, old.ID)
		if outdial.ErrorCode(err) == outdial.ENOTFOUND {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message delivered 2 h ago (retention 1 h) is still there: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if as, _ := r.store.DeliveryAttempts(ctx, r.tenant.ID, old.ID); len(as) != 0 {
		t.Errorf("the pruned message's %d delivery attempts are still there", len(as))
	}
	if m := r.message(fresh.ID); m.Status != outdial.OutboxDelivered {
		t.Errorf("the fresh message: %+v", m)
	}
	if !strings.Contains(r.logs.String(), "deleted delivered and dead messages past the retention") {
		t.Errorf("nothing logged about pruning:\n%s", r.logs.String())
	}
}
