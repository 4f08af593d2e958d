// Package outdial holds the domain of an outbound calling platform: tenants, lines (SIP
// trunks), rules (calling windows, forbidden time groups, recall rules, caps), scripts,
// tasks, batches, contacts and the calls they produce. It imports only the standard
// library; storage, telephony and the API dialects live in adapter packages under internal/.
package outdial

import "time"

// Clock tells the time. Everything that reads time takes a Clock, so rules, the dialing
// engine and webhook retries run in virtual time in tests.
type Clock interface {
	// Now returns the current instant.
	Now() time.Time
	// AfterFunc calls f in its own goroutine (or, for a virtual clock, in the goroutine
	// that advances it) once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a one-shot timer of a Clock.
type Timer interface {
	// Stop prevents the timer from firing; it reports whether it was still pending.
	Stop() bool
}

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// DefaultTimeZone is the time zone of a task that names none.
const DefaultTimeZone = "Asia/Shanghai"
