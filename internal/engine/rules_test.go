package engine

import (
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/telephony"
	"github.com/outdial/outdial/internal/telephony/sim"
)

// fixed is a profile where every call is answered after 1 s of setup and 2 s of ringing
// and lasts 20 s.
var fixed = sim.Profile{SetupMin: time.Second, SetupMax: time.Second, RingMin: 2 * time.Second, RingMax: 2 * time.Second,
	TalkMin: 20 * time.Second, TalkMax: 20 * time.Second}

// local is Shanghai time on Monday 2026-03-02 plus days.
func local(days, h, m, s int) time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Date(2026, 3, 2+days, h, m, s, 0, loc)
}

func startsIn(h *harness, from, to time.Time) int {
	n := 0
	for _, s := range h.obs.starts {
		if !s.at.Before(from) && s.at.Before(to) {
			n++
		}
	}
	return n
}

func TestRules(t *testing.T) {
	tod := func(s string) outdial.TimeOfDay { v, _ := outdial.ParseTimeOfDay(s); return v }
	cases := []struct {
		name  string
		start time.Time
		run   func(t *testing.T, f *fixture, h *harness)
	}{
		{"window edges", local(0, 8, 50, 0), func(t *testing.T, f *fixture, h *harness) {
			task := f.task(f.line(2, 0), 2, 200, 13800000000, func(t *outdial.Task) {
				t.Window = outdial.DailyWindow{Start: tod("09:00:00"), End: tod("09:10:00")}
			})
			f.start(task)
			h.wake()
			h.runUntil(local(1, 9, 5, 0))
			if n := startsIn(h, local(0, 0, 0, 0), local(0, 9, 0, 0)); n != 0 {
				t.Errorf("%d calls before 09:00", n)
			}
			if h.obs.starts[0].at != local(0, 9, 0, 0).UTC() && !h.obs.starts[0].at.Equal(local(0, 9, 0, 0)) {
				t.Errorf("first call at %v, want 09:00:00 sharp", h.obs.starts[0].at)
			}
			if n := startsIn(h, local(0, 9, 10, 0), local(1, 9, 0, 0)); n != 0 {
				t.Errorf("%d calls between 09:10 and the next 09:00", n)
			}
			if n := startsIn(h, local(1, 9, 0, 0), local(1, 9, 0, 1)); n == 0 {
				t.Error("no call at 09:00 the next day")
			}
		}},
		{"forbidden range across midnight", local(0, 21, 59, 0), func(t *testing.T, f *fixture, h *harness) {
			g := &outdial.TimeGroup{TenantID: f.tenant.ID, Name: "night", Ranges: []outdial.ForbiddenRange{{Start: tod("22:00:00"), End: tod("07:00:00")}}}
			mustDo(t, f.s.CreateTimeGroup(ctx, g))
			task := f.task(f.line(1, 0), 1, 100, 13800000000, func(t *outdial.Task) { t.TimeGroupID = g.ID })
			f.start(task)
			h.wake()
			h.runUntil(local(1, 7, 1, 0))
			if n := startsIn(h, local(0, 22, 0, 0), local(1, 7, 0, 0)); n != 0 {
				t.Errorf("%d calls in the night range", n)
			}
			if n := startsIn(h, local(0, 21, 59, 0), local(0, 22, 0, 0)); n != 3 {
				t.Errorf("%d calls in the last minute before 22:00, want 3 (23 s each)", n)
			}
			if n := startsIn(h, local(1, 7, 0, 0), local(1, 7, 0, 1)); n != 1 {
				t.Errorf("%d calls at 07:00, want 1", n)
			}
		}},
		{"line expires mid-task", local(0, 10, 0, 0), func(t *testing.T, f *fixture, h *harness) {
			line := f.line(1, 0)
			line.ValidUntil = local(0, 10, 5, 0)
			mustDo(t, f.s.UpdateLine(ctx, line))
			task := f.task(line, 1, 100, 13800000000, nil)
			f.start(task)
			h.wake()
			h.runUntil(local(0, 12, 0, 0))
			if n := startsIn(h, local(0, 10, 5, 0), local(1, 0, 0, 0)); n != 0 {
				t.Errorf("%d calls after the line expired", n)
			}
			p, _ := f.s.TaskProgress(ctx, f.tenant.ID, task.ID)
			if p.Calls == 0 || p.Pending == 0 || p.Live != 0 {
				t.Errorf("progress %+v: want some calls before expiry and the rest pending", p)
			}
			if got, _ := f.s.Task(ctx, f.tenant.ID, task.ID); got.Status != outdial.TaskRunning {
				t.Errorf("task is %s, want still running (waiting for a line)", got.Status)
			}
		}},
		{"caps across tasks", local(0, 10, 0, 0), func(t *testing.T, f *fixture, h *harness) {
			f.tenant.CapPerHour, f.tenant.CapPerDay = 1, 2
			mustDo(t, f.s.UpdateTenant(ctx, f.tenant))
			rr := &outdial.RecallRule{TenantID: f.tenant.ID, Name: "r", Enabled: true, MaxAttempts: 5, Intervals: []int{60},
				Results: []outdial.Result{outdial.ResultBusy}}
			mustDo(t, f.s.CreateRecallRule(ctx, rr))
			h.carrier.Decide = func(telephony.Request) (sim.Plan, bool) {
				return sim.Plan{Result: outdial.ResultBusy, Setup: time.Second}, true
			}
			line := f.line(5, 0)
			a := f.task(line, 2, 3, 13800000000, func(t *outdial.Task) { t.RecallRuleID = rr.ID })
			b := f.task(line, 2, 3, 13800000000, func(t *outdial.Task) { t.RecallRuleID = rr.ID })
			f.start(a)
			f.start(b)
			h.wake()
			h.runUntil(local(2, 10, 0, 0))
			byNumber := map[string][]time.Time{}
			for _, s := range h.obs.starts {
				byNumber[s.callee] = append(byNumber[s.callee], s.at)
			}
			for n, at := range byNumber {
				for i := 1; i < len(at); i++ {
					if at[i].Sub(at[i-1]) < time.Hour {
						t.Errorf("%s called %v apart", n, at[i].Sub(at[i-1]))
					}
					if i >= 2 && at[i].Sub(at[i-2]) < 24*time.Hour {
						t.Errorf("%s called 3 times within %v", n, at[i].Sub(at[i-2]))
					}
				}
				if len(at) < 3 {
					t.Errorf("%s called %d times in two days, want the caps to allow at least 3", n, len(at))
				}
			}
		}},
		{"blocklist", local(0, 10, 0, 0), func(t *testing.T, f *fixture, h *harness) {
			task := f.task(f.line(2, 0), 2, 5, 13800000000, nil)
			mustDo(t, f.s.BlockNumber(ctx, &outdial.BlockedNumber{TenantID: f.tenant.ID, Phone: "13800000002", Reason: "complaint"}))
			f.start(task)
			h.wake()
			h.runUntilFinished(local(0, 11, 0, 0), task)
			for _, s := range h.obs.starts {
				if s.callee == "13800000002" {
					t.Error("a blocked number was called")
				}
			}
			cs, _ := f.s.Contacts(ctx, f.tenant.ID, outdial.ContactFilter{Phone: "13800000002"})
			if len(cs) != 1 || cs[0].Status != outdial.ContactFinished || cs[0].LastResult != outdial.ResultBlocked || cs[0].Attempts != 0 {
				t.Errorf("blocked contact = %+v", cs)
			}
		}},
		{"pause between calls", local(0, 10, 0, 0), func(t *testing.T, f *fixture, h *harness) {
			task := f.task(f.line(5, 0), 2, 10, 13800000000, func(t *outdial.Task) { t.PauseSeconds = 10 })
			f.start(task)
			h.wake()
			h.runUntilFinished(local(0, 11, 0, 0), task)
			// 10 calls of 23 s on 2 channels with 10 s pauses: 5 rounds of 33 s, less the last pause.
			last := h.obs.starts[len(h.obs.starts)-1].at
			if got := last.Sub(local(0, 10, 0, 0)); got != 4*33*time.Second {
				t.Errorf("last call started %v after the first, want %v", got, 4*33*time.Second)
			}
		}},
		{"calls per second", local(0, 10, 0, 0), func(t *testing.T, f *fixture, h *harness) {
			task := f.task(f.line(50, 4), 50, 40, 13800000000, nil)
			f.start(task)
			h.wake()
			h.runUntil(local(0, 10, 1, 0))
			first, last := h.obs.starts[0].at, h.obs.starts[len(h.obs.starts)-1].at
			if len(h.obs.starts) != 40 || last.Sub(first) != 39*250*time.Millisecond {
				t.Errorf("%d calls over %v, want 40 exactly 250 ms apart", len(h.obs.starts), last.Sub(first))
			}
		}},
		{"recall lands at the rule's instant", local(0, 10, 0, 0), func(t *testing.T, f *fixture, h *harness) {
			rr := &outdial.RecallRule{TenantID: f.tenant.ID, Name: "r", Enabled: true, MaxAttempts: 3, Intervals: []int{120, 300},
				Results: []outdial.Result{outdial.ResultNoAnswer}}
			mustDo(t, f.s.CreateRecallRule(ctx, rr))
			h.carrier.Decide = func(telephony.Request) (sim.Plan, bool) {
				return sim.Plan{Result: outdial.ResultNoAnswer, Setup: time.Second}, true
			}
			task := f.task(f.line(5, 0), 5, 3, 13800000000, func(t *outdial.Task) { t.RecallRuleID = rr.ID; t.RingTimeoutSeconds = 30 })
			f.start(task)
			h.wake()
			h.runUntilFinished(local(0, 11, 0, 0), task)
			// Each call: 1 s setup + 30 s ringing. Recalls at end+120 s, then end+300 s.
			want := []time.Duration{0, 31*time.Second + 120*time.Second, 2*31*time.Second + 120*time.Second + 300*time.Second}
			for _, number := range []string{"13800000000", "13800000001", "13800000002"} {
				var got []time.Duration
				for _, s := range h.obs.starts {
					if s.callee == number {
						got = append(got, s.at.Sub(local(0, 10, 0, 0)))
					}
				}
				if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
					t.Errorf("%s called at %v, want %v", number, got, want)
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewVirtual(tc.start)
			s := openSQLite(t, clk)
			f := newFixture(t, s, "acme")
			h := newHarness(t, s, clk, fixed, "n1")
			tc.run(t, f, h)
			h.obs.check()
		})
	}
}

// TestLineChangeMidTask moves a running task to another line while calls are live: the
// live calls keep their slots on the old line until they end, and neither line ever
// carries more calls than its concurrency.
func TestLineChangeMidTask(t *testing.T) {
	clk := clock.NewVirtual(local(0, 10, 0, 0))
	s := openSQLite(t, clk)
	f := newFixture(t, s, "acme")
	old, next := f.line(3, 0), f.line(2, 0)
	task := f.task(old, 3, 20, 13800000000, nil)
	h := newHarness(t, s, clk, fixed, "n1")
	f.start(task)
	h.wake()
	h.runUntil(local(0, 10, 0, 10)) // 3 calls live on the old line
	task.LineID = next.ID
	mustDo(t, s.UpdateTask(ctx, task))
	h.wake()
	h.runUntilFinished(local(0, 12, 0, 0), task)
	h.obs.check()
	if h.obs.maxLine[next.ID] != 2 || h.obs.maxLine[old.ID] != 3 {
		t.Fatalf("peaks: old line %d/3, new line %d/2", h.obs.maxLine[old.ID], h.obs.maxLine[next.ID])
	}
	for _, l := range []*outdial.Line{old, next} {
		if live, _, _ := s.LineUsage(ctx, f.tenant.ID, l.ID); live != 0 {
			t.Errorf("line %d still counts %d live calls", l.ID, live)
		}
	}
}
