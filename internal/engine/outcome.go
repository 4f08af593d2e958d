package engine

import (
	"context"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"
)

// liveCall is a call this engine started and has no outcome for yet.
type liveCall struct {
	call    *outdial.Call
	contact *outdial.Contact
	run     *taskRun
	channel int
}

// onEvent handles one telephony event.
func (e *Engine) onEvent(callID int64, ev telephony.Event, now time.Time) {
	lc := e.live[callID]
	if lc == nil {
		return // an event after the end (telephony must not, but be safe)
	}
	if e.cfg.Observe != nil {
		e.cfg.Observe(lc.call, ev)
	}
	switch ev.Kind {
	case telephony.Ringing:
		lc.call.RingTime = ev.At
	case telephony.Answered:
		lc.call.AnswerTime = ev.At
	case telephony.Ended:
		o := ev.Outcome
		if o == nil {
			o = &outdial.Outcome{Result: outdial.ResultFailed, Reason: "telephony reported no outcome", EndTime: now}
		}
		e.end(lc, *o, now)
	}
}

// end turns an outcome into the call's CDR and its contact's new state, queues them for
// writing, and frees the call's channel.
func (e *Engine) end(lc *liveCall, o outdial.Outcome, now time.Time) {
	c, run := lc.call, lc.run
	if o.EndTime.IsZero() {
		o.EndTime = now
	}
	c.Apply(o)
	e.pending = append(e.pending, e.attemptEnd(c, lc.contact, run.task, run.recall, run.rules))
	delete(e.live, c.ID)
	run.live--
	if lr := e.lines[c.LineID]; lr != nil { // the call's line, even if the task moved to another
		lr.live--
		lr.full = false
	}
	run.taskFull = false
	run.wakeAt = time.Time{}
	if lc.channel < len(run.channels) {
		run.channels[lc.channel] = c.EndTime.Add(time.Duration(run.task.PauseSeconds) * time.Second)
	}
	e.metricEnded(run, c)
}

// attemptEnd decides the contact's next state by the recall rule and gathers the outbox
// messages for the finished call.
func (e *Engine) attemptEnd(c *outdial.Call, contact *outdial.Contact, task *outdial.Task, recall *outdial.RecallRule,
	rules outdial.CallingRules) outdial.AttemptEnd {
	u := outdial.ContactUpdate{TenantID: c.TenantID, ContactID: c.ContactID, Status: outdial.ContactFinished, Result: c.Result}
	if c.Result != outdial.ResultAnswered {
		if next, ok := recall.Next(c.Result, c.Attempt, c.EndTime); ok {
			if at, ok := rules.NextAllowed(next); ok {
				u.Status, u.NextAttemptAt = outdial.ContactPending, at
			}
		}
	}
	var msgs []*outdial.OutboxMessage
	if contact != nil && task != nil {
		contact.Status, contact.LastResult, contact.NextAttemptAt, contact.Attempts = u.Status, u.Result, u.NextAttemptAt, c.Attempt
		for _, n := range e.cfg.Notifiers {
			msgs = append(msgs, n.CallEnded(c, contact, task)...)
		}
	}
	return outdial.AttemptEnd{Call: c, Contact: u, Outbox: msgs}
}

// flush writes the queued outcomes in one transaction. If that fails it writes them one
// by one, so an outcome that cannot be written does not hold back every other tenant's.
// Outcomes that fail stay queued for the next pass. One that has failed in
// maxWriteFailures passes while others were written (or while the engine drains) is set
// aside with an error in the log: its call stays "started" in the store, and this
// node's next start ends it as interrupted (recover). While the store fails everything
// (it is down), nothing is set aside.
func (e *Engine) flush(now time.Time) error {
	if len(e.pending) == 0 {
		return nil
	}
	before := len(e.pending)
	err := e.cfg.Store.FinishAttempts(e.sctx, e.pending)
	switch {
	case err == nil:
		e.pending = e.pending[:0]
	case len(e.pending) == 1:
		if !e.failed(e.pending[0], err, false) {
			e.pending = e.pending[:0]
		}
	default:
		var failed []outdial.AttemptEnd
		var errs []error
		for _, end := range e.pending {
			if werr := e.cfg.Store.FinishAttempts(e.sctx, []outdial.AttemptEnd{end}); werr != nil {
				failed, errs = append(failed, end), append(errs, werr)
			}
		}
		written := len(failed) < len(e.pending)
		kept := e.pending[:0]
		for i, end := range failed {
			if e.failed(end, errs[i], written) {
				kept = append(kept, end)
			}
		}
		clear(e.pending[len(kept):before])
		e.pending = kept
		if len(errs) == 0 {
			err = nil
		}
	}
	if len(e.pending) == 0 {
		clear(e.writeFailures)
	}
	if len(e.pending) < before && e.cfg.Written != nil {
		e.cfg.Written()
	}
	return err
}

