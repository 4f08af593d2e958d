package media

import (
	"fmt"
	"math"
	"time"
)

// Tone returns mono 16-bit samples at rate Hz of a sine wave of freq Hz lasting d, with
// amplitude 0 to 1 of full scale.
func Tone(freq float64, d time.Duration, rate int, amplitude float64) []int16 {
	n := int(d.Seconds() * float64(rate))
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amplitude * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

// WriteWAVFile writes interleaved 16-bit samples as a WAV file at path.
func WriteWAVFile(path string, samples []int16, rate, channels int) error {
	w, err := CreateWAV(path, rate, channels)
	if err != nil {
		return err
	}
	if err := w.WriteSamples(samples); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("media: write %s: %w", path, err)
	}
	return nil
}
