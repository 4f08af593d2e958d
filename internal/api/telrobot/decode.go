package telrobot

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/outdial/outdial"
)

// MaxBodyBytes is the largest task body read; a larger one answers 413.
const MaxBodyBytes = 1 << 20

// fields are the top-level fields of a request body, each as JSON. Form bodies become
// JSON strings, so one decoder serves both.
type fields map[string]json.RawMessage

// readFields reads the body of r: a JSON object (any Content-Type but the form ones), or
// application/x-www-form-urlencoded or multipart/form-data fields, as PHP clients send
// them. At most limit bytes are read.
func readFields(r *http.Request, limit int64) (fields, error) {
	body := http.MaxBytesReader(nil, r.Body, limit)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		r.Body = body
		if err := r.ParseMultipartForm(limit); err != nil {
			return nil, bodyError(err, limit)
		}
		return formFields(r.PostForm)
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, bodyError(err, limit)
		}
		// curl -d sends JSON as a form unless told otherwise: a "form" that is a JSON
		// object is read as one (a form key never starts with '{' in practice).
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' && json.Valid(t) {
			return jsonFields(t)
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, outdial.Errorf(outdial.EINVALID, "malformed form body: %v", err)
		}
		return formFields(v)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, bodyError(err, limit)
	}
	return jsonFields(b)
}

// bodyError turns a read error into ETOOLARGE or EINVALID.
func bodyError(err error, limit int64) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return outdial.Errorf(outdial.ETOOLARGE, "the request body is over %d bytes", limit)
	}
	return outdial.Errorf(outdial.EINVALID, "cannot read the body: %v", err)
}

// jsonFields decodes one JSON object.
func jsonFields(b []byte) (fields, error) {
	dec := json.NewDecoder(bytes.NewReader(relaxSpaces(b)))
	var f fields
	if err := dec.Decode(&f); err != nil {
		var syntax *json.SyntaxError
		switch {
		case err == io.EOF:
			return nil, outdial.Errorf(outdial.EINVALID, "the request body is empty: send a JSON object")
		case errors.As(err, &syntax):
			return nil, outdial.Errorf(outdial.EINVALID, "malformed JSON at byte %d: %s", syntax.Offset,
				strings.TrimPrefix(syntax.Error(), "json: "))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, outdial.Errorf(outdial.EINVALID, "malformed JSON: the body ends early")
		}
		return nil, outdial.Errorf(outdial.EINVALID, "the body must be a JSON object")
	}
	if f == nil {
		return nil, outdial.Errorf(outdial.EINVALID, "the body must be a JSON object, not null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, outdial.Errorf(outdial.EINVALID, "unexpected data after the JSON object: send exactly one object")
	}
	return f, nil
}

// relaxSpaces turns the no-break spaces (U+00A0) that indent JSON copied from a web page,
// as the document's examples are, into plain spaces; inside strings they stay. Byte
// offsets do not change.
func relaxSpaces(b []byte) []byte {
	if !bytes.Contains(b, []byte("\u00a0")) {
		return b
	}
	out := bytes.Clone(b)
	inString, escaped := false, false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inString:
			escaped, inString = c == '\\' && !escaped, c != '"' || escaped
		case c == '"':
			inString = true
		case c == 0xc2 && i+1 < len(out) && out[i+1] == 0xa0:
			out[i], out[i+1] = ' ', ' '
			i++
		}
	}
	return out
}

// formFields turns form values into fields; a field given twice is refused.
func formFields(v url.Values) (fields, error) {
	f := fields{}
	for k, vs := range v {
		if len(vs) != 1 {
			return nil, outdial.FieldErrorf(k, "field %q is given %d times", k, len(vs))
		}
		b, _ := json.Marshal(vs[0])
		f[k] = b
	}
	return f, nil
}

// present reports whether the field is there and not null.
func (f fields) present(key string) bool {
	raw, ok := f[key]
	return ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// str decodes a string field; "" when absent or null.
func (f fields) str(key string, fe *fieldErrors) string {
	if !f.present(key) {
		return ""
	}
	var s string
	if err := json.Unmarshal(f[key], &s); err != nil {
		fe.add(key, "%s must be a string", key)
	}
	return strings.TrimSpace(s)
}

// integer decodes a whole-number field: a JSON number or a string of digits (as forms and
// Laravel's integer rule allow). 0 when absent, null or "".
func (f fields) integer(key string, fe *fieldErrors) int64 {
	if !f.present(key) {
		return 0
	}
	raw := bytes.TrimSpace(f[key])
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			fe.add(key, "%s must be an integer", key)
			return 0
		}
		if text = strings.TrimSpace(text); text == "" {
			return 0
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n > 1<<31-1 || n < -(1<<31) {
		fe.add(key, "%s must be an integer (from -2147483648 to 2147483647)", key)
		return 0
	}
	return n
}

// required records an error for each key that is absent, null or "".
func (f fields) required(fe *fieldErrors, keys ...string) {
	for _, k := range keys {
		if !f.present(k) || string(bytes.TrimSpace(f[k])) == `""` {
			fe.add(k, "%s is required", k)
		}
	}
}

// unknown records an error for each key that is neither in known nor in ignored.
func (f fields) unknown(fe *fieldErrors, known, ignored map[string]bool) {
	for _, k := range slices.Sorted(maps.Keys(f)) {
		if !known[k] && !ignored[k] {
			fe.add(k, "unknown field %q", k)
		}
	}
}
