package sipua

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/emiago/diago/media"
	"github.com/outdial/outdial"
	omedia "github.com/outdial/outdial/internal/media"
	"github.com/zaf/g711"
)

// frameTime is the audio one RTP frame carries.
const frameTime = 20 * time.Millisecond

// maxBehind is how far playback may fall behind its schedule and still catch up by
// sending the missed frames at once; beyond it the missed slots are given up.
const maxBehind = 100 * time.Millisecond

// player sends the platform's audio as 20 ms RTP frames and copies them to the
// recording's platform channel. Frames are due every 20 ms (their slots) from the
// call's first frame. A frame that misses its slot goes out at once, so the stream
// catches up; one more than maxBehind late gives up the missed slots and moves the RTP
// timestamp on by as much, so the far end hears a gap instead of a delay that never
// shrinks. Key waits send only a keep-alive frame now and then, and move the schedule
// on the same way.
type player struct {
	m      *callMedia
	w      *media.RTPPacketWriter
	pt     uint8
	hungUp <-chan struct{} // the dialog ended: the customer hung up
	cancel <-chan struct{} // the call's context ended: the platform hangs up

	timer  *time.Timer
	next   time.Time // the next frame's slot; zero before the first frame
	marker bool      // the next frame starts a talkspurt (RTP marker bit)

	sent, late int64
	maxLate    time.Duration

	pcm     [2 * frameSamples]byte
	samples [frameSamples]int16
	// payload is allocated apart: diago's writer keeps the last packet's payload, and
	// sipgo keeps the dialog (and so the writer) for 32 s after the call (the INVITE
	// transaction's Timer M), which must not keep the player and its call too.
	payload []byte
}

func newPlayer(ctx context.Context, m *callMedia, pt uint8) *player {
	return &player{m: m, w: m.d.RTPPacketWriter, pt: pt, hungUp: m.d.Context().Done(), cancel: ctx.Done(),
		payload: make([]byte, frameSamples)}
}

// close stops the player's timer and adds its counts to the UA's MediaStats.
func (p *player) close() {
	if p.timer != nil {
		p.timer.Stop()
	}
	p.m.c.u.stats.addSent(p.sent, p.late, p.maxLate)
}

// stopped reports whether the call must stop playing, and who ended it.
func (p *player) stopped() (outdial.HangupBy, bool) {
	select {
	case <-p.hungUp:
		return outdial.HangupCustomer, true
	case <-p.cancel:
		return outdial.HangupPlatform, true
	default:
		return "", false
	}
}

// play sends a prompt's audio. It returns true when the call must stop, with the side
// that ended it.
func (p *player) play(a *promptAudio) (outdial.HangupBy, bool) {
	if a.samples == nil {
		return p.playFile(a.path)
	}
	for i := 0; i < len(a.samples); i += frameSamples {
		if by, stop := p.stopped(); stop {
			return by, true
		}
		n := copy(p.samples[:], a.samples[i:])
		clear(p.samples[n:])
		if by, stop := p.send(); stop {
			return by, true
		}
	}
	return "", false
}

// playFile sends a telephony WAV file as it reads it.
func (p *player) playFile(path string) (outdial.HangupBy, bool) {
	f, err := os.Open(path)
	if err != nil {
		p.m.c.log.Error("prompt unreadable", slog.Any("error", err))
		return "", false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", false
	}
	info, err := omedia.ParseWAVHeader(f, st.Size())
	if err == nil && !info.IsTelephony() {
		err = errors.New("not 8 kHz mono 16-bit PCM")
	}
	if err == nil {
		_, err = f.Seek(info.DataOffset, io.SeekStart)
	}
	if err != nil {
		p.m.c.log.Error("prompt unplayable", slog.String("file", path), slog.Any("error", err))
		return "", false
	}
	r := bufio.NewReaderSize(io.LimitReader(f, info.DataSize), int(min(info.DataSize, 16*1024)))
	for {
		if by, stop := p.stopped(); stop {
			return by, true
		}
		n, _ := io.ReadFull(r, p.pcm[:])
		if n == 0 {
			return "", false
		}
		clear(p.pcm[n:])
		for i := range p.samples {
			p.samples[i] = int16(uint16(p.pcm[2*i]) | uint16(p.pcm[2*i+1])<<8)
		}
		if by, stop := p.send(); stop {
			return by, true
		}
	}
}

