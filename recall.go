package outdial

import "time"

// RecallRule decides which call results are dialed again, after how long, and how many
// attempts a contact gets in all.
type RecallRule struct {
	ID       int64    `json:"id"`
	TenantID int64    `json:"-"`
	Name     string   `json:"name"`
	Remark   string   `json:"remark"`
	Enabled  bool     `json:"enabled"`
	Results  []Result `json:"results"`
	// Intervals are the delays in seconds before the 1st, 2nd, ... recall; the last one
	// repeats for later recalls.
	Intervals []int `json:"intervals"`
	// MaxAttempts counts every attempt, the first included.
	MaxAttempts int       `json:"max_attempts"`
	IsDefault   bool      `json:"is_default"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the rule's fields.
func (r *RecallRule) Validate() error {
	switch {
	case r.Name == "" || len(r.Name) > 200:
		return FieldErrorf("name", "recall rule name must be 1 to 200 bytes")
	case r.MaxAttempts < 1 || r.MaxAttempts > 50:
		return FieldErrorf("max_attempts", "max_attempts must be 1 to 50")
	case len(r.Intervals) > 50:
		return FieldErrorf("intervals", "at most 50 intervals")
	case r.MaxAttempts > 1 && len(r.Intervals) == 0:
		return FieldErrorf("intervals", "a rule with recalls needs at least one interval")
	}
	for _, s := range r.Intervals {
		if s < 0 || s > 30*24*3600 {
			return FieldErrorf("intervals", "intervals must be 0 to 2592000 seconds")
		}
	}
	for _, res := range r.Results {
		if !res.Valid() || res == ResultAnswered || res == ResultBlocked {
			return FieldErrorf("results", "%q cannot be recalled", res)
		}
	}
	return nil
}

// Next returns when a contact whose attempt number attempts (1 for the first call) ended
// with res at end is due again, or false when the contact is final. A nil or disabled
// rule recalls nothing. The caller moves the instant out of forbidden times.
func (r *RecallRule) Next(res Result, attempts int, end time.Time) (time.Time, bool) {
	if r == nil || !r.Enabled || attempts >= r.MaxAttempts || len(r.Intervals) == 0 {
		return time.Time{}, false
	}
	recalled := false
	for _, x := range r.Results {
		if x == res {
			recalled = true
			break
		}
	}
	if !recalled {
		return time.Time{}, false
	}
	i := attempts - 1
	if i >= len(r.Intervals) {
		i = len(r.Intervals) - 1
	}
	if i < 0 {
		i = 0
	}
	return end.Add(time.Duration(r.Intervals[i]) * time.Second), true
}
