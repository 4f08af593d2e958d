package outdial

import (
	"fmt"
	"time"
)

// TimeOfDay is a wall-clock time as seconds since local midnight, 0 to 86400 inclusive
// (86400 is the end of the day, "24:00:00").
type TimeOfDay int

// EndOfDay is the time of day that ends a day.
const EndOfDay TimeOfDay = 86400

// ParseTimeOfDay parses "HH:MM" or "HH:MM:SS" ("24:00" and "24:00:00" are the end of day).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	var h, m, sec int
	var n int
	var err error
	switch len(s) {
	case 5:
		n, err = fmt.Sscanf(s, "%2d:%2d", &h, &m)
		if n != 2 {
			err = fmt.Errorf("want HH:MM")
		}
	case 8:
		n, err = fmt.Sscanf(s, "%2d:%2d:%2d", &h, &m, &sec)
		if n != 3 {
			err = fmt.Errorf("want HH:MM:SS")
		}
	default:
		err = fmt.Errorf("want HH:MM or HH:MM:SS")
	}
	if err == nil && (s[2] != ':' || (len(s) == 8 && s[5] != ':')) {
		err = fmt.Errorf("want HH:MM:SS")
	}
	if err != nil || h < 0 || m < 0 || m > 59 || sec < 0 || sec > 59 || h > 24 || (h == 24 && (m != 0 || sec != 0)) {
		return 0, FieldErrorf("", "%q is not a time of day (HH:MM:SS, 00:00:00 to 24:00:00)", s)
	}
	return TimeOfDay(h*3600 + m*60 + sec), nil
}

// String formats the time as "HH:MM:SS".
func (t TimeOfDay) String() string {
	return fmt.Sprintf("%02d:%02d:%02d", int(t)/3600, int(t)%3600/60, int(t)%60)
}

// Valid reports whether t is within 0 and EndOfDay.
func (t TimeOfDay) Valid() bool { return t >= 0 && t <= EndOfDay }

// timeOfDay returns the seconds since local midnight of t (in t's location).
func timeOfDay(t time.Time) TimeOfDay {
	h, m, s := t.Clock()
	return TimeOfDay(h*3600 + m*60 + s)
}

// at returns the instant of time of day d on the local day of t (d may be EndOfDay,
// the next midnight). Where a daylight-saving change skips that wall time, it returns
// the instant the gap ends (time.Date may give one before the gap, which would send the
// rules back in time). Where the wall time happens twice (clocks go back), it returns the
// earlier reading that is not before t.
func at(t time.Time, d TimeOfDay) time.Time {
	y, mo, day := t.Date()
	r := time.Date(y, mo, day, 0, 0, int(d), 0, t.Location())
	want := time.Date(y, mo, day, 0, 0, int(d), 0, time.UTC)
	if got := wallClock(r); !got.Equal(want) {
		// In a gap: the zone period before it ends, or the one after it starts, at the
		// gap's instant.
		start, end := r.ZoneBounds()
		if got.Before(want) && !end.IsZero() {
			return end
		}
		if got.After(want) && !start.IsZero() {
			return start
		}
		return r
	}
	// Where clocks go back the wall time may happen twice: the other reading is an
	// offset's difference away, in the zone period before or after r's.
	best := r
	start, end := r.ZoneBounds()
	_, offR := r.Zone()
	for _, other := range []time.Time{start.Add(-time.Second), end} {
		if other.IsZero() || other.Year() < 2 {
			continue
		}
		_, off := other.Zone()
		c := r.Add(time.Duration(offR-off) * time.Second)
		if c.Equal(r) || !wallClock(c).Equal(want) || c.Before(t) {
			continue
		}
		if best.Before(t) || c.Before(best) {
			best = c // the earliest reading not before t
		}
	}
	return best
}

// wallClock returns t's local date and clock as the same reading in UTC.
func wallClock(t time.Time) time.Time {
	y, mo, day := t.Date()
	h, m, s := t.Clock()
	return time.Date(y, mo, day, h, m, s, t.Nanosecond(), time.UTC)
}

// WeekdaySet is a set of weekdays as a bitmask, bit 0 Sunday to bit 6 Saturday. The zero
// value means every day.
type WeekdaySet uint8

// AllWeekdays has every day of the week.
const AllWeekdays WeekdaySet = 0x7f

// Has reports whether the set holds d; the empty set holds every day.
func (s WeekdaySet) Has(d time.Weekday) bool {
	return s == 0 || s&(1<<uint(d)) != 0
}

// Weekdays builds a set from days.
func Weekdays(days ...time.Weekday) WeekdaySet {
	var s WeekdaySet
	for _, d := range days {
		s |= 1 << uint(d)
	}
	return s
}

// Days lists the days in the set, Sunday first (every day for the empty set).
func (s WeekdaySet) Days() []time.Weekday {
	var out []time.Weekday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if s.Has(d) {
			out = append(out, d)
		}
	}
	return out
}
