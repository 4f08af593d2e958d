package engine

import (
	"context"
	"slices"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"
)

// passTimeout bounds the store calls of one pass of the loop (they share one context, e.sctx):
// a database that stops answering fails them, and they are retried at a later pass,
// instead of freezing the loop (and shutdown) until the kernel gives up on the connection.
const passTimeout = 30 * time.Second

// Limits a task can wait on, as metric labels.
const (
	waitWindow    = "calling_window"
	waitLine      = "line_concurrency"
	waitTask      = "task_concurrency"
	waitPause     = "pause"
	waitPace      = "calls_per_second"
	waitValidity  = "line_validity"
	waitCap       = "number_cap"
	waitNoContact = ""
)

// dial starts, for every active task, the calls its limits allow now, and returns when
// the engine should look again (it also looks whenever a call event arrives).
func (e *Engine) dial(callCtx context.Context, now time.Time) time.Time {
	next := now.Add(e.cfg.Poll)
	ids := make([]int64, 0, len(e.tasks))
	for id, run := range e.tasks {
		if run.active {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if t := e.dialTask(callCtx, e.tasks[id], now); t.Before(next) {
			next = t
		}
	}
	return next
}

// dialTask starts the calls one task may start now and returns when to look again.
func (e *Engine) dialTask(callCtx context.Context, run *taskRun, now time.Time) time.Time {
	later := now.Add(e.cfg.Poll)
	if run.wakeAt.After(now) {
		return run.wakeAt
	}
	allowed, ok := run.rules.NextAllowed(now)
	if !ok {
		run.waiting = waitValidity
		return later
	}
	if allowed.After(now) {
		run.waiting = waitWindow
		if !run.rules.ValidFrom.IsZero() && now.Before(run.rules.ValidFrom) {
			run.waiting = waitValidity
		}
		run.wakeAt = allowed
		return allowed
	}
	free, pauseEnds := run.freeChannels(now)
	line := run.line
	switch {
	case len(free) == 0 && !pauseEnds.IsZero():
		run.waiting = waitPause
		return pauseEnds
	case len(free) == 0 || run.taskFull:
		run.waiting = waitTask
		return later
	case line.full || line.live >= line.line.Concurrency:
		run.waiting = waitLine
		return later
	case line.line.CallsPerSecond > 0 && line.tat.After(now):
		run.waiting = waitPace
		return ceilMS(line.tat)
	}
	n := min(len(free), e.cfg.Batch, line.line.Concurrency-line.live)
	if line.line.CallsPerSecond > 0 {
		n = 1
	}
	contacts, err := e.cfg.Store.DueContacts(e.sctx, run.task.ID, now, n)
	if err != nil {
		e.log.Error("engine: due contacts", "task", run.task.ID, "err", err)
		return later
	}
	if len(contacts) == 0 {
		run.waiting = waitNoContact
		return e.idle(run, now)
	}
	as := make([]outdial.AttemptStart, len(contacts))
	for i, c := range contacts {
		id := e.cfg.IDs.Next(now)
		start := outdial.CallIDTime(id)
		caller := run.task.CallerNumber
		if caller == "" {
			caller = line.line.CallerNumber(id >> 11)
		}
		as[i] = outdial.AttemptStart{
			Call: &outdial.Call{ID: id, TenantID: c.TenantID, ProjectID: run.task.ProjectID, TaskID: c.TaskID, BatchID: c.BatchID,
				ContactID: c.ID, ExternalID: c.ExternalID, LineID: line.line.ID, NodeID: e.cfg.NodeID, Caller: caller, Called: c.Phone,
				CalledAreaCode: c.AreaCode, CalledAreaName: c.AreaName, CalledType: c.Type, CalledVendor: c.Carrier, StartTime: start},
			LineConcurrency: line.line.Concurrency, TaskConcurrency: run.task.MaxConcurrency,
			CallsPerSecond: line.line.CallsPerSecond, CapPerHour: e.caps(run.task.TenantID).hour, CapPerDay: e.caps(run.task.TenantID).day,
		}
	}
	refusals, err := e.cfg.Store.StartAttempts(e.sctx, as)
	if err != nil {
		e.log.Error("engine: start attempts", "task", run.task.ID, "err", err)
		// The transaction may have committed all the same (the answer to its COMMIT lost):
		// its calls would stay started, their contacts dialing and their slots taken until
		// a restart. End each as not placed; FinishAttempts changes only calls that exist
		// and are started, so for attempts that were not recorded this writes nothing.
		for i, c := range contacts {
			e.pending = append(e.pending, e.notPlaced(c, as[i].Call, now))
		}
		return later
	}
	started := 0
	for i, r := range refusals {
		if r != nil {
			e.refused(run, contacts[i], r, now)
			continue
		}
		e.originate(callCtx, run, contacts[i], as[i].Call, free[started])
		started++
	}
	if line.line.CallsPerSecond > 0 && started > 0 {
		line.tat = as[0].Call.StartTime.Add(time.Duration(float64(time.Second) / line.line.CallsPerSecond))
	}
	if started == n && n < len(free) || line.line.CallsPerSecond > 0 {
		return now // more may start at once (or at the next pacing slot)
	}
	if !pauseEnds.IsZero() && pauseEnds.Before(later) {
		return pauseEnds // a channel comes out of its pause
	}
	return later
}

// notPlaced is the outcome of an attempt whose start the store could not confirm: the
// call was not dialled (interrupted, with that reason), and its contact is due again at
// the next poll.
func (e *Engine) notPlaced(contact *outdial.Contact, c *outdial.Call, now time.Time) outdial.AttemptEnd {
	c.Status = outdial.CallStarted
	c.Apply(outdial.Outcome{Result: outdial.ResultInterrupted, EndTime: now,
		Reason: "not dialled: outdial could not confirm the call's start with the database"})
	// No call happened: no call.ended webhook, and no recall rule (the contact is simply
	// due again).
	return outdial.AttemptEnd{Call: c, Contact: outdial.ContactUpdate{TenantID: c.TenantID, ContactID: c.ContactID,
		Status: outdial.ContactPending, NextAttemptAt: now.Add(e.cfg.Poll), Result: contact.LastResult}}
}

// idle handles a task with nothing due: it waits for the next recall, or finishes. A task
// with nothing to call is looked at again at the next poll (which also finds contacts
// added meanwhile) or when one of its calls ends, not at every pass: a tenant's many
// empty running tasks must not cost every other tenant three queries each per pass.
func (e *Engine) idle(run *taskRun, now time.Time) time.Time {
	next, ok, err := e.cfg.Store.NextDue(e.sctx, run.task.ID)
	if err != nil {
		e.log.Error("engine: next due", "task", run.task.ID, "err", err)
		return now.Add(e.cfg.Poll)
	}
	if ok && next.After(now) {
		run.wakeAt = next // a recall; the next poll looks again anyway
		return next
	}
	run.wakeAt = e.lastPoll.Add(e.cfg.Poll)
	if !run.wakeAt.After(now) {
		run.wakeAt = now.Add(e.cfg.Poll)
	}
	if !ok && run.live == 0 {
		e.maybeFinish(run)
	}
	return run.wakeAt
}

// maybeFinish marks the task finished when it has contacts and none is left to call,
// with its task.finished webhooks, in one store transaction that checks again (contacts
// uploaded meanwhile keep it running). A running task without contacts keeps running:
// contacts uploaded after the start (as groupcall clients do) are called.
func (e *Engine) maybeFinish(run *taskRun) {
	t := run.task
	p, err := e.cfg.Store.TaskProgress(e.sctx, t.TenantID, t.ID)
	if err != nil || p.Pending > 0 || p.Total == 0 {
		return
	}
	var msgs []*outdial.OutboxMessage
	for _, n := range e.cfg.Notifiers {
		msgs = append(msgs, n.TaskFinished(t)...)
	}
	moved, err := e.cfg.Store.FinishTask(e.sctx, t.TenantID, t.ID, msgs)
	if err != nil {
		e.log.Error("engine: finish task", "task", t.ID, "err", err)
		return
	}
	if !moved {
		return
	}
	run.active = false
	e.log.Info("task finished", "task", t.ID, "calls", p.Calls, "answered", p.Answered)
	if len(msgs) > 0 && e.cfg.Written != nil {
		e.cfg.Written()
	}
}

// refused reacts to the store refusing an attempt.
func (e *Engine) refused(run *taskRun, c *outdial.Contact, r *outdial.Refusal, now time.Time) {
	switch r.Reason {
	case outdial.RefuseLineFull:
		run.line.full = true
	case outdial.RefuseTaskFull:
		run.taskFull = true
	case outdial.RefusePaced:
		run.line.tat = r.Until
	case outdial.RefusePausing:
		// Another node's calls (or ones from before a restart) left channels pausing.
		run.waiting = waitPause
		run.wakeAt = laterOf(run.wakeAt, r.Until)
	case outdial.RefuseLineClosed, outdial.RefuseOutsideHours:
		// The line or the task changed since the engine read them: look again when the
		// store says, and re-read them at the next poll.
		run.waiting = waitWindow
		if r.Reason == outdial.RefuseLineClosed {
			run.waiting = waitValidity
		}
		until := r.Until
		if until.IsZero() {
			until = now.Add(e.cfg.Poll)
		}
		run.wakeAt = laterOf(run.wakeAt, until)
	case outdial.RefuseBlocked:
		e.settle(outdial.ContactUpdate{TenantID: c.TenantID, ContactID: c.ID, Status: outdial.ContactFinished, Result: outdial.ResultBlocked})
	case outdial.RefuseCapped:
		run.waiting = waitCap
		at, ok := run.rules.NextAllowed(r.Until)
		u := outdial.ContactUpdate{TenantID: c.TenantID, ContactID: c.ID, Status: outdial.ContactPending, NextAttemptAt: at, Result: c.LastResult}
		if !ok {
			u.Status = outdial.ContactFinished
		}
		e.settle(u)
	}
}

// laterOf returns the later of two instants.
func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (e *Engine) settle(u outdial.ContactUpdate) {
	if err := e.cfg.Store.SettleContact(e.sctx, u); err != nil && outdial.ErrorCode(err) != outdial.ENOTFOUND {
		e.log.Error("engine: settle contact", "contact", u.ContactID, "err", err)
	}
}

// originate hands a started attempt to telephony on the given channel.
func (e *Engine) originate(callCtx context.Context, run *taskRun, c *outdial.Contact, call *outdial.Call, channel int) {
	lc := &liveCall{call: call, contact: c, run: run, channel: channel}
	e.live[call.ID] = lc
	run.live++
	run.line.live++
	run.channels[channel] = busy
	e.metricStarted(run)
	if e.cfg.Started != nil {
		e.cfg.Started(call)
	}
	req := telephony.Request{CallID: call.ID, TenantID: call.TenantID, TaskID: call.TaskID, Line: run.line.line, Caller: call.Caller,
		Callee: call.Called, RingTimeout: time.Duration(run.task.RingTimeoutSeconds) * time.Second, Prompts: run.prompts,
		Debug: run.debug, Variables: c.Variables}
	if e.cfg.Record {
		req.RecordingPath = telephony.RecordingPath(call.StartTime, run.rules.Location, call.Called, call.ID)
	}
	id := call.ID
	e.cfg.Originator.Originate(callCtx, req, func(ev telephony.Event) { e.push(item{kind: itemEvent, callID: id, ev: ev}) })
}

type tenantCaps struct{ hour, day int }

// caps returns the tenant's per-number caps (read at most once per poll).
func (e *Engine) caps(tenantID int64) tenantCaps {
	if c, ok := e.capsCache[tenantID]; ok {
		return c
	}
	t, err := e.cfg.Store.Tenant(e.sctx, tenantID)
	if err != nil {
		return tenantCaps{outdial.DefaultCapPerHour, outdial.DefaultCapPerDay}
	}
	c := tenantCaps{t.CapPerHour, t.CapPerDay}
	e.capsCache[tenantID] = c
	return c
}
