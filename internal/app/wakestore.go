package app

import (
	"context"

	"github.com/outdial/outdial"
)

// wakingStore is the store the APIs use: after a change that decides when or how calls
// start (a task's window or concurrency, a line, a time group, a recall rule, a script,
// the tenant's caps, new contacts), it wakes this node's engine, which re-reads its
// running tasks at once instead of at its next poll. (Concurrency, pacing, line
// validity, pauses and caps are also checked by the store at every start, on every
// node; windows and time groups are the engine's, and other nodes see them at their
// next poll, 2 s at most.)
type wakingStore struct {
	outdial.Store
	wake func()
}

func (w *wakingStore) woke(err error) error {
	if err == nil {
		w.wake()
	}
	return err
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

func (w *wakingStore) AddContacts(ctx context.Context, cs []*outdial.Contact) ([]bool, error) {
	added, err := w.Store.AddContacts(ctx, cs)
	return added, w.woke(err)
}
