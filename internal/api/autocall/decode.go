package autocall

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// MaxBodyBytes is the largest search body read; a larger one answers 413.
const MaxBodyBytes = 64 << 10

// decodeBody reads a POST search: one JSON object whose members are the document's
// filters. An empty body is an empty search. Unknown members, wrong JSON types, a
// malformed body and data after the object are EINVALID errors naming the problem.
func decodeBody(body io.Reader, loc *time.Location) (*search, error) {
	b, err := readBody(body)
	if err != nil {
		return nil, err
	}
	vals := map[string]value{}
	if len(b) > 0 {
		members, err := decodeObject(b)
		if err != nil {
			return nil, err
		}
		for _, k := range slices.Sorted(maps.Keys(members)) {
			if !slices.Contains(fields, k) {
				return nil, unknownField(k)
			}
			vals[k] = value{json: members[k]}
		}
	}
	return check(vals, loc)
}

// readBody reads a JSON body of at most MaxBodyBytes, without a byte order mark and
// surrounding white space.
func readBody(body io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if err != nil {
		return nil, outdial.Errorf(outdial.EINVALID, "reading the body: %v", err)
	}
	if len(b) > MaxBodyBytes {
		return nil, outdial.Errorf(outdial.ETOOLARGE, "the request body is over %d bytes", MaxBodyBytes)
	}
	return bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))), nil
}

// decodeObject decodes exactly one JSON object into its members.
func decodeObject(b []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return nil, outdial.Errorf(outdial.EINVALID, "malformed JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(err.Error(), "json: "))
		case errors.As(err, &typ), strings.HasPrefix(err.Error(), "json: cannot unmarshal"):
			return nil, outdial.Errorf(outdial.EINVALID, "the body must be a JSON object of filters")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, outdial.Errorf(outdial.EINVALID, "malformed JSON: the body ends early")
		}
		return nil, outdial.Errorf(outdial.EINVALID, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if members == nil {
		return nil, outdial.Errorf(outdial.EINVALID, "the body must be a JSON object of filters, not null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, outdial.Errorf(outdial.EINVALID, "unexpected data after the JSON object: send exactly one object")
	}
	return members, nil
}

// decodeQuery reads a GET search from the URL's raw query: the same filters as query
// parameters, startTime as JSON text (startTime={"gte":"..."}) or as startTime[gte] and
// startTime[lte]. Unknown and repeated parameters are EINVALID errors.
func decodeQuery(raw string, loc *time.Location) (*search, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, outdial.Errorf(outdial.EINVALID, "malformed query string: %v", err)
	}
	vals := map[string]value{}
	var gte, lte []string
	for _, k := range slices.Sorted(maps.Keys(q)) {
		vs := q[k]
		switch {
		case len(vs) > 1:
			return nil, outdial.FieldErrorf(k, "query parameter %s is given %d times: give it once", quote(k), len(vs))
		case k == "startTime[gte]":
			gte = vs
		case k == "startTime[lte]":
			lte = vs
		case !slices.Contains(fields, k):
			return nil, unknownField(k)
		default:
			vals[k] = value{text: vs[0]}
		}
	}
	if gte != nil || lte != nil {
		if _, ok := vals["startTime"]; ok {
			return nil, outdial.FieldErrorf("startTime", "give startTime either as JSON or as startTime[gte] and startTime[lte], not both")
		}
		rng := map[string]string{}
		if gte != nil {
			rng["gte"] = gte[0]
		}
		if lte != nil {
			rng["lte"] = lte[0]
		}
		b, _ := json.Marshal(rng)
		vals["startTime"] = value{json: b}
	}
	return check(vals, loc)
}

// timeRange returns the members of startTime: a JSON object (or, in a query, its JSON
// text) with only "gte" and "lte", each a string or null.
func timeRange(vals map[string]value) (map[string]string, error) {
	v, ok := vals["startTime"]
	if !ok {
		return nil, nil
	}
	raw := v.json
	if raw == nil {
		if strings.TrimSpace(v.text) == "" {
			return nil, nil
		}
		raw = []byte(v.text)
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return nil, outdial.FieldErrorf("startTime", `startTime must be an object as {"gte":"2021-03-23 17:24:35","lte":"2021-03-23 17:24:36"}`)
	}
	out := map[string]string{}
	for k, m := range members {
		if k != "gte" && k != "lte" {
			return nil, outdial.FieldErrorf("startTime."+k, "startTime takes only gte and lte, not %s", quote(k))
		}
		var s *string
		if err := json.Unmarshal(m, &s); err != nil {
			return nil, outdial.FieldErrorf("startTime."+k, "startTime.%s must be a string as \"2021-03-23 17:24:35\"", k)
		}
		if s != nil {
			out[k] = *s
		}
	}
	return out, nil
}

// jsonScalar returns the text of a JSON string or number, and whether the value is null.
func jsonScalar(raw []byte) (s string, isNull bool, err error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case bytes.Equal(raw, []byte("null")):
		return "", true, nil
	case len(raw) > 0 && raw[0] == '"':
		err = json.Unmarshal(raw, &s)
		return s, false, err
	case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
		var n json.Number
		err = json.Unmarshal(raw, &n)
		return n.String(), false, err
	}
	return "", false, fmt.Errorf("%s", kind(raw))
}

// fieldType is the error of a filter sent with a JSON type it cannot have.
func fieldType(name string, err error) error {
	if err == nil {
		return nil
	}
	return outdial.FieldErrorf(name, "%s must be a string (or a number), not %s", name, err)
}

// kind names a JSON value's type for a message.
func kind(raw []byte) string {
	switch {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '{':
		return "an object"
	case raw[0] == '[':
		return "an array"
	case raw[0] == 't' || raw[0] == 'f':
		return "true or false"
	}
	return "this value"
}

// unknownField is the error of a filter the document does not have.
func unknownField(name string) error {
	return outdial.FieldErrorf(name, "unknown filter %s: the filters are %s", quote(name), strings.Join(fields, ", "))
}
