// Package telephony is the seam between the dialing engine and whatever places calls: a
// call request goes in, events and finally one Outcome come out. The engine never imports
// SIP; sipua (real SIP and RTP) and sim (a carrier on a virtual clock) implement it.
package telephony

import (
	"context"
	"strconv"
	"time"

	"github.com/outdial/outdial"
)

// Request is one call to place.
type Request struct {
	CallID   int64
	TenantID int64
	TaskID   int64
	// Line is the trunk to call through, with its credentials.
	Line        *outdial.Line
	Caller      string
	Callee      string
	RingTimeout time.Duration
	// Prompts is the script the answered call runs; Debug speaks every prompt by TTS.
	Prompts   []outdial.Prompt
	Debug     bool
	Variables map[string]string
	// RecordingPath, when not empty, is where to write the call's stereo WAV, relative
	// to the data directory (see RecordingPath).
	RecordingPath string
}

// EventKind names a call event.
type EventKind int

// Call events, in the order they can happen. Every call reports exactly one Ended, last.
const (
	Ringing EventKind = iota + 1
	Answered
	Ended
)

// Event is something that happened to a call.
type Event struct {
	Kind EventKind
	At   time.Time
	// Outcome is set on Ended.
	Outcome *outdial.Outcome
}

// Originator places calls.
type Originator interface {
	// Originate starts placing req and returns at once. The call's events go to report,
	// from any goroutine, ending with exactly one Ended. Cancelling ctx ends the call
	// (CANCEL before answer, BYE after) with result cancelled, or the answered result with
	// the platform as the side that hung up.
	Originate(ctx context.Context, req Request, report func(Event))
}

// RecordingPath returns the data-relative path of a call's recording:
// recordings/YYYY-MM-DD/<YYYYMMDDhhmmss>_<callee>_<callid>.wav, in loc's time.
func RecordingPath(start time.Time, loc *time.Location, callee string, callID int64) string {
	t := start.In(loc)
	return "recordings/" + t.Format("2006-01-02") + "/" + t.Format("20060102150405") + "_" +
		safeName(callee) + "_" + strconv.FormatInt(callID, 10) + ".wav"
}

func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+') {
			b[i] = '_'
		}
	}
	return string(b)
}
