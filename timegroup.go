package outdial

import "time"

// TimeGroup is a named set of forbidden ranges (lunch, rest, a morning meeting) in which
// the tasks that use it start no calls.
type TimeGroup struct {
	ID        int64            `json:"id"`
	UUID      string           `json:"uuid"`
	TenantID  int64            `json:"-"`
	Name      string           `json:"name"`
	Ranges    []ForbiddenRange `json:"ranges"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// Validate checks the group's fields.
func (g *TimeGroup) Validate() error {
	if g.Name == "" || len(g.Name) > 200 {
		return FieldErrorf("name", "time group name must be 1 to 200 bytes")
	}
	if len(g.Ranges) > 100 {
		return FieldErrorf("ranges", "a time group holds at most 100 ranges")
	}
	for _, r := range g.Ranges {
		if !r.Start.Valid() || !r.End.Valid() || r.Start == EndOfDay {
			return FieldErrorf("ranges", "range %s-%s is not within a day", r.Start, r.End)
		}
		if r.Weekdays&^AllWeekdays != 0 {
			return FieldErrorf("ranges", "weekdays must be a bitmask of 0..127")
		}
	}
	return nil
}
