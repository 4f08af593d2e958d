package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/engine"
	"github.com/outdial/outdial/internal/store/storetest"
	"github.com/outdial/outdial/internal/telephony/sim"
)

// engineRig is a running engine dialling one big task through a carrier that answers and
// hangs up at once, so what is measured is the engine's bookkeeping: claim, start,
// outcome, CDR, contact update and outbox message per call.
type engineRig struct {
	store  outdial.Store
	eng    *engine.Engine
	tenant int64
	task   int64
	stop   func()
}

var rigs sync.Map // name -> *engineRig, built once per benchmark name

// outboxNotifier writes one outbox message per finished call, as webhooks would.
type outboxNotifier struct{}

func (outboxNotifier) CallEnded(c *outdial.Call, _ *outdial.Contact, _ *outdial.Task) []*outdial.OutboxMessage {
	return []*outdial.OutboxMessage{{TenantID: c.TenantID, EventID: fmt.Sprint(c.ID), EventType: outdial.EventCallEnded,
		Format: "native", URL: "http://127.0.0.1:9/hook", Payload: []byte(`{"call":"` + fmt.Sprint(c.ID) + `"}`)}}
}
func (outboxNotifier) TaskFinished(*outdial.Task) []*outdial.OutboxMessage { return nil }

func newEngineRig(b *testing.B, s outdial.Store, contacts int) *engineRig {
	ctx := context.Background()
	tenant := &outdial.Tenant{Name: "bench"}
	must(b, s.CreateTenant(ctx, tenant))
	line := &outdial.Line{TenantID: tenant.ID, Name: "l", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02100000000"}, Concurrency: 2000}
	must(b, s.CreateLine(ctx, line))
	g := &outdial.ScriptGroup{TenantID: tenant.ID, Name: "g"}
	must(b, s.CreateScriptGroup(ctx, g))
	task := &outdial.Task{TenantID: tenant.ID, Name: "t", LineID: line.ID, ScriptGroupID: g.ID, MaxConcurrency: 1000}
	must(b, s.CreateTask(ctx, task))
	batch := &outdial.Batch{TenantID: tenant.ID, TaskID: task.ID, Name: "b"}
	must(b, s.CreateBatch(ctx, batch))
	for start := 0; start < contacts; start += 5000 {
		cs := make([]*outdial.Contact, 0, 5000)
		for i := start; i < min(contacts, start+5000); i++ {
			cs = append(cs, &outdial.Contact{TenantID: tenant.ID, TaskID: task.ID, BatchID: batch.ID,
				Phone: fmt.Sprintf("1%d%09d", 30+i%70, i), AreaCode: "0755", AreaName: "广东 深圳", Type: "MOBILE", Carrier: "MOBILE"})
		}
		_, err := s.AddContacts(ctx, cs)
		must(b, err)
	}
	clock := outdial.SystemClock{}
	eng := engine.New(engine.Config{Store: s, Originator: sim.New(clock, sim.Profile{Seed: 1}), Clock: clock,
		IDs: outdial.NewCallIDs(1), NodeID: "bench", Batch: 500, Notifiers: []engine.Notifier{outboxNotifier{}}})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { eng.Run(runCtx, nil); close(done) }()
	return &engineRig{store: s, eng: eng, tenant: tenant.ID, task: task.ID, stop: func() { cancel(); <-done }}
}

// run lets the task dial until n more calls are written, then stops it and waits for the
// calls in flight, so runs of the benchmark do not overlap.
func (r *engineRig) run(b *testing.B, n int) {
	ctx := context.Background()
	p, err := r.store.TaskProgress(ctx, r.tenant, r.task)
	must(b, err)
	if p.Pending < int64(n) {
		b.Skipf("only %d contacts left for %d calls", p.Pending, n)
	}
	b.ResetTimer()
	_, err = r.store.SetTaskStatus(ctx, r.tenant, r.task, outdial.TaskRunning)
	must(b, err)
	r.eng.Wake()
	r.finish(b, p.Calls, n)
	b.StopTimer()
	_, err = r.store.SetTaskStatus(ctx, r.tenant, r.task, outdial.TaskStopped)
	must(b, err)
	r.eng.Wake()
	for {
		if q, _ := r.store.TaskProgress(ctx, r.tenant, r.task); q.Live == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// finish waits until n more calls have been written, and returns the count reached.
func (r *engineRig) finish(b *testing.B, from int64, n int) int64 {
	for {
		p, err := r.store.TaskProgress(context.Background(), r.tenant, r.task)
		must(b, err)
		if p.Calls >= from+int64(n) || p.Pending == 0 {
			return p.Calls
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkEngine measures finished calls per second (each op is one call whose CDR,
// contact state and outbox message are committed) with a task of 100,000 and of
// 1,000,000 contacts, and memory: the process's peak RSS during the run (it includes the
// heap left from loading the contacts) and the live heap after the run, which does not
// grow with the number of contacts.
func BenchmarkEngine(b *testing.B) {
	outer := b // the rigs live as long as the whole benchmark, across its runs
	for _, db := range []string{"sqlite", "postgres"} {
		for _, contacts := range []int{100_000, 1_000_000} {
			name := fmt.Sprintf("%s/contacts=%d", db, contacts)
			b.Run(name, func(b *testing.B) {
				v, ok := rigs.Load(name)
				if !ok {
					var s outdial.Store
					if db == "sqlite" {
						s = storetest.OpenSQLite(outer, nil)
					} else {
						s = storetest.OpenPostgres(outer, nil)
					}
					v = newEngineRig(b, s, contacts)
					rigs.Store(name, v)
					outer.Cleanup(v.(*engineRig).stop)
				}
				runtime.GC()
				resetPeakRSS(b)
				v.(*engineRig).run(b, b.N)
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
				b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-heap-MB")
			})
		}
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
