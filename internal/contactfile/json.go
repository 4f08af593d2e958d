package contactfile

import (
	"bufio"
	"bytes"
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
	dec   *json.Decoder
	read  *readRecorder
	bom   int64          // the length of the byte order mark skipped, for error offsets
	num   int            // elements begun
	whole int            // elements read to their end
	obj   map[string]any // the element being read, reused
	keys  map[string]field
	setBy [numFields]string // the key each field of row came from
	row   Row
	err   error
}

// NewJSON reads a JSON array of objects, decoding one element at a time; a UTF-8 byte
// order mark before it is skipped. Keys map to Row fields as CSV headers do ("phone",
// "手机号", "callbackUrl" ...), values may be strings, numbers (phones too) or booleans
// (null is no value), and the keys of a nested "variables" object are merged into
// Variables (over top-level keys of the same name). When several keys name one field,
// the key that sorts first fills it and the others are variables. An object without a
// phone key is a Row without a phone. An element that is not an object, or a value that
// is an array or an object other than "variables", is a *RowError. A first element that
// is not an object (the list is not one of contacts), or malformed JSON, is a fatal
// EINVALID error.
func NewJSON(r io.Reader) (Reader, error) {
	rec := &readRecorder{r: r}
	br := bufio.NewReaderSize(rec, 64)
	j := &jsonReader{read: rec, keys: make(map[string]field)}
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
		j.bom = 3
	}
	j.dec = json.NewDecoder(br)
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
	if j.obj == nil {
		j.obj = make(map[string]any)
	}
	clear(j.obj)
	var typeErr *json.UnmarshalTypeError
	// A type error comes after the whole element is read, so reading can go on.
	if err := j.dec.Decode(&j.obj); errors.As(err, &typeErr) || (err == nil && j.obj == nil) {
		j.whole++
		if j.num == 1 {
			j.err = outdial.Errorf(outdial.EINVALID, "the contact list must be a JSON array of objects: element 1 is not an object")
			return nil, j.err
		}
		return nil, &RowError{Num: j.num, Reason: "element " + strconv.Itoa(j.num) + " is not a JSON object"}
	} else if err != nil {
		j.err = j.fatal(err)
		return nil, j.err
	}
	j.whole++
	if re := j.fill(); re != nil {
		return nil, re
	}
	phone := j.row.Phone
	var reason string
	if j.row.Phone, reason = cleanPhone(phone); reason != "" {
		return nil, &RowError{Num: j.num, Phone: phone, Field: fieldNames[fieldPhone], Reason: reason}
	}
	return &j.row, nil
}

// fill sets j.row from j.obj. It returns a RowError when a value is not a scalar; of
// several, the one about the key that sorts first.
func (j *jsonReader) fill() *RowError {
	j.row = Row{Num: j.num}
	j.setBy = [numFields]string{}
	var vars map[string]any
	var re *RowError
	badKey := ""
	bad := func(key, fieldName, why string) {
		if re == nil || key < badKey {
			badKey, re = key, &RowError{Num: j.num, Field: fieldName, Reason: why}
		}
	}
	for key, v := range j.obj {
		f := j.field(key)
		name := "variables"
		if f != notField {
			name = fieldNames[f]
		}
		switch v := v.(type) {
		case map[string]any:
			if normKey(key) == "variables" {
				vars = v
				continue
			}
			bad(key, name, "the value of "+strconv.Quote(key)+" must be text or a number")
		case []any:
			bad(key, name, "the value of "+strconv.Quote(key)+" must be text or a number")
		default:
			j.set(f, key, scalar(v))
		}
	}
	for key, v := range vars {
		switch v.(type) {
		case map[string]any, []any:
			bad("variables."+key, "variables", "variable "+strconv.Quote(key)+" must be text or a number")
		default:
			j.set(notField, key, scalar(v))
		}
	}
	if re != nil {
		re.Phone = j.row.Phone
	}
	return re
}

// scalar returns the text of a string, number or boolean, and "" for anything else.
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return cleanCell(v)
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// set stores s under key: in field f if f is free or key sorts before the key that took
// it, else (or for notField) as a variable.
func (j *jsonReader) set(f field, key, s string) {
	if s == "" {
		return
	}
	if f != notField {
		r := &j.row
		p := [numFields]*string{&r.Phone, &r.Name, &r.Address, &r.Email, &r.State, &r.CallbackURL, &r.ExternalID, &r.Priority}[f]
		switch prev := j.setBy[f]; {
		case prev == "":
			*p, j.setBy[f] = s, key
			return
		case key < prev:
			j.setVar(prev, *p)
			*p, j.setBy[f] = s, key
			return
		}
	}
	j.setVar(key, s)
}

// setVar adds a variable to j.row.
func (j *jsonReader) setVar(key, s string) {
	if j.row.Variables == nil {
		j.row.Variables = make(map[string]string)
	}
	j.row.Variables[key] = s
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

// fatal turns a decoding error into the reader's: the upload's own read error as it is,
// anything else as EINVALID.
func (j *jsonReader) fatal(err error) error {
	var syntax *json.SyntaxError
	switch {
	case j.read.err != nil && j.read.err != io.EOF:
		return fmt.Errorf("contactfile: read json: %w", j.read.err)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		elements := "elements"
		if j.whole == 1 {
			elements = "element"
		}
		return outdial.Errorf(outdial.EINVALID, "the JSON contact list ends early (after %d %s)", j.whole, elements)
	case errors.As(err, &syntax):
		return outdial.Errorf(outdial.EINVALID, "the JSON contact list is malformed at byte %d: %v", syntax.Offset+j.bom, err)
	}
	return outdial.Errorf(outdial.EINVALID, "the JSON contact list is malformed: %v", err)
}
