package bench

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// The calls-per-second benchmark (issue 4): how many 1-second answered calls outdial
// completes per second through a SIPp carrier, against SIPp calling the same carrier.
const (
	cpsCalls = 30_000
	// cpsLimit caps the live calls, of outdial (line and task concurrency) and of the
	// SIPp reference (-l) alike: above what 1-second calls need at SIPp's rate here.
	cpsLimit = 4_000
)

// BenchmarkSIPCallsPerSecond dials 30,000 contacts of one task at full speed (no calls
// per second limit, 4,000 live calls at most) through a SIPp UAS that answers, sends no
// media and hangs up with a BYE one second after the ACK. Outdial is the real engine,
// sipua and SQLite store; every call's CDR is written. Outdial keeps each call up with a
// prompt of one silent frame and a 30 s key wait, so it sends silence (20 ms RTP
// frames) until the carrier's BYE; no recording. In the same run, SIPp's own UAC places
// 30,000 calls against the same scenario with the same live-call limit, before and
// after outdial: the reference. Each op is the whole run; use -benchtime 1x.
func BenchmarkSIPCallsPerSecond(b *testing.B) {
	requireSipp(b)
	for range b.N {
		b.StopTimer()
		carrier := startSippUAS(b, "testdata/sip/uas_answer_bye.xml")
		refCarrier := startSippUAS(b, "testdata/sip/uas_answer_bye.xml")
		rig := newSIPRig(b, sipRigConfig{gateway: carrier.addr, contacts: cpsCalls, concurrency: cpsLimit,
			prompts: []outdial.Prompt{{Audio: "frame.wav", WaitKeys: true, MaxKeys: 1, TimeoutSecs: 30}},
			audio:   map[string]time.Duration{"frame.wav": 0}})

		before := sippReference(b, refCarrier.addr)

		debug.FreeOSMemory()
		resetPeakRSS(b)
		rss0 := procStatusKB("VmRSS:") / 1024
		busy0, cpu0, start := sipMachineCPU(), sipCPUTime(), time.Now()
		b.StartTimer()
		end := rig.run(b, 4*time.Minute)
		b.StopTimer()
		elapsed, cpu, busy := end.Sub(start), sipCPUTime()-cpu0, sipMachineCPU().since(busy0)
		rss := peakRSSMB()
		carrier.stop()
		steady := rig.obs.steadyRate()
		results := rig.obs.resultCounts()

		after := sippReference(b, refCarrier.addr)
		refCarrier.stop()

		rate := float64(cpsCalls) / elapsed.Seconds()
		ref := (before.rate + after.rate) / 2
		refSteady := (before.steady + after.steady) / 2
		b.ReportMetric(rate, "calls/s")
		b.ReportMetric(steady, "steady-calls/s")
		b.ReportMetric(ref, "sipp-calls/s")
		b.ReportMetric(rate/ref, "x-sipp")
		b.ReportMetric(steady/refSteady, "steady-x-sipp")
		b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cpu-cores")
		b.ReportMetric(rss, "peak-RSS-MB")
		b.Logf("outdial: %d calls in %s = %.0f calls/s (steady 10%%-90%%: %.0f/s); CPU %.1f s = %.2f cores; peak RSS %.0f MB; carrier (SIPp UAS) CPU %.2f cores; machine busy %.0f%% of %d cores",
			cpsCalls, elapsed.Round(time.Millisecond), rate, steady, cpu.Seconds(), cpu.Seconds()/elapsed.Seconds(), rss,
			carrier.cpu().Seconds()/elapsed.Seconds(), busy*100, runtime.NumCPU())
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.Logf("memory: RSS %.0f MB when the task started, peak %.0f MB; Go heap now %d MB in use, %d MB from the OS, stacks %d MB, GC runs %d",
			rss0, rss, ms.HeapInuse>>20, ms.HeapSys>>20, ms.StackSys>>20, ms.NumGC)
		b.Logf("SIPp reference before: %s", before)
		b.Logf("SIPp reference after:  %s", after)
		b.Logf("outdial / SIPp: %.2fx (whole run), %.2fx (steady)", rate/ref, steady/refSteady)
		setup, talk := rig.obs.meanTimes()
		b.Logf("results: %v; mean INVITE to answer %s, answer to end %s; at most %d answered calls up at once",
			results, setup.Round(time.Millisecond), talk.Round(time.Millisecond), rig.obs.maxAnsweredUp())
		if results["answered (hangup by customer)"] != cpsCalls {
			b.Errorf("not every call was answered and hung up by the carrier: %v; carrier errors: %s", results, carrier.errors())
		}
	}
}

