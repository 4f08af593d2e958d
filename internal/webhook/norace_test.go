//go:build !race

package webhook

// crashEvents is the crash test's number of events: fewer under the race detector, which
// slows every delivery down many times.
const crashEvents = 10000
