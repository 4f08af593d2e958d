package outdial

import "time"

// DailyWindow is the part of each day in which a task may start calls, in the task's time
// zone. Start == End, or 00:00:00 to 24:00:00, means all day; Start > End crosses midnight
// (e.g. 20:00 to 02:00).
type DailyWindow struct {
	Start TimeOfDay
	End   TimeOfDay
}

// AllDay reports whether the window never closes.
func (w DailyWindow) AllDay() bool {
	return w.Start == w.End || (w.Start == 0 && w.End == EndOfDay)
}

// blockedUntil reports whether t (in its location) is outside the window and, if so, the
// next instant the window opens.
func (w DailyWindow) blockedUntil(t time.Time) (time.Time, bool) {
	if w.AllDay() {
		return t, false
	}
	d := timeOfDay(t)
	if w.Start < w.End {
		switch {
		case d < w.Start:
			return at(t, w.Start), true
		case d >= w.End:
			return at(at(t, EndOfDay), w.Start), true
		}
		return t, false
	}
	// Crosses midnight: open from Start to 24:00 and from 00:00 to End.
	if d >= w.End && d < w.Start {
		return at(t, w.Start), true
	}
	return t, false
}

// ForbiddenRange is one range of a TimeGroup: on the given weekdays, from Start to End.
// Start > End crosses midnight; the weekday is the day the range starts.
type ForbiddenRange struct {
	Weekdays WeekdaySet `json:"weekdays"`
	Start    TimeOfDay  `json:"start"`
	End      TimeOfDay  `json:"end"`
}

// blockedUntil reports whether t falls in the range and, if so, the instant it ends.
func (r ForbiddenRange) blockedUntil(t time.Time) (time.Time, bool) {
	if r.Start == r.End {
		return t, false
	}
	d := timeOfDay(t)
	if r.Start < r.End {
		if r.Weekdays.Has(t.Weekday()) && d >= r.Start && d < r.End {
			return at(t, r.End), true
		}
		return t, false
	}
	// Crosses midnight: the evening part belongs to today, the morning part to yesterday.
	if d >= r.Start && r.Weekdays.Has(t.Weekday()) {
		return at(at(t, EndOfDay), r.End), true
	}
	if yesterday := (t.Weekday() + 6) % 7; d < r.End && r.Weekdays.Has(yesterday) {
		return at(t, r.End), true
	}
	return t, false
}

// CallingRules are everything that decides when a task may start a call: its daily
// window and forbidden time group in its time zone, and its line's validity dates.
type CallingRules struct {
	Location   *time.Location
	Window     DailyWindow
	Forbidden  []ForbiddenRange
	ValidFrom  time.Time // zero: no start date
	ValidUntil time.Time // zero: no end date
}

// NextAllowed returns the first instant at or after t when a call may start, and false
// when none ever comes (the line has expired, or the rules leave no open second within
// two weeks).
func (c CallingRules) NextAllowed(t time.Time) (time.Time, bool) {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if !c.ValidFrom.IsZero() && t.Before(c.ValidFrom) {
		t = c.ValidFrom.In(loc)
	}
	limit := t.Add(15 * 24 * time.Hour)
	for steps := 0; t.Before(limit) && steps < maxRuleSteps; steps++ {
		if !c.ValidUntil.IsZero() && !t.Before(c.ValidUntil) {
			return time.Time{}, false
		}
		if next, blocked := c.Window.blockedUntil(t); blocked {
			t = forward(t, next)
			continue
		}
		moved := false
		for _, r := range c.Forbidden {
			if next, blocked := r.blockedUntil(t); blocked {
				t, moved = forward(t, next), true
				break
			}
		}
		if !moved {
			return t, true
		}
	}
	return time.Time{}, false
}

// maxRuleSteps bounds NextAllowed's search: each step moves to a window's opening or a
// forbidden range's end, so two weeks of even a crowded time group take far fewer.
const maxRuleSteps = 10000

// forward returns next if it is after t, and otherwise t plus a second: the search must
// move forward whatever a rule answered, or the dialer's loop would never end.
func forward(t, next time.Time) time.Time {
	if next.After(t) {
		return next
	}
	return t.Add(time.Second)
}

// Allows reports whether a call may start at t.
func (c CallingRules) Allows(t time.Time) bool {
	next, ok := c.NextAllowed(t)
	return ok && next.Equal(t.In(next.Location()))
}
