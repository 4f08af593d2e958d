// Package engine is outdial's dialer: for every running task it claims due contacts and
// starts each call only when every limit allows it (task and line concurrency, the pause
// between calls, the line's pacing and validity, calling windows, forbidden time groups,
// blocklists and per-number caps), hands it to telephony, and writes each outcome (CDR,
// contact state, webhook events) in one transaction, applying the task's recall rule.
//
// All decisions happen in one loop goroutine; telephony reports come in through a queue.
// Time comes from an injected clock, so the engine runs in virtual time in tests: a test
// advances the clock one timer at a time and calls Sync after each step.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"
)

// Notifier turns engine events into outbox messages (webhooks), written in the same
// transaction as the change they report.
type Notifier interface {
	// CallEnded returns the messages for a finished call.
	CallEnded(call *outdial.Call, contact *outdial.Contact, task *outdial.Task) []*outdial.OutboxMessage
	// TaskFinished returns the messages for a task whose contacts are all final.
	TaskFinished(task *outdial.Task) []*outdial.OutboxMessage
}

// Config is what an Engine needs.
type Config struct {
	Store      outdial.Store
	Originator telephony.Originator
	Clock      outdial.Clock
	// IDs makes call ids; NodeID names this engine's attempts for crash recovery.
	IDs    *outdial.CallIDs
	NodeID string
	Logger *slog.Logger
	// Metrics, if set, receives the engine's Prometheus metrics.
	Metrics   *Metrics
	Notifiers []Notifier
	// Poll is how often running tasks are re-read (other nodes, API changes); default 2 s.
	Poll time.Duration
	// Batch caps the contacts claimed per task per pass; default 200.
	Batch int
	// Record makes every answered call write a recording.
	Record bool
	// Observe, if set, sees every event of every call (tests, live progress displays).
	Observe func(call *outdial.Call, ev telephony.Event)
	// Started, if set, is called with each call once its attempt is recorded, before it
	// is handed to telephony (call.started webhooks).
	Started func(call *outdial.Call)
	// Written, if set, is called after outcomes and their outbox messages are committed
	// (to wake the webhook dispatcher).
	Written func()
}

// Engine dials running tasks. Create it with New, run it with Run.
type Engine struct {
	cfg Config
	log *slog.Logger

	qmu     sync.Mutex
	queue   []item
	signal  chan struct{}
	stopped bool

	tasks    map[int64]*taskRun
	lines    map[int64]*lineRun
	live     map[int64]*liveCall
	draining bool
	timer    outdial.Timer
	timerAt  time.Time
	lastPoll time.Time
	pending  []outdial.AttemptEnd // outcomes waiting to be written
	// writeFailures counts, by call id, the passes an outcome failed to be written.
	writeFailures map[int64]int
	waiters       []chan struct{} // Sync callers to release after this pass
	// capsCache holds tenants' per-number caps between refreshes.
	capsCache map[int64]tenantCaps
	lastPass  time.Time
	// sctx is the context of the store calls of the pass under way (see passTimeout).
	sctx context.Context
}

// item is one thing the loop must look at.
type item struct {
	kind   itemKind
	callID int64
	ev     telephony.Event
	sync   chan struct{}
}

type itemKind int

const (
	itemEvent itemKind = iota // a call event from telephony
	itemTimer                 // the engine's own wake-up timer
	itemWake                  // Wake: re-read tasks now
	itemSync                  // Sync: release the caller after this pass
)

// New returns an engine; call Run to start it.
func New(cfg Config) *Engine {
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IDs == nil {
		cfg.IDs = outdial.NewCallIDs(0)
	}
	return &Engine{cfg: cfg, log: cfg.Logger, signal: make(chan struct{}, 1), tasks: map[int64]*taskRun{},
		lines: map[int64]*lineRun{}, live: map[int64]*liveCall{}, capsCache: map[int64]tenantCaps{},
		writeFailures: map[int64]int{}}
}

// push queues an item for the loop; it never blocks. The signal is sent under the queue
// lock and cleared when the queue is drained, so a pending signal always means a
// non-empty queue (no empty passes, which matters for virtual-time tests).
func (e *Engine) push(it item) {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	if e.stopped {
		if it.sync != nil {
			close(it.sync)
		}
		return
	}
	e.queue = append(e.queue, it)
	select {
	case e.signal <- struct{}{}:
	default:
	}
}

