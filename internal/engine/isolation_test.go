package engine

import (
	"context"
	"errors"
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