// keepAlive is how often a key wait sends a silent frame. In between it sends nothing
// (RFC 3551 lets a sender fall quiet in silence): continuous silence costs 25 times the
// packets, while a frame every half second keeps NAT bindings and carriers' RTP
// inactivity timers (tens of seconds) satisfied.
const keepAlive = 500 * time.Millisecond

// waitKeys waits until max keys were pressed (counting those pressed during the
// prompt) or timeout passes, sending a silent frame every keepAlive. It returns true
// when the call must stop.
func (p *player) waitKeys(max int, timeout time.Duration) (outdial.HangupBy, bool) {
	deadline := time.Now().Add(timeout)
	clear(p.samples[:])
	defer func() { p.skipTo(time.Now()) }() // what follows starts a new talkspurt
	for got := 0; ; {
		for drained := false; !drained; {
			select {
			case <-p.m.keyCh:
				got++
			default:
				drained = true
			}
		}
		if got >= max || !time.Now().Before(deadline) {
			return "", false
		}
		if by, stop := p.send(); stop {
			return by, true
		}
		p.resetTimer(min(keepAlive, time.Until(deadline)))
		select {
		case <-p.m.keyCh:
			got++
		case <-p.timer.C:
		case <-p.hungUp:
			return outdial.HangupCustomer, true
		case <-p.cancel:
			return outdial.HangupPlatform, true
		}
		p.skipTo(time.Now())
	}
}

// send encodes p.samples, waits for the frame's slot, writes it and records it.
func (p *player) send() (outdial.HangupBy, bool) {
	for i, v := range p.samples {
		if p.pt == media.CodecAudioAlaw.PayloadType {
			p.payload[i] = g711.EncodeAlawFrame(v)
		} else {
			p.payload[i] = g711.EncodeUlawFrame(v)
		}
	}
	if by, stop := p.waitSlot(); stop {
		return by, true
	}
	_, err := p.w.WriteSamples(p.payload, frameSamples, p.marker, p.pt)
	p.marker = false
	p.sent++
	if err != nil {
		if errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
			if by, stop := p.stopped(); stop {
				return by, true
			}
			return outdial.HangupPlatform, true
		}
		// A lost packet (e.g. an ICMP error) is not the end of the call.
	}
	if rec := p.m.rec.Load(); rec != nil {
		rec.write(chPlatform, p.samples[:], time.Now())
	}
	return "", false
}

// waitSlot waits for the next frame's slot and counts the frame late if it is more than
// LateAfter past it. It returns true if the call ended meanwhile.
func (p *player) waitSlot() (outdial.HangupBy, bool) {
	now := time.Now()
	if p.next.IsZero() {
		p.next, p.marker = now, true
	}
	if wait := p.next.Sub(now); wait > 0 {
		p.resetTimer(wait)
		select {
		case <-p.timer.C:
		case <-p.hungUp:
			return outdial.HangupCustomer, true
		case <-p.cancel:
			return outdial.HangupPlatform, true
		}
		now = time.Now()
	}
	if late := now.Sub(p.next); late > LateAfter {
		p.late++
		p.maxLate = max(p.maxLate, late)
		if late > maxBehind {
			missed := late / frameTime
			p.next = p.next.Add(missed * frameTime)
			p.w.DelayTimestamp(uint32(missed) * frameSamples)
			p.marker = true
		}
	}
	p.next = p.next.Add(frameTime)
	return "", false
}

// skipTo moves the schedule on to the first slot at or after t without sending the
// slots in between: the RTP timestamp jumps as far, and the next frame starts a
// talkspurt (marker bit). It is not late.
func (p *player) skipTo(t time.Time) {
	if p.next.IsZero() || !t.After(p.next) {
		return
	}
	missed := (t.Sub(p.next) + frameTime - 1) / frameTime
	p.next = p.next.Add(missed * frameTime)
	p.w.DelayTimestamp(uint32(missed) * frameSamples)
	p.marker = true
}

// resetTimer arms the player's timer to fire after d.
func (p *player) resetTimer(d time.Duration) {
	if p.timer == nil {
		p.timer = time.NewTimer(d)
		return
	}
	p.timer.Reset(d)
}
