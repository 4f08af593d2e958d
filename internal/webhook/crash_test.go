package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

// crashingStore is the store as seen by a process that dies: once killed, every call
// fails, so what the process had claimed or delivered but not recorded is left as a
// kill -9 leaves it.
type crashingStore struct {
	*sqlstore.Store
	killed atomic.Bool
}

var errKilled = errors.New("the process was killed")

func (c *crashingStore) ClaimOutbox(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]*outdial.OutboxMessage, error) {
	if c.killed.Load() {
		return nil, errKilled
	}
	return c.Store.ClaimOutbox(ctx, node, now, lease, limit)
}

func (c *crashingStore) RecordAttempt(ctx context.Context, m *outdial.OutboxMessage, a outdial.DeliveryAttempt) error {
	return c.RecordAttempts(ctx, []*outdial.OutboxMessage{m}, []outdial.DeliveryAttempt{a})
}

func (c *crashingStore) RecordAttempts(ctx context.Context, ms []*outdial.OutboxMessage, as []outdial.DeliveryAttempt) error {
	if c.killed.Load() {
		return errKilled
	}
	return c.Store.RecordAttempts(ctx, ms, as)
}

// TestCrashLosesNothing: a dispatcher dies abruptly with 10,000 events on their way (its
// leases outstanding, attempts unrecorded); a new one on the same store delivers every
// event at least once, and every duplicate carries the same event id.
func TestCrashLosesNothing(t *testing.T) {
	const events = crashEvents
	var mu sync.Mutex
	got := map[string]int{}
	var bad atomic.Value
	r := newRig(t, nil)
	rc := newReceiver(t, func(w http.ResponseWriter, req *http.Request, _ int) {
		body, _ := io.ReadAll(req.Body)
		var env struct {
			ID string `json:"id"`
		}
		id := req.Header.Get(HeaderEventID)
		if err := json.Unmarshal(body, &env); err != nil || env.ID != id {
			bad.Store(fmt.Sprintf("header id %q, body %s", id, body))
		}
		if err := Verify("topsecret", req.Header, body, r.clock.Now(), time.Hour); err != nil {
			bad.Store(err.Error())
		}
		mu.Lock()
		got[id]++
		mu.Unlock()
	})
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}
	sub := r.subscribe(rc.URL+"/hook", nil)
	for start := 0; start < events; start += 1000 {
		var batch []*outdial.OutboxMessage
		for i := start; i < min(events, start+1000); i++ {
			batch = append(batch, &outdial.OutboxMessage{TenantID: r.tenant.ID, EventID: fmt.Sprintf("evt-%05d", i),
				EventType: outdial.EventCallEnded, Format: "native", URL: sub.URL, SubscriptionID: sub.ID,
				Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))})
		}
		if err := r.store.AddOutbox(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}

	// The first dispatcher dies a third of the way through.
	crashing := &crashingStore{Store: r.store}
	cfgA := r.cfg
	cfgA.Store = crashing
	a := New(cfgA)
	ctxA, killA := context.WithCancel(ctx)
	go a.Run(ctxA)
	waitUntil(t, 2*time.Minute, func() bool { return count() >= events/3 })
	crashing.killed.Store(true)
	killA()
	before := count()

	// After the lease, a new dispatcher delivers everything.
	r.clock.Advance(a.cfg.Lease + time.Second)
	r.start()
	waitUntil(t, 4*time.Minute, func() bool {
		b, err := r.store.OutboxBacklog(ctx)
		return err == nil && b[outdial.OutboxPending] == 0
	})
	if b, _ := r.store.OutboxBacklog(ctx); b[outdial.OutboxDead] != 0 {
		t.Fatalf("%d messages died", b[outdial.OutboxDead])
	}
	if v := bad.Load(); v != nil {
		t.Fatalf("a delivery was malformed: %v", v)
	}
	mu.Lock()
	defer mu.Unlock()
	dups := 0
	for i := range events {
		n := got[fmt.Sprintf("evt-%05d", i)]
		if n == 0 {
			t.Fatalf("event %d was never delivered", i)
		}
		dups += n - 1
	}
	if len(got) != events {
		t.Fatalf("%d distinct event ids arrived, want %d", len(got), events)
	}
	t.Logf("%d events: %d arrived before the crash, %d duplicates after it (same event ids)", events, before, dups)
}

// waitUntil polls cond in real time.
func waitUntil(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v", limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
