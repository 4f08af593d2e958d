package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/store/postgres"
	"github.com/outdial/outdial/internal/store/storetest"
	"github.com/outdial/outdial/internal/telephony"
	"github.com/outdial/outdial/internal/telephony/sim"
)

var ctx = context.Background()

// observer sits between the engine and the carrier and checks, at every call start, every
// limit the engine must respect; it records every start and end.
type observer struct {
	t     testing.TB
	next  telephony.Originator
	clock outdial.Clock
	store outdial.Store

	mu        sync.Mutex
	liveLine  map[int64]int
	liveTask  map[int64]int
	maxLine   map[int64]int
	maxTask   map[int64]int
	lastStart map[int64]time.Time // by line, for pacing
	chanFree  map[int64][]time.Time
	liveNum   map[string]int64 // callee -> live call id
	starts    []start
	errs      []string
}

type start struct {
	at     time.Time
	taskID int64
	lineID int64
	callee string
	callID int64
}

func newObserver(t testing.TB, next telephony.Originator, clk outdial.Clock, s outdial.Store) *observer {
	return &observer{t: t, next: next, clock: clk, store: s, liveLine: map[int64]int{}, liveTask: map[int64]int{},
		maxLine: map[int64]int{}, maxTask: map[int64]int{}, lastStart: map[int64]time.Time{}, chanFree: map[int64][]time.Time{},
		liveNum: map[string]int64{}}
}

func (o *observer) fail(format string, args ...any) {
	o.errs = append(o.errs, fmt.Sprintf(format, args...))
}

// Originate checks the limits, then hands the call to the carrier.
func (o *observer) Originate(ctx context.Context, req telephony.Request, report func(telephony.Event)) {
	now := o.clock.Now()
	task, err := o.store.Task(ctx, req.TenantID, req.TaskID)
	if err != nil {
		o.t.Errorf("observer: task %d: %v", req.TaskID, err)
	}
	rules := outdial.CallingRules{Location: task.Location(), Window: task.Window, ValidFrom: req.Line.ValidFrom, ValidUntil: req.Line.ValidUntil}
	if task.TimeGroupID != 0 {
		g, _ := o.store.TimeGroup(ctx, task.TenantID, task.TimeGroupID)
		rules.Forbidden = g.Ranges
	}
	o.mu.Lock()
	lineID := req.Line.ID
	o.liveLine[lineID]++
	o.liveTask[req.TaskID]++
	o.maxLine[lineID] = max(o.maxLine[lineID], o.liveLine[lineID])
	o.maxTask[req.TaskID] = max(o.maxTask[req.TaskID], o.liveTask[req.TaskID])
	if o.liveLine[lineID] > req.Line.Concurrency {
		o.fail("%v: line %d has %d live calls, limit %d", now, lineID, o.liveLine[lineID], req.Line.Concurrency)
	}
	if o.liveTask[req.TaskID] > task.MaxConcurrency {
		o.fail("%v: task %d has %d live calls, limit %d", now, req.TaskID, o.liveTask[req.TaskID], task.MaxConcurrency)
	}
	if !rules.Allows(now) {
		o.fail("%v: task %d started a call in a forbidden time (local %v)", now, req.TaskID, now.In(task.Location()))
	}
	if cps := req.Line.CallsPerSecond; cps > 0 {
		if last, ok := o.lastStart[lineID]; ok && now.Sub(last) < time.Duration(float64(time.Second)/cps)-time.Millisecond {
			o.fail("%v: line %d started calls %v apart, pacing allows %v", now, lineID, now.Sub(last), time.Duration(float64(time.Second)/cps))
		}
		o.lastStart[lineID] = now
	}
	if task.PauseSeconds > 0 {
		free := o.chanFree[req.TaskID]
		ok := false
		for i, at := range free {
			if !at.After(now) {
				free[i] = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
				ok = true
				break
			}
		}
		if !ok && len(free) < task.MaxConcurrency {
			o.chanFree[req.TaskID] = append(free, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
			ok = true
		}
		if !ok {
			o.fail("%v: task %d started a call with no channel past its %ds pause", now, req.TaskID, task.PauseSeconds)
		}
	}
	if other, ok := o.liveNum[req.Callee]; ok {
		o.fail("%v: %s dialled by call %d while call %d to it is live", now, req.Callee, req.CallID, other)
	}
	o.liveNum[req.Callee] = req.CallID
	o.starts = append(o.starts, start{at: now, taskID: req.TaskID, lineID: lineID, callee: req.Callee, callID: req.CallID})
	o.mu.Unlock()
	o.next.Originate(ctx, req, func(ev telephony.Event) {
		if ev.Kind == telephony.Ended {
			o.mu.Lock()
			o.liveLine[lineID]--
			o.liveTask[req.TaskID]--
			delete(o.liveNum, req.Callee)
			if task.PauseSeconds > 0 {
				free := o.chanFree[req.TaskID]
				for i, at := range free {
					if at.Year() == 9999 {
						free[i] = ev.At.Add(time.Duration(task.PauseSeconds) * time.Second)
						break
					}
				}
			}
			o.mu.Unlock()
		}
		report(ev)
	})
}

// check fails the test with the first violations the observer saw.
func (o *observer) check() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, e := range o.errs {
		if i == 10 {
			o.t.Errorf("... and %d more", len(o.errs)-10)
			break
		}
		o.t.Error(e)
	}
}

