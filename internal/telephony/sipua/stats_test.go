package sipua

import (
	"context"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/carriersim"
	"github.com/outdial/outdial/internal/telephony"
)

func TestSeqCounterLost(t *testing.T) {
	cases := []struct {
		name string
		seqs []uint16
		lost int64
	}{
		{name: "none", seqs: []uint16{10, 11, 12, 13}},
		{name: "one gap", seqs: []uint16{10, 11, 13, 14}, lost: 1},
		{name: "reordered", seqs: []uint16{10, 12, 11, 13}},
		{name: "wrap-around", seqs: []uint16{65534, 65535, 0, 1}},
		{name: "gap across the wrap", seqs: []uint16{65534, 1, 2}, lost: 2},
		{name: "a duplicate hides a loss, as in RFC 3550", seqs: []uint16{5, 6, 6, 8}},
		{name: "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s seqCounter
			for _, q := range c.seqs {
				s.add(q)
			}
			if got := s.lost(); got != c.lost {
				t.Errorf("lost %d, want %d", got, c.lost)
			}
		})
	}
}

// A key wait keeps the stream alive with a silent frame every keepAlive instead of
// 50 frames a second; the prompt itself is sent frame by frame.
func TestKeyWaitSendsKeepAlives(t *testing.T) {
	sim := startSim(t, carriersim.Config{}) // digit 1: answers and listens
	ua, _ := newTestUA(t)
	line := &outdial.Line{ID: 1, Gateway: sim.Addr(), CallerNumbers: []string{"4001"}}
	req := telephony.Request{CallID: 7, Line: line, Caller: "4001", Callee: "13800000001",
		Prompts: []outdial.Prompt{{Audio: "tone.wav", WaitKeys: true, TimeoutSecs: 2}}}
	res := originate(t, ua, context.Background(), req, 15*time.Second)
	if o := res.outcome; o.Result != outdial.ResultAnswered || o.HangupBy != outdial.HangupPlatform {
		t.Fatalf("outcome %s (%s), hangup by %q", o.Result, o.Reason, o.HangupBy)
	}
	st := ua.MediaStats()
	const prompt = 50                               // tone.wav: 1 s of 20 ms frames
	const wait = int64(2 * time.Second / keepAlive) // about one frame per keepAlive
	if st.Sent < prompt+wait-1 || st.Sent > prompt+wait+2 {
		t.Errorf("sent %d packets, want the prompt's %d and about %d keep-alives", st.Sent, prompt, wait)
	}
}
