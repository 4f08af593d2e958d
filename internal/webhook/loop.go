package webhook

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/outdial/outdial"
)

// delivery is one claimed message on its way: queued for its host, sent, then recorded.
type delivery struct {
	m        *outdial.OutboxMessage
	host     string
	queuedAt time.Time
	attempt  outdial.DeliveryAttempt
	elapsed  time.Duration // wall time of the HTTP exchange, for the latency histogram
	// skip: nothing was attempted (the store could not be read); the lease brings the
	// message back.
	skip bool
}

// loop is the dispatcher's one goroutine that claims messages and starts deliveries.
// Everything in it but pollArmed belongs to that goroutine.
type loop struct {
	d        *Dispatcher
	inflight int
	waiting  int
	hosts    map[string]*host
	more     bool // the last claim was full: more may be due
	// claiming is the size of the claim in progress (0: none); again asks for another
	// claim when it ends (something woke the loop meanwhile).
	claiming  int
	again     bool
	claims    chan claimed
	pollArmed atomic.Bool
	poll      outdial.Timer
}

// claimed is the answer to one claim.
type claimed struct {
	msgs     []*outdial.OutboxMessage
	err      error
	leaseEnd time.Time // the lease the claim gave its messages
}

func newLoop(d *Dispatcher) *loop {
	return &loop{d: d, hosts: map[string]*host{}, claims: make(chan claimed, 1)}
}

// run claims and dispatches until ctx ends, then waits for the deliveries in flight.
// Claims run in their own goroutine, so deliveries keep starting while one runs.
func (l *loop) run(ctx context.Context) {
	d := l.d
	l.claim(ctx)
	for {
		l.armPoll()
		select {
		case <-ctx.Done():
			l.stop()
			return
		case <-d.wake:
			l.releaseStalled()
			l.claim(ctx)
		case c := <-l.claims:
			l.received(ctx, c)
		case dl := <-d.done:
			l.finished(dl)
			for more := true; more; {
				select {
				case dl := <-d.done:
					l.finished(dl)
				default:
					more = false
				}
			}
			l.releaseStalled()
			if l.more && l.free() >= l.budget()/2 {
				l.claim(ctx)
			}
		}
	}
}

// budget is how many claimed messages the loop holds at most, in flight or queued: more
// than Workers, so claims come in batches (fewer transactions) and a host's next
// deliveries are ready when a slot frees.
func (l *loop) budget() int { return 4 * l.d.cfg.Workers }

// free is how many more messages the loop may claim.
func (l *loop) free() int { return l.budget() - l.inflight - l.waiting - l.claiming }

// claim starts leasing as many due messages as there is room for, unless a claim is
// running already (then it runs again when that one ends).
func (l *loop) claim(ctx context.Context) {
	if l.claiming > 0 {
		l.again = true
		return
	}
	n := l.free()
	if n <= 0 || ctx.Err() != nil {
		return
	}
	l.claiming, l.again = n, false
	d := l.d
	now := d.cfg.Clock.Now()
	go func() {
		msgs, err := d.cfg.Store.ClaimOutbox(ctx, d.cfg.Node, now, d.cfg.Lease, n)
		l.claims <- claimed{msgs, err, now.Add(d.cfg.Lease)}
	}()
}

// received dispatches the messages of a claim. It claims again at once when the claim
// was full and some messages were left to their lease (stalled hosts: a hanging
// receiver's backlog is stepped over quickly), or when something woke the loop meanwhile.
func (l *loop) received(ctx context.Context, c claimed) {
	d := l.d
	n := l.claiming
	l.claiming = 0
	if c.err != nil {
		if ctx.Err() == nil {
			d.log.Error("webhook: claim outbox", "err", c.err)
			// The claim may have committed although its answer was lost: give back what
			// it may have leased now rather than when the lease ends. (If that fails too,
			// the lease brings them back.)
			rctx, cancel := context.WithTimeout(ctx, 2*time.Second) // the loop must not wait on a slow database
			n, err := d.cfg.Store.ReleaseLease(rctx, d.cfg.Node, c.leaseEnd, d.cfg.Clock.Now())
			cancel()
			if err == nil && n > 0 {
				d.log.Warn("webhook: took back messages a failed claim had leased", "messages", n)
				l.more = true
				return
			}
		}
		l.more = false
		return
	}
	l.more = len(c.msgs) == n
	now := d.cfg.Clock.Now()
	left := 0
	for _, m := range c.msgs {
		if !l.dispatch(&delivery{m: m, host: hostOf(m.URL), queuedAt: now}) {
			left++
		}
	}
	if l.again || l.more && left > 0 {
		l.claim(ctx)
	}
}

// armPoll makes sure a poll timer is pending.
func (l *loop) armPoll() {
	if l.pollArmed.CompareAndSwap(false, true) {
		l.poll = l.d.cfg.Clock.AfterFunc(l.d.cfg.Poll, func() {
			l.pollArmed.Store(false)
			l.d.Wake()
		})
	}
}

// stop drops what waits (its leases bring it back) and waits for what is in flight.
func (l *loop) stop() {
	if l.poll != nil {
		l.poll.Stop()
	}
	for _, h := range l.hosts {
		h.queue = nil
	}
	l.waiting = 0
	for l.inflight > 0 {
		l.finished(<-l.d.done)
	}
	if l.claiming > 0 {
		<-l.claims // what it claimed comes back when the lease ends
	}
}
