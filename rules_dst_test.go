package outdial

import (
	"archive/zip"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// zoneNames lists the time zones of Go's own zoneinfo.zip (every tzdata zone), or a few
// with awkward daylight-saving rules if that file is not there.
func zoneNames(t testing.TB) []string {
	root, err := exec.Command("go", "env", "GOROOT").Output()
	var z *zip.ReadCloser
	if err == nil {
		z, err = zip.OpenReader(filepath.Join(strings.TrimSpace(string(root)), "lib", "time", "zoneinfo.zip"))
	}
	if err != nil {
		t.Logf("no zoneinfo.zip (%v): checking a fixed list of zones", err)
		return []string{"America/New_York", "America/Chicago", "America/Los_Angeles", "America/Santiago", "Asia/Beirut",
			"Europe/London", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "America/Havana"}
	}
	defer z.Close()
	var names []string
	for _, f := range z.File {
		if !strings.HasSuffix(f.Name, "/") {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	return names
}

// transitions returns the instants in year when loc's offset changes.
func transitions(loc *time.Location, year int) []time.Time {
	var out []time.Time
	t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
	for t.Before(end) {
		_, next := t.ZoneBounds()
		if next.IsZero() || !next.Before(end) {
			break
		}
		out = append(out, next)
		t = next
	}
	return out
}

// TestAtAcrossDSTChanges checks the instant of a wall time on days the clocks change.
func TestAtAcrossDSTChanges(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	santiago, _ := time.LoadLocation("America/Santiago")
	h := func(hh, mm int) TimeOfDay { return TimeOfDay(hh*3600 + mm*60) }
	cases := []struct {
		name string
		from time.Time
		d    TimeOfDay
		want time.Time
	}{
		// 2030-03-10: New York goes from 02:00 EST to 03:00 EDT.
		{"in the spring gap: its end", time.Date(2030, 3, 10, 1, 0, 0, 0, ny), h(2, 30), time.Date(2030, 3, 10, 7, 0, 0, 0, time.UTC)},
		{"after the spring gap", time.Date(2030, 3, 10, 1, 0, 0, 0, ny), h(3, 30), time.Date(2030, 3, 10, 7, 30, 0, 0, time.UTC)},
		{"before the spring gap", time.Date(2030, 3, 10, 0, 10, 0, 0, ny), h(1, 30), time.Date(2030, 3, 10, 6, 30, 0, 0, time.UTC)},
		// 2030-11-03: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
		{"twice, asked during the first", time.Date(2030, 11, 3, 5, 10, 0, 0, time.UTC).In(ny), h(1, 30), time.Date(2030, 11, 3, 5, 30, 0, 0, time.UTC)},
		{"twice, asked during the second", time.Date(2030, 11, 3, 6, 10, 0, 0, time.UTC).In(ny), h(1, 30), time.Date(2030, 11, 3, 6, 30, 0, 0, time.UTC)},
		// 2030-09-08 (a Sunday): Santiago skips from 24:00 Saturday to 01:00 Sunday.
		{"midnight in a gap", time.Date(2030, 9, 7, 12, 0, 0, 0, santiago), EndOfDay, time.Date(2030, 9, 8, 4, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if got := at(c.from, c.d); !got.Equal(c.want) {
			t.Errorf("%s: at(%s, %s) = %s, want %s", c.name, c.from, c.d, got, c.want.In(c.from.Location()))
		}
	}
}

// TestNextAllowedAroundEveryDSTChange runs the calling rules through every offset change
// of 2030 in every time zone, with windows and forbidden ranges whose ends fall in and
// around the changes: each answer must come, must not be earlier than asked, must be
// allowed, and the second before it must not be (unless it is the instant asked).
func TestNextAllowedAroundEveryDSTChange(t *testing.T) {
	h := func(hh, mm int) TimeOfDay { return TimeOfDay(hh*3600 + mm*60) }
	var starts []TimeOfDay
	for m := 0; m <= 4*60; m += 30 {
		starts = append(starts, h(0, m))
	}
	checked, zones := 0, 0
	for _, name := range zoneNames(t) {
		loc, err := time.LoadLocation(name)
		if err != nil {
			continue
		}
		trs := transitions(loc, 2030)
		if len(trs) == 0 {
			continue
		}
		zones++
		for _, tr := range trs {
			for _, s := range starts {
				for _, rules := range []CallingRules{
					{Location: loc, Window: DailyWindow{Start: s, End: h(9, 0)}},
					{Location: loc, Window: DailyWindow{Start: h(20, 0), End: s}},
					{Location: loc, Forbidden: []ForbiddenRange{{Start: h(22, 0), End: s}}},
					{Location: loc, Window: DailyWindow{Start: h(6, 0), End: EndOfDay}, Forbidden: []ForbiddenRange{{Start: s, End: s + h(1, 0)}}},
				} {
					if rules.Window.Start == rules.Window.End && len(rules.Forbidden) == 0 {
						continue
					}
					for from := tr.Add(-26 * time.Hour); from.Before(tr.Add(26 * time.Hour)); from = from.Add(97 * time.Minute) {
						checked++
						got, ok := rules.NextAllowed(from)
						switch {
						case !ok:
							t.Fatalf("%s, window %s-%s, forbidden %v, from %s: no allowed instant", name, rules.Window.Start,
								rules.Window.End, rules.Forbidden, from.In(loc))
						case got.Before(from):
							t.Fatalf("%s, window %s-%s, forbidden %v, from %s: %s is earlier", name, rules.Window.Start,
								rules.Window.End, rules.Forbidden, from.In(loc), got)
						case !rules.Allows(got):
							t.Fatalf("%s, window %s-%s, forbidden %v, from %s: %s is not allowed", name, rules.Window.Start,
								rules.Window.End, rules.Forbidden, from.In(loc), got)
						case got.After(from) && rules.Allows(got.Add(-time.Second)):
							t.Fatalf("%s, window %s-%s, forbidden %v, from %s: %s, but the second before is allowed", name,
								rules.Window.Start, rules.Window.End, rules.Forbidden, from.In(loc), got)
						}
					}
				}
			}
		}
	}
	t.Logf("%d answers checked in %d zones with offset changes in 2030", checked, zones)
}

// FuzzNextAllowed checks the same properties for any instant, zone, window and range.
func FuzzNextAllowed(f *testing.F) {
	names := []string{"UTC", "Asia/Shanghai", "America/New_York", "America/Santiago", "Asia/Beirut", "Europe/London",
		"Australia/Lord_Howe", "Pacific/Chatham", "America/Havana", "Europe/Dublin", "Africa/Casablanca"}
	var locs []*time.Location
	for _, n := range names {
		if loc, err := time.LoadLocation(n); err == nil {
			locs = append(locs, loc)
		}
	}
	f.Add(uint8(2), int64(1899241200), int32(9000), int32(32400), int32(0), int32(0), uint8(0))
	f.Add(uint8(3), int64(1914624000), int32(0), int32(86400), int32(79200), int32(3600), uint8(0x41))
	f.Fuzz(func(t *testing.T, zone uint8, unix int64, ws, we, fs, fe int32, days uint8) {
		loc := locs[int(zone)%len(locs)]
		tod := func(v int32) TimeOfDay { return TimeOfDay(uint32(v) % uint32(EndOfDay+1)) }
		rules := CallingRules{Location: loc, Window: DailyWindow{Start: tod(ws) % EndOfDay, End: tod(we)},
			Forbidden: []ForbiddenRange{{Weekdays: WeekdaySet(days & 0x7f), Start: tod(fs), End: tod(fe)}}}
		from := time.Unix(1_700_000_000+unix%(20*365*86400), 0)
		got, ok := rules.NextAllowed(from)
		if !ok {
			return // the window and range may leave nothing open
		}
		if got.Before(from) || !rules.Allows(got) || (got.After(from) && rules.Allows(got.Add(-time.Second))) {
			t.Fatalf("%s %+v from %s: got %s", loc, rules, from.In(loc), got)
		}
	})
}
