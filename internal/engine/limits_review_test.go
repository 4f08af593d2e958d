package engine

// From an independent review: limits and crash-safety of the engine under changes made
// while a task runs, and with two nodes on one PostgreSQL database. Each test states the
// scenario and what must hold; the comments say how it used to fail. The fixes: the store
// checks concurrency, pacing, line validity, the window and time group, per-number caps
// and the pause between calls against the rows it locks at every start (the pause ends
// live in tasks.pausing), and finishing a task is one transaction with its webhook.

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

// pausedGap is, for the fixed profile (1 s setup + 2 s ring + 20 s talk = 23 s calls) and
// a 60 s pause, the least time between two call starts of a task with one channel.
const pausedGap = 23*time.Second + 60*time.Second

// checkOneChannelPause fails when two consecutive calls of a task with concurrency 1
// start less than the call length plus the pause apart.
func checkOneChannelPause(t *testing.T, h *harness, taskID int64) {
	t.Helper()
	var at []time.Time
	for _, s := range h.obs.starts {
		if s.taskID == taskID {
			at = append(at, s.at)
		}
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < pausedGap {
			t.Errorf("call %d started %v after call %d (a 23 s call + the 60 s pause needs %v)", i+1, gap, i, pausedGap)
		}
	}
}

// TestLimitsPauseSurvivesStopStart: a task with one channel and a 60 s pause between
// calls is stopped during the pause that follows its first call and started again at
// once. The pause is a limit of the task: the second call must wait for it. (The engine
// used to forget the task, and its channels' pause ends, when it was stopped with no live
// call, so the restarted task dialled at once.)
func TestLimitsPauseSurvivesStopStart(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s := openSQLite(t, clk)
	f := newFixture(t, s, "acme")
	task := f.task(f.line(5, 0), 1, 5, 13800000000, func(t *outdial.Task) { t.PauseSeconds = 60 })
	h := newHarness(t, s, clk, fixed, "n1")
	f.start(task)
	h.wake()
	h.runUntil(shanghai9.Add(30 * time.Second)) // call 1: 09:00:00-09:00:23; pause until 09:01:23
	if n := len(h.obs.starts); n != 1 {
		t.Fatalf("%d calls by 09:00:30, want 1", n)
	}
	_, err := s.SetTaskStatus(ctx, f.tenant.ID, task.ID, outdial.TaskStopped)
	mustDo(t, err)
	h.wake()
	f.start(task)
	h.wake()
	h.runUntil(shanghai9.Add(5 * time.Minute))
	h.obs.check()
	checkOneChannelPause(t, h, task.ID)
}

// TestLimitsPauseAcrossNodes: two engines (two nodes) share one PostgreSQL database and
// a task with one channel and a 60 s pause. The pause must hold across nodes: when node
// 1's call ends, node 2 (whose own channel never had a call) waits for it too. (Each
// engine used to keep only its own channels' pauses, and the store did not check them.)
func TestLimitsPauseAcrossNodes(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s1, s2 := openPostgresNodes(t, clk)
	f := newFixture(t, s1, "acme")
	task := f.task(f.line(5, 0), 1, 6, 13800000000, func(t *outdial.Task) { t.PauseSeconds = 60 })
	h := newHarness(t, s1, clk, fixed, "node-1")
	h.addEngine("node-2", s2)
	f.start(task)
	h.wake()
	h.runUntil(shanghai9.Add(10 * time.Minute))
	h.obs.check()
	checkOneChannelPause(t, h, task.ID)
}

