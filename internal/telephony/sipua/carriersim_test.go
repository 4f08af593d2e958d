package sipua

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/carriersim"
	"github.com/outdial/outdial/internal/media"
	"github.com/outdial/outdial/internal/telephony"
)

// startSim runs a carrier simulator on a free loopback port at the given time scale.
func startSim(t testing.TB, cfg carriersim.Config) *carriersim.Sim {
	t.Helper()
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.Logger = testLogger(t)
	sim, err := carriersim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

func TestCarrierSimPlan(t *testing.T) {
	const scale = 0.5
	sim := startSim(t, carriersim.Config{TimeScale: scale})
	ua, dir := newTestUA(t)
	tone := []outdial.Prompt{{Audio: "tone.wav"}}
	long := []outdial.Prompt{{Audio: "long.wav"}}
	cases := []struct {
		digit     string
		transport string
		prompts   []outdial.Prompt
		want      outdial.Result
		status    int
		hangup    outdial.HangupBy
		dtmf      string
		record    bool
		ring      time.Duration
		check     func(t *testing.T, o outdial.Outcome)
	}{
		{digit: "0", want: outdial.ResultBusy, status: 486},
		{digit: "1", prompts: tone, want: outdial.ResultAnswered, status: 200, hangup: outdial.HangupPlatform, record: true},
		{digit: "2", ring: time.Second, want: outdial.ResultNoAnswer, status: 487},
		{digit: "3", want: outdial.ResultInvalidNumber, status: 404},
		{digit: "4", prompts: []outdial.Prompt{{Audio: "tone.wav", WaitKeys: true}, {Audio: "tone.wav"}},
			want: outdial.ResultAnswered, status: 200, hangup: outdial.HangupPlatform, dtmf: "1"},
		{digit: "5", prompts: tone, want: outdial.ResultAnswered, status: 200, hangup: outdial.HangupPlatform,
			check: func(t *testing.T, o outdial.Outcome) {
				if d := o.AnswerTime.Sub(o.RingTime); d < time.Duration(scale*1800)*time.Millisecond {
					t.Errorf("183 to 200 took %s, want the plan's %s of early media", d, time.Duration(scale*2000)*time.Millisecond)
				}
			}},
		{digit: "6", want: outdial.ResultFailed, status: 503},
		{digit: "7", prompts: long, want: outdial.ResultAnswered, status: 200, hangup: outdial.HangupCustomer,
			check: func(t *testing.T, o outdial.Outcome) {
				if d := o.EndTime.Sub(o.AnswerTime); d < time.Duration(scale*2800)*time.Millisecond || d > 5*time.Second {
					t.Errorf("customer hung up after %s, want about %s", d, time.Duration(scale*3000)*time.Millisecond)
				}
			}},
		{digit: "8", want: outdial.ResultRejected, status: 603},
		{digit: "9", prompts: long, want: outdial.ResultAnswered, status: 200, hangup: outdial.HangupCustomer, record: true},
		{digit: "9", transport: "tcp", prompts: long, want: outdial.ResultAnswered, status: 200, hangup: outdial.HangupCustomer},
		{digit: "0", transport: "tcp", want: outdial.ResultBusy, status: 486},
	}
	t.Run("plan", func(t *testing.T) {
		for i, c := range cases {
			name := "digit " + c.digit
			if c.transport != "" {
				name += " over " + c.transport
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				line := &outdial.Line{ID: 1, Gateway: sim.Addr(), Transport: c.transport, CallerNumbers: []string{"4001"}}
				req := telephony.Request{CallID: int64(2000 + i), Line: line, Caller: "4001",
					Callee: "1380000000" + c.digit, RingTimeout: c.ring, Prompts: c.prompts}
				if req.RingTimeout == 0 {
					req.RingTimeout = 5 * time.Second
				}
				if c.record {
					req.RecordingPath = "recordings/sim/" + name + ".wav"
				}
				o := originate(t, ua, context.Background(), req, 20*time.Second).outcome
				if o.Result != c.want || o.SIPStatus != c.status || o.HangupBy != c.hangup || o.DTMF != c.dtmf {
					t.Errorf("outcome %s (%s) status %d hangup %q dtmf %q; want %s status %d hangup %q dtmf %q",
						o.Result, o.Reason, o.SIPStatus, o.HangupBy, o.DTMF, c.want, c.status, c.hangup, c.dtmf)
				}
				checkTimes(t, o)
				if c.record {
					checkRecording(t, dir, o, req.RecordingPath)
				}
				if c.check != nil {
					c.check(t, o)
				}
			})
		}
	})
	st := sim.Stats()
	want := map[outdial.Result]int{outdial.ResultBusy: 2, outdial.ResultAnswered: 6, outdial.ResultNoAnswer: 1,
		outdial.ResultInvalidNumber: 1, outdial.ResultFailed: 1, outdial.ResultRejected: 1}
	for r, n := range want {
		if st.Calls[r] != n {
			t.Errorf("simulator counted %d %s calls, want %d (all: %v)", st.Calls[r], r, n, st.Calls)
		}
	}
	if st.Cancelled != 1 || st.DTMFSent != 1 || st.Hangups != 3 || st.AudioPackets == 0 {
		t.Errorf("simulator stats %+v: want 1 cancelled, 1 key, 3 hangups, audio received", st)
	}
}

