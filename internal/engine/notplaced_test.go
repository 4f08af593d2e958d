package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

// lostCommit commits the first StartAttempts and then reports an error, as a database
// whose answer to COMMIT is lost does.
type lostCommit struct {
	outdial.Store
	mu   sync.Mutex
	done bool
}

func (s *lostCommit) StartAttempts(ctx context.Context, as []outdial.AttemptStart) ([]*outdial.Refusal, error) {
	r, err := s.Store.StartAttempts(ctx, as)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && !s.done {
		s.done = true
		return nil, errors.New("connection reset while committing")
	}
	return r, err
}

// statusNotifier records, for each call.ended message, the contact status it describes.
type statusNotifier struct {
	mu     sync.Mutex
	status map[int64]outdial.ContactStatus // by call id
}

func (n *statusNotifier) CallEnded(c *outdial.Call, contact *outdial.Contact, _ *outdial.Task) []*outdial.OutboxMessage {
	n.mu.Lock()
	n.status[c.ID] = contact.Status
	n.mu.Unlock()
	return []*outdial.OutboxMessage{{TenantID: c.TenantID, EventID: "call-ended", EventType: outdial.EventCallEnded,
		Format: "native", URL: "http://127.0.0.1:1/hook"}}
}

func (n *statusNotifier) TaskFinished(*outdial.Task) []*outdial.OutboxMessage { return nil }

// TestNotPlacedCallHasNoWebhook: StartAttempts commits but its answer is lost. The engine
// ends the call as interrupted ("not dialled") and writes the contact back as pending;
// since no call happened, no call.ended webhook is written for it (one used to tell the
// tenant the contact was finished while the store had it pending), and the contact is
// called again.
func TestNotPlacedCallHasNoWebhook(t *testing.T) {
	clk := clock.NewVirtual(shanghai9)
	base := openSQLite(t, clk)
	s := &lostCommit{Store: base}
	f := newFixture(t, base, "acme")
	task := f.task(f.line(5, 0), 1, 1, 13800000000, nil)
	n := &statusNotifier{status: map[int64]outdial.ContactStatus{}}
	h := newHarness(t, s, clk, fixed, "n1")
	h.eng.cfg.Notifiers = []Notifier{n}
	f.start(task)
	h.wake()
	h.runUntil(shanghai9.Add(10 * time.Minute))
	calls, err := base.Calls(ctx, outdial.CallFilter{TenantID: f.tenant.ID, TaskID: task.ID})
	mustDo(t, err)
	if len(calls) < 2 {
		t.Fatalf("%d calls; want the lost-commit one and the real one", len(calls))
	}
	first := calls[0]
	if first.ID > calls[1].ID {
		first = calls[1]
	}
	if first.Result != outdial.ResultInterrupted {
		t.Fatalf("first call %s, want interrupted", first.Result)
	}
	n.mu.Lock()
	got, ok := n.status[first.ID]
	_, second := n.status[calls[0].ID^calls[1].ID^first.ID]
	n.mu.Unlock()
	if ok {
		t.Errorf("a call.ended webhook (contact %q) for a call that was never dialled", got)
	}
	if !second {
		t.Errorf("no call.ended webhook for the real call that followed")
	}
}