// maxOverlapAfter returns, over the calls of the tenant that started at or after from,
// the largest number of calls (of the given line or task, 0 for any) up at the instant one
// of them started, counting every CDR (CDRs hold start and end).
func maxOverlapAfter(t *testing.T, s outdial.Store, tenantID, lineID, taskID int64, from time.Time) (int, time.Time) {
	t.Helper()
	calls, err := s.Calls(ctx, outdial.CallFilter{TenantID: tenantID, IncludeLive: true, Limit: 1000})
	mustDo(t, err)
	worst, at := 0, time.Time{}
	for _, c := range calls {
		if c.StartTime.Before(from) || (lineID != 0 && c.LineID != lineID) || (taskID != 0 && c.TaskID != taskID) {
			continue
		}
		n := 0
		for _, o := range calls {
			if (lineID != 0 && o.LineID != lineID) || (taskID != 0 && o.TaskID != taskID) {
				continue
			}
			end := o.EndTime
			if o.Status != outdial.CallEnded {
				end = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			if !o.StartTime.After(c.StartTime) && end.After(c.StartTime) {
				n++
			}
		}
		if n > worst {
			worst, at = n, c.StartTime
		}
	}
	return worst, at
}

// TestLimitsLoweredWhileRunning: the tenant lowers a limit while the task runs (written to
// the store, no wake-up). The engine here polls every 2 s (the production default) and
// the change lands 0.5 s before the live calls end: the calls that replace them must obey
// it. (StartAttempts used to check the engine's cached limits, not the rows it locks.)
func TestLimitsLoweredWhileRunning(t *testing.T) {
	tod := func(s string) outdial.TimeOfDay { v, _ := outdial.ParseTimeOfDay(s); return v }
	change := shanghai9.Add(22*time.Second + 500*time.Millisecond) // 3 calls up, each until 09:00:23
	cases := []struct {
		name  string
		apply func(t *testing.T, s outdial.Store, line *outdial.Line, task *outdial.Task)
		check func(t *testing.T, s outdial.Store, f *fixture, h *harness, line *outdial.Line, task *outdial.Task)
	}{
		{"line concurrency 3 to 1", func(t *testing.T, s outdial.Store, line *outdial.Line, _ *outdial.Task) {
			line.Concurrency = 1
			mustDo(t, s.UpdateLine(ctx, line))
		}, func(t *testing.T, s outdial.Store, f *fixture, _ *harness, line *outdial.Line, _ *outdial.Task) {
			if n, at := maxOverlapAfter(t, s, f.tenant.ID, line.ID, 0, change); n > 1 {
				t.Errorf("a call started at %v with %d calls up on the line; its concurrency is 1 since %v", at, n, change)
			}
		}},
		{"task concurrency 3 to 1", func(t *testing.T, s outdial.Store, _ *outdial.Line, task *outdial.Task) {
			task.MaxConcurrency = 1
			mustDo(t, s.UpdateTask(ctx, task))
		}, func(t *testing.T, s outdial.Store, f *fixture, _ *harness, _ *outdial.Line, task *outdial.Task) {
			if n, at := maxOverlapAfter(t, s, f.tenant.ID, 0, task.ID, change); n > 1 {
				t.Errorf("a call started at %v with %d calls of the task up; its max_concurrency is 1 since %v", at, n, change)
			}
		}},
		{"calling window closed", func(t *testing.T, s outdial.Store, _ *outdial.Line, task *outdial.Task) {
			task.Window = outdial.DailyWindow{Start: tod("10:00:00"), End: tod("18:00:00")}
			mustDo(t, s.UpdateTask(ctx, task))
		}, func(t *testing.T, _ outdial.Store, _ *fixture, h *harness, _ *outdial.Line, _ *outdial.Task) {
			if n := startsIn(h, change, shanghai9.Add(time.Hour)); n != 0 {
				t.Errorf("%d calls started between 09:00:22.5 and 10:00, after the window was set to 10:00-18:00", n)
			}
		}},
		{"line expired", func(t *testing.T, s outdial.Store, line *outdial.Line, _ *outdial.Task) {
			line.ValidUntil = change
			mustDo(t, s.UpdateLine(ctx, line))
		}, func(t *testing.T, _ outdial.Store, _ *fixture, h *harness, _ *outdial.Line, _ *outdial.Task) {
			if n := startsIn(h, change, shanghai9.Add(time.Hour)); n != 0 {
				t.Errorf("%d calls started on a line valid until %v", n, change)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewVirtual(shanghai9)
			s := openSQLite(t, clk)
			f := newFixture(t, s, "acme")
			line := f.line(3, 0)
			task := f.task(line, 3, 30, 13800000000, nil)
			h := newHarness(t, s, clk, fixed, "n1")
			h.eng.cfg.Poll = 2 * time.Second // the production default (the harness uses 30 s)
			f.start(task)
			h.wake()
			h.runUntil(change)
			if n := len(h.obs.starts); n != 3 {
				t.Fatalf("%d calls by 09:00:22.5, want 3", n)
			}
			line, _ = s.Line(ctx, f.tenant.ID, line.ID)
			task, _ = s.Task(ctx, f.tenant.ID, task.ID)
			tc.apply(t, s, line, task)
			h.runUntil(shanghai9.Add(time.Minute))
			tc.check(t, s, f, h, line, task)
		})
	}
}

// finishRaceStore injects an upload between the engine's "nothing is pending" check
// (TaskProgress) and its move of the task to finished, as a concurrent API upload does.
type finishRaceStore struct {
	outdial.Store
	mu     sync.Mutex
	inject func()
}

func (s *finishRaceStore) TaskProgress(ctx context.Context, tenantID, id int64) (outdial.Progress, error) {
	p, err := s.Store.TaskProgress(ctx, tenantID, id)
	s.mu.Lock()
	f := s.inject
	s.inject = nil
	s.mu.Unlock()
	if f != nil && err == nil && p.Pending == 0 {
		f()
	}
	return p, err
}

// TestLimitsFinishRacesUpload: contacts uploaded to a running task while the engine
// decides it is finished. maybeFinish reads the progress, then moves the task to
// finished in a second transaction that does not check that nothing is pending; the new
// contacts are left pending in a finished task and are never called (the task must keep
// running, as a task that runs out of contacts does when none arrive meanwhile).
func TestLimitsFinishRacesUpload(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	base := openSQLite(t, clk)
	s := &finishRaceStore{Store: base}
	f := newFixture(t, base, "acme")
	task := f.task(f.line(5, 0), 2, 2, 13800000000, nil)
	batches, _ := base.Batches(ctx, f.tenant.ID, task.ID, outdial.Page{})
	h := newHarness(t, s, clk, fixed, "n1")
	f.start(task)
	h.wake()
	h.runUntil(shanghai9.Add(20 * time.Second)) // both calls up
	s.mu.Lock()
	s.inject = func() {
		_, err := base.AddContacts(ctx, []*outdial.Contact{{TenantID: f.tenant.ID, TaskID: task.ID, BatchID: batches[0].ID, Phone: "13900000001"}})
		mustDo(t, err)
	}
	s.mu.Unlock()
	h.runUntil(shanghai9.Add(10 * time.Minute))
	got, _ := base.Task(ctx, f.tenant.ID, task.ID)
	p, _ := base.TaskProgress(ctx, f.tenant.ID, task.ID)
	if got.Status == outdial.TaskFinished && p.Pending > 0 {
		t.Errorf("task is %s with %d contact(s) pending that will never be called (progress %+v)", got.Status, p.Pending, p)
	}
	if len(h.obs.starts) != 3 {
		t.Errorf("%d calls, want 3 (the contact uploaded while the task was finishing is called too)", len(h.obs.starts))
	}
}

// finishedNotifier emits one task.finished message per finished task.
type finishedNotifier struct{}

func (finishedNotifier) CallEnded(*outdial.Call, *outdial.Contact, *outdial.Task) []*outdial.OutboxMessage {
	return nil
}

func (finishedNotifier) TaskFinished(t *outdial.Task) []*outdial.OutboxMessage {
	return []*outdial.OutboxMessage{{TenantID: t.TenantID, EventID: "task-finished", EventType: outdial.EventTaskFinished,
		Format: "native", URL: "http://127.0.0.1:1/hook"}}
}

// crashBeforeOutbox fails the first AddOutbox: the process "dies" after committing the
// task's status and before writing its event (kill -9 between two transactions).
type crashBeforeOutbox struct {
	outdial.Store
	mu     sync.Mutex
	failed bool
}

func (s *crashBeforeOutbox) AddOutbox(ctx context.Context, ms []*outdial.OutboxMessage) error {
	s.mu.Lock()
	first := !s.failed
	s.failed = true
	s.mu.Unlock()
	if first {
		return errors.New("process killed")
	}
	return s.Store.AddOutbox(ctx, ms)
}

// TestLimitsTaskFinishedEventLost: the engine moves a task to finished in one transaction
// and writes its task.finished webhook in another. If the process dies between them (here:
// the second write fails once), the task is finished for good and its task.finished
// webhook is never written, by this engine or by a restarted one.
func TestLimitsTaskFinishedEventLost(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	base := openSQLite(t, clk)
	s := &crashBeforeOutbox{Store: base}
	f := newFixture(t, base, "acme")
	task := f.task(f.line(5, 0), 2, 3, 13800000000, nil)
	h := newHarness(t, s, clk, fixed, "n1")
	h.eng.cfg.Notifiers = []Notifier{finishedNotifier{}}
	f.start(task)
	h.wake()
	h.runUntilFinished(shanghai9.Add(time.Hour), task)
	// Restart the node: a fresh engine on the same store and node id.
	h.stop()
	h2 := newHarness(t, s, clk, fixed, "n1")
	h2.eng.cfg.Notifiers = []Notifier{finishedNotifier{}}
	h2.wake()
	h2.runUntil(clk.Now().Add(time.Minute))
	msgs, err := base.OutboxMessages(ctx, f.tenant.ID, outdial.OutboxFilter{EventID: "task-finished"})
	mustDo(t, err)
	if len(msgs) != 1 {
		t.Errorf("%d task.finished messages in the outbox for a finished task, want exactly 1", len(msgs))
	}
}

// TestLimitsCapsAcrossTasksAndNodes: two tasks of one tenant, on two lines, hold the same
// 20 numbers and are dialled by two nodes on one PostgreSQL database. The tenant's default
// caps (1 call per number per hour) hold across tasks and nodes: within the first hour
// each number is called exactly once.
func TestLimitsCapsAcrossTasksAndNodes(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s1, s2 := openPostgresNodes(t, clk)
	f := newFixture(t, s1, "acme")
	f.tenant.CapPerHour, f.tenant.CapPerDay = outdial.DefaultCapPerHour, outdial.DefaultCapPerDay
	mustDo(t, s1.UpdateTenant(ctx, f.tenant))
	a := f.task(f.line(4, 0), 4, 20, 13800000000, nil)
	b := f.task(f.line(4, 0), 4, 20, 13800000000, nil)
	h := newHarness(t, s1, clk, fixed, "node-1")
	h.addEngine("node-2", s2)
	f.start(a)
	f.start(b)
	h.wake()
	h.runUntil(shanghai9.Add(10 * time.Minute))
	h.obs.check()
	per := map[string]int{}
	for _, st := range h.obs.starts {
		per[st.callee]++
	}
	if len(per) != 20 {
		t.Errorf("%d numbers called in the first hour, want all 20", len(per))
	}
	for n, c := range per {
		if c != 1 {
			t.Errorf("%s called %d times within an hour; the cap is 1", n, c)
		}
	}
}
