package engine

import (
	"sort"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/telephony/sim"
)

// TestDayLongSimulation runs 10,000 contacts in 3 tasks on 2 lines (one shared) through a
// working day with a lunch break and a recall rule, in virtual time, and checks that no
// limit is ever exceeded and every contact ends final with one CDR per attempt.
func TestDayLongSimulation(t *testing.T) {
	if testing.Short() {
		t.Skip("long simulation")
	}
	clk := clock.NewVirtual(shanghai9.Add(-30 * time.Minute)) // 08:30 local
	s := openSQLite(t, clk)
	f := newFixture(t, s, "acme")
	lunch := &outdial.TimeGroup{TenantID: f.tenant.ID, Name: "午休时间", Ranges: []outdial.ForbiddenRange{
		{Weekdays: outdial.Weekdays(1, 2, 3, 4, 5), Start: 12 * 3600, End: 13*3600 + 30*60}}}
	mustDo(t, s.CreateTimeGroup(ctx, lunch))
	recall := &outdial.RecallRule{TenantID: f.tenant.ID, Name: "twice", Enabled: true, MaxAttempts: 3, Intervals: []int{600, 1800},
		Results: []outdial.Result{outdial.ResultBusy, outdial.ResultNoAnswer, outdial.ResultUnreachable}}
	mustDo(t, s.CreateRecallRule(ctx, recall))
	shared := f.line(20, 0)
	paced := f.line(15, 2)
	rules := func(pause int) func(*outdial.Task) {
		return func(t *outdial.Task) {
			t.Window = outdial.DailyWindow{Start: 9 * 3600, End: 18 * 3600}
			t.TimeGroupID, t.RecallRuleID, t.PauseSeconds, t.RingTimeoutSeconds = lunch.ID, recall.ID, pause, 30
		}
	}
	t1 := f.task(shared, 12, 3500, 13000000000, rules(0))
	t2 := f.task(shared, 12, 3500, 13100000000, rules(5))
	t3 := f.task(paced, 15, 3000, 13200000000, rules(0))
	profile := sim.Profile{Busy: 0.15, NoAnswer: 0.15, Invalid: 0.03, Failure: 0.02, Unreachable: 0.05,
		SetupMin: time.Second, SetupMax: 3 * time.Second, RingMin: 3 * time.Second, RingMax: 12 * time.Second,
		TalkMin: 20 * time.Second, TalkMax: 90 * time.Second, CustomerHangs: 0.5, Seed: 42}
	h := newHarness(t, s, clk, profile, "n1")
	for _, task := range []*outdial.Task{t1, t2, t3} {
		f.start(task)
	}
	h.wake()
	h.runUntilFinished(shanghai9.Add(48*time.Hour), t1, t2, t3)
	h.obs.check()

	// Limits were used, not just respected.
	if h.obs.maxLine[shared.ID] != 20 || h.obs.maxLine[paced.ID] < 1 {
		t.Errorf("line peaks: shared %d/20, paced %d/15", h.obs.maxLine[shared.ID], h.obs.maxLine[paced.ID])
	}
	// Every contact is final; the CDRs are exactly the attempts made.
	var calls int64
	for _, task := range []*outdial.Task{t1, t2, t3} {
		p, _ := s.TaskProgress(ctx, f.tenant.ID, task.ID)
		if p.Pending != 0 || p.Live != 0 || p.Answered+p.Failed != p.Total {
			t.Errorf("task %d progress %+v", task.ID, p)
		}
		calls += p.Calls
	}
	cdrs, _ := s.CountCalls(ctx, outdial.CallFilter{TenantID: f.tenant.ID})
	if cdrs != int64(len(h.obs.starts)) || calls != cdrs {
		t.Errorf("CDRs %d, calls counted %d, calls started %d", cdrs, calls, len(h.obs.starts))
	}
	checkRecalls(t, s, f.tenant.ID, recall, lunch)
	first, last := h.obs.starts[0].at, h.obs.starts[len(h.obs.starts)-1].at
	t.Logf("%d calls from %v to %v (Shanghai)", len(h.obs.starts), first.In(time.FixedZone("CST", 8*3600)), last.In(time.FixedZone("CST", 8*3600)))
}

// checkRecalls walks every contact's CDRs in order: each later call must start no earlier
// than the instant the recall rule gives (moved out of forbidden times), and only results
// the rule names may be recalled, at most MaxAttempts times.
func checkRecalls(t *testing.T, s outdial.Store, tenantID int64, rule *outdial.RecallRule, group *outdial.TimeGroup) {
	t.Helper()
	byContact := map[int64][]*outdial.Call{}
	var after int64
	for {
		page, err := s.Calls(ctx, outdial.CallFilter{TenantID: tenantID, After: after, Limit: 1000})
		mustDo(t, err)
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			byContact[c.ContactID] = append(byContact[c.ContactID], c)
		}
		after = page[len(page)-1].ID
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	rules := outdial.CallingRules{Location: loc, Window: outdial.DailyWindow{Start: 9 * 3600, End: 18 * 3600}, Forbidden: group.Ranges}
	recalls, exact := 0, 0
	for id, cs := range byContact {
		sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
		if len(cs) > rule.MaxAttempts {
			t.Errorf("contact %d called %d times, rule allows %d", id, len(cs), rule.MaxAttempts)
		}
		for k := 1; k < len(cs); k++ {
			prev := cs[k-1]
			due, ok := rule.Next(prev.Result, prev.Attempt, prev.EndTime)
			if !ok {
				t.Errorf("contact %d recalled after %s (attempt %d), which the rule does not recall", id, prev.Result, prev.Attempt)
				continue
			}
			due, _ = rules.NextAllowed(due)
			recalls++
			if cs[k].StartTime.Before(due.Truncate(time.Millisecond)) {
				t.Errorf("contact %d recalled at %v, before the rule's %v", id, cs[k].StartTime, due)
			}
			if cs[k].StartTime.Sub(due) < time.Second {
				exact++
			}
		}
	}
	if recalls == 0 {
		t.Error("no recalls happened")
	}
	t.Logf("%d recalls, %d started within a second of their due instant", recalls, exact)
}
