package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

// poisonStore fails every FinishAttempts that holds a call of one task, as a store does
// for an outcome it cannot write.
type poisonStore struct {
	outdial.Store
	task     int64
	refusals atomic.Int64
}

func (p *poisonStore) FinishAttempts(ctx context.Context, es []outdial.AttemptEnd) error {
	for _, e := range es {
		if e.Call.TaskID == p.task {
			p.refusals.Add(1)
			return errors.New("poisoned outcome")
		}
	}
	return p.Store.FinishAttempts(ctx, es)
}

// TestOutcomeThatCannotBeWritten: one tenant's outcome that the store refuses must not
// keep any other tenant's outcomes from being written (they were written in one batch,
// which failed whole, pass after pass). The refused one is set aside in the end, the
// engine still drains, and the next start on the same node ends that call as interrupted.
func TestOutcomeThatCannotBeWritten(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s := openSQLite(t, clk)
	a, b := newFixture(t, s, "a"), newFixture(t, s, "b")
	taskA := a.task(a.line(5, 0), 1, 1, 13900000000, nil)
	taskB := b.task(b.line(5, 0), 3, 30, 13800000000, nil)
	poison := &poisonStore{Store: s, task: taskA.ID}
	h := newHarness(t, poison, clk, fixed, "n1")
	a.start(taskA)
	b.start(taskB)
	h.wake()
	h.runUntilFinished(shanghai9.Add(2*time.Hour), taskB)
	h.obs.check()
	if p, _ := s.TaskProgress(ctx, b.tenant.ID, taskB.ID); p.Calls != 30 || p.Live != 0 {
		t.Fatalf("tenant B's progress %+v: want its 30 calls written", p)
	}
	if poison.refusals.Load() == 0 {
		t.Fatal("tenant A's outcome was never refused: the test proves nothing")
	}
	h.stop() // drains: the refused outcome is set aside rather than kept forever
	live, _ := s.LiveAttempts(ctx, "n1")
	if len(live) != 1 || live[0].TaskID != taskA.ID {
		t.Fatalf("live attempts after the drain: %d, want tenant A's one call left started", len(live))
	}

	h2 := newHarness(t, s, clk, fixed, "n1") // the store no longer refuses
	h2.wake()
	calls, _ := s.Calls(ctx, outdial.CallFilter{TenantID: a.tenant.ID, TaskID: taskA.ID})
	if len(calls) != 1 || calls[0].Status != outdial.CallEnded || calls[0].Result != outdial.ResultInterrupted {
		t.Fatalf("tenant A's call after a restart: %+v, want it ended as interrupted", calls)
	}
}

// countingStore counts DueContacts calls by task.
type countingStore struct {
	outdial.Store
	mu  sync.Mutex
	due map[int64]int
}

func (c *countingStore) DueContacts(ctx context.Context, taskID int64, now time.Time, n int) ([]*outdial.Contact, error) {
	c.mu.Lock()
	c.due[taskID]++
	c.mu.Unlock()
	return c.Store.DueContacts(ctx, taskID, now, n)
}

// TestEmptyTasksAreNotQueriedEveryPass: a tenant's running tasks with nothing to call are
// looked at once per poll, not at every pass of the engine (one per call event of every
// other tenant), and contacts added to one later are still called.
func TestEmptyTasksAreNotQueriedEveryPass(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	s := openSQLite(t, clk)
	a, b := newFixture(t, s, "a"), newFixture(t, s, "b")
	lineA := a.line(100, 0)
	var empty []*outdial.Task
	for range 20 {
		task := a.task(lineA, 1, 0, 0, nil)
		a.start(task)
		empty = append(empty, task)
	}
	busy := b.task(b.line(10, 0), 10, 300, 13800000000, nil)
	b.start(busy)
	cs := &countingStore{Store: s, due: map[int64]int{}}
	h := newHarness(t, cs, clk, quick, "n1") // polls every 30 s
	h.wake()
	h.runUntilFinished(shanghai9.Add(3*time.Hour), busy)
	elapsed := clk.Now().Sub(shanghai9)
	polls := int(elapsed/(30*time.Second)) + 2
	cs.mu.Lock()
	passes := cs.due[busy.ID]
	for _, task := range empty {
		if n := cs.due[task.ID]; n > polls {
			t.Errorf("empty task %d was asked for due contacts %d times in %v (%d polls; the busy task %d times)", task.ID, n,
				elapsed, polls, passes)
		}
	}
	cs.mu.Unlock()

	// Contacts added to an empty task are found at the next poll.
	batches, _ := s.Batches(ctx, a.tenant.ID, empty[0].ID, outdial.Page{})
	_, err := s.AddContacts(ctx, []*outdial.Contact{{TenantID: a.tenant.ID, TaskID: empty[0].ID, BatchID: batches[0].ID, Phone: "13900000001"}})
	mustDo(t, err)
	h.runUntilFinished(clk.Now().Add(time.Hour), empty[0])
	h.obs.check()
}
