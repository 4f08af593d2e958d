package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/app"
	"github.com/outdial/outdial/internal/webhook"
)

// receiver counts webhook deliveries by event id and checks each is signed and consistent.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	got    map[string]int
	total  int
	bad    []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get(webhook.HeaderEventID)
	var env struct{ ID string }
	err := json.Unmarshal(body, &env)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil || env.ID != id:
		r.bad = append(r.bad, fmt.Sprintf("event %q with a body of id %q (%v)", id, env.ID, err))
	case webhook.Verify(r.secret, req.Header, body, time.Now(), 5*time.Minute) != nil:
		r.bad = append(r.bad, fmt.Sprintf("event %q with a bad signature", id))
	}
	r.got[id]++
	r.total++
	time.Sleep(time.Millisecond) // a receiver that takes a moment, so events are in flight
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// TestKillDuringDeliveries kills a real outdial process with SIGKILL while 10,000 webhook
// events are in flight to a local receiver, starts it again, and checks that every event
// arrives at least once, none is lost, and every duplicate carries the same event id.
func TestKillDuringDeliveries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	const events = 10000
	rcv := &receiver{t: t, secret: "whsec-test", got: map[string]int{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()

	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "outdial.db")
	env := map[string]string{"OUTDIAL_DB": db, "OUTDIAL_DATA": filepath.Join(dir, "data"), "OUTDIAL_HTTP": freeAddr(t),
		"OUTDIAL_TELEPHONY": "sim", "OUTDIAL_WEBHOOKS_ALLOW_PRIVATE": "true", "OUTDIAL_LOG_LEVEL": "warn"}
	ctx := context.Background()
	s, err := app.OpenStore(ctx, db, outdial.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tenant := &outdial.Tenant{Name: "hooks"}
	mustNil(t, s.CreateTenant(ctx, tenant))
	sub := &outdial.Subscription{TenantID: tenant.ID, Format: "native", URL: srv.URL + "/hook", Secret: rcv.secret, Enabled: true}
	mustNil(t, s.CreateSubscription(ctx, sub))
	for start := 0; start < events; start += 1000 {
		var ms []*outdial.OutboxMessage
		for i := start; i < start+1000; i++ {
			ms = append(ms, &outdial.OutboxMessage{TenantID: tenant.ID, EventID: fmt.Sprintf("evt-%05d", i),
				EventType: outdial.EventCallEnded, Format: "native", URL: sub.URL, SubscriptionID: sub.ID,
				Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))})
		}
		mustNil(t, s.AddOutbox(ctx, ms))
	}

	first := startProcess(t, env, "serve")
	first.waitFor(60*time.Second, "a third of the events delivered", func() bool { return rcv.distinct() >= events/3 })
	first.kill()
	atKill := rcv.distinct()

	second := startProcess(t, env, "serve")
	second.waitFor(3*time.Minute, "every event delivered", func() bool { return rcv.distinct() == events })
	second.stop()

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for i, b := range rcv.bad {
		if i == 5 {
			break
		}
		t.Error(b)
	}
	dups := rcv.total - len(rcv.got)
	backlog, err := s.OutboxBacklog(ctx)
	mustNil(t, err)
	if backlog[outdial.OutboxPending] != 0 || backlog[outdial.OutboxDead] != 0 {
		t.Errorf("outbox after the restart: %v", backlog)
	}
	t.Logf("%d events delivered before the kill; %d deliveries in all, %d of them repeats after the crash", atKill, rcv.total, dups)
}
