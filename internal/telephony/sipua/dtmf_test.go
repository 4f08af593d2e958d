package sipua

import (
	"encoding/binary"
	"testing"
)

func dtmfPayload(code uint8, end bool, dur uint16) []byte {
	p := []byte{code, 10, 0, 0}
	if end {
		p[1] |= 0x80
	}
	binary.BigEndian.PutUint16(p[2:], dur)
	return p
}

type pkt struct {
	ts      uint32
	payload []byte
}

// event returns the packets of one key press as a sender emits them: a start packet of
// duration first, growing updates, then three end packets.
func event(ts uint32, code uint8, first uint16) []pkt {
	out := []pkt{{ts, dtmfPayload(code, false, first)}}
	for d := uint16(320); d <= 960; d += 320 {
		out = append(out, pkt{ts, dtmfPayload(code, false, d)})
	}
	for range 3 {
		out = append(out, pkt{ts, dtmfPayload(code, true, 1120)})
	}
	return out
}

func TestDTMFDetector(t *testing.T) {
	cat := func(ps ...[]pkt) []pkt {
		var out []pkt
		for _, p := range ps {
			out = append(out, p...)
		}
		return out
	}
	cases := []struct {
		name string
		pkts []pkt
		want string
	}{
		{"first packet duration 0 (sipp pcap, gateways)", event(13280, 1, 0), "1"},
		{"first packet duration 160", event(100, 5, 160), "5"},
		{"two presses of the same key", cat(event(100, 2, 0), event(900, 2, 0)), "22"},
		{"star and pound", cat(event(100, 10, 0), event(900, 11, 0)), "*#"},
		{"end packets lost", cat(event(100, 3, 0)[:3], event(900, 4, 0)), "34"},
		{"only end packets", event(100, 7, 0)[4:], "7"},
		{"flash is not a key", event(100, 16, 0), ""},
		{"short payload", []pkt{{1, []byte{1, 0x80}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d dtmfDetector
			got := ""
			for _, p := range c.pkts {
				got += d.feed(p.ts, p.payload)
			}
			if got != c.want {
				t.Errorf("keys %q, want %q", got, c.want)
			}
		})
	}
}

func FuzzDTMFDetector(f *testing.F) {
	f.Add(uint32(13280), []byte{1, 0x0a, 0, 0}, []byte{1, 0x8a, 8, 0xc0})
	f.Add(uint32(0), []byte{}, []byte{0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, ts uint32, a, b []byte) {
		var d dtmfDetector
		n := len(d.feed(ts, a)) + len(d.feed(ts, b)) + len(d.feed(ts+1, a)) + len(d.feed(ts+1, b))
		if n > 4 {
			t.Fatalf("%d keys from 4 packets", n)
		}
	})
}
