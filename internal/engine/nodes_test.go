package engine

import (
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

// TestTwoEnginesSharePostgres runs two engines (two nodes) on one PostgreSQL database and
// one line: together they never exceed the line's or the task's concurrency and never
// dial a contact twice at once; each contact is called exactly once.
func TestTwoEnginesSharePostgres(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s1, s2 := openPostgresNodes(t, clk)
	f := newFixture(t, s1, "acme")
	line := f.line(6, 0)
	a := f.task(line, 4, 150, 13800000000, nil)
	b := f.task(line, 4, 150, 13900000000, nil)
	h := newHarness(t, s1, clk, quick, "node-1")
	second := h.addEngine("node-2", s2)
	f.start(a)
	f.start(b)
	second.Wake() // node 2 sees the tasks first, so both nodes hold calls from the start
	second.Sync()
	h.wake()
	h.runUntilFinished(shanghai9.Add(3*time.Hour), a, b)
	h.obs.check()
	if h.obs.maxLine[line.ID] != 6 {
		t.Errorf("line peaked at %d live calls, want exactly its limit 6", h.obs.maxLine[line.ID])
	}
	if len(h.obs.starts) != 300 {
		t.Errorf("%d calls for 300 contacts (no recall rule): a contact was claimed twice or lost", len(h.obs.starts))
	}
	seen := map[string]bool{}
	nodes := map[string]int{}
	for _, st := range h.obs.starts {
		if seen[st.callee] {
			t.Errorf("%s dialled twice", st.callee)
		}
		seen[st.callee] = true
		c, err := s1.Call(ctx, f.tenant.ID, st.callID)
		mustDo(t, err)
		nodes[c.NodeID]++
	}
	if nodes["node-1"] == 0 || nodes["node-2"] == 0 {
		t.Errorf("calls per node %v: both engines should have dialled", nodes)
	}
}

// TestStopAndRestart stops a running task: live calls end normally and no new call
// starts; starting it again resumes where it left off.
func TestStopAndRestart(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s := openSQLite(t, clk)
	f := newFixture(t, s, "acme")
	task := f.task(f.line(5, 0), 3, 30, 13800000000, nil)
	h := newHarness(t, s, clk, fixed, "n1")
	f.start(task)
	h.wake()
	h.runUntil(shanghai9.Add(10 * time.Second)) // 3 calls live, mid-talk
	_, err := s.SetTaskStatus(ctx, f.tenant.ID, task.ID, outdial.TaskStopped)
	mustDo(t, err)
	h.wake()
	stoppedAt := len(h.obs.starts)
	h.runUntil(shanghai9.Add(time.Hour))
	if len(h.obs.starts) != stoppedAt {
		t.Fatalf("%d calls started after stop", len(h.obs.starts)-stoppedAt)
	}
	p, _ := s.TaskProgress(ctx, f.tenant.ID, task.ID)
	if p.Live != 0 || p.Calls != int64(stoppedAt) || p.Pending != 30-int64(stoppedAt) {
		t.Fatalf("after stop: %+v (live calls must have ended and been written)", p)
	}
	f.start(task)
	h.wake()
	h.runUntilFinished(shanghai9.Add(3*time.Hour), task)
	h.obs.check()
	if len(h.obs.starts) != 30 {
		t.Fatalf("%d calls in all, want 30", len(h.obs.starts))
	}
}

// TestRecoverInterrupted abandons an engine with live calls (as a crash would) and starts
// a new one on the same store and node id: the lost calls become interrupted, go through
// the recall rule, and the task finishes with one CDR per attempt.
func TestRecoverInterrupted(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s := openSQLite(t, clk)
	f := newFixture(t, s, "acme")
	rr := &outdial.RecallRule{TenantID: f.tenant.ID, Name: "r", Enabled: true, MaxAttempts: 2, Intervals: []int{60},
		Results: []outdial.Result{outdial.ResultInterrupted}}
	mustDo(t, s.CreateRecallRule(ctx, rr))
	task := f.task(f.line(5, 0), 3, 10, 13800000000, func(t *outdial.Task) { t.RecallRuleID = rr.ID })
	// The "crashed" engine: started, dialled, then never heard from again.
	lost := clock.NewVirtual(shanghai9)
	crashed := newHarness(t, s, lost, fixed, "n1")
	f.start(task)
	crashed.wake()
	crashed.runUntil(shanghai9.Add(5 * time.Second))
	if n := len(crashed.obs.starts); n != 3 {
		t.Fatalf("crashed engine started %d calls, want 3", n)
	}
	live, _ := s.LiveAttempts(ctx, "n1")
	if len(live) != 3 {
		t.Fatalf("%d live attempts in the store before recovery", len(live))
	}
	crashed.cancel = nil // abandoned: never drained
	clk.AdvanceTo(shanghai9.Add(time.Minute))
	h := newHarness(t, s, clk, fixed, "n1")
	h.wake()
	h.runUntilFinished(shanghai9.Add(2*time.Hour), task)
	h.obs.check()
	p, _ := s.TaskProgress(ctx, f.tenant.ID, task.ID)
	cdrs, _ := s.CountCalls(ctx, outdial.CallFilter{TenantID: f.tenant.ID})
	if p.Calls != 13 || cdrs != 13 || p.Answered != 10 {
		t.Fatalf("progress %+v, %d CDRs: want 10 contacts answered after 3 interrupted calls (13 CDRs)", p, cdrs)
	}
	res := outdial.ResultInterrupted
	interrupted, _ := s.Calls(ctx, outdial.CallFilter{TenantID: f.tenant.ID, Result: res})
	if len(interrupted) != 3 {
		t.Fatalf("%d interrupted CDRs, want 3", len(interrupted))
	}
	for _, c := range interrupted {
		cs, _ := s.Calls(ctx, outdial.CallFilter{TenantID: f.tenant.ID, ContactID: c.ContactID})
		if len(cs) != 2 || cs[1].Attempt != 2 || cs[1].Result != outdial.ResultAnswered {
			t.Errorf("contact %d: %d calls after an interrupted one, want exactly one recall", c.ContactID, len(cs))
		}
	}
}
