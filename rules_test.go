package outdial

import (
	"strconv"
	"testing"
	"time"
)

func TestCallingRulesNextAllowed(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai") // no DST
	ny, _ := time.LoadLocation("America/New_York")
	tod := func(s string) TimeOfDay {
		v, err := ParseTimeOfDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	day := func(loc *time.Location, y int, m time.Month, d, hh, mm, ss int) time.Time {
		return time.Date(y, m, d, hh, mm, ss, 0, loc)
	}
	lunch := ForbiddenRange{Weekdays: Weekdays(1, 2, 3, 4, 5), Start: tod("12:00"), End: tod("13:30")}
	night := ForbiddenRange{Start: tod("22:00"), End: tod("07:00")} // every day, crosses midnight
	fridayNight := ForbiddenRange{Weekdays: Weekdays(time.Friday), Start: tod("23:00"), End: tod("02:00")}
	// 2026-03-02 is a Monday.
	cases := []struct {
		name  string
		rules CallingRules
		at    time.Time
		want  time.Time // zero: never
	}{
		{"inside window", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), tod("18:00")}},
			day(sh, 2026, 3, 2, 10, 0, 0), day(sh, 2026, 3, 2, 10, 0, 0)},
		{"at window start", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), tod("18:00")}},
			day(sh, 2026, 3, 2, 9, 0, 0), day(sh, 2026, 3, 2, 9, 0, 0)},
		{"one second before start", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), tod("18:00")}},
			day(sh, 2026, 3, 2, 8, 59, 59), day(sh, 2026, 3, 2, 9, 0, 0)},
		{"at window end waits for tomorrow", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), tod("18:00")}},
			day(sh, 2026, 3, 2, 18, 0, 0), day(sh, 2026, 3, 3, 9, 0, 0)},
		{"window to midnight, at 23:59:59", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), EndOfDay}},
			day(sh, 2026, 3, 2, 23, 59, 59), day(sh, 2026, 3, 2, 23, 59, 59)},
		{"window to midnight, at 00:00", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), EndOfDay}},
			day(sh, 2026, 3, 3, 0, 0, 0), day(sh, 2026, 3, 3, 9, 0, 0)},
		{"window across midnight, after midnight", CallingRules{Location: sh, Window: DailyWindow{tod("20:00"), tod("02:00")}},
			day(sh, 2026, 3, 3, 1, 0, 0), day(sh, 2026, 3, 3, 1, 0, 0)},
		{"window across midnight, closed at noon", CallingRules{Location: sh, Window: DailyWindow{tod("20:00"), tod("02:00")}},
			day(sh, 2026, 3, 3, 12, 0, 0), day(sh, 2026, 3, 3, 20, 0, 0)},
		{"UTC instant read in the task's zone", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), tod("18:00")}},
			time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC), day(sh, 2026, 3, 2, 9, 0, 0)},
		{"lunch on a weekday", CallingRules{Location: sh, Forbidden: []ForbiddenRange{lunch}},
			day(sh, 2026, 3, 2, 12, 15, 0), day(sh, 2026, 3, 2, 13, 30, 0)},
		{"lunch ends exactly", CallingRules{Location: sh, Forbidden: []ForbiddenRange{lunch}},
			day(sh, 2026, 3, 2, 13, 30, 0), day(sh, 2026, 3, 2, 13, 30, 0)},
		{"no lunch break on Saturday", CallingRules{Location: sh, Forbidden: []ForbiddenRange{lunch}},
			day(sh, 2026, 3, 7, 12, 15, 0), day(sh, 2026, 3, 7, 12, 15, 0)},
		{"night range, evening part", CallingRules{Location: sh, Forbidden: []ForbiddenRange{night}},
			day(sh, 2026, 3, 2, 23, 0, 0), day(sh, 2026, 3, 3, 7, 0, 0)},
		{"night range, morning part", CallingRules{Location: sh, Forbidden: []ForbiddenRange{night}},
			day(sh, 2026, 3, 3, 3, 0, 0), day(sh, 2026, 3, 3, 7, 0, 0)},
		{"Friday-night range holds early Saturday", CallingRules{Location: sh, Forbidden: []ForbiddenRange{fridayNight}},
			day(sh, 2026, 3, 7, 1, 0, 0), day(sh, 2026, 3, 7, 2, 0, 0)},
		{"Friday-night range not early Friday", CallingRules{Location: sh, Forbidden: []ForbiddenRange{fridayNight}},
			day(sh, 2026, 3, 6, 1, 0, 0), day(sh, 2026, 3, 6, 1, 0, 0)},
		{"window then lunch then window", CallingRules{Location: sh, Window: DailyWindow{tod("12:10"), tod("18:00")},
			Forbidden: []ForbiddenRange{lunch}}, day(sh, 2026, 3, 2, 8, 0, 0), day(sh, 2026, 3, 2, 13, 30, 0)},
		{"forbidden at the window's end rolls to the next day", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), tod("12:30")},
			Forbidden: []ForbiddenRange{lunch}}, day(sh, 2026, 3, 2, 12, 5, 0), day(sh, 2026, 3, 3, 9, 0, 0)},
		{"weekend-only window skips the week", CallingRules{Location: sh, Forbidden: []ForbiddenRange{
			{Weekdays: Weekdays(1, 2, 3, 4, 5), Start: 0, End: EndOfDay - 1}, {Weekdays: Weekdays(1, 2, 3, 4, 5), Start: EndOfDay - 1, End: 0}}},
			day(sh, 2026, 3, 2, 10, 0, 0), day(sh, 2026, 3, 7, 0, 0, 0)},
		{"line not valid yet", CallingRules{Location: sh, ValidFrom: day(sh, 2026, 3, 5, 10, 0, 0)},
			day(sh, 2026, 3, 2, 10, 0, 0), day(sh, 2026, 3, 5, 10, 0, 0)},
		{"line expired", CallingRules{Location: sh, ValidUntil: day(sh, 2026, 3, 2, 10, 0, 0)},
			day(sh, 2026, 3, 2, 10, 0, 0), time.Time{}},
		{"line expires before the window opens", CallingRules{Location: sh, Window: DailyWindow{tod("09:00"), tod("18:00")},
			ValidUntil: day(sh, 2026, 3, 3, 8, 0, 0)}, day(sh, 2026, 3, 2, 19, 0, 0), time.Time{}},
		{"everything forbidden", CallingRules{Location: sh, Forbidden: []ForbiddenRange{{Start: 0, End: EndOfDay}}},
			day(sh, 2026, 3, 2, 10, 0, 0), time.Time{}},
		{"DST day in New York: window opens at local 09:00", CallingRules{Location: ny, Window: DailyWindow{tod("09:00"), tod("18:00")}},
			time.Date(2026, 3, 8, 6, 0, 0, 0, ny), time.Date(2026, 3, 8, 9, 0, 0, 0, ny)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.rules.NextAllowed(tc.at)
			if tc.want.IsZero() {
				if ok {
					t.Fatalf("NextAllowed = %v, want never", got)
				}
				return
			}
			if !ok || !got.Equal(tc.want) {
				t.Fatalf("NextAllowed(%v) = %v %v, want %v", tc.at, got, ok, tc.want)
			}
			if tc.rules.Allows(tc.at) != tc.at.Equal(tc.want) {
				t.Fatalf("Allows disagrees with NextAllowed")
			}
		})
	}
}

