package native

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/outdial/outdial"
)

// rangeWire is one forbidden range: weekdays 0 (Sunday) to 6 (Saturday), 7 also meaning
// Sunday, none meaning every day; start and end as "HH:MM:SS" (end "24:00:00" is
// midnight; start after end crosses midnight).
type rangeWire struct {
	Weekdays []int  `json:"weekdays"`
	Start    string `json:"start"`
	End      string `json:"end"`
}

// timeGroupIn is the body of time group create and update.
type timeGroupIn struct {
	Name   string      `json:"name"`
	Ranges []rangeWire `json:"ranges"`
}

// timeGroupOut is a time group.
type timeGroupOut struct {
	ID        int64       `json:"id"`
	UUID      string      `json:"uuid"`
	Name      string      `json:"name"`
	Ranges    []rangeWire `json:"ranges"`
	CreatedAt *time.Time  `json:"created_at"`
	UpdatedAt *time.Time  `json:"updated_at"`
}

// parseRange turns a wire range into the domain's, naming the field at fault.
func parseRange(w rangeWire, field string) (outdial.ForbiddenRange, error) {
	var r outdial.ForbiddenRange
	if len(w.Weekdays) > 7 {
		return r, outdial.FieldErrorf(field+".weekdays", "weekdays lists at most 7 days")
	}
	for _, d := range w.Weekdays {
		if d < 0 || d > 7 {
			return r, outdial.FieldErrorf(field+".weekdays", "weekday %d is not 0 (Sunday) to 6 (Saturday), or 7 (Sunday)", d)
		}
		r.Weekdays |= outdial.Weekdays(time.Weekday(d % 7))
	}
	var err error
	if r.Start, err = parseClock(w.Start, field+".start"); err != nil {
		return r, err
	}
	if r.End, err = parseClock(w.End, field+".end"); err != nil {
		return r, err
	}
	return r, nil
}

// parseClock reads a required "HH:MM:SS" (or "HH:MM") time of day.
func parseClock(s, field string) (outdial.TimeOfDay, error) {
	if s == "" {
		return 0, outdial.FieldErrorf(field, "%s is required, as HH:MM:SS", field)
	}
	t, err := outdial.ParseTimeOfDay(s)
	if err != nil {
		return 0, outdial.FieldErrorf(field, "%s: %s", field, outdial.ErrorMessage(err))
	}
	return t, nil
}

func showRange(r outdial.ForbiddenRange) rangeWire {
	w := rangeWire{Weekdays: []int{}, Start: r.Start.String(), End: r.End.String()}
	for _, d := range r.Weekdays.Days() {
		w.Weekdays = append(w.Weekdays, int(d))
	}
	return w
}

func fillTimeGroup(in *timeGroupIn, g *outdial.TimeGroup) error {
	if len(in.Ranges) > 100 {
		return outdial.FieldErrorf("ranges", "a time group holds at most 100 ranges")
	}
	g.Name, g.Ranges = in.Name, make([]outdial.ForbiddenRange, 0, len(in.Ranges))
	for i, w := range in.Ranges {
		r, err := parseRange(w, fmt.Sprintf("ranges[%d]", i))
		if err != nil {
			return err
		}
		g.Ranges = append(g.Ranges, r)
	}
	return g.Validate()
}

func showTimeGroup(g *outdial.TimeGroup) timeGroupOut {
	out := timeGroupOut{ID: g.ID, UUID: g.UUID, Name: g.Name, Ranges: make([]rangeWire, 0, len(g.Ranges)),
		CreatedAt: ts(g.CreatedAt), UpdatedAt: ts(g.UpdatedAt)}
	for _, r := range g.Ranges {
		out.Ranges = append(out.Ranges, showRange(r))
	}
	return out
}

func (h *Handler) timeGroups() *resource[outdial.TimeGroup, timeGroupIn, timeGroupOut] {
	s := h.store
	return &resource[outdial.TimeGroup, timeGroupIn, timeGroupOut]{
		h: h, noun: "time group", nouns: "time groups", path: "/api/v1/time-groups",
		list: func(ctx context.Context, tenantID int64, _ url.Values, pg outdial.Page) ([]*outdial.TimeGroup, error) {
			return s.TimeGroups(ctx, tenantID, pg)
		},
		get:    s.TimeGroup,
		create: s.CreateTimeGroup,
		update: s.UpdateTimeGroup,
		remove: s.DeleteTimeGroup,
		blank:  func(tenantID int64) *outdial.TimeGroup { return &outdial.TimeGroup{TenantID: tenantID} },
		fill:   fillTimeGroup,
		show:   showTimeGroup,
		key:    func(g *outdial.TimeGroup) int64 { return g.ID },
	}
}
