package engine

import (
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/telephony/sim"
)

// shanghai9 is 09:00 on Monday 2026-03-02 in Shanghai.
var shanghai9 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

var quick = sim.Profile{Busy: 0.2, NoAnswer: 0.1, SetupMin: time.Second, SetupMax: 2 * time.Second,
	RingMin: 2 * time.Second, RingMax: 5 * time.Second, TalkMin: 10 * time.Second, TalkMax: 30 * time.Second, Seed: 1}

func TestTaskRunsToTheEnd(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s := openSQLite(t, clk)
	f := newFixture(t, s, "acme")
	task := f.task(f.line(5, 0), 3, 40, 13800000000, nil)
	h := newHarness(t, s, clk, quick, "n1")
	f.start(task)
	h.wake()
	h.runUntilFinished(shanghai9.Add(2*time.Hour), task)
	h.obs.check()
	p, _ := s.TaskProgress(ctx, f.tenant.ID, task.ID)
	if p.Total != 40 || p.Pending != 0 || p.Calls != 40 || p.Answered+p.Failed != 40 || p.Percent != 100 || p.Live != 0 {
		t.Fatalf("progress = %+v", p)
	}
	if h.obs.maxTask[task.ID] != 3 {
		t.Fatalf("task concurrency peaked at %d, want it used fully (3)", h.obs.maxTask[task.ID])
	}
	n, _ := s.CountCalls(ctx, outdial.CallFilter{TenantID: f.tenant.ID, TaskID: task.ID})
	if n != int64(len(h.obs.starts)) {
		t.Fatalf("%d CDRs for %d calls started", n, len(h.obs.starts))
	}
}

// TestStartBeforeContacts starts a task with no contacts: it keeps running, and contacts
// imported afterwards are called and then finish it.
func TestStartBeforeContacts(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s := openSQLite(t, clk)
	f := newFixture(t, s, "acme")
	task := f.task(f.line(5, 0), 2, 0, 0, nil)
	h := newHarness(t, s, clk, fixed, "n1")
	f.start(task)
	h.wake()
	h.runUntil(shanghai9.Add(time.Minute))
	if got, _ := s.Task(ctx, f.tenant.ID, task.ID); got.Status != outdial.TaskRunning {
		t.Fatalf("an empty started task is %s, want running", got.Status)
	}
	batches, _ := s.Batches(ctx, f.tenant.ID, task.ID, outdial.Page{})
	_, err := s.AddContacts(ctx, []*outdial.Contact{{TenantID: f.tenant.ID, TaskID: task.ID, BatchID: batches[0].ID, Phone: "13800000001"}})
	mustDo(t, err)
	h.runUntilFinished(shanghai9.Add(time.Hour), task)
	if len(h.obs.starts) != 1 {
		t.Fatalf("%d calls, want the one contact imported after the start", len(h.obs.starts))
	}
}
