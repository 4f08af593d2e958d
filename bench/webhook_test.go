package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
	"github.com/outdial/outdial/internal/webhook"
)

// webhookRig is a SQLite outbox holding a backlog of native webhook messages for one
// local receiver that answers 204 at once.
type webhookRig struct {
	store *sqlstore.Store
	hits  atomic.Int64
	srv   *httptest.Server
}

var webhookRigs sync.Map // name -> *webhookRig

// cdrPayload is about the size of a call.ended event's data.
var cdrPayload = `{"call":{"id":"7243350001234567890","project_id":1,"task_id":1,"batch_id":1,"contact_id":%d,"line_id":1,` +
	`"attempt":1,"status":"ended","caller":"02151234567","called":"13800000000","called_areacode":"021",` +
	`"called_areaname":"上海","called_type":"MOBILE","called_vendor":"MOBILE","start_time":"2026-11-21T01:00:00Z",` +
	`"ring_time":"2026-11-21T01:00:02Z","answer_time":"2026-11-21T01:00:05Z","end_time":"2026-11-21T01:00:35Z",` +
	`"ans_secs":30,"link_secs":0,"all_secs":35,"result":"answered","callresult":1,"endresult":11,` +
	`"hangup_by":"customer","sip_status":200,"reason":"","has_recording":true,"dtmf":"1","tags":["interested"]},` +
	`"contact":{"id":%d,"phone":"13800000000","external_id":"crm-42"},"task":{"id":1,"uuid":"9b2f","name":"November"}}`

func newWebhookRig(b testing.TB, s *sqlstore.Store, outer testing.TB, backlog int) *webhookRig {
	r := &webhookRig{store: s}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		r.hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	outer.Cleanup(r.srv.Close)
	ctx := context.Background()
	tenant := &outdial.Tenant{Name: "bench"}
	must(b, r.store.CreateTenant(ctx, tenant))
	sub := &outdial.Subscription{TenantID: tenant.ID, Format: "native", URL: r.srv.URL + "/hook", Secret: "s3cret", Enabled: true}
	must(b, r.store.CreateSubscription(ctx, sub))
	for start := 0; start < backlog; start += 5000 {
		batch := make([]*outdial.OutboxMessage, 0, 5000)
		for i := start; i < min(backlog, start+5000); i++ {
			batch = append(batch, &outdial.OutboxMessage{TenantID: tenant.ID, EventID: fmt.Sprintf("evt-%d", i),
				EventType: outdial.EventCallEnded, Format: "native", URL: sub.URL, SubscriptionID: sub.ID,
				Payload: []byte(fmt.Sprintf(cdrPayload, i, i))})
		}
		must(b, r.store.AddOutbox(ctx, batch))
	}
	return r
}

// deliver runs a dispatcher until n more deliveries have arrived, then stops it (waiting
// for the ones in flight).
func (r *webhookRig) deliver(b *testing.B, n int) {
	formats := webhook.Formats{}
	formats.Register(webhook.Native{})
	d := webhook.New(webhook.Config{Store: r.store, Formats: formats, Guard: webhook.Guard{AllowLoopback: true}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	target := r.hits.Load() + int64(n)
	b.ResetTimer()
	go func() { d.Run(ctx); close(done) }()
	for r.hits.Load() < target {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	cancel()
	<-done
}

// BenchmarkWebhookDelivery measures deliveries per second (each op is one native webhook
// signed, POSTed to a local receiver that answers at once, and its attempt recorded)
// from an outbox with a backlog of 100,000 and of 1,000,000 events; the process's CPU
// time per delivery (receiver included), which depends less on what else the machine
// runs; and its peak resident memory while delivering, to show it does not grow with the
// backlog.
func BenchmarkWebhookDelivery(b *testing.B) {
	outer := b
	for _, db := range []string{"sqlite", "postgres"} {
		for _, backlog := range []int{100_000, 1_000_000} {
			if db == "postgres" && backlog > 100_000 {
				continue // filling a million rows over the network takes minutes
			}
			name := fmt.Sprintf("%s/backlog=%d", db, backlog)
			b.Run(name, func(b *testing.B) {
				v, ok := webhookRigs.Load(name)
				if !ok {
					var s *sqlstore.Store
					if db == "sqlite" {
						s = storetest.OpenSQLite(outer, nil)
					} else {
						s = storetest.OpenPostgres(outer, nil)
					}
					v = newWebhookRig(b, s, outer, backlog)
					webhookRigs.Store(name, v)
				}
				r := v.(*webhookRig)
				if left, _ := r.store.OutboxBacklog(context.Background()); left[outdial.OutboxPending] < int64(b.N)+1000 {
					b.Skipf("only %d messages left in the backlog", left[outdial.OutboxPending])
				}
				runtime.GC()
				resetPeakRSS(b)
				cpu := processCPU()
				r.deliver(b, b.N)
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
				b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "CPU-µs/delivery")
				b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
			})
		}
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
