package sipua

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/media"
	"github.com/outdial/outdial/internal/telephony"
)

// testLogger logs to the test's output; OUTDIAL_TEST_LOG=debug shows everything.
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("OUTDIAL_TEST_LOG") == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: level}))
}

// newTestUA starts a UA on a free loopback port with a data directory holding two
// prompts: tone.wav (1 s) and long.wav (10 s).
func newTestUA(t testing.TB, lines ...*outdial.Line) (*UA, string) {
	t.Helper()
	dir := testDataDir(t)
	ua, err := New(Config{ListenAddr: "127.0.0.1:0", DataDir: dir, Logger: testLogger(t),
		Lines: func() []*outdial.Line { return lines }, HangupTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	return ua, dir
}

// testDataDir returns a new data directory holding two prompts: tone.wav (1 s) and
// long.wav (10 s).
func testDataDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "prompts"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]time.Duration{"tone.wav": time.Second, "long.wav": 10 * time.Second} {
		if err := media.WriteWAVFile(filepath.Join(dir, "prompts", name), media.Tone(440, d, 8000, 0.3), 8000, 1); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// callResult is what one Originate reported.
type callResult struct {
	events  []telephony.Event
	outcome outdial.Outcome
}

// originate places req and waits for its Ended, checking that it is the only one and
// the last event.
func originate(t testing.TB, o telephony.Originator, ctx context.Context, req telephony.Request, limit time.Duration) callResult {
	t.Helper()
	var mu sync.Mutex
	var evs []telephony.Event
	ended := make(chan struct{})
	o.Originate(ctx, req, func(ev telephony.Event) {
		mu.Lock()
		defer mu.Unlock()
		evs = append(evs, ev)
		if ev.Kind == telephony.Ended {
			close(ended) // a second Ended panics: closing a closed channel
		}
	})
	select {
	case <-ended:
	case <-time.After(limit):
		t.Fatalf("call %d did not end within %s", req.CallID, limit)
	}
	time.Sleep(50 * time.Millisecond) // let a wrongly late event show up
	mu.Lock()
	defer mu.Unlock()
	last := evs[len(evs)-1]
	if last.Kind != telephony.Ended || last.Outcome == nil {
		t.Fatalf("last event %+v is not Ended with an outcome", last)
	}
	return callResult{events: evs, outcome: *last.Outcome}
}

// checkTimes checks that the outcome's times are set as its result implies, in order.
func checkTimes(t testing.TB, o outdial.Outcome) {
	t.Helper()
	if o.StartTime.IsZero() || o.EndTime.Before(o.StartTime) {
		t.Errorf("start %v, end %v", o.StartTime, o.EndTime)
	}
	if !o.RingTime.IsZero() && (o.RingTime.Before(o.StartTime) || o.EndTime.Before(o.RingTime)) {
		t.Errorf("ring %v outside start %v .. end %v", o.RingTime, o.StartTime, o.EndTime)
	}
	if o.Result == outdial.ResultAnswered {
		if o.AnswerTime.Before(o.StartTime) || o.AnswerTime.Before(o.RingTime) || o.EndTime.Before(o.AnswerTime) {
			t.Errorf("answer %v not within start %v (ring %v) .. end %v", o.AnswerTime, o.StartTime, o.RingTime, o.EndTime)
		}
	} else if !o.AnswerTime.IsZero() || o.HangupBy != outdial.HangupNone {
		t.Errorf("unanswered call has answer time %v, hangup by %q", o.AnswerTime, o.HangupBy)
	}
}

// checkRecording checks that the call's recording exists, is stereo 8 kHz and that
// each channel carries sound.
func checkRecording(t testing.TB, dir string, o outdial.Outcome, want string) {
	t.Helper()
	if o.Recording != want {
		t.Fatalf("recording %q, want %q", o.Recording, want)
	}
	st, err := media.AnalyzeWAV(filepath.Join(dir, filepath.FromSlash(want)))
	if err != nil {
		t.Fatal(err)
	}
	if st.Channels != 2 || st.SampleRate != 8000 || st.Duration() < 500*time.Millisecond {
		t.Errorf("recording %+v: want at least 0.5 s of stereo 8 kHz", st.WAVInfo)
	}
	for ch, name := range []string{"customer", "platform"} {
		if st.RMS[ch] < 0.005 {
			t.Errorf("%s channel is silent (RMS %.4f)", name, st.RMS[ch])
		}
	}
}

// freePort returns a loopback port free for both UDP and TCP (even, with the next one
// free too, for RTP and RTCP).
func freePort(t testing.TB) int {
	t.Helper()
	for range 100 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		u.Close()
		if port%2 == 1 {
			continue
		}
		ok := true
		for _, p := range []int{port, port + 1} {
			u, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				ok = false
				break
			}
			u.Close()
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}
