package groupcall

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/jsonkeys"
)

// MaxBodyBytes is the largest request body read; a larger one answers StatusTooLarge. It
// leaves room for MaxUploadRows rows of upload-data with long fields.
const MaxBodyBytes = 32 << 20

// request is the body of every route: the tenant's API token and the route's data.
type request struct {
	Token string          `json:"token"`
	Data  json.RawMessage `json:"data"`
}

// decodeRequest reads the one JSON object of a body strictly: an unknown key, a wrong
// type, trailing data or an empty body is a StatusMalformed error, a body over
// MaxBodyBytes a StatusTooLarge one.
func decodeRequest(body io.Reader) (request, error) {
	var req request
	lr := &io.LimitedReader{R: body, N: MaxBodyBytes + 1}
	b, err := io.ReadAll(lr)
	if err != nil {
		return req, err
	}
	if len(b) > MaxBodyBytes {
		return req, outdial.Errorf(outdial.ETOOLARGE, "the request body is over %d bytes", MaxBodyBytes)
	}
	if err := strict(b, &req, ""); err != nil {
		return req, malformed(err)
	}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return req, malformed(outdial.Errorf(outdial.EINVALID, "the body must be a JSON object, not null"))
	}
	return req, nil
}

// decodeData decodes a route's data object strictly into v; missing or null data is a
// StatusMalformed error.
func decodeData(data json.RawMessage, v any) error {
	if len(data) == 0 || string(data) == "null" {
		return malformed(outdial.FieldErrorf("data", "the body has no data object; send {\"token\": ..., \"data\": {...}}"))
	}
	return malformed(strict(data, v, "data"))
}

// strict decodes exactly one JSON value from b into v, refusing unknown keys; errors are
// EINVALID and name the field at fault under prefix.
func strict(b []byte, v any, prefix string) error {
	// encoding/json matches keys without regard to case and lets a repeated key win:
	// the document's keys are checked exactly first.
	if err := jsonkeys.Check(b, reflect.TypeOf(v), prefix); err != nil {
		var ke *jsonkeys.Error
		errors.As(err, &ke)
		return outdial.FieldErrorf(ke.Path, "%s", err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, prefix)
	}
	if _, err := dec.Token(); err != io.EOF {
		return outdial.Errorf(outdial.EINVALID, "unexpected data after the JSON object: send exactly one object")
	}
	return nil
}

// decodeError turns an encoding/json error into an EINVALID error for the caller.
func decodeError(err error, prefix string) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == io.EOF:
		return outdial.Errorf(outdial.EINVALID, "the request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return outdial.Errorf(outdial.EINVALID, "malformed JSON: the body ends early")
	case errors.As(err, &syntax):
		return outdial.Errorf(outdial.EINVALID, "malformed JSON at byte %d: %s", syntax.Offset,
			strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			where := "the body"
			if prefix != "" {
				where = prefix
			}
			return outdial.FieldErrorf(prefix, "%s must be a JSON object, not %s", where, article(typ.Value))
		}
		f := join(prefix, typ.Field)
		return outdial.FieldErrorf(f, "%s must be %s, not %s", f, jsonKind(typ.Type), article(typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := join(prefix, strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
		return outdial.FieldErrorf(f, "unknown field %s", f)
	}
	return outdial.Errorf(outdial.EINVALID, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

// text is a request value the document shows as a JSON string ("59"). A JSON whole
// number (59) is taken as its digits too, since PHP clients often send ids and page
// numbers as numbers; null is the same as leaving the field out; any other JSON value
// (true, 59.5, 1e2, an array, an object) is refused.
type text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case wholeNumber(b):
		*t = text(b)
	case string(b) == "null":
	default:
		return &json.UnmarshalTypeError{Value: describe(b), Type: reflect.TypeFor[text]()}
	}
	return nil
}

// wholeNumber reports whether b is a JSON integer literal (an optional minus, digits).
func wholeNumber(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("-"))
	if len(b) == 0 || len(b) > 20 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// describe names a JSON value as encoding/json's errors do ("bool", "number 1.5").
func describe(b []byte) string {
	switch b[0] {
	case 't', 'f':
		return "bool"
	case '[':
		return "array"
	case '{':
		return "object"
	}
	if len(b) > 32 {
		b = append(b[:32:32], "..."...)
	}
	return "number " + string(b)
}

// jsonKind names, for a message, the JSON that decodes into t.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[text]() {
		return `a string (or a whole number), like "59"`
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return "an object"
}

// article turns encoding/json's value description ("string", "number 1.5") into words.
func article(v string) string {
	switch {
	case v == "array" || v == "object":
		return "an " + v
	case v == "":
		return "this value"
	}
	return "a " + v
}
