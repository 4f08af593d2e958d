package media

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
)

// WAVWriter streams 16-bit PCM samples into a WAV file and fixes the header sizes on
// Close. It is not safe for concurrent use.
type WAVWriter struct {
	f        *os.File
	w        *bufio.Writer
	rate     int
	channels int
	bytes    int64
	buf      []byte
}

// CreateWAV creates (or truncates) a 16-bit PCM WAV file at path, readable by its owner
// only (recordings are the customers' conversations).
func CreateWAV(path string, rate, channels int) (*WAVWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("media: create wav: %w", err)
	}
	w := &WAVWriter{f: f, w: bufio.NewWriterSize(f, 32*1024), rate: rate, channels: channels}
	if _, err := w.w.Write(wavHeader(rate, channels, 0)); err != nil {
		f.Close()
		return nil, fmt.Errorf("media: write wav header: %w", err)
	}
	return w, nil
}

// WriteSamples appends interleaved samples (channels of them per frame).
func (w *WAVWriter) WriteSamples(s []int16) error {
	if cap(w.buf) < 2*len(s) {
		w.buf = make([]byte, 2*len(s))
	}
	b := w.buf[:2*len(s)]
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	n, err := w.w.Write(b)
	w.bytes += int64(n)
	if err != nil {
		return fmt.Errorf("media: write wav: %w", err)
	}
	return nil
}

// Bytes returns the bytes of sample data written so far.
func (w *WAVWriter) Bytes() int64 { return w.bytes }

// Close flushes the samples, writes the final sizes into the header and closes the file.
func (w *WAVWriter) Close() error {
	err := w.w.Flush()
	if err == nil {
		_, err = w.f.WriteAt(wavHeader(w.rate, w.channels, w.bytes), 0)
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("media: close wav: %w", err)
	}
	return nil
}

// wavHeader returns the 44-byte header of a 16-bit PCM WAV file with dataSize bytes.
func wavHeader(rate, channels int, dataSize int64) []byte {
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+dataSize))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], uint16(channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate*channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(dataSize))
	return h
}
