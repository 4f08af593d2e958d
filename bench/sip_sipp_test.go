package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireSipp returns the sipp binary, or skips the benchmark when it is missing; with
// CI=true it fails instead, as the SIP tests do.
func requireSipp(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("sipp is required in CI: apt-get install -y sip-tester")
		}
		tb.Skip("sipp not installed (apt-get install -y sip-tester): skipping the SIP benchmarks")
	}
	return path
}

// sipp is one SIPp process on loopback: a UAS (the carrier) or a UAC (the reference
// caller). Its SIP, media and control sockets all bind to 127.0.0.1.
type sipp struct {
	name      string
	addr      string // SIP host:port
	mediaPort int    // RTP (audio) port
	cmd       *exec.Cmd
	done      chan struct{}
	err       error
	output    bytes.Buffer
	errLog    string
	statCSV   string // -trace_stat file (UAC only)
	started   time.Time
	ended     time.Time
}

// args returns the options every SIPp of the benchmarks uses, and notes its media port.
func (p *sipp) args(tb testing.TB, scenario string, port int) []string {
	p.mediaPort = freeUDPPorts(tb, 4)
	return []string{"-sf", scenario, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-t", "u1",
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(p.mediaPort), "-ci", "127.0.0.1", "-cp", strconv.Itoa(freeUDPPorts(tb, 1)),
		"-nostdin", "-buff_size", "4194304", "-trace_err", "-error_file", p.errLog,
		// A late retransmission is ignored (the scenarios' own retransmissions recover)
		// rather than aborting the call.
		"-default_behaviors", "all,-abortunexp",
		// A loaded machine must not end the run: the benchmarks bound their own time.
		"-watchdog_minor_maxtriggers", "1000000", "-watchdog_major_maxtriggers", "1000000"}
}

// startSippUAS runs scenario as a carrier until the benchmark ends (or stop); extra adds
// options such as -rtp_echo.
func startSippUAS(tb testing.TB, scenario string, extra ...string) *sipp {
	tb.Helper()
	bin := requireSipp(tb)
	port := freeUDPPorts(tb, 1)
	p := &sipp{name: "uas", addr: "127.0.0.1:" + strconv.Itoa(port), errLog: filepath.Join(tb.TempDir(), "uas_errors.log")}
	p.start(tb, bin, append(p.args(tb, scenario, port), extra...))
	tb.Cleanup(p.stop)
	// Ready once it holds its port.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.ListenPacket("udp", p.addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			tb.Fatalf("sipp UAS did not bind %s: %s", p.addr, p.output.String())
		}
	}
	return p
}

// runSippUAC places calls calls to target with at most limit live at once, as fast as
// SIPp can (the rate is far above what the machine does), and waits for it to finish,
// within timeout.
func runSippUAC(tb testing.TB, scenario, target string, calls, limit int, timeout time.Duration) *sipp {
	tb.Helper()
	bin := requireSipp(tb)
	dir := tb.TempDir()
	p := &sipp{name: "uac", errLog: filepath.Join(dir, "uac_errors.log"), statCSV: filepath.Join(dir, "uac_stat.csv")}
	args := append([]string{target}, p.args(tb, scenario, freeUDPPorts(tb, 1))...)
	args = append(args, "-m", strconv.Itoa(calls), "-l", strconv.Itoa(limit), "-r", "10000", "-rp", "1000",
		"-timeout", strconv.Itoa(int(timeout.Seconds()))+"s", "-timeout_error",
		"-trace_stat", "-stf", p.statCSV, "-fd", "1")
	p.start(tb, bin, args)
	select {
	case <-p.done:
	case <-time.After(timeout + 10*time.Second):
		p.stop()
		tb.Fatalf("sipp UAC did not finish within %s", timeout)
	}
	if p.err != nil {
		log, _ := os.ReadFile(p.errLog)
		tb.Fatalf("sipp UAC failed: %v\n%s\n%s", p.err, sipTail(log, 2000), sipTail(p.output.Bytes(), 2000))
	}
	return p
}

func (p *sipp) start(tb testing.TB, bin string, args []string) {
	tb.Helper()
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.output, &p.output
	p.done = make(chan struct{})
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("start sipp: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		p.ended = time.Now()
		close(p.done)
	}()
}

