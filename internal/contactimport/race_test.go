//go:build race

package contactimport

// raceDetector is true when the race detector, which multiplies memory use, is on.
const raceDetector = true
