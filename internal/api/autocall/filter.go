package autocall

import (
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/phoneinfo"
)

// Page sizes of a search.
const (
	DefaultPerPage = 20
	MaxPerPage     = 500 // a larger perPage is lowered to this
)

// search is a checked CDR search: the document's filters, ready for the store.
type search struct {
	SearchAfter string // the cursor as sent; "" for the first page
	CallID      int64
	ProjectID   int64
	TaskID      int64
	Caller      string
	Called      string
	CallResult  *int
	EndResult   int
	PerPage     int
	From, To    time.Time // startTime gte and lte; zero: open
}

// filter returns the store filter of the search for the tenant, after the call id after,
// asking for one call more than a page to know whether another page follows. The start
// of the time range and the cursor are one lower bound on the call id (the later of the
// two): SQLite, which keeps no statistics, picks the index that fits only when the id
// has a single lower bound.
func (s *search) filter(tenantID, after int64) outdial.CallFilter {
	f := outdial.CallFilter{TenantID: tenantID, ProjectID: s.ProjectID, TaskID: s.TaskID, CallID: s.CallID,
		Caller: s.Caller, Called: s.Called, CallResult: s.CallResult, EndResult: s.EndResult,
		After: after, Limit: s.PerPage + 1}
	if !s.From.IsZero() {
		f.After = max(after, outdial.CallIDFloor(s.From)-1) // id >= floor  <=>  id > floor-1
	}
	if !s.To.IsZero() {
		f.To = s.To.Add(time.Second - time.Millisecond) // lte covers its whole second
	}
	return f
}

// fields lists the filters of a search, by their names in the document.
var fields = []string{"searchAfter", "callId", "projectId", "taskId", "caller", "called", "callresult", "endresult",
	"perPage", "startTime"}

// value is one filter as sent: a JSON value (POST) or a query parameter's text (GET).
type value struct {
	json []byte // nil for a query parameter
	text string
}

// check turns the sent values (by field name) into a search; loc is the time zone of
// startTime. Errors are EINVALID and name the field.
func check(vals map[string]value, loc *time.Location) (*search, error) {
	s := &search{PerPage: DefaultPerPage}
	var err error
	if s.SearchAfter, err = text(vals, "searchAfter"); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"callId", &s.CallID}, {"projectId", &s.ProjectID}, {"taskId", &s.TaskID}} {
		if *p.dst, err = id(vals, p.name); err != nil {
			return nil, err
		}
	}
	if s.Caller, err = text(vals, "caller"); err != nil {
		return nil, err
	}
	if s.Called, err = text(vals, "called"); err != nil {
		return nil, err
	}
	if n, err := phoneinfo.Normalize(s.Called); err == nil && s.Called != "" {
		s.Called = n
	}
	for _, f := range [][2]string{{"caller", s.Caller}, {"called", s.Called}} {
		if len(f[1]) > 64 {
			return nil, outdial.FieldErrorf(f[0], "%s must be at most 64 characters", f[0])
		}
	}
	switch cr, err := text(vals, "callresult"); {
	case err != nil:
		return nil, err
	case cr == "0" || cr == "1" || cr == "2":
		n := int(cr[0] - '0')
		s.CallResult = &n
	case cr != "":
		return nil, outdial.FieldErrorf("callresult", "unknown callresult %s: use 0 (not connected), 1 (customer connected) or 2 (customer and agent connected)", quote(cr))
	}
	switch er, err := text(vals, "endresult"); {
	case err != nil:
		return nil, err
	case er == "11" || er == "12":
		s.EndResult, _ = strconv.Atoi(er)
	case er != "":
		return nil, outdial.FieldErrorf("endresult", "unknown endresult %s: use 11 (the customer hung up) or 12 (the platform hung up)", quote(er))
	}
	switch pp, err := text(vals, "perPage"); {
	case err != nil:
		return nil, err
	case pp != "":
		n, err := strconv.Atoi(pp)
		if err != nil || n < 1 {
			return nil, outdial.FieldErrorf("perPage", "perPage must be a whole number from 1 to %d, not %s", MaxPerPage, quote(pp))
		}
		s.PerPage = min(n, MaxPerPage)
	}
	if err := s.startTime(vals, loc); err != nil {
		return nil, err
	}
	return s, nil
}

// text returns a filter's text: a JSON string, or a JSON number's digits (so "taskId": 13
// works as well as "13"); "" when absent, null or empty.
func text(vals map[string]value, name string) (string, error) {
	v, ok := vals[name]
	if !ok {
		return "", nil
	}
	if v.json == nil {
		return strings.TrimSpace(v.text), nil
	}
	s, isNull, err := jsonScalar(v.json)
	if err != nil || isNull {
		return "", fieldType(name, err)
	}
	return strings.TrimSpace(s), nil
}

// id returns a filter that is an id: 1 to 19 digits, positive; 0 when absent.
func id(vals map[string]value, name string) (int64, error) {
	s, err := text(vals, name)
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || s[0] == '+' || len(s) > 19 {
		return 0, outdial.FieldErrorf(name, "%s must be a positive whole number (as \"13\"), not %s", name, quote(s))
	}
	return n, nil
}

// startTime reads the startTime range: {"gte": "...", "lte": "..."}, either or both, in
// "Y-m-d H:i:s" in loc.
func (s *search) startTime(vals map[string]value, loc *time.Location) error {
	rng, err := timeRange(vals)
	if err != nil {
		return err
	}
	for _, b := range []struct {
		name string
		dst  *time.Time
	}{{"gte", &s.From}, {"lte", &s.To}} {
		v := strings.TrimSpace(rng[b.name])
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation(timeLayout, v, loc)
		if err != nil {
			return outdial.FieldErrorf("startTime."+b.name, "startTime.%s must be a time as \"2021-03-23 17:24:35\" (Y-m-d H:i:s, %s), not %s",
				b.name, loc, quote(v))
		}
		if t.Before(outdial.CallIDEpoch) || t.Year() > 2100 {
			return outdial.FieldErrorf("startTime."+b.name, "startTime.%s must be between 2010 and 2100, not %s", b.name, quote(v))
		}
		*b.dst = t
	}
	if !s.From.IsZero() && !s.To.IsZero() && s.From.After(s.To) {
		return outdial.FieldErrorf("startTime", "startTime.gte (%s) is after startTime.lte (%s)",
			s.From.Format(timeLayout), s.To.Format(timeLayout))
	}
	return nil
}

// quote shows a value in a message, cut to 40 bytes.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}
