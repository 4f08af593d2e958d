package webhook

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestRetriesLandOnSchedule: a receiver that fails three times gets the message at 0,
// 15, 30 and 60 s of virtual time, and nothing more once the 4th try succeeds.
func TestRetriesLandOnSchedule(t *testing.T) {
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit <= 3 {
			http.Error(w, "not yet", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	r := newRig(t, nil)
	sub := r.subscribe(rc.URL+"/hook", nil)
	m := r.enqueue(sub, "", "evt-4th")
	t0 := r.clock.Now()
	r.start()
	offs := offsets(Schedule(sub))
	for k := range 4 {
		if k > 0 {
			r.clock.AdvanceTo(t0.Add(offs[k]))
		}
		as := r.attempts(m.ID, k+1)
		if len(as) != k+1 {
			t.Fatalf("after advancing to +%v: %d attempts, want %d:\n%s", offs[k], len(as), k+1, showAttempts(as))
		}
		if at := as[k].At.Sub(t0); at != offs[k] {
			t.Fatalf("attempt %d at +%v, want +%v", k+1, at, offs[k])
		}
	}
	got := r.message(m.ID)
	if got.Status != outdial.OutboxDelivered || got.Attempts != 4 || !got.DeliveredAt.Equal(t0.Add(offs[3])) {
		t.Fatalf("message after the 4th try: %+v", got)
	}
	for _, step := range []time.Duration{time.Hour, 24 * time.Hour} {
		r.clock.Advance(step)
	}
	time.Sleep(50 * time.Millisecond)
	if as := r.attempts(m.ID, 4); len(as) != 4 || rc.count() != 4 {
		t.Fatalf("%d attempts and %d requests after a delivered message, want 4", len(as), rc.count())
	}
}

// TestDeadAfterLastRetry: a receiver that always fails gets 10 tries at the default
// schedule's offsets, then the message is dead, logged and counted.
func TestDeadAfterLastRetry(t *testing.T) {
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	})
	reg := prometheus.NewPedanticRegistry()
	r := newRig(t, func(c *Config) { c.Registerer = reg })
	sub := r.subscribe(rc.URL, nil)
	m := r.enqueue(sub, "", "evt-dead")
	t0 := r.clock.Now()
	r.start()
	offs := offsets(outdialSchedule())
	for k, off := range offs {
		r.clock.AdvanceTo(t0.Add(off))
		as := r.attempts(m.ID, k+1)
		if len(as) != k+1 || as[k].At.Sub(t0) != off || as[k].Status != 503 || as[k].Response != "down for maintenance\n" {
			t.Fatalf("attempt %d, want at +%v:\n%s", k+1, off, showAttempts(as))
		}
	}
	got := r.message(m.ID)
	if got.Status != outdial.OutboxDead || got.Attempts != len(offs) ||
		!strings.Contains(got.LastError, "answered 503") {
		t.Fatalf("message after the last retry: %+v", got)
	}
	r.clock.Advance(7 * 24 * time.Hour)
	time.Sleep(50 * time.Millisecond)
	if rc.count() != len(offs) {
		t.Fatalf("a dead message was tried again: %d requests", rc.count())
	}
	if !strings.Contains(r.logs.String(), "delivery is dead") || strings.Contains(r.logs.String(), "topsecret") ||
		strings.Contains(r.logs.String(), rc.URL) {
		t.Fatalf("log (must say the delivery died, without URL or secret):\n%s", r.logs)
	}
	want := map[string]float64{"outdial_webhook_failed_total": 10, "outdial_webhook_dead_total": 1,
		"outdial_webhook_delivered_total": 0, "outdial_webhook_delivery_seconds": 10, "outdial_webhook_backlog/dead": 1,
		"outdial_webhook_backlog/pending": 0}
	if got := gather(t, reg); !sameMetrics(got, want) {
		t.Fatalf("metrics = %v, want %v", got, want)
	}
}

// outdialSchedule is the default schedule as durations.
func outdialSchedule() []time.Duration { return Schedule(nil) }

// gather sums each metric family (histograms: their sample count; backlog: per status).
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.Metric {
			name := mf.GetName()
			if name == "outdial_webhook_backlog" {
				name += "/" + labelValue(m, "status")
			}
			switch {
			case m.Counter != nil:
				out[name] += m.Counter.GetValue()
			case m.Gauge != nil:
				out[name] += m.Gauge.GetValue()
			case m.Histogram != nil:
				out[name] += float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func sameMetrics(got, want map[string]float64) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