// sippRun is one run of the SIPp reference.
type sippRun struct {
	rate, steady float64 // calls per second: whole run, and between 10% and 90% of the calls
	took         time.Duration
	cpu          time.Duration // the UAC's CPU time
	busy         float64       // the machine's busy fraction during the run
}

func (r sippRun) String() string {
	return time.Duration(r.took).Round(time.Millisecond).String() + " for the calls: " +
		sipFormat(r.rate) + " calls/s (steady " + sipFormat(r.steady) + "/s); UAC CPU " +
		sipFormat(r.cpu.Seconds()/r.took.Seconds()*100) + "% of a core; machine busy " + sipFormat(r.busy*100) + "%"
}

// sippReference runs SIPp's UAC against carrier for cpsCalls calls.
func sippReference(b *testing.B, carrier string) sippRun {
	b.Helper()
	busy0 := sipMachineCPU()
	uac := runSippUAC(b, "testdata/sip/uac_wait_bye.xml", carrier, cpsCalls, cpsLimit, 3*time.Minute)
	r := sippRun{took: uac.ended.Sub(uac.started), cpu: uac.cpu(), busy: sipMachineCPU().since(busy0)}
	r.rate = float64(cpsCalls) / r.took.Seconds()
	at, ok, err := uac.successTimes()
	if err != nil {
		b.Logf("SIPp statistics unreadable (%v): steady rate taken as the whole run's", err)
		r.steady = r.rate
	} else {
		r.steady = sipSteadyFromCounts(at, ok, cpsCalls)
	}
	return r
}

// sipSteadyFromCounts returns the rate between the instants the cumulative count reached
// 10% and 90% of total, interpolating between samples.
func sipSteadyFromCounts(at []time.Time, counts []int, total int) float64 {
	when := func(target int) (time.Time, bool) {
		for i := 1; i < len(counts); i++ {
			if counts[i] >= target && counts[i-1] < target {
				f := float64(target-counts[i-1]) / float64(counts[i]-counts[i-1])
				return at[i-1].Add(time.Duration(f * float64(at[i].Sub(at[i-1])))), true
			}
		}
		return time.Time{}, false
	}
	lo, ok1 := when(total / 10)
	hi, ok2 := when(total * 9 / 10)
	if !ok1 || !ok2 || !hi.After(lo) {
		return 0
	}
	return float64(total*9/10-total/10) / hi.Sub(lo).Seconds()
}

// The media benchmark (issue 4): 1,000 answered calls at once, each playing a prompt and
// recorded, against a SIPp carrier that echoes their RTP.
const (
	mediaCalls  = 1_000
	mediaPrompt = 20 * time.Second
)

