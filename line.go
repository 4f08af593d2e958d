package outdial

import (
	"net"
	"strconv"
	"strings"
	"time"
)

// Line is a SIP trunk: where calls go, how to authenticate, which caller numbers to
// present, and how many calls it carries at once and per second.
type Line struct {
	ID        int64  `json:"id"`
	UUID      string `json:"uuid"`
	TenantID  int64  `json:"-"`
	Name      string `json:"name"`
	Gateway   string `json:"gateway"`   // host:port of the carrier's SIP server
	Transport string `json:"transport"` // "udp" or "tcp"
	Username  string `json:"username,omitempty"`
	// Password is write-only: APIs accept it and never return it.
	Password      string   `json:"-"`
	CallerNumbers []string `json:"caller_numbers"`
	// Concurrency is how many calls the line carries at once, across all tasks and nodes.
	Concurrency int `json:"concurrency"`
	// CallsPerSecond limits how fast calls start on the line; 0 means no limit.
	CallsPerSecond float64   `json:"calls_per_second"`
	ValidFrom      time.Time `json:"valid_from"`  // zero: valid since always
	ValidUntil     time.Time `json:"valid_until"` // zero: never expires
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Line transports.
const (
	TransportUDP = "udp"
	TransportTCP = "tcp"
)

// Validate checks the line's fields and fills defaults.
func (l *Line) Validate() error {
	if l.Transport == "" {
		l.Transport = TransportUDP
	}
	l.Transport = strings.ToLower(l.Transport)
	switch {
	case l.Name == "" || len(l.Name) > 200:
		return FieldErrorf("name", "line name must be 1 to 200 bytes")
	case !validHostPort(l.Gateway):
		return FieldErrorf("gateway", "gateway must be host:port, got %q", l.Gateway)
	case l.Transport != TransportUDP && l.Transport != TransportTCP:
		return FieldErrorf("transport", "transport must be udp or tcp")
	case len(l.CallerNumbers) == 0:
		return FieldErrorf("caller_numbers", "a line needs at least one caller number")
	case l.Concurrency < 1 || l.Concurrency > 100000:
		return FieldErrorf("concurrency", "concurrency must be 1 to 100000")
	case l.CallsPerSecond < 0 || l.CallsPerSecond > 100000:
		return FieldErrorf("calls_per_second", "calls_per_second must be 0 (no limit) to 100000")
	case !l.ValidFrom.IsZero() && !l.ValidUntil.IsZero() && !l.ValidUntil.After(l.ValidFrom):
		return FieldErrorf("valid_until", "valid_until must be after valid_from")
	case len(l.Username) > 200 || len(l.Password) > 200:
		return FieldErrorf("username", "username and password must be at most 200 bytes")
	}
	for _, n := range l.CallerNumbers {
		if n == "" || len(n) > 32 {
			return FieldErrorf("caller_numbers", "caller number %q must be 1 to 32 characters", n)
		}
	}
	return nil
}

// CallerNumber returns the caller number to present for the nth call (round robin).
func (l *Line) CallerNumber(n int64) string {
	if len(l.CallerNumbers) == 0 {
		return ""
	}
	return l.CallerNumbers[int(n%int64(len(l.CallerNumbers)))]
}

func validHostPort(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return false
	}
	p, err := strconv.Atoi(port)
	return err == nil && p > 0 && p < 65536
}
