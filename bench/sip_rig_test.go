package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/engine"
	"github.com/outdial/outdial/internal/media"
	"github.com/outdial/outdial/internal/store/storetest"
	"github.com/outdial/outdial/internal/telephony"
	"github.com/outdial/outdial/internal/telephony/sipua"
)

// sipRig is a whole dialer on real SIP, as `outdial serve --telephony sip` assembles it:
// the engine, the sipua backend and a SQLite store, dialling one task through a carrier.
type sipRig struct {
	store   outdial.Store
	ua      *sipua.UA
	eng     *engine.Engine
	dataDir string
	tenant  int64
	task    int64
	calls   int
	stop    func()
	obs     *callObserver
}

// sipRigConfig describes the task a sipRig dials.
type sipRigConfig struct {
	gateway     string // the carrier's SIP address (UDP)
	contacts    int
	concurrency int // the line's and the task's
	prompts     []outdial.Prompt
	audio       map[string]time.Duration // prompt files (a 440 Hz tone; 0: one silent frame) by name
	record      bool
}

// newSIPRig builds the store, the task and its contacts, the UA and the engine; the task
// is stopped until run.
func newSIPRig(b *testing.B, cfg sipRigConfig) *sipRig {
	ctx := context.Background()
	s := storetest.OpenSQLite(b, nil)
	r := &sipRig{store: s, dataDir: b.TempDir(), calls: cfg.contacts, obs: newCallObserver(cfg.contacts)}
	if err := os.MkdirAll(filepath.Join(r.dataDir, "prompts"), 0o755); err != nil {
		b.Fatal(err)
	}
	for name, d := range cfg.audio {
		samples := make([]int16, 160)
		if d > 0 {
			samples = media.Tone(440, d, 8000, 0.3)
		}
		must(b, media.WriteWAVFile(filepath.Join(r.dataDir, "prompts", name), samples, 8000, 1))
	}
	tenant := &outdial.Tenant{Name: "bench"}
	must(b, s.CreateTenant(ctx, tenant))
	line := &outdial.Line{TenantID: tenant.ID, Name: "carrier", Gateway: cfg.gateway, Transport: outdial.TransportUDP,
		CallerNumbers: []string{"02100000000"}, Concurrency: cfg.concurrency}
	must(b, s.CreateLine(ctx, line))
	g := &outdial.ScriptGroup{TenantID: tenant.ID, Name: "g"}
	must(b, s.CreateScriptGroup(ctx, g))
	must(b, s.CreateScript(ctx, &outdial.Script{TenantID: tenant.ID, GroupID: g.ID, Name: "s", Prompts: cfg.prompts}))
	task := &outdial.Task{TenantID: tenant.ID, Name: "t", LineID: line.ID, ScriptGroupID: g.ID,
		MaxConcurrency: cfg.concurrency, RingTimeoutSeconds: 30}
	must(b, s.CreateTask(ctx, task))
	batch := &outdial.Batch{TenantID: tenant.ID, TaskID: task.ID, Name: "b"}
	must(b, s.CreateBatch(ctx, batch))
	for start := 0; start < cfg.contacts; start += 5000 {
		cs := make([]*outdial.Contact, 0, 5000)
		for i := start; i < min(cfg.contacts, start+5000); i++ {
			cs = append(cs, &outdial.Contact{TenantID: tenant.ID, TaskID: task.ID, BatchID: batch.ID,
				Phone: fmt.Sprintf("138%08d", i), AreaCode: "0755", AreaName: "广东 深圳", Type: "MOBILE", Carrier: "MOBILE"})
		}
		_, err := s.AddContacts(ctx, cs)
		must(b, err)
	}
	r.tenant, r.task = tenant.ID, task.ID

	log := slog.New(slog.NewTextHandler(b.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	ua, err := sipua.New(sipua.Config{ListenAddr: "127.0.0.1:0", DataDir: r.dataDir, Logger: log,
		Lines: func() []*outdial.Line { return []*outdial.Line{line} }, HangupTimeout: 5 * time.Second})
	must(b, err)
	r.ua = ua
	clock := outdial.SystemClock{}
	r.eng = engine.New(engine.Config{Store: s, Originator: ua, Clock: clock, IDs: outdial.NewCallIDs(1), NodeID: "bench",
		Logger: log, Batch: 500, Record: cfg.record, Observe: r.obs.observe})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.eng.Run(runCtx, nil); close(done) }()
	r.stop = func() { cancel(); <-done; ua.Close() }
	b.Cleanup(r.stop)
	return r
}

// run starts the task and waits until every contact's CDR is written, within limit. It
// returns when that happened.
func (r *sipRig) run(b *testing.B, limit time.Duration) time.Time {
	ctx := context.Background()
	_, err := r.store.SetTaskStatus(ctx, r.tenant, r.task, outdial.TaskRunning)
	must(b, err)
	r.eng.Wake()
	deadline := time.Now().Add(limit)
	for {
		p, err := r.store.TaskProgress(ctx, r.tenant, r.task)
		must(b, err)
		if p.Calls >= int64(r.calls) {
			return time.Now()
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d CDRs written after %s (%d live, %d pending); results so far: %v",
				p.Calls, r.calls, limit, p.Live, p.Pending, r.obs.resultCounts())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// callObserver sees every call event the engine sees: when calls end, their results,
// and how many answered calls were up at once.
type callObserver struct {
	mu      sync.Mutex
	ends    []time.Time
	results map[string]int
	up      map[int64]bool // answered calls not ended yet
	maxUp   int
	// sums over ended answered calls: INVITE to answer, answer to end
	setup, talk time.Duration
	answered    int
}

func newCallObserver(calls int) *callObserver {
	return &callObserver{ends: make([]time.Time, 0, calls), results: map[string]int{}, up: map[int64]bool{}}
}

func (o *callObserver) observe(c *outdial.Call, ev telephony.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch ev.Kind {
	case telephony.Answered:
		o.up[c.ID] = true
		o.maxUp = max(o.maxUp, len(o.up))
	case telephony.Ended:
		delete(o.up, c.ID)
		o.ends = append(o.ends, ev.At)
		key := "no outcome"
		if res := ev.Outcome; res != nil {
			key = string(res.Result)
			if res.Result != outdial.ResultAnswered {
				key += " (" + res.Reason + ")"
			} else {
				key += " (hangup by " + string(res.HangupBy) + ")"
				o.setup += res.AnswerTime.Sub(res.StartTime)
				o.talk += res.EndTime.Sub(res.AnswerTime)
				o.answered++
			}
		}
		o.results[key]++
	}
}

// meanTimes returns the mean time from INVITE to answer, and from answer to end, of
// the answered calls.
func (o *callObserver) meanTimes() (setup, talk time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.answered == 0 {
		return 0, 0
	}
	return o.setup / time.Duration(o.answered), o.talk / time.Duration(o.answered)
}

// answeredUp returns how many answered calls are up now.
func (o *callObserver) answeredUp() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.up)
}

// maxAnsweredUp returns the most answered calls that were up at once.
func (o *callObserver) maxAnsweredUp() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.maxUp
}

// resultCounts returns how many calls ended with each result.
func (o *callObserver) resultCounts() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := make(map[string]int, len(o.results))
	for k, v := range o.results {
		m[k] = v
	}
	return m
}

// steadyRate returns the calls ended per second between the 10th and the 90th
// percentile of the end times: the rate once the first calls have ended and before the
// last ones trail off.
func (o *callObserver) steadyRate() float64 {
	o.mu.Lock()
	ends := append([]time.Time(nil), o.ends...)
	o.mu.Unlock()
	sort.Slice(ends, func(i, j int) bool { return ends[i].Before(ends[j]) })
	return sipSteadyRate(ends)
}

// sipSteadyRate is the rate of events between the 10th and 90th percentile of their times.
func sipSteadyRate(sorted []time.Time) float64 {
	n := len(sorted)
	if n < 10 {
		return 0
	}
	lo, hi := n/10, n*9/10
	d := sorted[hi].Sub(sorted[lo]).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(hi-lo) / d
}