// maxWriteFailures is how many passes an outcome may fail to be written, while others
// are, before the engine sets it aside.
const maxWriteFailures = 20

// failed counts a failed write of end's outcome, if it is the outcome's own failure (others
// were written) or the engine is draining, and reports whether to keep trying.
func (e *Engine) failed(end outdial.AttemptEnd, err error, own bool) bool {
	if !own && !e.draining {
		return true
	}
	id := end.Call.ID
	e.writeFailures[id]++
	if e.writeFailures[id] < maxWriteFailures {
		return true
	}
	delete(e.writeFailures, id)
	e.log.Error("engine: outcome set aside after repeated write failures; the call stays started until this node restarts",
		"call", id, "tenant", end.Call.TenantID, "task", end.Call.TaskID, "contact", end.Call.ContactID,
		"result", end.Call.Result, "err", err)
	return false
}

// recover ends this node's attempts that were started before a crash and never finished:
// each becomes interrupted, and the task's recall rule decides what happens next.
func (e *Engine) recover() error {
	ctx, cancel := context.WithTimeout(context.Background(), passTimeout)
	defer cancel()
	calls, err := e.cfg.Store.LiveAttempts(ctx, e.cfg.NodeID)
	if err != nil || len(calls) == 0 {
		return err
	}
	now := e.cfg.Clock.Now()
	ends := make([]outdial.AttemptEnd, 0, len(calls))
	for _, c := range calls {
		c.Apply(outdial.Outcome{Result: outdial.ResultInterrupted, EndTime: c.StartTime,
			Reason: "outdial stopped before the call ended; its outcome is unknown"})
		var task *outdial.Task
		var recall *outdial.RecallRule
		rules := outdial.CallingRules{}
		if t, err := e.cfg.Store.Task(ctx, c.TenantID, c.TaskID); err == nil {
			task = t
			rules.Location, rules.Window = t.Location(), t.Window
			if t.RecallRuleID != 0 {
				recall, _ = e.cfg.Store.RecallRule(ctx, t.TenantID, t.RecallRuleID)
			}
			if t.TimeGroupID != 0 {
				if g, err := e.cfg.Store.TimeGroup(ctx, t.TenantID, t.TimeGroupID); err == nil {
					rules.Forbidden = g.Ranges
				}
			}
		}
		contact, _ := e.cfg.Store.Contact(ctx, c.TenantID, c.ContactID)
		end := e.attemptEnd(c, contact, task, recall, rules)
		if end.Contact.Status == outdial.ContactPending && end.Contact.NextAttemptAt.Before(now) {
			end.Contact.NextAttemptAt, _ = rules.NextAllowed(now)
		}
		ends = append(ends, end)
	}
	if err := e.cfg.Store.FinishAttempts(ctx, ends); err != nil {
		// One by one, so one that cannot be written does not keep the engine from starting.
		failed := 0
		for _, end := range ends {
			if err := e.cfg.Store.FinishAttempts(ctx, []outdial.AttemptEnd{end}); err != nil {
				failed++
				e.log.Error("engine: cannot end an interrupted call", "call", end.Call.ID, "tenant", end.Call.TenantID, "err", err)
			}
		}
		if failed == len(ends) {
			// The database, or the calls? If it still answers, the calls: go on.
			if _, lerr := e.cfg.Store.LiveAttempts(ctx, e.cfg.NodeID); lerr != nil {
				return err
			}
		}
		// A call that cannot be ended stays started (logged above); it must not keep the
		// engine from dialling.
	}
	e.log.Warn("engine recovered interrupted calls", "node", e.cfg.NodeID, "calls", len(calls))
	return nil
}
