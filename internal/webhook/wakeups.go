package webhook

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"github.com/outdial/outdial"
)

// maxWakeups bounds the retry instants remembered; later ones are found by polling.
const maxWakeups = 4096

// wakeups wakes the dispatcher at each retry instant it scheduled, on the clock, with
// one timer for the earliest. (Retries would be found by polling anyway; this makes
// each land at its exact offset.)
type wakeups struct {
	clock   outdial.Clock
	wake    func()
	mu      sync.Mutex
	at      timeHeap
	timer   outdial.Timer
	timerAt time.Time
	stopped bool
}

// add asks for a wake-up at t.
func (w *wakeups) add(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || len(w.at) >= maxWakeups {
		return
	}
	heap.Push(&w.at, t)
	if w.timer == nil || t.Before(w.timerAt) {
		w.arm()
	}
}

// arm sets the timer for the earliest instant; w.mu is held.
func (w *wakeups) arm() {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	if len(w.at) == 0 {
		return
	}
	w.timerAt = w.at[0]
	w.timer = w.clock.AfterFunc(w.timerAt.Sub(w.clock.Now()), w.fire)
}

func (w *wakeups) fire() {
	w.mu.Lock()
	now := w.clock.Now()
	for len(w.at) > 0 && !w.at[0].After(now) {
		heap.Pop(&w.at)
	}
	w.timer = nil
	if !w.stopped {
		w.arm()
	}
	w.mu.Unlock()
	w.wake()
}

func (w *wakeups) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	if w.timer != nil {
		w.timer.Stop()
	}
}

type timeHeap []time.Time

func (h timeHeap) Len() int           { return len(h) }
func (h timeHeap) Less(i, j int) bool { return h[i].Before(h[j]) }
func (h timeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timeHeap) Push(x any)        { *h = append(*h, x.(time.Time)) }
func (h *timeHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// subscriptionCache keeps subscriptions (and their absence) for ttl, so deliveries do not
// read the store each time; a changed secret or schedule is used within ttl.
type subscriptionCache struct {
	store Store
	clock outdial.Clock
	ttl   time.Duration
	mu    sync.Mutex
	m     map[[2]int64]cachedSubscription
}

type cachedSubscription struct {
	sub *outdial.Subscription
	err error // nil or ENOTFOUND
	at  time.Time
}

// get returns the tenant's subscription id.
func (c *subscriptionCache) get(tenantID, id int64) (*outdial.Subscription, error) {
	key := [2]int64{tenantID, id}
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl && !now.Before(e.at) {
		return e.sub, e.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := c.store.Subscription(ctx, tenantID, id)
	if err != nil && outdial.ErrorCode(err) != outdial.ENOTFOUND {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[[2]int64]cachedSubscription{}
	}
	c.m[key] = cachedSubscription{sub: sub, err: err, at: now}
	c.mu.Unlock()
	return sub, err
}