// drain takes everything queued and clears the signal.
func (e *Engine) drain() []item {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	q := e.queue
	e.queue = nil
	select {
	case <-e.signal:
	default:
	}
	return q
}

// Wake makes the engine look at its tasks now (after a task starts or contacts arrive).
func (e *Engine) Wake() { e.push(item{kind: itemWake}) }

// Sync returns once the loop has handled everything queued before the call, including
// the scheduling pass that follows. Virtual-time tests call it after each clock step.
func (e *Engine) Sync() {
	done := make(chan struct{})
	e.push(item{kind: itemSync, sync: done})
	<-done
}

// Run recovers this node's interrupted attempts, then dials until ctx is cancelled. On
// cancel it starts no new calls and waits for live calls to end; cancelling drain (nil:
// never) hangs them up. It returns when the last call's outcome is written.
func (e *Engine) Run(ctx context.Context, drain context.Context) error {
	// A database that is not there yet (or for a while) delays the start; it does not end it.
	for {
		err := e.recover()
		if err == nil {
			break
		}
		e.log.Error("engine: recover interrupted calls; retrying in 2 s", "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("engine: recover interrupted calls: %w", err)
		case <-time.After(2 * time.Second):
		}
	}
	callCtx, hangup := context.WithCancel(context.Background())
	defer hangup()
	if drain != nil {
		stop := context.AfterFunc(drain, hangup)
		defer stop()
	}
	e.push(item{kind: itemWake})
	done := ctx.Done()
	for {
		select {
		case <-done:
			done = nil
			e.draining = true
			e.log.Info("engine draining", "live_calls", len(e.live))
		case <-e.signal:
		}
		e.pass(callCtx)
		if e.draining && len(e.live) == 0 && len(e.pending) == 0 {
			e.shutdown()
			return nil
		}
	}
}

// shutdown stops the timer and releases Sync callers.
func (e *Engine) shutdown() {
	e.qmu.Lock()
	e.stopped = true
	q := e.queue
	e.queue = nil
	e.qmu.Unlock()
	for _, it := range q {
		if it.sync != nil {
			close(it.sync)
		}
	}
	for _, w := range e.waiters {
		close(w)
	}
	if e.timer != nil {
		e.timer.Stop()
	}
}

// pass handles what is queued, writes outcomes, and starts the calls the limits allow.
func (e *Engine) pass(callCtx context.Context) {
	sctx, cancel := context.WithTimeout(context.Background(), passTimeout)
	defer cancel()
	e.sctx = sctx
	q := e.drain()
	now := e.cfg.Clock.Now()
	refresh := e.lastPoll.IsZero() || now.Sub(e.lastPoll) >= e.cfg.Poll
	for _, it := range q {
		switch it.kind {
		case itemSync:
			e.waiters = append(e.waiters, it.sync)
		case itemWake:
			refresh = true
		case itemTimer:
			e.timerAt = time.Time{}
		case itemEvent:
			e.onEvent(it.callID, it.ev, now)
		}
	}
	if err := e.flush(now); err != nil {
		e.log.Error("engine: write outcomes", "err", err)
	}
	if refresh {
		if err := e.refresh(now); err != nil {
			e.log.Error("engine: read tasks", "err", err)
		}
		e.lastPoll = now
	}
	next := e.lastPoll.Add(e.cfg.Poll)
	if !e.draining {
		if t := e.dial(callCtx, now); t.Before(next) {
			next = t
		}
	}
	e.metricsPass(now)
	e.arm(now, next)
	for _, w := range e.waiters {
		close(w)
	}
	e.waiters = nil
}

// arm sets the wake-up timer for next (not before now).
func (e *Engine) arm(now, next time.Time) {
	if !next.After(now) {
		next = now.Add(time.Millisecond)
	}
	if !e.timerAt.IsZero() && !e.timerAt.After(next) && e.timerAt.After(now) {
		return
	}
	if e.timer != nil {
		e.timer.Stop()
	}
	e.timerAt = next
	e.timer = e.cfg.Clock.AfterFunc(next.Sub(now), func() { e.push(item{kind: itemTimer}) })
}
