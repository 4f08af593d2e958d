// Package media prepares call audio: prompts spoken by espeak-ng, user WAV files converted
// by sox to what a G.711 call plays (8 kHz, mono, 16-bit PCM), and WAV reading and writing
// for recordings and the tests that check them.
package media

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// Telephony audio format: what diago plays on a PCMA/PCMU call.
const (
	TelephonyRate     = 8000
	TelephonyChannels = 1
	TelephonyBits     = 16
)

// WAVInfo is the format of a WAV file and where its PCM data lies.
type WAVInfo struct {
	Format     uint16 // 1 is PCM
	Channels   int
	SampleRate int
	Bits       int
	DataOffset int64 // byte offset of the first sample
	DataSize   int64 // bytes of sample data
}

// Frames returns the number of sample frames (one sample per channel).
func (i WAVInfo) Frames() int64 {
	bits := int64(i.Channels) * int64(i.Bits)
	if i.Channels <= 0 || i.Bits <= 0 || bits%8 != 0 {
		return 0 // compressed formats (4-bit ADPCM...) have no fixed bytes per frame
	}
	return i.DataSize / (bits / 8)
}

// Duration returns the length of the audio.
func (i WAVInfo) Duration() time.Duration {
	if i.SampleRate <= 0 {
		return 0
	}
	return time.Duration(i.Frames()) * time.Second / time.Duration(i.SampleRate)
}

// IsTelephony reports whether the file is 8 kHz mono 16-bit PCM.
func (i WAVInfo) IsTelephony() bool {
	return i.Format == 1 && i.Channels == TelephonyChannels && i.SampleRate == TelephonyRate && i.Bits == TelephonyBits
}

// ErrNotWAV means the data is not a RIFF/WAVE file with a fmt and a data chunk.
var ErrNotWAV = errors.New("not a WAV file")

// ParseWAVHeader reads the RIFF chunks of a WAV file from r (size is the file size, used
// when the data chunk says it runs to the end) and returns its format.
func ParseWAVHeader(r io.ReadSeeker, size int64) (WAVInfo, error) {
	var info WAVInfo
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return info, fmt.Errorf("%w: %v", ErrNotWAV, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return info, ErrNotWAV
	}
	pos, haveFmt := int64(12), false
	for chunks := 0; chunks < 64; chunks++ {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return info, fmt.Errorf("%w: no data chunk", ErrNotWAV)
		}
		pos += 8
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch string(ch[0:4]) {
		case "fmt ":
			if n < 16 || n > 1024 {
				return info, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, n)
			}
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				return info, fmt.Errorf("%w: %v", ErrNotWAV, err)
			}
			info.Format = binary.LittleEndian.Uint16(b[0:2])
			info.Channels = int(binary.LittleEndian.Uint16(b[2:4]))
			info.SampleRate = int(binary.LittleEndian.Uint32(b[4:8]))
			info.Bits = int(binary.LittleEndian.Uint16(b[14:16]))
			if info.Format == 0xFFFE && n >= 26 { // WAVE_FORMAT_EXTENSIBLE: the sub-format
				info.Format = binary.LittleEndian.Uint16(b[24:26])
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return info, fmt.Errorf("%w: data before fmt", ErrNotWAV)
			}
			info.DataOffset = pos
			if rest := size - pos; size > 0 && (n == 0 || n == 0xFFFFFFFF || n > rest) {
				n = rest // streamed writers leave the size open
			}
			info.DataSize = max(n, 0)
			return info, nil
		}
		skip := n + n%2 // chunks are word aligned
		if string(ch[0:4]) == "fmt " {
			skip -= n
		}
		if _, err := r.Seek(skip, io.SeekCurrent); err != nil {
			return info, fmt.Errorf("%w: %v", ErrNotWAV, err)
		}
		pos += n + n%2
	}
	return info, fmt.Errorf("%w: too many chunks", ErrNotWAV)
}

// ReadWAVInfo returns the format of the WAV file at path.
func ReadWAVInfo(path string) (WAVInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return WAVInfo{}, fmt.Errorf("media: open wav: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return WAVInfo{}, fmt.Errorf("media: stat wav: %w", err)
	}
	info, err := ParseWAVHeader(f, st.Size())
	if err != nil {
		return info, fmt.Errorf("media: %s: %w", path, err)
	}
	return info, nil
}

// WAVStats describes a 16-bit PCM WAV file's audio.
type WAVStats struct {
	WAVInfo
	// RMS is the root mean square level of each channel, 0 (silence) to 1 (full scale).
	RMS []float64
}

// AnalyzeWAV reads a 16-bit PCM WAV file and measures each channel's RMS level.
func AnalyzeWAV(path string) (WAVStats, error) {
	info, err := ReadWAVInfo(path)
	if err != nil {
		return WAVStats{}, err
	}
	if info.Format != 1 || info.Bits != 16 || info.Channels < 1 || info.Channels > 8 {
		return WAVStats{WAVInfo: info}, fmt.Errorf("media: %s: only 16-bit PCM can be analyzed", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return WAVStats{}, fmt.Errorf("media: open wav: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(info.DataOffset, io.SeekStart); err != nil {
		return WAVStats{}, fmt.Errorf("media: seek wav data: %w", err)
	}
	sums := make([]float64, info.Channels)
	r := bufio.NewReader(io.LimitReader(f, info.DataSize))
	var b [2]byte
	var n int64
	for ; ; n++ {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			break
		}
		v := float64(int16(binary.LittleEndian.Uint16(b[:]))) / 32768
		sums[n%int64(info.Channels)] += v * v
	}
	frames := n / int64(info.Channels)
	st := WAVStats{WAVInfo: info, RMS: make([]float64, info.Channels)}
	for c := range sums {
		if frames > 0 {
			st.RMS[c] = math.Sqrt(sums[c] / float64(frames))
		}
	}
	return st, nil
}
