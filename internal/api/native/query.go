package native

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// List paging: every list takes limit (DefaultLimit if absent, at most MaxLimit) and the
// cursor of the previous page's next_cursor.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// page is one page of a list answer. NextCursor is set when the page is full, so there
// may be more (the page after it may be empty).
type page[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// param is one query parameter a route accepts (and documents).
type param struct {
	name string
	typ  string // OpenAPI type: "integer", "string"; "date-time" is a string format
	desc string
	enum []string
}

// pageParams are the query parameters of every list.
var pageParams = []param{
	{name: "limit", typ: "integer", desc: "page size, 1 to 1000 (default 50)"},
	{name: "cursor", typ: "string", desc: "next_cursor of the previous page (opaque)"},
}

// checkQuery answers EINVALID for a query parameter the route does not take (a typo in a
// filter must not silently list everything) or one given twice.
func checkQuery(q url.Values, allowed []param) error {
	for name, vs := range q {
		known := false
		for _, p := range allowed {
			known = known || p.name == name
		}
		if !known {
			return outdial.FieldErrorf(name, "unknown query parameter %q", name)
		}
		if len(vs) > 1 {
			return outdial.FieldErrorf(name, "query parameter %q is given %d times", name, len(vs))
		}
	}
	return nil
}

// listLimit reads the limit parameter.
func listLimit(q url.Values) (int, error) {
	s := q.Get("limit")
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, outdial.FieldErrorf("limit", "limit must be a whole number from 1 to %d", MaxLimit)
	}
	return n, nil
}

// Cursors are opaque to callers: base64url of "v1:" and the last item's key.
const cursorPrefix = "v1:"

func makeCursor(key string) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + key))
	return &s
}

// cursorKey decodes the cursor parameter; "" when there is none.
func cursorKey(q url.Values) (string, error) {
	c := q.Get("cursor")
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) || len(b) == len(cursorPrefix) {
		return "", outdial.FieldErrorf("cursor", "cursor is not a next_cursor this API gave")
	}
	return string(b[len(cursorPrefix):]), nil
}

// idCursor decodes a cursor that holds an id.
func idCursor(q url.Values) (int64, error) {
	k, err := cursorKey(q)
	if err != nil || k == "" {
		return 0, err
	}
	id, ok := parseID(k)
	if !ok {
		return 0, outdial.FieldErrorf("cursor", "cursor is not a next_cursor this API gave")
	}
	return id, nil
}

// pageOf reads limit and an id cursor.
func pageOf(q url.Values) (outdial.Page, error) {
	n, err := listLimit(q)
	if err != nil {
		return outdial.Page{}, err
	}
	after, err := idCursor(q)
	return outdial.Page{After: after, Limit: n}, err
}

// parseID reads a positive decimal id: digits only, no sign, no leading zero.
func parseID(s string) (int64, bool) {
	if s == "" || s[0] == '0' || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}

// pathID reads the {id} of the route's path; a value that is not a positive id is
// ENOTFOUND with noun, like an id that does not exist.
func pathID(r *http.Request, noun string) (int64, error) {
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		return 0, notFound(noun)
	}
	return id, nil
}

// queryID reads an optional id filter (0 when absent).
func queryID(q url.Values, name string) (int64, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	id, ok := parseID(s)
	if !ok {
		return 0, outdial.FieldErrorf(name, "%s must be a positive whole number", name)
	}
	return id, nil
}

// queryTime reads an optional RFC 3339 time (zero when absent).
func queryTime(q url.Values, name string) (time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, outdial.FieldErrorf(name, "%s must be an RFC 3339 time such as 2026-03-02T09:00:00+08:00", name)
	}
	return t.UTC(), nil
}

// ts is a timestamp for the wire: nil for the zero time, else the instant in UTC.
func ts(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// parseTS reads an optional RFC 3339 body field ("" or absent: the zero time).
func parseTS(s *string, field string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}, outdial.FieldErrorf(field, "%s must be an RFC 3339 time such as 2026-03-02T09:00:00+08:00", field)
	}
	return t.UTC(), nil
}
