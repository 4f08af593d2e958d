package outdial

import (
	"sync"
	"time"
)

// Call ids are 64-bit and time-ordered: 42 bits of milliseconds since CallIDEpoch, 10 bits
// of node id and 11 bits of sequence. They are unique across up to 1024 nodes, sort by
// start time, and have 19 decimal digits from 2010 + 6 years until 2149, as seed 002's
// callId does.
const (
	callIDNodeBits = 10
	callIDSeqBits  = 11
	// MaxNodeID is the largest node id a CallIDs generator accepts.
	MaxNodeID = 1<<callIDNodeBits - 1
)

// CallIDEpoch is the zero of call id time.
var CallIDEpoch = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)

// CallIDs generates call ids for one node. It is safe for concurrent use.
type CallIDs struct {
	mu   sync.Mutex
	node int64
	ms   int64
	seq  int64
}

// NewCallIDs returns a generator for node (0 to MaxNodeID).
func NewCallIDs(node int) *CallIDs {
	return &CallIDs{node: int64(node) & MaxNodeID}
}

// Next returns a new id for a call started at t. Ids only grow: if t is before the last
// id's time (a clock step back, or 2048 ids in one millisecond), the id borrows the
// following millisecond.
func (g *CallIDs) Next(t time.Time) int64 {
	ms := t.Sub(CallIDEpoch).Milliseconds()
	g.mu.Lock()
	defer g.mu.Unlock()
	if ms <= g.ms {
		ms = g.ms
		g.seq++
		if g.seq >= 1<<callIDSeqBits {
			ms++
			g.seq = 0
		}
	} else {
		g.seq = 0
	}
	g.ms = ms
	return ms<<(callIDNodeBits+callIDSeqBits) | g.node<<callIDSeqBits | g.seq
}

// CallIDTime returns the instant encoded in a call id, to the millisecond.
func CallIDTime(id int64) time.Time {
	return CallIDEpoch.Add(time.Duration(id>>(callIDNodeBits+callIDSeqBits)) * time.Millisecond).UTC()
}

// CallIDFloor returns the smallest call id any node can give a call started at t, so a
// time range maps to an id range.
func CallIDFloor(t time.Time) int64 {
	ms := t.Sub(CallIDEpoch).Milliseconds()
	if ms < 0 {
		ms = 0
	}
	return ms << (callIDNodeBits + callIDSeqBits)
}
