package sipua

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/carriersim"
	"github.com/outdial/outdial/internal/telephony"
)

// runCalls places n calls to callee through the simulator with at most inFlight live at
// once and returns how many were answered and how long they all took.
func runCalls(b *testing.B, ua *UA, gateway string, n, inFlight int, callee string, prompts []outdial.Prompt) (int64, time.Duration) {
	line := &outdial.Line{ID: 1, Gateway: gateway, CallerNumbers: []string{"4001"}}
	sem := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	var answered, maxSetup atomic.Int64
	var other sync.Map
	start := time.Now()
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		req := telephony.Request{CallID: int64(i), Line: line, Caller: "4001", Callee: callee,
			RingTimeout: 30 * time.Second, Prompts: prompts}
		ua.Originate(context.Background(), req, func(ev telephony.Event) {
			if ev.Kind != telephony.Ended {
				return
			}
			if o := ev.Outcome; o.Result == outdial.ResultAnswered {
				answered.Add(1)
				setup := int64(o.AnswerTime.Sub(o.StartTime))
				for cur := maxSetup.Load(); setup > cur && !maxSetup.CompareAndSwap(cur, setup); cur = maxSetup.Load() {
				}
			} else {
				other.Store(fmt.Sprintf("%s (%s)", ev.Outcome.Result, ev.Outcome.Reason), true)
			}
			<-sem
			wg.Done()
		})
	}
	wg.Wait()
	other.Range(func(k, _ any) bool { b.Logf("unanswered: %v", k); return true })
	b.ReportMetric(time.Duration(maxSetup.Load()).Seconds(), "max-setup-s")
	return answered.Load(), time.Since(start)
}

func benchPeers(b *testing.B) (*UA, *carriersim.Sim) {
	sim := startSim(b, carriersim.Config{TimeScale: 0.001})
	ua, _ := newTestUA(b)
	return ua, sim
}

// BenchmarkSequentialCalls places answered calls one after another (INVITE, 180, 200,
// ACK, BYE; no media), as `go test -run X -bench Sequential -benchtime 100x` does.
func BenchmarkSequentialCalls(b *testing.B) {
	ua, sim := benchPeers(b)
	b.ResetTimer()
	ok, took := runCalls(b, ua, sim.Addr(), b.N, 1, "13800000001", nil)
	b.ReportMetric(float64(b.N)/took.Seconds(), "calls/s")
	if ok != int64(b.N) {
		b.Errorf("%d of %d answered", ok, b.N)
	}
}

// BenchmarkConcurrentCallsNoMedia places answered calls without media, up to 500 live.
func BenchmarkConcurrentCallsNoMedia(b *testing.B) {
	ua, sim := benchPeers(b)
	b.ResetTimer()
	ok, took := runCalls(b, ua, sim.Addr(), b.N, 500, "13800000001", nil)
	b.ReportMetric(float64(b.N)/took.Seconds(), "calls/s")
	if ok != int64(b.N) {
		b.Errorf("%d of %d answered", ok, b.N)
	}
}

// BenchmarkConcurrentCallsWithMedia holds b.N answered calls at once, each playing a
// 10 s prompt over RTP (`-benchtime 1000x` for the 1,000-call figure).
func BenchmarkConcurrentCallsWithMedia(b *testing.B) {
	ua, sim := benchPeers(b)
	b.ResetTimer()
	ok, took := runCalls(b, ua, sim.Addr(), b.N, b.N, "13800000001", []outdial.Prompt{{Audio: "long.wav"}})
	b.ReportMetric(took.Seconds(), "s/batch")
	if ok != int64(b.N) {
		b.Errorf("%d of %d answered", ok, b.N)
	}
}

// BenchmarkSippCallsNoMedia places answered calls without media against a SIPp UAS
// (a cheaper callee than carriersim), up to 200 live: outdial's side of the calls/s
// figure, `-bench SippCalls -benchtime 5000x`.
func BenchmarkSippCallsNoMedia(b *testing.B) {
	peer := startSipp(b, "uas_answer.xml", "udp", 0) // -m would count stray retransmissions as calls
	ua, _ := newTestUA(b)
	b.ResetTimer()
	ok, took := runCalls(b, ua, peer.addr, b.N, 200, "13800000001", nil)
	b.ReportMetric(float64(b.N)/took.Seconds(), "calls/s")
	if ok != int64(b.N) {
		log, _ := os.ReadFile(peer.errLog)
		b.Errorf("%d of %d answered; sipp errors: %s", ok, b.N, lastBytes(log, 3000))
	}
}
