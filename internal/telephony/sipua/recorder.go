package sipua

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/outdial/outdial/internal/media"
)

// Recording channels: the customer (what the call receives) on the left, the platform
// (what the call plays) on the right.
const (
	chCustomer = 0
	chPlatform = 1
)

const (
	recRate   = 8000
	recGap    = recRate * 60 / 1000 // audio later than this (60 ms) behind the clock is placed at the clock: a gap is silence
	recAhead  = recRate             // audio more than 1 s ahead of the clock is a burst and is dropped
	recWindow = 2 * recRate         // frames kept in memory before the oldest second is written
)

// recorder writes a call's two directions, aligned on the wall clock, into a stereo
// 8 kHz 16-bit WAV. It holds only a two-second window in memory. It is safe for
// concurrent use by the receiving and the playing goroutines.
type recorder struct {
	mu     sync.Mutex
	path   string
	tmp    string
	w      *media.WAVWriter
	t0     time.Time
	base   int64   // frame index of buf[0]
	buf    []int16 // interleaved stereo frames from base
	cursor [2]int64
	err    error
}

// newRecorder creates the recording's directories and a temporary file next to path;
// Close renames it into place. t0 is the instant of frame 0 (the answer).
func newRecorder(path string, t0 time.Time) (*recorder, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sipua: recording directory: %w", err)
	}
	tmp := path + ".part"
	w, err := media.CreateWAV(tmp, recRate, 2)
	if err != nil {
		return nil, fmt.Errorf("sipua: recording: %w", err)
	}
	return &recorder{path: path, tmp: tmp, w: w, t0: t0, buf: make([]int16, 0, 2*(recWindow+recRate))}, nil
}

// write places mono samples of channel ch that finished arriving (or playing) at now.
func (r *recorder) write(ch int, pcm []int16, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || r.w == nil {
		return
	}
	n := int64(len(pcm))
	clock := int64(now.Sub(r.t0)*recRate/time.Second) - n
	pos := r.cursor[ch]
	switch {
	case clock-pos > recGap:
		pos = clock
	case pos-clock > recAhead:
		return
	}
	if pos < r.base { // too late for the window: keep what still fits
		skip := r.base - pos
		if skip >= n {
			return
		}
		pcm, pos = pcm[skip:], r.base
	}
	end := pos + int64(len(pcm))
	if need := 2 * int(end-r.base); need > len(r.buf) {
		r.buf = append(r.buf, make([]int16, need-len(r.buf))...)
	}
	for i, v := range pcm {
		r.buf[2*(int(pos-r.base)+i)+ch] = v
	}
	r.cursor[ch] = end
	if frames := int64(len(r.buf) / 2); frames > recWindow {
		r.flush(frames - recRate)
	}
}

// flush writes the oldest n frames of the window to the file.
func (r *recorder) flush(n int64) {
	if n <= 0 {
		return
	}
	if err := r.w.WriteSamples(r.buf[:2*n]); err != nil {
		r.err = err
		return
	}
	rest := copy(r.buf, r.buf[2*n:])
	r.buf = r.buf[:rest]
	r.base += n
}

// Close writes what is left, finishes the file and moves it to its path. It reports
// whether a recording with audio was written; a recording without any frame is removed.
func (r *recorder) Close() (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return false, r.err
	}
	r.flush(int64(len(r.buf) / 2))
	bytes := r.w.Bytes()
	err := errors.Join(r.err, r.w.Close())
	r.w = nil
	if err != nil || bytes == 0 {
		os.Remove(r.tmp)
		if err != nil {
			return false, fmt.Errorf("sipua: recording: %w", err)
		}
		return false, nil
	}
	if err := os.Rename(r.tmp, r.path); err != nil {
		os.Remove(r.tmp)
		return false, fmt.Errorf("sipua: recording: %w", err)
	}
	return true, nil
}
