// Package sim is an in-process carrier on an injected clock: calls ring, are answered,
// talk and end by an outcome profile drawn from a seeded random source, so a whole day of
// a 50-channel campaign runs in virtual time in seconds, and every run with the same seed
// makes the same calls.
package sim

import (
	"context"
	"math/rand"
	"sync"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"
)

// Profile is how the simulated callees behave. Rates are probabilities; whatever the
// rates leave is answered. Durations are drawn uniformly from [Min, Max].
type Profile struct {
	Busy, NoAnswer, Invalid, Failure, Rejected, Unreachable float64
	// SetupMin/Max: from INVITE to ringing, busy or an error.
	SetupMin, SetupMax time.Duration
	// RingMin/Max: from ringing to answer (a no-answer rings until the request's timeout).
	RingMin, RingMax time.Duration
	// TalkMin/Max: from answer to hang-up.
	TalkMin, TalkMax time.Duration
	// CustomerHangs is the share of answered calls the customer ends (the rest the robot).
	CustomerHangs float64
	Seed          int64
	// Speedup divides the requests' ring timeouts too (set by Faster).
	Speedup int
}

// Faster returns the profile with every duration divided by n (n <= 1: unchanged).
func (p Profile) Faster(n int) Profile {
	if n <= 1 {
		return p
	}
	d := time.Duration(n)
	p.SetupMin, p.SetupMax, p.RingMin, p.RingMax = p.SetupMin/d, p.SetupMax/d, p.RingMin/d, p.RingMax/d
	p.TalkMin, p.TalkMax = p.TalkMin/d, p.TalkMax/d
	p.Speedup = n
	return p
}

// Plan is what one call will do.
type Plan struct {
	Result        outdial.Result
	Setup         time.Duration
	Ring          time.Duration
	Talk          time.Duration
	CustomerHangs bool
}

// Carrier is a simulated carrier. It implements telephony.Originator.
type Carrier struct {
	clock   outdial.Clock
	profile Profile
	// Decide, if set, overrides the profile for a request (tests give numbers fixed fates).
	Decide func(req telephony.Request) (Plan, bool)

	mu  sync.Mutex
	rng *rand.Rand
}

var _ telephony.Originator = (*Carrier)(nil)

// New returns a carrier on clock with profile p.
func New(clock outdial.Clock, p Profile) *Carrier {
	return &Carrier{clock: clock, profile: p, rng: rand.New(rand.NewSource(p.Seed))}
}

// plan draws the fate of one call.
func (c *Carrier) plan(req telephony.Request) Plan {
	if c.Decide != nil {
		if p, ok := c.Decide(req); ok {
			return p
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.profile
	between := func(lo, hi time.Duration) time.Duration {
		if hi <= lo {
			return lo
		}
		return lo + time.Duration(c.rng.Int63n(int64(hi-lo)+1))
	}
	pl := Plan{Setup: between(p.SetupMin, p.SetupMax), Ring: between(p.RingMin, p.RingMax), Talk: between(p.TalkMin, p.TalkMax)}
	x := c.rng.Float64()
	pl.Result = outdial.ResultAnswered
	for _, r := range []struct {
		rate float64
		res  outdial.Result
	}{{p.Busy, outdial.ResultBusy}, {p.NoAnswer, outdial.ResultNoAnswer}, {p.Invalid, outdial.ResultInvalidNumber},
		{p.Failure, outdial.ResultFailed}, {p.Rejected, outdial.ResultRejected}, {p.Unreachable, outdial.ResultUnreachable}} {
		if x < r.rate {
			pl.Result = r.res
			break
		}
		x -= r.rate
	}
	pl.CustomerHangs = c.rng.Float64() < p.CustomerHangs
	return pl
}

// sipStatus is the SIP final status a real carrier would send for a result.
var sipStatus = map[outdial.Result]int{
	outdial.ResultAnswered: 200, outdial.ResultBusy: 486, outdial.ResultNoAnswer: 487, outdial.ResultInvalidNumber: 404,
	outdial.ResultFailed: 503, outdial.ResultRejected: 603, outdial.ResultUnreachable: 480, outdial.ResultCancelled: 487,
}

// Originate places a simulated call: its events come from clock timers.
func (c *Carrier) Originate(ctx context.Context, req telephony.Request, report func(telephony.Event)) {
	pl := c.plan(req)
	call := &simCall{report: report, out: outdial.Outcome{StartTime: c.clock.Now()}}
	stop := context.AfterFunc(ctx, func() { call.end(c.clock.Now(), outdial.ResultCancelled, outdial.HangupPlatform) })
	call.mu.Lock()
	call.stop = stop
	call.mu.Unlock()
	timeout := req.RingTimeout
	if timeout <= 0 {
		timeout = time.Duration(outdial.DefaultRingTimeout) * time.Second
	}
	if c.profile.Speedup > 1 {
		timeout /= time.Duration(c.profile.Speedup)
	}
	switch pl.Result {
	case outdial.ResultAnswered:
		call.after(c.clock, pl.Setup, func(now time.Time) {
			call.ring(now)
			if pl.Ring >= timeout {
				call.after(c.clock, timeout, func(now time.Time) { call.end(now, outdial.ResultNoAnswer, outdial.HangupNone) })
				return
			}
			call.after(c.clock, pl.Ring, func(now time.Time) {
				call.answer(now)
				by := outdial.HangupPlatform
				if pl.CustomerHangs {
					by = outdial.HangupCustomer
				}
				call.after(c.clock, pl.Talk, func(now time.Time) { call.end(now, outdial.ResultAnswered, by) })
			})
		})
	case outdial.ResultNoAnswer:
		call.after(c.clock, pl.Setup, func(now time.Time) {
			call.ring(now)
			call.after(c.clock, timeout, func(now time.Time) { call.end(now, outdial.ResultNoAnswer, outdial.HangupNone) })
		})
	default:
		call.after(c.clock, pl.Setup, func(now time.Time) { call.end(now, pl.Result, outdial.HangupNone) })
	}
}

// simCall is one call's state; its timers and the cancel hook race, and the first end wins.
type simCall struct {
	mu     sync.Mutex
	ended  bool
	timer  outdial.Timer
	stop   func() bool
	out    outdial.Outcome
	report func(telephony.Event)
}

func (s *simCall) after(clock outdial.Clock, d time.Duration, f func(now time.Time)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.timer = clock.AfterFunc(d, func() { f(clock.Now()) })
}

func (s *simCall) ring(now time.Time) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.out.RingTime = now
	s.mu.Unlock()
	s.report(telephony.Event{Kind: telephony.Ringing, At: now})
}

func (s *simCall) answer(now time.Time) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.out.AnswerTime = now
	s.mu.Unlock()
	s.report(telephony.Event{Kind: telephony.Answered, At: now})
}

func (s *simCall) end(now time.Time, res outdial.Result, by outdial.HangupBy) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	if s.timer != nil {
		s.timer.Stop()
	}
	o, stop := s.out, s.stop
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	if res == outdial.ResultCancelled && !o.AnswerTime.IsZero() {
		res = outdial.ResultAnswered // hung up by the platform after the answer
	}
	o.Result, o.HangupBy, o.EndTime, o.SIPStatus = res, by, now, sipStatus[res]
	if res != outdial.ResultAnswered {
		o.HangupBy = outdial.HangupNone
	}
	s.report(telephony.Event{Kind: telephony.Ended, At: now, Outcome: &o})
}