// stop kills the process (if it still runs) and waits for it.
func (p *sipp) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
	}
}

// mediaDrops returns how many datagrams the kernel dropped on SIPp's audio socket
// because its receive buffer was full (false if the socket is not found).
func (p *sipp) mediaDrops() (int64, bool) {
	return udpDrops(p.mediaPort)
}

// udpDrops reads /proc/net/udp for the drops of the socket bound to 127.0.0.1:port.
func udpDrops(port int) (int64, bool) {
	b, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		return 0, false
	}
	local := fmt.Sprintf("0100007F:%04X", port)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 13 && f[1] == local {
			n, err := strconv.ParseInt(f[len(f)-1], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// udpReceiveErrors returns the machine's count of UDP datagrams dropped for a full
// receive buffer (RcvbufErrors in /proc/net/snmp).
func udpReceiveErrors() int64 {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "Udp:" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, name := range names {
			if name == "RcvbufErrors" && i < len(f) {
				n, _ := strconv.ParseInt(f[i], 10, 64)
				return n
			}
		}
	}
	return 0
}

// cpu returns the CPU time (user and system) the process used; it must have ended.
func (p *sipp) cpu() time.Duration {
	if p.cmd.ProcessState == nil {
		return 0
	}
	return p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
}

// errors returns the end of SIPp's error log.
func (p *sipp) errors() string {
	log, _ := os.ReadFile(p.errLog)
	return string(sipTail(log, 2000))
}

// successTimes reads the UAC's -trace_stat file: for each line, the time and the
// cumulative count of successful calls.
func (p *sipp) successTimes() ([]time.Time, []int, error) {
	f, err := os.Open(p.statCSV)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	timeCol, okCol := -1, -1
	var at []time.Time
	var ok []int
	for sc.Scan() {
		cols := strings.Split(sc.Text(), ";")
		if timeCol < 0 {
			for i, c := range cols {
				switch c {
				case "CurrentTime":
					timeCol = i
				case "SuccessfulCall(C)":
					okCol = i
				}
			}
			if timeCol < 0 || okCol < 0 {
				return nil, nil, fmt.Errorf("sipp stat header lacks CurrentTime or SuccessfulCall(C): %.200s", sc.Text())
			}
			continue
		}
		if len(cols) <= max(timeCol, okCol) {
			continue
		}
		// CurrentTime is "date<TAB>time<TAB>unix.micro".
		f := strings.Fields(cols[timeCol])
		if len(f) == 0 {
			continue
		}
		sec, err1 := strconv.ParseFloat(f[len(f)-1], 64)
		n, err2 := strconv.Atoi(strings.TrimSpace(cols[okCol]))
		if err1 != nil || err2 != nil {
			continue
		}
		at = append(at, time.Unix(0, int64(sec*1e9)))
		ok = append(ok, n)
	}
	return at, ok, sc.Err()
}

// freeUDPPorts returns an even loopback port such that it and the n-1 ports after it
// are free for UDP (SIPp's media port needs 4: audio, RTCP, video, RTCP).
func freeUDPPorts(tb testing.TB, n int) int {
	tb.Helper()
	for range 200 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		u.Close()
		if port%2 == 1 || port+n > 65535 {
			continue
		}
		free := true
		for q := port; q < port+n; q++ {
			c, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(q))
			if err != nil {
				free = false
				break
			}
			c.Close()
		}
		if free {
			return port
		}
	}
	tb.Fatal("no free UDP ports")
	return 0
}

// sipCPUTime returns the CPU time (user and system) this process has used.
func sipCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func sipTail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// sipCPUTicks is the machine's CPU time from /proc/stat, in clock ticks.
type sipCPUTicks struct{ busy, total uint64 }

// sipMachineCPU reads the machine's CPU counters (zero if unknown).
func sipMachineCPU() sipCPUTicks {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return sipCPUTicks{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var t sipCPUTicks
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		t.total += n
		if i != 3 && i != 4 { // idle, iowait
			t.busy += n
		}
	}
	return t
}

// since returns the fraction of the machine's CPU that was busy since t0 (all processes).
func (t sipCPUTicks) since(t0 sipCPUTicks) float64 {
	if t.total <= t0.total {
		return 0
	}
	return float64(t.busy-t0.busy) / float64(t.total-t0.total)
}

func sipFormat(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
