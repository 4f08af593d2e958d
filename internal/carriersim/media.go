package carriersim

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	omedia "github.com/outdial/outdial/internal/media"
)

// playTone plays a sine tone of freq Hz for d (at least one frame) in real time.
func (s *Sim) playTone(ctx context.Context, dlg *diago.DialogServerSession, freq float64, d time.Duration) error {
	pb, err := dlg.PlaybackCreate()
	if err != nil {
		return fmt.Errorf("carriersim: playback: %w", err)
	}
	samples := omedia.Tone(freq, max(d, 20*time.Millisecond), 8000, 0.3)
	pcm := make([]byte, 2*len(samples))
	for i, v := range samples {
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(v))
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if _, err := pb.Play(bytes.NewReader(pcm), "audio/pcm"); err != nil {
		return fmt.Errorf("carriersim: play: %w", err)
	}
	return nil
}

// listen reads the caller's RTP in the background, counting packets, until the media
// closes; stop waits for the reader to end once the dialog is over.
func (s *Sim) listen(dlg *diago.DialogServerSession) (stop func()) {
	r, err := dlg.AudioReader()
	if err != nil {
		return func() {}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, media.RTPBufSize)
		var n int64
		defer func() { s.count(func(st *Stats) { st.AudioPackets += n }) }()
		for fails := 0; ; {
			if _, err := r.Read(buf); err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || dlg.Context().Err() != nil {
					return
				}
				if fails++; fails > 100 {
					time.Sleep(10 * time.Millisecond) // a persistent error must not spin
				}
				continue
			}
			fails = 0
			n++
		}
	}()
	return func() {
		dlg.Close() // unblocks the reader: a local hangup alone does not
		wg.Wait()
	}
}

// sendDTMF presses key by RFC 4733 as many gateways do: the first event packet has
// duration 0 and the marker bit, updates every 20 ms, then three end packets.
func sendDTMF(ctx context.Context, dlg *diago.DialogServerSession, key byte) error {
	code := strings.IndexByte("0123456789*#ABCD", key)
	if code < 0 {
		return fmt.Errorf("carriersim: %q is not a DTMF key", key)
	}
	w := dlg.RTPPacketWriter
	sess := dlg.MediaSession()
	if w == nil || sess == nil {
		return errors.New("carriersim: no media")
	}
	pt := media.CodecTelephoneEvent8000.PayloadType
	for _, c := range sess.CommonCodecs() {
		if strings.EqualFold(c.Name, "telephone-event") {
			pt = c.PayloadType
		}
	}
	const step, end = 160, 1120 // 20 ms and 140 ms in 8 kHz units
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	send := func(dur uint16, last, marker bool) error {
		p := []byte{byte(code), 10, 0, 0}
		if last {
			p[1] |= 0x80
		}
		binary.BigEndian.PutUint16(p[2:], dur)
		_, err := w.WriteSamples(p, 0, marker, pt) // the timestamp stays the event's start
		return err
	}
	for dur := uint16(0); dur < end; dur += step {
		if err := send(dur, false, dur == 0); err != nil {
			return fmt.Errorf("carriersim: dtmf: %w", err)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for range 3 {
		if err := send(end, true, false); err != nil {
			return fmt.Errorf("carriersim: dtmf: %w", err)
		}
	}
	w.DelayTimestamp(end) // audio resumes after the event
	return nil
}