// BenchmarkSIPConcurrentCallsWithMedia dials 1,000 contacts at once (line and task
// concurrency 1,000) through a SIPp UAS that answers and echoes every RTP packet back
// (-rtp_echo). Each call plays a 20 s prompt (a 440 Hz tone, PCMA) and is recorded as a
// stereo WAV under the data directory; outdial hangs up when the prompt ends. It reports
// the CPU and peak RSS of outdial, the late packets (sent more than 10 ms after their
// 20 ms slot) and the lost ones (gaps in the sequence numbers echoed back), and checks
// every recording. Each op is the whole run; use -benchtime 1x.
func BenchmarkSIPConcurrentCallsWithMedia(b *testing.B) {
	requireSipp(b)
	for range b.N {
		b.StopTimer()
		carrier := startSippUAS(b, "../internal/telephony/sipua/testdata/uas_answer.xml", "-rtp_echo")
		rig := newSIPRig(b, sipRigConfig{gateway: carrier.addr, contacts: mediaCalls, concurrency: mediaCalls,
			prompts: []outdial.Prompt{{Audio: "prompt.wav"}}, audio: map[string]time.Duration{"prompt.wav": mediaPrompt},
			record: true})
		debug.FreeOSMemory()
		resetPeakRSS(b)
		rss0 := procStatusKB("VmRSS:") / 1024
		stats0, rcvErr0 := rig.ua.MediaStats(), udpReceiveErrors()
		cpu0, busy0, start := sipCPUTime(), sipMachineCPU(), time.Now()

		// CPU while every call is up: from 5 s to 15 s after the start.
		window := make(chan [3]float64, 1)
		go func() {
			time.Sleep(5 * time.Second)
			c, m, up := sipCPUTime(), sipMachineCPU(), rig.obs.answeredUp()
			time.Sleep(10 * time.Second)
			window <- [3]float64{(sipCPUTime() - c).Seconds() / 10, sipMachineCPU().since(m), float64(min(up, rig.obs.answeredUp()))}
		}()
		b.StartTimer()
		end := rig.run(b, 2*time.Minute)
		b.StopTimer()
		elapsed, cpu, busy := end.Sub(start), sipCPUTime()-cpu0, sipMachineCPU().since(busy0)
		rss := peakRSSMB()
		carrierDrops, _ := carrier.mediaDrops()
		rcvErr := udpReceiveErrors() - rcvErr0
		carrier.stop()
		st := rig.ua.MediaStats()
		st.Sent -= stats0.Sent
		st.Late -= stats0.Late
		st.Received -= stats0.Received
		st.Lost -= stats0.Lost
		var w [3]float64
		select {
		case w = <-window:
		default:
			b.Logf("the run ended before the 15 s CPU window")
		}
		rec := sipCheckRecordings(b, rig.dataDir, mediaCalls, mediaPrompt)

		held := rig.obs.maxAnsweredUp()
		latePct := 100 * float64(st.Late) / float64(max(st.Sent, 1))
		lostPct := 100 * float64(st.Lost) / float64(max(st.Received+st.Lost, 1))
		b.ReportMetric(float64(held), "calls-held")
		b.ReportMetric(latePct, "late-%")
		b.ReportMetric(lostPct, "lost-%")
		b.ReportMetric(w[0], "cpu-cores-held")
		b.ReportMetric(rss, "peak-RSS-MB")
		b.Logf("%d calls, at most %d answered up at once (%v up through the CPU window); run %s",
			mediaCalls, held, w[2], elapsed.Round(time.Millisecond))
		b.Logf("RTP sent %d, late %d (%.3f%%, worst %s); echoed back %d, lost %d (%.3f%%); not echoed back %d",
			st.Sent, st.Late, latePct, st.MaxLate.Round(time.Microsecond), st.Received, st.Lost, lostPct, st.Sent-st.Received)
		b.Logf("UDP datagrams dropped for a full receive buffer: %d on the carrier's RTP socket (SIPp's one echo thread falling behind), %d on the whole machine; lost beyond the carrier's drops: %d",
			carrierDrops, rcvErr, max(0, st.Lost-carrierDrops))
		b.Logf("CPU: %.2f cores with every call up (machine busy %.0f%% of %d cores); %.1f s over the run = %.2f cores; carrier (SIPp, echo) %.2f cores; machine busy %.0f%%; peak RSS %.0f MB",
			w[0], w[1]*100, runtime.NumCPU(), cpu.Seconds(), cpu.Seconds()/elapsed.Seconds(),
			carrier.cpu().Seconds()/elapsed.Seconds(), busy*100, rss)
		b.Logf("memory: RSS %.0f MB when the calls started (what earlier benchmarks of this process left), peak %.0f MB", rss0, rss)
		b.Logf("recordings: %s", rec)
		b.Logf("results: %v", rig.obs.resultCounts())
		if held < mediaCalls {
			b.Errorf("only %d of %d calls were up at once", held, mediaCalls)
		}
		if rec.files != mediaCalls || rec.bad > 0 {
			b.Errorf("recordings: %s", rec)
		}
	}
}
