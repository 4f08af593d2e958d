package sipua

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"
)

// requireSipp skips the test when sipp is missing, except in CI where it must be there.
func requireSipp(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sipp is required in CI: apt-get install -y sip-tester")
		}
		t.Skip("sipp not installed (apt-get install -y sip-tester): skipping SIPp tests")
	}
	return path
}

// sippPeer is a SIPp process running one scenario for one call.
type sippPeer struct {
	addr   string
	done   chan error
	output *bytes.Buffer
	errLog string
}

// startSipp runs scenario (under testdata/) as a UAS for calls calls (0: until killed)
// on a free port over transport ("udp" or "tcp"), echoing RTP, and kills it when the
// test ends.
func startSipp(t testing.TB, scenario, transport string, calls int) *sippPeer {
	t.Helper()
	bin := requireSipp(t)
	port, mport := freePort(t), freePort(t)
	tmode := map[string]string{"udp": "u1", "tcp": "t1"}[transport]
	p := &sippPeer{addr: "127.0.0.1:" + strconv.Itoa(port), done: make(chan error, 1),
		output: new(bytes.Buffer), errLog: filepath.Join(t.TempDir(), "sipp_errors.log")}
	args := []string{"-sf", filepath.Join("testdata", scenario), "-i", "127.0.0.1",
		"-p", strconv.Itoa(port), "-t", tmode, "-nostdin", "-buff_size", "4194304",
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(mport), "-rtp_echo",
		"-ci", "127.0.0.1", "-cp", strconv.Itoa(freePort(t)), // its control socket too, not 0.0.0.0:8888
		"-trace_err", "-error_file", p.errLog}
	if calls > 0 {
		args = append(args, "-m", strconv.Itoa(calls), "-timeout", "40s", "-timeout_error")
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = p.output, p.output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sipp: %v", err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
	})
	// Ready once it holds its port.
	for deadline := time.Now().Add(5 * time.Second); ; {
		var c interface{ Close() error }
		var err error
		if transport == "tcp" {
			c, err = net.Listen("tcp", p.addr)
		} else {
			c, err = net.ListenPacket("udp", p.addr)
		}
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("sipp did not bind %s: %s", p.addr, p.output)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

// wait waits for sipp to finish its one call and checks it saw the scenario through.
func (p *sippPeer) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-p.done:
		if err != nil {
			log, _ := os.ReadFile(p.errLog)
			t.Errorf("sipp failed the scenario: %v\n%s\n%s", err, log, lastBytes(p.output.Bytes(), 2000))
		}
	case <-time.After(15 * time.Second):
		t.Errorf("sipp did not finish")
	}
}

func lastBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func TestSippScenarios(t *testing.T) {
	const rec = "recordings/sipp/call.wav"
	cases := []struct {
		name      string
		scenario  string
		transport string
		line      func(l *outdial.Line)
		prompts   []outdial.Prompt
		ring      time.Duration
		record    bool
		want      outdial.Result
		status    int
		hangup    outdial.HangupBy
		rings     bool
		dtmf      string
		check     func(t *testing.T, o outdial.Outcome)
	}{
		{name: "busy", scenario: "uas_busy.xml", want: outdial.ResultBusy, status: 486},
		{name: "trunk failure 503 over tcp", scenario: "uas_503.xml", transport: "tcp", want: outdial.ResultFailed, status: 503},
		{name: "ring until CANCEL at the timeout", scenario: "uas_ring_cancel.xml", ring: 2 * time.Second,
			want: outdial.ResultNoAnswer, status: 487, rings: true,
			check: func(t *testing.T, o outdial.Outcome) {
				if d := o.EndTime.Sub(o.StartTime); d < 2*time.Second || d > 4*time.Second {
					t.Errorf("rang %s, want about the 2 s timeout", d)
				}
				if o.Reason != "ring timeout" {
					t.Errorf("reason %q", o.Reason)
				}
			}},
		{name: "early media then answer", scenario: "uas_early_media.xml", record: true,
			prompts: []outdial.Prompt{{Audio: "tone.wav"}},
			want:    outdial.ResultAnswered, status: 200, hangup: outdial.HangupPlatform, rings: true,
			check: func(t *testing.T, o outdial.Outcome) {
				if d := o.AnswerTime.Sub(o.RingTime); d < 1800*time.Millisecond {
					t.Errorf("183 to 200 took %s, want the scenario's 2 s of early media", d)
				}
			}},
		{name: "answer, DTMF from sipp pcap, callee BYE", scenario: "uas_dtmf_bye.xml", record: true,
			prompts: []outdial.Prompt{{Audio: "tone.wav", WaitKeys: true, TimeoutSecs: 5}, {Audio: "long.wav"}},
			want:    outdial.ResultAnswered, status: 200, hangup: outdial.HangupCustomer, rings: true, dtmf: "1"},
		{name: "401 digest challenge then answer", scenario: "uas_auth.xml", record: true,
			line:    func(l *outdial.Line) { l.Username, l.Password = "outdial", "s3cret" },
			prompts: []outdial.Prompt{{Audio: "tone.wav"}},
			want:    outdial.ResultAnswered, status: 200, hangup: outdial.HangupPlatform},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			transport := c.transport
			if transport == "" {
				transport = "udp"
			}
			peer := startSipp(t, c.scenario, transport, 1)
			ua, dir := newTestUA(t)
			line := &outdial.Line{ID: 1, Gateway: peer.addr, Transport: transport, CallerNumbers: []string{"4001"}}
			if c.line != nil {
				c.line(line)
			}
			req := telephony.Request{CallID: int64(1000 + i), Line: line, Caller: "4001", Callee: "13800000001",
				RingTimeout: c.ring, Prompts: c.prompts}
			if c.record {
				req.RecordingPath = rec
			}
			res := originate(t, ua, context.Background(), req, 30*time.Second)
			o := res.outcome
			if o.Result != c.want || o.SIPStatus != c.status || o.HangupBy != c.hangup || o.DTMF != c.dtmf {
				t.Errorf("outcome %s (%s) status %d hangup %q dtmf %q; want %s status %d hangup %q dtmf %q",
					o.Result, o.Reason, o.SIPStatus, o.HangupBy, o.DTMF, c.want, c.status, c.hangup, c.dtmf)
			}
			if got := !o.RingTime.IsZero(); got != c.rings {
				t.Errorf("ring time set %v, want %v", got, c.rings)
			}
			checkTimes(t, o)
			checkEvents(t, res.events, c.rings, c.want == outdial.ResultAnswered)
			if c.record {
				checkRecording(t, dir, o, rec)
			}
			if c.check != nil {
				c.check(t, o)
			}
			peer.wait(t)
		})
	}
}

// checkEvents checks the events came in order: Ringing, Answered, Ended.
func checkEvents(t *testing.T, evs []telephony.Event, ringing, answered bool) {
	t.Helper()
	var want []telephony.EventKind
	if ringing {
		want = append(want, telephony.Ringing)
	}
	if answered {
		want = append(want, telephony.Answered)
	}
	want = append(want, telephony.Ended)
	if len(evs) != len(want) {
		t.Fatalf("%d events %+v, want kinds %v", len(evs), evs, want)
	}
	for i, ev := range evs {
		if ev.Kind != want[i] {
			t.Errorf("event %d is %v, want %v", i, ev.Kind, want[i])
		}
	}
}