func TestCarrierSimDigestAuth(t *testing.T) {
	sim := startSim(t, carriersim.Config{Username: "trunk7", Password: "pa55", TimeScale: 0.2})
	ua, _ := newTestUA(t)
	cases := []struct {
		name     string
		password string
		want     outdial.Result
		status   int
	}{
		{"right credentials", "pa55", outdial.ResultAnswered, 200},
		{"wrong password", "nope", outdial.ResultFailed, 403},
		{"no credentials", "", outdial.ResultFailed, 401},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line := &outdial.Line{ID: 1, Gateway: sim.Addr(), Username: "trunk7", Password: c.password, CallerNumbers: []string{"4001"}}
			req := telephony.Request{CallID: int64(3000 + i), Line: line, Caller: "4001", Callee: "13800000001",
				RingTimeout: 5 * time.Second, Prompts: []outdial.Prompt{{Audio: "tone.wav"}}}
			o := originate(t, ua, context.Background(), req, 20*time.Second).outcome
			if o.Result != c.want || o.SIPStatus != c.status {
				t.Errorf("outcome %s (%s) status %d; want %s status %d", o.Result, o.Reason, o.SIPStatus, c.want, c.status)
			}
			checkTimes(t, o)
		})
	}
	if st := sim.Stats(); st.Calls[outdial.ResultAnswered] != 1 || st.Challenged < 3 {
		t.Errorf("simulator stats %+v: want 1 answered call and at least 3 challenges", st)
	}
}

func TestTTSPromptCall(t *testing.T) {
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI", tool)
			}
			t.Skipf("%s not installed: skipping the TTS call", tool)
		}
	}
	sim := startSim(t, carriersim.Config{TimeScale: 0.2})
	ua, dir := newTestUA(t)
	line := &outdial.Line{ID: 1, Gateway: sim.Addr(), CallerNumbers: []string{"4001"}}
	const text = "您好，这里是外呼测试。"
	req := telephony.Request{CallID: 7001, Line: line, Caller: "4001", Callee: "13800000001", RingTimeout: 5 * time.Second,
		Debug: true, Prompts: []outdial.Prompt{{Audio: "long.wav", Text: text}}, RecordingPath: "recordings/tts.wav"}
	o := originate(t, ua, context.Background(), req, 20*time.Second).outcome
	if o.Result != outdial.ResultAnswered || o.HangupBy != outdial.HangupPlatform {
		t.Fatalf("outcome %s (%s) hangup %q", o.Result, o.Reason, o.HangupBy)
	}
	if _, err := os.Stat(media.TTSPath(dir, media.DefaultVoice, text)); err != nil {
		t.Errorf("debug mode did not speak the text: %v", err)
	}
	if d := o.EndTime.Sub(o.AnswerTime); d > 8*time.Second {
		t.Errorf("call lasted %s: the 10 s audio was played instead of the TTS", d)
	}
	checkRecording(t, dir, o, "recordings/tts.wav")
}