func TestRecallRuleNext(t *testing.T) {
	end := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	rule := &RecallRule{Enabled: true, MaxAttempts: 3, Intervals: []int{60, 600},
		Results: []Result{ResultBusy, ResultNoAnswer, ResultInterrupted}}
	cases := []struct {
		name     string
		rule     *RecallRule
		res      Result
		attempts int
		want     time.Duration // -1: final
	}{
		{"busy after the first call", rule, ResultBusy, 1, time.Minute},
		{"no answer after the second call", rule, ResultNoAnswer, 2, 10 * time.Minute},
		{"attempts used up", rule, ResultBusy, 3, -1},
		{"answered is final", rule, ResultAnswered, 1, -1},
		{"result not in the rule", rule, ResultInvalidNumber, 1, -1},
		{"interrupted is recalled", rule, ResultInterrupted, 1, time.Minute},
		{"no rule", nil, ResultBusy, 1, -1},
		{"disabled rule", &RecallRule{MaxAttempts: 3, Intervals: []int{60}, Results: []Result{ResultBusy}}, ResultBusy, 1, -1},
		{"last interval repeats", &RecallRule{Enabled: true, MaxAttempts: 5, Intervals: []int{30}, Results: []Result{ResultBusy}},
			ResultBusy, 4, 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.rule.Next(tc.res, tc.attempts, end)
			if tc.want < 0 {
				if ok {
					t.Fatalf("recalled at %v, want final", got)
				}
				return
			}
			if !ok || got.Sub(end) != tc.want {
				t.Fatalf("Next = %v %v, want +%v", got, ok, tc.want)
			}
		})
	}
}

func TestCallIDs(t *testing.T) {
	g := NewCallIDs(7)
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	prev := int64(0)
	for i := 0; i < 5000; i++ { // more than 2048 in one millisecond
		id := g.Next(at)
		if id <= prev {
			t.Fatalf("id %d not above %d", id, prev)
		}
		prev = id
		if n := len(strconv.FormatInt(id, 10)); n != 19 {
			t.Fatalf("id %d has %d digits, want 19", id, n)
		}
	}
	first := NewCallIDs(7).Next(at)
	if !CallIDTime(first).Equal(at) || CallIDFloor(at) > first || CallIDFloor(at.Add(time.Millisecond)) <= first {
		t.Fatalf("id %d does not map back to %v", first, at)
	}
	if g.Next(at.Add(-time.Hour)) <= prev {
		t.Fatal("a clock step back made a smaller id")
	}
	if NewCallIDs(1).Next(at) == NewCallIDs(2).Next(at) {
		t.Fatal("two nodes made the same id")
	}
}
