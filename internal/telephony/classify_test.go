package telephony

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/outdial/outdial"
)

func TestClassify(t *testing.T) {
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	cases := []struct {
		name   string
		status int
		err    error
		want   outdial.Result
		reason string
	}{
		{"200 answered", 200, nil, outdial.ResultAnswered, "200 answered"},
		{"202 accepted counts as answered", 202, nil, outdial.ResultAnswered, "202 answered"},
		{"ring timeout then CANCEL", 487, ErrRingTimeout, outdial.ResultNoAnswer, "ring timeout"},
		{"ring timeout wrapped", 0, fmt.Errorf("sipua: call 7: %w", ErrRingTimeout), outdial.ResultNoAnswer, "ring timeout"},
		{"480 temporarily unavailable", 480, nil, outdial.ResultNoAnswer, "480 temporarily unavailable"},
		{"408 request timeout", 408, nil, outdial.ResultNoAnswer, "408 request timeout"},
		{"487 from the carrier", 487, nil, outdial.ResultNoAnswer, "487 request terminated"},
		{"486 busy", 486, nil, outdial.ResultBusy, "486 busy here"},
		{"600 busy everywhere", 600, nil, outdial.ResultBusy, "600 busy everywhere"},
		{"603 decline", 603, nil, outdial.ResultRejected, "603 decline"},
		{"404 not found", 404, nil, outdial.ResultInvalidNumber, "404 not found"},
		{"484 address incomplete", 484, nil, outdial.ResultInvalidNumber, "484 address incomplete"},
		{"410 gone", 410, nil, outdial.ResultInvalidNumber, "410 gone"},
		{"503 service unavailable", 503, nil, outdial.ResultFailed, "503 service unavailable"},
		{"502 bad gateway", 502, nil, outdial.ResultFailed, "502 bad gateway"},
		{"500 server error", 500, nil, outdial.ResultFailed, "500 server internal error"},
		{"other 5xx", 504, nil, outdial.ResultFailed, "504 trunk failure"},
		{"other 4xx", 488, nil, outdial.ResultFailed, "488 trunk failure"},
		{"auth refused", 401, nil, outdial.ResultFailed, "401 authentication failed"},
		{"redirect not followed", 302, nil, outdial.ResultFailed, "302 trunk failure"},
		{"transaction timeout", 0, ErrNoResponse, outdial.ResultFailed, "no response"},
		{"deadline", 0, context.DeadlineExceeded, outdial.ResultFailed, "no response"},
		{"network error", 0, dialErr, outdial.ResultFailed, "network error"},
		{"transport error", 0, fmt.Errorf("sipua: %w", ErrNetwork), outdial.ResultFailed, "network error"},
		{"script audio missing", 0, fmt.Errorf("prompt 1: %w", ErrScript), outdial.ResultFailed, "script audio unavailable"},
		{"bad number", 0, ErrBadNumber, outdial.ResultInvalidNumber, "not a dialable number"},
		{"closed connection", 0, net.ErrClosed, outdial.ResultFailed, "network error"},
		{"other error", 0, errors.New("boom"), outdial.ResultFailed, "trunk failure"},
		{"200 but ACK failed", 200, errors.New("ack failed"), outdial.ResultFailed, "trunk failure"},
		{"nothing at all", 0, nil, outdial.ResultFailed, "no final response"},
		{"cancelled by outdial", 0, context.Canceled, outdial.ResultCancelled, "cancelled"},
		{"cancelled after 487", 487, ErrCancelled, outdial.ResultCancelled, "cancelled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reason := Classify(c.status, c.err)
			if got != c.want || reason != c.reason {
				t.Errorf("Classify(%d, %v) = %q, %q; want %q, %q", c.status, c.err, got, reason, c.want, c.reason)
			}
		})
	}
}

func TestClassifyWithReason(t *testing.T) {
	cases := []struct {
		name   string
		status int
		err    error
		header string
		want   outdial.Result
	}{
		{"cause 18 no user responding", 480, nil, `Q.850;cause=18;text="No user responding"`, outdial.ResultUnreachable},
		{"cause 19 no answer", 408, nil, `Q.850;cause=19`, outdial.ResultUnreachable},
		{"cause 20 subscriber absent", 404, nil, `q.850 ; cause = 20`, outdial.ResultUnreachable},
		{"cause 17 stays busy", 486, nil, `Q.850;cause=17;text="User busy"`, outdial.ResultBusy},
		{"SIP reason ignored", 480, nil, `SIP;cause=480`, outdial.ResultNoAnswer},
		{"second entry", 480, nil, `SIP;cause=200;text="x,y", Q.850;cause=19`, outdial.ResultUnreachable},
		{"answered wins", 200, nil, `Q.850;cause=18`, outdial.ResultAnswered},
		{"cancelled wins", 0, context.Canceled, `Q.850;cause=18`, outdial.ResultCancelled},
		{"no header", 503, nil, "", outdial.ResultFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, _ := ClassifyWithReason(c.status, c.err, c.header); got != c.want {
				t.Errorf("ClassifyWithReason(%d, %v, %q) = %q, want %q", c.status, c.err, c.header, got, c.want)
			}
		})
	}
}

func FuzzQ850Cause(f *testing.F) {
	for _, s := range []string{`Q.850;cause=18;text="No user responding"`, `SIP;cause=200, Q.850;cause=19`,
		`Q.850;cause=`, `"`, `Q.850;text="a;cause=1";cause=20`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c := Q850Cause(s); c < 0 || c > 127 {
			t.Fatalf("Q850Cause(%q) = %d, outside 0..127", s, c)
		}
	})
}
