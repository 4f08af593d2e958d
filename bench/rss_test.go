package bench

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// peakRSSMB returns the process's peak resident set size (VmHWM) in MB, 0 if unknown.
func peakRSSMB() float64 {
	return procStatusKB("VmHWM:") / 1024
}

// resetPeakRSS restarts VmHWM from the current RSS (Linux: write 5 to clear_refs).
func resetPeakRSS(tb testing.TB) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Logf("cannot reset the peak RSS (%v): the figure includes earlier work", err)
	}
}

func procStatusKB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.ParseFloat(f[1], 64)
				return v
			}
		}
	}
	return 0
}
