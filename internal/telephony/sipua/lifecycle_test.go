package sipua

import (
	"context"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/carriersim"
	"github.com/outdial/outdial/internal/telephony"
)

func TestCancelByOutdial(t *testing.T) {
	sim := startSim(t, carriersim.Config{TimeScale: 0.2})
	ua, _ := newTestUA(t)
	line := &outdial.Line{ID: 1, Gateway: sim.Addr(), CallerNumbers: []string{"4001"}}
	cases := []struct {
		name   string
		callee string
		after  time.Duration
		want   outdial.Result
		status int
		hangup outdial.HangupBy
	}{
		{"while ringing: CANCEL", "13800000002", 300 * time.Millisecond, outdial.ResultCancelled, 487, outdial.HangupNone},
		{"while talking: BYE", "13800000001", 800 * time.Millisecond, outdial.ResultAnswered, 200, outdial.HangupPlatform},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(c.after, cancel)
			req := telephony.Request{CallID: int64(4000 + i), Line: line, Caller: "4001", Callee: c.callee,
				RingTimeout: 10 * time.Second, Prompts: []outdial.Prompt{{Audio: "long.wav"}}}
			o := originate(t, ua, ctx, req, 10*time.Second).outcome
			if o.Result != c.want || o.SIPStatus != c.status || o.HangupBy != c.hangup {
				t.Errorf("outcome %s (%s) status %d hangup %q; want %s status %d hangup %q",
					o.Result, o.Reason, o.SIPStatus, o.HangupBy, c.want, c.status, c.hangup)
			}
			if d := o.EndTime.Sub(o.StartTime); d > c.after+time.Second {
				t.Errorf("call lasted %s after a cancel at %s", d, c.after)
			}
			checkTimes(t, o)
		})
	}
}

func TestUnreachableTrunk(t *testing.T) {
	ua, _ := newTestUA(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	cases := []struct {
		name string
		line *outdial.Line
		want string
	}{
		{"tcp connection refused", &outdial.Line{Gateway: closed, Transport: "tcp"}, "network error"},
		{"no line", nil, "network error"},
		{"bad gateway", &outdial.Line{Gateway: "nowhere"}, "network error"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := telephony.Request{CallID: int64(5000 + i), Line: c.line, Caller: "4001", Callee: "13800000001"}
			o := originate(t, ua, context.Background(), req, 10*time.Second).outcome
			if o.Result != outdial.ResultFailed || o.Reason != c.want {
				t.Errorf("outcome %s (%s), want failed (%s)", o.Result, o.Reason, c.want)
			}
		})
	}
	bad := telephony.Request{CallID: 5999, Line: &outdial.Line{Gateway: closed}, Callee: "138 0000 0001"}
	if o := originate(t, ua, context.Background(), bad, 5*time.Second).outcome; o.Result != outdial.ResultInvalidNumber {
		t.Errorf("undialable callee: %s (%s)", o.Result, o.Reason)
	}
	missing := telephony.Request{CallID: 5998, Line: &outdial.Line{Gateway: closed}, Callee: "13800000001",
		Prompts: []outdial.Prompt{{Audio: "missing.wav"}}}
	if o := originate(t, ua, context.Background(), missing, 5*time.Second).outcome; o.Result != outdial.ResultFailed ||
		o.Reason != "script audio unavailable" || !o.StartTime.IsZero() {
		t.Errorf("missing prompt: %s (%s), start %v; want failed before any INVITE", o.Result, o.Reason, o.StartTime)
	}
}

// TestCloseEndsLiveCalls places calls in every state, closes the UA and checks each
// reported one Ended and no goroutine is left behind.
func TestCloseEndsLiveCalls(t *testing.T) {
	before := runtime.NumGoroutine()
	sim := startSim(t, carriersim.Config{TimeScale: 0.2})
	ua, _ := newTestUA(t)
	line := &outdial.Line{ID: 1, Gateway: sim.Addr(), CallerNumbers: []string{"4001"}}
	var wg sync.WaitGroup
	results := make(chan outdial.Result, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := telephony.Request{CallID: int64(6000 + i), Line: line, Caller: "4001",
				Callee: "1380000000" + string(rune('0'+i%10)), RingTimeout: 20 * time.Second,
				Prompts: []outdial.Prompt{{Audio: "long.wav"}}}
			results <- originate(t, ua, context.Background(), req, 15*time.Second).outcome.Result
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := ua.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(results)
	n := 0
	for r := range results {
		n++
		if !r.Valid() {
			t.Errorf("invalid result %q", r)
		}
	}
	if n != 40 {
		t.Fatalf("%d calls ended, want 40", n)
	}
	after := originate(t, ua, context.Background(), telephony.Request{CallID: 6999, Line: line, Callee: "13800000001"}, time.Second)
	if after.outcome.Result != outdial.ResultCancelled {
		t.Errorf("call after Close: %s, want cancelled", after.outcome.Result)
	}
	sim.Close()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left after Close (before: %d)\n%s", g, before, buf[:runtime.Stack(buf, true)])
	}
}
