package contactfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/outdial/outdial"
)

// maxCachedKeys bounds the JSON reader's cache of how keys map to fields.
const maxCachedKeys = 256

// notField marks a key that is a variable in jsonReader.keys.
const notField field = -1

// jsonReader reads rows from a JSON array of objects, one element at a time.
type jsonReader struct {
	dec     *json.Decoder
	read    *readRecorder
	num     int
	checked bool // the first object has been checked for a phone key
	keys    map[string]field
	row     Row
	err     error
}

// NewJSON reads a JSON array of objects, decoding one element at a time. Keys map to Row
// fields as CSV headers do ("phone", "手机号", "callbackUrl" ...), values may be strings,
// numbers (phones too) or booleans (null is no value), and the keys of a nested
// "variables" object are merged into Variables. An element that is not an object, or a
// value that is an array or an object other than "variables", is a *RowError. A first
// object without a phone key, or malformed JSON, is a fatal EINVALID error.
func NewJSON(r io.Reader) (Reader, error) {
	rec := &readRecorder{r: r}
	j := &jsonReader{dec: json.NewDecoder(rec), read: rec, keys: make(map[string]field)}
	j.dec.UseNumber()
	tok, err := j.dec.Token()
	if err != nil {
		return nil, j.fatal(err)
	}
	if tok != json.Delim('[') {
		return nil, outdial.Errorf(outdial.EINVALID, "the contact list must be a JSON array of objects")
	}
	return j, nil
}

// Next implements Reader.
func (j *jsonReader) Next() (*Row, error) {
	if j.err != nil {
		return nil, j.err
	}
	if !j.dec.More() {
		if _, err := j.dec.Token(); err != nil { // the closing ']'
			j.err = j.fatal(err)
		} else if _, err := j.dec.Token(); err != io.EOF {
			j.err = outdial.Errorf(outdial.EINVALID, "unexpected data after the JSON array of contacts")
		} else {
			j.err = io.EOF
		}
		return nil, j.err
	}
	j.num++
	j.row = Row{Num: j.num}
	isObject, hasPhone, reason, err := j.object()
	switch {
	case err != nil:
		j.err = j.fatal(err)
		return nil, j.err
	case isObject && !j.checked && !hasPhone:
		j.err = outdial.Errorf(outdial.EINVALID, "no phone field: the contacts must have one of %s", phoneHeaders)
		return nil, j.err
	}
	j.checked = j.checked || isObject
	if reason == "" {
		j.row.Phone, reason = cleanPhone(j.row.Phone)
	}
	if reason != "" {
		return nil, &RowError{Num: j.num, Reason: reason}
	}
	return &j.row, nil
}

// object reads one array element into j.row. reason is set when the element is not an
// object of scalars; err only when the JSON cannot be read further.
func (j *jsonReader) object() (isObject, hasPhone bool, reason string, err error) {
	tok, err := j.dec.Token()
	if err != nil {
		return false, false, "", err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return false, false, "element " + strconv.Itoa(j.num) + " is not a JSON object", j.skip(tok)
	}
	for j.dec.More() {
		if tok, err = j.dec.Token(); err != nil {
			return true, hasPhone, "", err
		}
		key, _ := tok.(string)
		if tok, err = j.dec.Token(); err != nil {
			return true, hasPhone, "", err
		}
		f := j.field(key)
		hasPhone = hasPhone || f == fieldPhone
		if d, ok := tok.(json.Delim); ok {
			if d == '{' && normKey(key) == "variables" {
				if r, err := j.variables(); err != nil {
					return true, hasPhone, "", err
				} else if reason == "" {
					reason = r
				}
				continue
			}
			if reason == "" {
				reason = "the value of " + strconv.Quote(key) + " must be text or a number"
			}
			if err := j.skip(tok); err != nil {
				return true, hasPhone, "", err
			}
			continue
		}
		j.set(f, key, tok)
	}
	_, err = j.dec.Token() // '}'
	return true, hasPhone, reason, err
}

// variables reads a nested "variables" object into j.row.Variables.
func (j *jsonReader) variables() (reason string, err error) {
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return "", err
		}
		key, _ := tok.(string)
		if tok, err = j.dec.Token(); err != nil {
			return "", err
		}
		if _, ok := tok.(json.Delim); ok {
			if reason == "" {
				reason = "variable " + strconv.Quote(key) + " must be text or a number"
			}
			if err := j.skip(tok); err != nil {
				return "", err
			}
			continue
		}
		j.set(notField, key, tok)
	}
	_, err = j.dec.Token() // '}'
	return reason, err
}

// set stores the scalar token v under key, in field f or, if f is taken or notField, as a
// variable.
func (j *jsonReader) set(f field, key string, v json.Token) {
	var s string
	switch v := v.(type) {
	case string:
		s = cleanCell(v)
	case json.Number:
		s = string(v)
	case bool:
		s = strconv.FormatBool(v)
	}
	if s == "" {
		return
	}
	r := &j.row
	ptrs := [numFields]*string{&r.Phone, &r.Name, &r.Address, &r.Email, &r.State, &r.CallbackURL, &r.ExternalID, &r.Priority}
	if f != notField && *ptrs[f] == "" {
		*ptrs[f] = s
		return
	}
	if r.Variables == nil {
		r.Variables = make(map[string]string)
	}
	r.Variables[key] = s
}

// field returns the field that key maps to, or notField.
func (j *jsonReader) field(key string) field {
	if f, ok := j.keys[key]; ok {
		return f
	}
	f, ok := aliases[normKey(key)]
	if !ok {
		f = notField
	}
	if len(j.keys) < maxCachedKeys {
		j.keys[key] = f
	}
	return f
}

// skip reads past the rest of the value that starts with tok.
func (j *jsonReader) skip(tok json.Token) error {
	depth := 0
	for {
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth <= 0 {
			return nil
		}
		var err error
		if tok, err = j.dec.Token(); err != nil {
			return err
		}
	}
}

// fatal turns a decoding error into the reader's: the upload's own read error as it is,
// anything else as EINVALID.
func (j *jsonReader) fatal(err error) error {
	var syntax *json.SyntaxError
	switch {
	case j.read.err != nil && j.read.err != io.EOF:
		return fmt.Errorf("contactfile: read json: %w", j.read.err)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return outdial.Errorf(outdial.EINVALID, "the JSON contact list ends early (after %d elements)", j.num)
	case errors.As(err, &syntax):
		return outdial.Errorf(outdial.EINVALID, "the JSON contact list is malformed at byte %d: %v", syntax.Offset, err)
	}
	return outdial.Errorf(outdial.EINVALID, "the JSON contact list is malformed: %v", err)
}
