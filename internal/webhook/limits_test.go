package webhook

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// gate is a receiver handler that holds requests until opened, counting how many it
// holds at once.
type gate struct {
	mu       sync.Mutex
	now, max int
	open     chan struct{}
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

func (g *gate) handle(w http.ResponseWriter, r *http.Request, _ int) {
	io.Copy(io.Discard, r.Body)
	g.mu.Lock()
	g.now++
	g.max = max(g.max, g.now)
	g.mu.Unlock()
	select {
	case <-g.open:
	case <-r.Context().Done():
	}
	g.mu.Lock()
	g.now--
	g.mu.Unlock()
}

func (g *gate) held() (now, most int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now, g.max
}

// TestPerEndpointLimit: one host never has more than PerEndpoint deliveries at once.
func TestPerEndpointLimit(t *testing.T) {
	g := newGate()
	rc := newReceiver(t, g.handle)
	r := newRig(t, func(c *Config) { c.PerEndpoint, c.Workers = 3, 10 })
	sub := r.subscribe(rc.URL, nil)
	var msgs []*outdial.OutboxMessage
	for i := range 12 {
		msgs = append(msgs, r.enqueue(sub, "", fmt.Sprint("e", i)))
	}
	r.start()
	waitUntil(t, 5*time.Second, func() bool { n, _ := g.held(); return n == 3 })
	time.Sleep(50 * time.Millisecond)
	if _, most := g.held(); most != 3 {
		t.Fatalf("%d deliveries to one host at once, want 3", most)
	}
	close(g.open)
	for _, m := range msgs {
		r.attempts(m.ID, 1)
	}
	if _, most := g.held(); most != 3 || rc.count() != 12 {
		t.Fatalf("%d at once, %d delivered", most, rc.count())
	}
}

// TestStalledHostHoldsNoOneUp: a receiver that hangs, with a backlog ahead of everyone
// else's, does not keep another receiver waiting for its timeouts.
func TestStalledHostHoldsNoOneUp(t *testing.T) {
	g := newGate()
	defer close(g.open)
	slow := newReceiver(t, g.handle)
	fast := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {})
	r := newRig(t, func(c *Config) {
		c.Clock = outdial.SystemClock{}
		c.Workers, c.PerEndpoint, c.ReadTimeout = 4, 2, 5*time.Second
		c.StallAfter, c.Poll = 50*time.Millisecond, 20*time.Millisecond
	})
	slowSub, fastSub := r.subscribe(slow.URL, nil), r.subscribe(fast.URL, nil)
	for i := range 60 {
		r.enqueue(slowSub, "", fmt.Sprint("slow", i))
	}
	for i := range 10 {
		r.enqueue(fastSub, "", fmt.Sprint("fast", i))
	}
	start := time.Now()
	r.start()
	waitUntil(t, 4*time.Second, func() bool { return fast.count() == 10 })
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the fast receiver waited %v behind the hanging one", took)
	}
	if _, most := g.held(); most > 2 {
		t.Fatalf("%d deliveries at once to the hanging host", most)
	}
	if !strings.Contains(r.logs.String(), "host is slow") {
		t.Fatalf("log does not say the host is slow:\n%s", r.logs)
	}
}

// TestRunFinishesInFlight: stopping the dispatcher lets a delivery in flight finish and
// records it.
func TestRunFinishesInFlight(t *testing.T) {
	arrived := make(chan struct{})
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		close(arrived)
		time.Sleep(300 * time.Millisecond)
	})
	r := newRig(t, nil)
	m := r.enqueue(r.subscribe(rc.URL, nil), "", "e")
	r.start()
	<-arrived
	r.stop()
	as, _ := r.store.DeliveryAttempts(ctx, r.tenant.ID, m.ID)
	if len(as) != 1 || !as[0].Delivered || r.message(m.ID).Status != outdial.OutboxDelivered {
		t.Fatalf("after stopping: %s", showAttempts(as))
	}
}

// TestSubscriptionGoneOrDisabled: messages of a deleted or disabled subscription die
// with the reason, without a request.
func TestSubscriptionGoneOrDisabled(t *testing.T) {
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {})
	r := newRig(t, nil)
	off := r.subscribe(rc.URL, func(s *outdial.Subscription) { s.Enabled = false })
	m1 := r.enqueue(off, "", "e1")
	gone := &outdial.OutboxMessage{TenantID: r.tenant.ID, EventID: "e2", EventType: "x", Format: "native", URL: rc.URL,
		SubscriptionID: 999999, Payload: []byte("{}")}
	unknown := &outdial.OutboxMessage{TenantID: r.tenant.ID, EventID: "e3", EventType: "x", Format: "unknown", URL: rc.URL}
	if err := r.store.AddOutbox(ctx, []*outdial.OutboxMessage{gone, unknown}); err != nil {
		t.Fatal(err)
	}
	r.start()
	for _, tc := range []struct {
		m   *outdial.OutboxMessage
		err string
	}{
		{m1, fmt.Sprintf("subscription %d is disabled", off.ID)},
		{gone, "subscription 999999 no longer exists"},
		{unknown, `no "unknown" format on this node`},
	} {
		as := r.attempts(tc.m.ID, 1)
		if len(as) != 1 || as[0].Error != tc.err || r.message(tc.m.ID).Status != outdial.OutboxDead {
			t.Errorf("want %q:\n%s", tc.err, showAttempts(as))
		}
	}
	if rc.count() != 0 {
		t.Fatalf("%d requests", rc.count())
	}
}
