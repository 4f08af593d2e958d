package telephony

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/outdial/outdial"
)

// Errors a backend passes to Classify for endings that carry no final SIP status.
var (
	// ErrRingTimeout means the call rang until the request's RingTimeout and was cancelled.
	ErrRingTimeout = errors.New("ring timeout")
	// ErrNoResponse means the trunk never answered the INVITE (transaction timeout).
	ErrNoResponse = errors.New("no response from trunk")
	// ErrCancelled means outdial itself ended the call before it was answered.
	ErrCancelled = errors.New("cancelled by outdial")
	// ErrNetwork means the trunk could not be reached or the connection failed.
	ErrNetwork = errors.New("network error")
	// ErrScript means the script's audio could not be found or made, so no call was placed.
	ErrScript = errors.New("script audio unavailable")
	// ErrBadNumber means the callee is not a number that can be dialed at all.
	ErrBadNumber = errors.New("not a dialable number")
)

// statusResults maps the final SIP statuses that have a result of their own; every other
// 3xx-6xx status is a trunk failure.
var statusResults = map[int]struct {
	result outdial.Result
	reason string
}{
	408: {outdial.ResultNoAnswer, "408 request timeout"},
	480: {outdial.ResultNoAnswer, "480 temporarily unavailable"},
	487: {outdial.ResultNoAnswer, "487 request terminated"},
	486: {outdial.ResultBusy, "486 busy here"},
	600: {outdial.ResultBusy, "600 busy everywhere"},
	603: {outdial.ResultRejected, "603 decline"},
	404: {outdial.ResultInvalidNumber, "404 not found"},
	410: {outdial.ResultInvalidNumber, "410 gone"},
	484: {outdial.ResultInvalidNumber, "484 address incomplete"},
	604: {outdial.ResultInvalidNumber, "604 does not exist anywhere"},
	500: {outdial.ResultFailed, "500 server internal error"},
	502: {outdial.ResultFailed, "502 bad gateway"},
	503: {outdial.ResultFailed, "503 service unavailable"},
	401: {outdial.ResultFailed, "401 authentication failed"},
	407: {outdial.ResultFailed, "407 proxy authentication failed"},
	403: {outdial.ResultFailed, "403 forbidden"},
}

// Classify turns how a call attempt ended into a result and a short reason: status is
// the final SIP status (0 if none arrived) and err what stopped the attempt, if anything
// (ErrRingTimeout, ErrNoResponse, ErrCancelled, a context or network error).
func Classify(status int, err error) (outdial.Result, string) {
	switch {
	case errors.Is(err, ErrRingTimeout):
		return outdial.ResultNoAnswer, "ring timeout"
	case errors.Is(err, ErrCancelled), errors.Is(err, context.Canceled):
		return outdial.ResultCancelled, "cancelled"
	case errors.Is(err, ErrScript):
		return outdial.ResultFailed, "script audio unavailable"
	case errors.Is(err, ErrBadNumber):
		return outdial.ResultInvalidNumber, "not a dialable number"
	case err == nil && status >= 200 && status < 300:
		return outdial.ResultAnswered, strconv.Itoa(status) + " answered"
	case status >= 300 && status < 700:
		if r, ok := statusResults[status]; ok {
			return r.result, r.reason
		}
		return outdial.ResultFailed, strconv.Itoa(status) + " trunk failure"
	case errors.Is(err, ErrNoResponse), errors.Is(err, context.DeadlineExceeded):
		return outdial.ResultFailed, "no response"
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne), errors.Is(err, net.ErrClosed), errors.Is(err, ErrNetwork):
		return outdial.ResultFailed, "network error"
	case err != nil:
		return outdial.ResultFailed, "trunk failure"
	}
	return outdial.ResultFailed, "no final response"
}

// ClassifyWithReason is Classify with the value of the final response's Reason header:
// a Q.850 cause of 18, 19 or 20 (no user responding, no answer, subscriber absent)
// makes an unanswered call unreachable.
func ClassifyWithReason(status int, err error, reasonHeader string) (outdial.Result, string) {
	res, reason := Classify(status, err)
	if res == outdial.ResultAnswered || res == outdial.ResultCancelled {
		return res, reason
	}
	if c := Q850Cause(reasonHeader); c >= 18 && c <= 20 {
		return outdial.ResultUnreachable, "q.850 cause " + strconv.Itoa(c)
	}
	return res, reason
}

// Q850Cause returns the cause of the first Q.850 entry of a SIP Reason header value
// (RFC 3326, e.g. `Q.850;cause=18;text="No user responding"`), or 0 if there is none.
func Q850Cause(header string) int {
	for _, entry := range splitOutsideQuotes(header, ',') {
		params := splitOutsideQuotes(entry, ';')
		if len(params) == 0 || !strings.EqualFold(strings.TrimSpace(params[0]), "Q.850") {
			continue
		}
		for _, p := range params[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "cause") {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > 127 {
				return 0
			}
			return n
		}
	}
	return 0
}

// splitOutsideQuotes splits s at sep, ignoring separators inside double quotes.
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start <= len(s) {
		out = append(out, s[start:])
	}
	return out
}
