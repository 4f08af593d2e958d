package sipua

import (
	"sync/atomic"
	"time"
)

// LateAfter is how long after its 20 ms slot an outgoing audio packet counts as late.
const LateAfter = 10 * time.Millisecond

// MediaStats counts the RTP audio of the calls a UA placed, since it started.
type MediaStats struct {
	// Sent is how many audio packets prompts and key waits sent.
	Sent int64
	// Late is how many of them were sent more than LateAfter after their slot. A call's
	// frames are due every 20 ms from its first one; a key wait (which sends only a
	// keep-alive frame now and then) moves the schedule on, as does a stall of more than
	// 100 ms (see player).
	Late int64
	// MaxLate is the worst lateness of a sent packet.
	MaxLate time.Duration
	// Received is how many audio packets arrived after the answer.
	Received int64
	// Lost is how many packets were missing from the received sequence numbers: per
	// call, the span from the first to the highest sequence number, minus what arrived.
	Lost int64
}

// mediaCounters accumulates MediaStats; calls add their totals when they end.
type mediaCounters struct {
	sent, late, maxLate, received, lost atomic.Int64
}

// MediaStats returns the UA's RTP counters.
func (u *UA) MediaStats() MediaStats {
	c := &u.stats
	return MediaStats{Sent: c.sent.Load(), Late: c.late.Load(), MaxLate: time.Duration(c.maxLate.Load()),
		Received: c.received.Load(), Lost: c.lost.Load()}
}

func (c *mediaCounters) addSent(sent, late int64, maxLate time.Duration) {
	c.sent.Add(sent)
	c.late.Add(late)
	for cur := c.maxLate.Load(); int64(maxLate) > cur && !c.maxLate.CompareAndSwap(cur, int64(maxLate)); cur = c.maxLate.Load() {
	}
}

// seqCounter counts the audio packets of one received stream and the gaps in their
// sequence numbers (extended over wrap-arounds).
type seqCounter struct {
	started  bool
	first    int64
	highest  int64
	received int64
}

func (s *seqCounter) add(seq uint16) {
	s.received++
	if !s.started {
		s.started, s.first, s.highest = true, int64(seq), int64(seq)
		return
	}
	// Place seq at the extended number nearest to the highest so far.
	ext := s.highest&^0xffff | int64(seq)
	switch d := ext - s.highest; {
	case d > 0x8000:
		ext -= 0x10000
	case d < -0x8000:
		ext += 0x10000
	}
	if ext > s.highest {
		s.highest = ext
	}
}

// lost returns how many packets between the first and the highest never arrived.
func (s *seqCounter) lost() int64 {
	if !s.started {
		return 0
	}
	return max(0, s.highest-s.first+1-s.received)
}
