// Package clock provides a virtual clock for tests and simulations: time stands still
// until the test advances it, and timers fire in deadline order, each at its own instant.
package clock

import (
	"container/heap"
	"sync"
	"time"

	"github.com/outdial/outdial"
)

// Virtual is an outdial.Clock whose time moves only when Advance, AdvanceTo or Next is
// called. Timer functions run synchronously in the goroutine that advances the clock,
// with Now equal to their deadline.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    int64
}

var _ outdial.Clock = (*Virtual)(nil)

// NewVirtual returns a virtual clock reading start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// AfterFunc schedules f at Now()+d (d <= 0 means at the next advance, at Now).
func (v *Virtual) AfterFunc(d time.Duration, f func()) outdial.Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	if d < 0 {
		d = 0
	}
	v.seq++
	t := &vtimer{clock: v, at: v.now.Add(d), seq: v.seq, f: f, index: -1}
	heap.Push(&v.timers, t)
	return t
}

// Next fires the earliest timer due at or before limit, moving the clock to its deadline,
// and reports whether there was one. With none due, the clock does not move.
func (v *Virtual) Next(limit time.Time) bool {
	v.mu.Lock()
	if len(v.timers) == 0 || v.timers[0].at.After(limit) {
		v.mu.Unlock()
		return false
	}
	t := heap.Pop(&v.timers).(*vtimer)
	if t.at.After(v.now) {
		v.now = t.at
	}
	v.mu.Unlock()
	t.f()
	return true
}

// NextAt returns the deadline of the earliest pending timer; false if there is none.
func (v *Virtual) NextAt() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.timers) == 0 {
		return time.Time{}, false
	}
	return v.timers[0].at, true
}

// AdvanceTo fires, in order, every timer due at or before t, then sets the clock to t.
func (v *Virtual) AdvanceTo(t time.Time) {
	for v.Next(t) {
	}
	v.mu.Lock()
	if t.After(v.now) {
		v.now = t
	}
	v.mu.Unlock()
}

// Advance is AdvanceTo(Now()+d).
func (v *Virtual) Advance(d time.Duration) { v.AdvanceTo(v.Now().Add(d)) }

// Pending returns the number of timers not yet fired or stopped.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.timers)
}

type vtimer struct {
	clock *Virtual
	at    time.Time
	seq   int64
	f     func()
	index int
}

func (t *vtimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.clock.timers, t.index)
	return true
}

type timerHeap []*vtimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*vtimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
