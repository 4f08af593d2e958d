package app

import (
	"context"
	"sync"
	"time"

	"github.com/outdial/outdial"
)

// wakingStore is the store the APIs use: after a change that decides when or how calls
// start (a task's window or concurrency, a line, a time group, a recall rule, a script,
// the tenant's caps, new contacts), it wakes this node's engine, which re-reads its
// running tasks at once instead of at its next poll. (Concurrency, pacing, line
// validity, pauses and caps are also checked by the store at every start, on every
// node; windows and time groups are the engine's, and other nodes see them at their
// next poll, 2 s at most.)
//
// Wake-ups are coalesced to one per wakeEvery: each makes the engine re-read every
// running task, and an API client adding contacts one request at a time must not make
// every tenant's tasks be re-read per request.
type wakingStore struct {
	outdial.Store
	wake func()

	mu      sync.Mutex
	last    time.Time // the last wake-up
	pending bool      // a wake-up is scheduled for last+wakeEvery
}

// wakeEvery is the least time between two wake-ups of the engine by the APIs.
const wakeEvery = 250 * time.Millisecond

func (w *wakingStore) woke(err error) error {
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch since := time.Since(w.last); {
	case w.pending:
	case since >= wakeEvery:
		w.last = time.Now()
		w.wake()
	default:
		w.pending = true
		time.AfterFunc(wakeEvery-since, func() {
			w.mu.Lock()
			w.pending, w.last = false, time.Now()
			w.mu.Unlock()
			w.wake()
		})
	}
	return nil
}

func (w *wakingStore) UpdateTenant(ctx context.Context, t *outdial.Tenant) error {
	return w.woke(w.Store.UpdateTenant(ctx, t))
}

func (w *wakingStore) UpdateLine(ctx context.Context, l *outdial.Line) error {
	return w.woke(w.Store.UpdateLine(ctx, l))
}

func (w *wakingStore) UpdateTimeGroup(ctx context.Context, g *outdial.TimeGroup) error {
	return w.woke(w.Store.UpdateTimeGroup(ctx, g))
}

func (w *wakingStore) UpdateRecallRule(ctx context.Context, r *outdial.RecallRule) error {
	return w.woke(w.Store.UpdateRecallRule(ctx, r))
}

func (w *wakingStore) UpdateScriptGroup(ctx context.Context, g *outdial.ScriptGroup) error {
	return w.woke(w.Store.UpdateScriptGroup(ctx, g))
}

func (w *wakingStore) UpdateScript(ctx context.Context, s *outdial.Script) error {
	return w.woke(w.Store.UpdateScript(ctx, s))
}

func (w *wakingStore) UpdateTask(ctx context.Context, t *outdial.Task) error {
	return w.woke(w.Store.UpdateTask(ctx, t))
}

func (w *wakingStore) BeginContactImport(ctx context.Context, tenantID, batchID int64) (func(), error) {
	return w.Store.BeginContactImport(ctx, tenantID, batchID)
}

func (w *wakingStore) AddContacts(ctx context.Context, cs []*outdial.Contact) ([]bool, error) {
	added, err := w.Store.AddContacts(ctx, cs)
	return added, w.woke(err)
}
