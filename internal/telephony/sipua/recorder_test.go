package sipua

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/media"
)

func TestRecorderAlignsChannels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec", "a.wav")
	t0 := time.Unix(1000, 0)
	r, err := newRecorder(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, 160)
	for i := range frame {
		frame[i] = 8000
	}
	// The platform plays 3 s from the answer; the customer speaks from 1 s to 2 s,
	// with one packet arriving late by 30 ms (jitter) and no packets lost.
	for i := 1; i <= 150; i++ {
		r.write(chPlatform, frame, t0.Add(time.Duration(i)*20*time.Millisecond))
	}
	for i := 1; i <= 50; i++ {
		at := t0.Add(time.Second + time.Duration(i)*20*time.Millisecond)
		if i == 10 {
			at = at.Add(30 * time.Millisecond)
		}
		r.write(chCustomer, frame, at)
	}
	ok, err := r.Close()
	if err != nil || !ok {
		t.Fatalf("Close = %v, %v", ok, err)
	}
	st, err := media.AnalyzeWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Channels != 2 || st.SampleRate != 8000 || st.Frames() != 3*8000 {
		t.Fatalf("recording %+v, want 3 s of stereo 8 kHz", st.WAVInfo)
	}
	// Customer: 1 s of 8000/32768 in 3 s; platform: full 3 s.
	if l, rr := st.RMS[chCustomer], st.RMS[chPlatform]; l < 0.13 || l > 0.15 || rr < 0.24 || rr > 0.25 {
		t.Errorf("RMS left %.3f right %.3f, want 0.141 and 0.244", l, rr)
	}
}

func TestRecorderWithoutAudioLeavesNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.wav")
	r, err := newRecorder(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Close(); ok || err != nil {
		t.Fatalf("Close = %v, %v; want false, nil", ok, err)
	}
	if _, err := media.ReadWAVInfo(path); err == nil {
		t.Error("an empty recording was left")
	}
}
