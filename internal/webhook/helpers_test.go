package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
)

var ctx = context.Background()

// rig is a dispatcher over a fresh SQLite store on a virtual clock, delivering to
// receivers on 127.0.0.1.
type rig struct {
	t      *testing.T
	store  *sqlstore.Store
	clock  *clock.Virtual
	tenant *outdial.Tenant
	cfg    Config
	logs   *syncBuffer
	d      *Dispatcher
	stop   func()
}

func newRig(t *testing.T, change func(*Config)) *rig {
	t.Helper()
	clk := clock.NewVirtual(storetest.Start)
	s := storetest.OpenSQLite(t, clk)
	tenant := &outdial.Tenant{Name: "acme"}
	if err := s.CreateTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, store: s, clock: clk, tenant: tenant, logs: &syncBuffer{}}
	r.cfg = Config{Store: s, Formats: Formats{}, Clock: clk, Logger: slog.New(slog.NewTextHandler(r.logs, nil)),
		Guard: Guard{AllowLoopback: true}, ReadTimeout: 2 * time.Second}
	r.cfg.Formats.Register(Native{})
	r.cfg.Formats.Register(pushFormat{})
	if change != nil {
		change(&r.cfg)
	}
	return r
}

// start runs the dispatcher until the test ends.
func (r *rig) start() {
	r.t.Helper()
	r.d = New(r.cfg)
	runCtx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		r.d.Run(runCtx)
		close(stopped)
	}()
	r.stop = func() { cancel(); <-stopped }
	r.t.Cleanup(r.stop)
}

// subscribe creates a native subscription to url.
func (r *rig) subscribe(url string, change func(*outdial.Subscription)) *outdial.Subscription {
	r.t.Helper()
	sub := &outdial.Subscription{TenantID: r.tenant.ID, Format: "native", URL: url, Secret: "topsecret", Enabled: true}
	if change != nil {
		change(sub)
	}
	if err := r.store.CreateSubscription(ctx, sub); err != nil {
		r.t.Fatal(err)
	}
	return sub
}

// enqueue adds a message for sub (or, with sub nil, a push-format message to url).
func (r *rig) enqueue(sub *outdial.Subscription, url, eventID string) *outdial.OutboxMessage {
	r.t.Helper()
	m := &outdial.OutboxMessage{TenantID: r.tenant.ID, EventID: eventID, EventType: outdial.EventCallEnded, Format: "push",
		URL: url, Payload: []byte(`{"call":"` + eventID + `"}`)}
	if sub != nil {
		m.Format, m.URL, m.SubscriptionID = sub.Format, sub.URL, sub.ID
	}
	if err := r.store.AddOutbox(ctx, []*outdial.OutboxMessage{m}); err != nil {
		r.t.Fatal(err)
	}
	if r.d != nil {
		r.d.Wake()
	}
	return m
}

// attempts waits (in real time) until message id has n attempts, and returns them.
func (r *rig) attempts(id int64, n int) []*outdial.DeliveryAttempt {
	r.t.Helper()
	var as []*outdial.DeliveryAttempt
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		if as, err = r.store.DeliveryAttempts(ctx, r.tenant.ID, id); err != nil {
			r.t.Fatal(err)
		}
		if len(as) >= n {
			time.Sleep(20 * time.Millisecond) // let a wrong extra attempt show up
			as, _ = r.store.DeliveryAttempts(ctx, r.tenant.ID, id)
			return as
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.t.Fatalf("message %d: %d attempts after 10 s, want %d:\n%s", id, len(as), n, showAttempts(as))
	return nil
}

func (r *rig) message(id int64) *outdial.OutboxMessage {
	r.t.Helper()
	m, err := r.store.OutboxMessage(ctx, r.tenant.ID, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

func showAttempts(as []*outdial.DeliveryAttempt) string {
	var b bytes.Buffer
	for _, a := range as {
		j, _ := json.Marshal(a)
		b.Write(append(j, '\n'))
	}
	return b.String()
}

// pushFormat is a push-style format for tests: the body is the payload, and only a JSON
// answer with "code": 0 means delivered (like seed 002's CDR push).
type pushFormat struct{}

func (pushFormat) Name() string { return "push" }

func (pushFormat) Build(m *outdial.OutboxMessage, _ *outdial.Subscription, _ time.Time) ([]byte, http.Header, error) {
	return m.Payload, http.Header{"Content-Type": {"application/json"}, HeaderEventID: {m.EventID}}, nil
}

func (pushFormat) Delivered(status int, body []byte) bool { return status == 200 && codeZero(body) }

// codeZero reports whether body is a JSON object whose "code" is the number 0 (or "0").
func codeZero(body []byte) bool {
	var v struct {
		Code json.RawMessage `json:"code"`
	}
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	switch string(bytes.TrimSpace(v.Code)) {
	case "0", `"0"`, "0.0":
		return true
	}
	return false
}

// receiver is an HTTP server on 127.0.0.1 that counts its requests.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	hits int
}

func newReceiver(t *testing.T, h func(w http.ResponseWriter, r *http.Request, hit int)) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		rc.hits++
		n := rc.hits
		rc.mu.Unlock()
		h(w, r, n)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.hits
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// offsets returns the cumulative offsets of a schedule's attempts: 0, s0, s0+s1 ...
func offsets(sched []time.Duration) []time.Duration {
	out := []time.Duration{0}
	for _, d := range sched {
		out = append(out, out[len(out)-1]+d)
	}
	return out
}
