package native

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/jsonkeys"
)

// MaxBodyBytes is the largest JSON entity body the API reads; a larger one answers 413.
const MaxBodyBytes = 1 << 20

// decodeBody reads one JSON object from body into v (a pointer to a wire struct): unknown
// fields, wrong types, trailing data and an empty body are EINVALID errors that name the
// problem and, where JSON tells, the field; a body over MaxBodyBytes is ETOOLARGE.
func decodeBody(body io.Reader, v any) error {
	lr := &limitedReader{r: body, n: MaxBodyBytes, max: MaxBodyBytes}
	b, err := io.ReadAll(lr)
	if lr.over {
		return tooLarge()
	}
	if err != nil {
		return decodeError(err, lr)
	}
	// encoding/json matches keys without regard to case and lets a repeated key win, so
	// keys are checked exactly first: {"name": "a", "Name": "b"} is refused, not "b".
	if err := jsonkeys.Check(b, reflect.TypeOf(v), ""); err != nil {
		var ke *jsonkeys.Error
		errors.As(err, &ke)
		if ke.Duplicate {
			return outdial.FieldErrorf(ke.Path, "field %q appears more than once", ke.Path)
		}
		return outdial.FieldErrorf(ke.Path, "unknown field %q", ke.Path)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, lr)
	}
	if _, err := dec.Token(); err != io.EOF {
		return outdial.Errorf(outdial.EINVALID, "unexpected data after the JSON object: send exactly one object")
	}
	return nil
}

// limitedReader reads at most n bytes and remembers whether the source had more.
type limitedReader struct {
	r    io.Reader
	n    int64 // bytes left
	max  int64 // the limit, for messages
	over bool
}

// Read implements io.Reader; past the limit it answers errTooLarge.
func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.over = true
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

var errTooLarge = errors.New("body too large")

func tooLarge() error {
	return outdial.Errorf(outdial.ETOOLARGE, "the request body is over %d bytes", MaxBodyBytes)
}

// decodeError turns an encoding/json error into an outdial error for the caller.
func decodeError(err error, lr *limitedReader) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var maxBytes *http.MaxBytesError
	switch {
	case lr.over || errors.Is(err, errTooLarge) || errors.As(err, &maxBytes):
		return tooLarge()
	case err == io.EOF:
		return outdial.Errorf(outdial.EINVALID, "the request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return outdial.Errorf(outdial.EINVALID, "malformed JSON: the body ends early")
	case errors.As(err, &syntax):
		return outdial.Errorf(outdial.EINVALID, "malformed JSON at byte %d: %s", syntax.Offset,
			strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return outdial.Errorf(outdial.EINVALID, "the body must be a JSON object, not %s", article(typ.Value))
		}
		return outdial.FieldErrorf(typ.Field, "field %q must be %s, not %s", typ.Field, jsonKind(typ.Type), article(typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return outdial.FieldErrorf(name, "unknown field %q", name)
	}
	return outdial.Errorf(outdial.EINVALID, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names, for a message, the JSON that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number in range"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
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
	return fmt.Sprintf("a %s", v)
}