// harness runs an engine on a virtual clock against the simulated carrier.
type harness struct {
	t       testing.TB
	store   outdial.Store
	clk     *clock.Virtual
	eng     *Engine
	others  []*Engine // more engines on the same store and clock (other nodes)
	obs     *observer
	carrier *sim.Carrier
	cancel  context.CancelFunc
	done    chan error
}

func newHarness(t testing.TB, s outdial.Store, clk *clock.Virtual, p sim.Profile, node string) *harness {
	carrier := sim.New(clk, p)
	obs := newObserver(t, carrier, clk, s)
	eng := New(Config{Store: s, Originator: obs, Clock: clk, IDs: outdial.NewCallIDs(1), NodeID: node, Poll: 30 * time.Second})
	h := &harness{t: t, store: s, clk: clk, eng: eng, obs: obs, carrier: carrier, done: make(chan error, 1)}
	runCtx, cancel := context.WithCancel(ctx)
	h.cancel = cancel
	go func() { h.done <- eng.Run(runCtx, nil) }()
	eng.Sync()
	t.Cleanup(h.stop)
	return h
}

// addEngine starts another engine (another node) on the same store, clock and carrier.
func (h *harness) addEngine(node string, s outdial.Store) *Engine {
	// Small batches and a short poll make the nodes' claims interleave, as they do for real.
	h.eng.cfg.Batch, h.eng.cfg.Poll = 1, time.Second
	eng := New(Config{Store: s, Originator: h.obs, Clock: h.clk, IDs: outdial.NewCallIDs(len(h.others) + 2), NodeID: node,
		Poll: time.Second, Batch: 1})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx, nil) }()
	eng.Sync()
	h.others = append(h.others, eng)
	h.t.Cleanup(func() {
		cancel()
		for {
			select {
			case <-done:
				return
			default:
			}
			if !h.clk.Next(h.clk.Now().Add(24 * time.Hour)) {
				time.Sleep(time.Millisecond)
			}
		}
	})
	return eng
}

// sync waits until every engine has handled what happened so far.
// Engines sync concurrently, so the passes of several nodes race as they would for real.
func (h *harness) sync() {
	if len(h.others) == 0 {
		h.eng.Sync()
		return
	}
	var wg sync.WaitGroup
	for _, e := range append([]*Engine{h.eng}, h.others...) {
		wg.Add(1)
		go func() { defer wg.Done(); e.Sync() }()
	}
	wg.Wait()
}

// wake tells the engines to look at their tasks, and waits until they have.
func (h *harness) wake() {
	h.eng.Wake()
	for _, e := range h.others {
		e.Wake()
	}
	h.sync()
}

// runUntil moves virtual time to end, one timer at a time, letting the engine act at each.
func (h *harness) runUntil(end time.Time) {
	h.sync()
	for h.clk.Next(end) {
		h.sync()
	}
	h.clk.AdvanceTo(end)
	h.sync()
}

