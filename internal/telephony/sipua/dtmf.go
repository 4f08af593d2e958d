package sipua

import (
	"encoding/binary"
	"errors"
)

// dtmfEvent is one RFC 4733 telephone-event payload.
type dtmfEvent struct {
	Code     uint8
	End      bool
	Volume   uint8
	Duration uint16
}

var errShortDTMF = errors.New("telephone-event payload shorter than 4 bytes")

// parseDTMF decodes an RFC 4733 telephone-event payload (event, E/R/volume, duration).
func parseDTMF(p []byte) (dtmfEvent, error) {
	if len(p) < 4 {
		return dtmfEvent{}, errShortDTMF
	}
	return dtmfEvent{
		Code:     p[0],
		End:      p[1]&0x80 != 0,
		Volume:   p[1] & 0x3f,
		Duration: binary.BigEndian.Uint16(p[2:4]),
	}, nil
}

const dtmfKeys = "0123456789*#ABCD"

// dtmfDetector turns a stream of telephone-event packets into key presses. An event is
// the run of packets sharing one RTP timestamp; it counts once, at its first end packet,
// whatever its packets' durations (some gateways and SIPp's pcaps start with duration 0,
// which diago's reader drops). An event whose end packets were all lost counts when the
// next event starts.
type dtmfDetector struct {
	active  bool
	ts      uint32
	code    uint8
	emitted bool
}

// feed takes one telephone-event packet and returns the keys it completes (usually none
// or one; two when it starts an event while the previous one never ended).
func (d *dtmfDetector) feed(ts uint32, payload []byte) string {
	ev, err := parseDTMF(payload)
	if err != nil || int(ev.Code) >= len(dtmfKeys) {
		return ""
	}
	if d.active && ts == d.ts && ev.Code == d.code {
		if ev.End && !d.emitted {
			d.emitted = true
			return dtmfKeys[ev.Code : ev.Code+1]
		}
		return ""
	}
	var out string
	if d.active && !d.emitted {
		out = dtmfKeys[d.code : d.code+1]
	}
	d.active, d.ts, d.code, d.emitted = true, ts, ev.Code, ev.End
	if ev.End {
		out += dtmfKeys[ev.Code : ev.Code+1]
	}
	return out
}
