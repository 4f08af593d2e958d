package sipua

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/outdial/outdial"
	"github.com/zaf/g711"
)

// frameSamples is one 20 ms G.711 frame at 8 kHz.
const frameSamples = 160

// callMedia is the RTP side of a call: one goroutine reads the customer's audio and
// DTMF; the call's goroutine plays the script, paced by its player.
type callMedia struct {
	c *call
	d *diago.DialogClientSession

	readOnce   sync.Once
	readerDone chan struct{}
	answered   atomic.Bool  // before the answer, received audio is early media: dropped
	dtmfPT     atomic.Int32 // negotiated telephone-event payload type
	rec        atomic.Pointer[recorder]

	keyCh   chan byte // keys not yet consumed by a prompt's wait
	mu      sync.Mutex
	pressed []byte // every key of the call, in order

	closeOnce sync.Once
	recording string // the data-relative recording path, once written
}

func newCallMedia(c *call, d *diago.DialogClientSession) *callMedia {
	m := &callMedia{c: c, d: d, keyCh: make(chan byte, 64)}
	m.dtmfPT.Store(int32(media.CodecTelephoneEvent8000.PayloadType))
	return m
}

// startReading starts the receiving goroutine once media is negotiated.
func (m *callMedia) startReading() {
	m.readOnce.Do(func() {
		r := m.d.RTPPacketReader
		if r == nil {
			return
		}
		m.readerDone = make(chan struct{})
		go m.readLoop(r)
	})
}

// readLoop reads RTP until the media closes: DTMF events become keys, audio goes to
// the recording's customer channel.
func (m *callMedia) readLoop(r *media.RTPPacketReader) {
	defer close(m.readerDone)
	buf := make([]byte, media.RTPBufSize)
	pcm := make([]int16, 0, 2*frameSamples)
	var det dtmfDetector
	var seq seqCounter
	defer func() {
		m.c.u.stats.received.Add(seq.received)
		m.c.u.stats.lost.Add(seq.lost())
	}()
	for fails := 0; ; {
		n, err := r.Read(buf)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || (fails > 10 && m.d.Context().Err() != nil) {
				return
			}
			if fails++; fails > 100 {
				time.Sleep(10 * time.Millisecond) // a persistent error must not spin
			}
			continue
		}
		fails = 0
		if n == 0 || !m.answered.Load() {
			continue
		}
		hdr := r.PacketHeader
		switch pt := hdr.PayloadType; {
		case int32(pt) == m.dtmfPT.Load():
			for _, k := range []byte(det.feed(hdr.Timestamp, buf[:n])) {
				m.addKey(k)
			}
		case pt == media.CodecAudioAlaw.PayloadType || pt == media.CodecAudioUlaw.PayloadType:
			seq.add(hdr.SequenceNumber)
			if rec := m.rec.Load(); rec != nil {
				pcm = decodeG711(pcm[:0], buf[:n], pt)
				rec.write(chCustomer, pcm, time.Now())
			}
		}
	}
}

func (m *callMedia) addKey(k byte) {
	m.mu.Lock()
	m.pressed = append(m.pressed, k)
	m.mu.Unlock()
	select {
	case m.keyCh <- k:
	default:
	}
	m.c.log.Debug("dtmf", slog.String("key", string(k)))
}

// keys returns every key pressed during the call.
func (m *callMedia) keys() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return string(m.pressed)
}

// runScript plays the request's prompts, waits for keys where asked, and returns who
// ended the call: the customer (BYE) or the platform (script over, or ctx cancelled).
func (m *callMedia) runScript(ctx context.Context) outdial.HangupBy {
	req := m.c.req
	if len(req.Prompts) == 0 && req.RecordingPath == "" {
		return outdial.HangupPlatform
	}
	sess := m.d.MediaSession()
	if sess == nil || m.d.RTPPacketWriter == nil {
		m.c.log.Warn("answered without media")
		return outdial.HangupPlatform
	}
	codec := media.CodecAudioFromSession(sess)
	if codec.PayloadType != media.CodecAudioAlaw.PayloadType && codec.PayloadType != media.CodecAudioUlaw.PayloadType {
		m.c.log.Warn("unsupported codec", slog.String("codec", codec.Name))
		return outdial.HangupPlatform
	}
	for _, c := range sess.CommonCodecs() {
		if strings.EqualFold(c.Name, "telephone-event") && c.SampleRate == 8000 {
			m.dtmfPT.Store(int32(c.PayloadType))
		}
	}
	if req.RecordingPath != "" && !filepath.IsLocal(filepath.FromSlash(req.RecordingPath)) {
		m.c.log.Error("recording path outside the data directory", slog.String("path", req.RecordingPath))
	} else if req.RecordingPath != "" {
		rec, err := newRecorder(filepath.Join(m.c.u.cfg.DataDir, filepath.FromSlash(req.RecordingPath)), m.c.out.AnswerTime)
		if err != nil {
			m.c.log.Error("recording not started", slog.Any("error", err))
		} else {
			m.rec.Store(rec)
		}
	}
	m.answered.Store(true)
	m.startReading()
	p := newPlayer(ctx, m, codec.PayloadType)
	defer p.close()
	for i, pr := range req.Prompts {
		m.drainKeys()
		if by, stop := p.play(m.c.prompts[i]); stop {
			return by
		}
		if pr.WaitKeys {
			keys, timeout := pr.MaxKeys, time.Duration(pr.TimeoutSecs)*time.Second
			if keys <= 0 {
				keys = 1
			}
			if timeout <= 0 {
				timeout = 5 * time.Second
			}
			if by, stop := p.waitKeys(keys, timeout); stop {
				return by
			}
		}
	}
	return outdial.HangupPlatform
}

func (m *callMedia) drainKeys() {
	for {
		select {
		case <-m.keyCh:
		default:
			return
		}
	}
}

// close ends the dialog's media, waits for the receiving goroutine and finishes the
// recording. It is idempotent.
func (m *callMedia) close() {
	m.closeOnce.Do(func() {
		if err := m.d.Close(); err != nil {
			m.c.log.Debug("closing dialog", slog.Any("error", err))
		}
		if m.readerDone != nil {
			select {
			case <-m.readerDone:
			case <-time.After(5 * time.Second):
				m.c.log.Error("RTP reader did not stop")
			}
		}
		if rec := m.rec.Swap(nil); rec != nil {
			ok, err := rec.Close()
			if err != nil {
				m.c.log.Error("recording failed", slog.Any("error", err))
			}
			if ok {
				m.recording = m.c.req.RecordingPath
			}
		}
	})
}

// decodeG711 appends the linear samples of a PCMA or PCMU payload to dst.
func decodeG711(dst []int16, payload []byte, pt uint8) []int16 {
	for _, b := range payload {
		if pt == media.CodecAudioAlaw.PayloadType {
			dst = append(dst, g711.DecodeAlawFrame(b))
		} else {
			dst = append(dst, g711.DecodeUlawFrame(b))
		}
	}
	return dst
}