// runUntilFinished runs until every given task is finished, or fails at limit.
func (h *harness) runUntilFinished(limit time.Time, tasks ...*outdial.Task) {
	h.t.Helper()
	h.sync()
	for {
		done := true
		for _, task := range tasks {
			got, err := h.store.Task(ctx, task.TenantID, task.ID)
			if err != nil {
				h.t.Fatal(err)
			}
			done = done && got.Status == outdial.TaskFinished
		}
		if done {
			return
		}
		at, ok := h.clk.NextAt()
		if !ok || at.After(limit) {
			h.t.Fatalf("tasks not finished by %v (virtual)", limit)
		}
		for i := 0; i < 1000 && h.clk.Next(limit); i++ {
			h.sync()
		}
	}
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	// Let live calls end in virtual time so Run returns.
	for i := 0; i < 100000; i++ {
		select {
		case err := <-h.done:
			if err != nil {
				h.t.Error(err)
			}
			return
		default:
		}
		if !h.clk.Next(h.clk.Now().Add(24 * time.Hour)) {
			time.Sleep(time.Millisecond)
		}
	}
}

// fixture is a tenant with a line, a script and helpers to make tasks.
type fixture struct {
	t      testing.TB
	s      outdial.Store
	tenant *outdial.Tenant
	group  *outdial.ScriptGroup
}

func newFixture(t testing.TB, s outdial.Store, name string) *fixture {
	tenant := &outdial.Tenant{Name: name}
	mustDo(t, s.CreateTenant(ctx, tenant))
	g := &outdial.ScriptGroup{TenantID: tenant.ID, Name: "robot"}
	mustDo(t, s.CreateScriptGroup(ctx, g))
	mustDo(t, s.CreateScript(ctx, &outdial.Script{TenantID: tenant.ID, GroupID: g.ID, Name: "hello", Prompts: []outdial.Prompt{{Text: "您好"}}}))
	return &fixture{t: t, s: s, tenant: tenant, group: g}
}

func (f *fixture) line(concurrency int, cps float64) *outdial.Line {
	l := &outdial.Line{TenantID: f.tenant.ID, Name: "line", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02100000000"},
		Concurrency: concurrency, CallsPerSecond: cps}
	mustDo(f.t, f.s.CreateLine(ctx, l))
	return l
}

// task creates a task on line and fills it with n contacts numbered from first.
func (f *fixture) task(line *outdial.Line, conc int, n int, first int64, edit func(*outdial.Task)) *outdial.Task {
	t := &outdial.Task{TenantID: f.tenant.ID, Name: "task", LineID: line.ID, ScriptGroupID: f.group.ID, MaxConcurrency: conc}
	if edit != nil {
		edit(t)
	}
	mustDo(f.t, f.s.CreateTask(ctx, t))
	b := &outdial.Batch{TenantID: f.tenant.ID, TaskID: t.ID, Name: "b"}
	mustDo(f.t, f.s.CreateBatch(ctx, b))
	for start := 0; start < n; start += 1000 {
		var cs []*outdial.Contact
		for i := start; i < min(n, start+1000); i++ {
			cs = append(cs, &outdial.Contact{TenantID: f.tenant.ID, TaskID: t.ID, BatchID: b.ID, Phone: fmt.Sprintf("%d", first+int64(i))})
		}
		_, err := f.s.AddContacts(ctx, cs)
		mustDo(f.t, err)
	}
	return t
}

func (f *fixture) start(t *outdial.Task) {
	_, err := f.s.SetTaskStatus(ctx, t.TenantID, t.ID, outdial.TaskRunning)
	mustDo(f.t, err)
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// openPostgresNodes opens two stores, as two nodes do, on one new PostgreSQL database
// and the clock clk; they close when the test ends.
func openPostgresNodes(t testing.TB, clk outdial.Clock) (outdial.Store, outdial.Store) {
	dsn := storetest.NewPostgresDatabase(t)
	open := func() outdial.Store {
		s, err := postgres.Open(context.Background(), dsn, clk)
		mustDo(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	return open(), open()
}

// openSQLite opens a fresh SQLite store on the virtual clock.
func openSQLite(t testing.TB, clk outdial.Clock) outdial.Store { return storetest.OpenSQLite(t, clk) }
