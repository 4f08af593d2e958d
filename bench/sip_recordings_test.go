package bench

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/media"
)

// sipRecordingCheck sums up the recordings of a media run.
type sipRecordingCheck struct {
	files int
	bad   int // not stereo 8 kHz, or shorter than the prompt less a second
	// span counts the 20 ms blocks of each channel from its first to its last sound;
	// gaps counts the silent blocks within: audio that never reached the recording.
	span, gaps [2]int64
}

func (r sipRecordingCheck) String() string {
	pct := func(ch int) float64 { return 100 * float64(r.gaps[ch]) / float64(max(r.span[ch], 1)) }
	return fmt.Sprintf("%d files, %d bad; customer channel (the echo) %d silent 20 ms blocks of %d (%.3f%%), platform channel (the prompt) %d of %d (%.3f%%)",
		r.files, r.bad, r.gaps[0], r.span[0], pct(0), r.gaps[1], r.span[1], pct(1))
}

// sipCheckRecordings reads every WAV under dir/recordings: each must be stereo 8 kHz and
// about as long as the prompt, and within each channel's sound no 20 ms block may be
// silent (the prompt is a continuous tone, and so is its echo).
func sipCheckRecordings(tb testing.TB, dir string, want int, prompt time.Duration) sipRecordingCheck {
	tb.Helper()
	var r sipRecordingCheck
	err := filepath.WalkDir(filepath.Join(dir, "recordings"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".wav") {
			return err
		}
		r.files++
		info, err := media.ReadWAVInfo(path)
		if err != nil || info.Channels != 2 || info.SampleRate != 8000 || info.Bits != 16 || info.Duration() < prompt-time.Second {
			r.bad++
			if r.bad <= 3 {
				tb.Logf("recording %s: %+v %v", path, info, err)
			}
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		end := min(int64(len(data)), info.DataOffset+info.DataSize)
		pcm := data[info.DataOffset:end]
		for ch := range 2 {
			span, gaps := sipSilentBlocks(pcm, ch)
			r.span[ch] += span
			r.gaps[ch] += gaps
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("reading recordings: %v", err)
	}
	if r.files != want {
		tb.Logf("%d recordings, want %d", r.files, want)
	}
	return r
}

// sipSilentBlocks splits channel ch of interleaved 16-bit stereo PCM into 160-frame blocks
// and returns how many blocks lie from the first to the last loud one, and how many of
// those are silent (peak below 1% of full scale).
func sipSilentBlocks(pcm []byte, ch int) (span, gaps int64) {
	const block = 160
	frames := len(pcm) / 4
	first, last := -1, -1
	var silent []bool
	for b := 0; b*block < frames; b++ {
		peak := 0
		for f := b * block; f < min(frames, (b+1)*block); f++ {
			v := int(int16(binary.LittleEndian.Uint16(pcm[4*f+2*ch:])))
			peak = max(peak, v, -v)
		}
		quiet := peak < 328
		silent = append(silent, quiet)
		if !quiet {
			if first < 0 {
				first = b
			}
			last = b
		}
	}
	if first < 0 {
		return 0, 0
	}
	for b := first; b <= last; b++ {
		if silent[b] {
			gaps++
		}
	}
	return int64(last - first + 1), gaps
}
