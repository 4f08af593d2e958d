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

// player sends 20 ms frames of the platform's audio, paced by diago's RTP writer, and
// copies them to the recording's platform channel.
type player struct {
	m       *callMedia
	w       *media.RTPPacketWriter
	pt      uint8
	pcm     [2 * frameSamples]byte
	samples [frameSamples]int16
	payload [frameSamples]byte
}

// play sends a telephony WAV file. It returns true when the call must stop, with the
// side that ended it.
func (p *player) play(ctx context.Context, path string) (outdial.HangupBy, bool) {
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
	r := bufio.NewReaderSize(io.LimitReader(f, info.DataSize), 16*1024)
	for {
		if by, stop := p.m.stopped(ctx); stop {
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
		if by, stop := p.send(ctx); stop {
			return by, true
		}
	}
}

// waitKeys sends silence until max keys were pressed (counting those pressed during
// the prompt) or timeout passes. It returns true when the call must stop.
func (p *player) waitKeys(ctx context.Context, max int, timeout time.Duration) (outdial.HangupBy, bool) {
	deadline := time.Now().Add(timeout)
	clear(p.samples[:])
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
		if by, stop := p.m.stopped(ctx); stop {
			return by, true
		}
		if by, stop := p.send(ctx); stop {
			return by, true
		}
	}
}

// send encodes p.samples, writes them (blocking until the frame's 20 ms slot) and
// records them.
func (p *player) send(ctx context.Context) (outdial.HangupBy, bool) {
	for i, v := range p.samples {
		if p.pt == media.CodecAudioAlaw.PayloadType {
			p.payload[i] = g711.EncodeAlawFrame(v)
		} else {
			p.payload[i] = g711.EncodeUlawFrame(v)
		}
	}
	if _, err := p.w.Write(p.payload[:]); err != nil {
		if errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
			if by, stop := p.m.stopped(ctx); stop {
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
