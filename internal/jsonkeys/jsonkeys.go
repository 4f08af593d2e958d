// Package jsonkeys checks the keys of a JSON document against the Go type it is decoded
// into, exactly. encoding/json matches object keys to struct fields without regard to
// case and lets a repeated key silently replace the first, even with
// DisallowUnknownFields: {"id": 1, "ID": 999} decodes as id 999. APIs that promise to
// refuse keys their document does not show check the document here first.
package jsonkeys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Error names a key that is not one of the type's, or one given twice.
type Error struct {
	// Path is the key's place, dotted from the top ("data.data_list[2].PHONE").
	Path      string
	Key       string
	Duplicate bool
}

func (e *Error) Error() string {
	if e.Duplicate {
		return fmt.Sprintf("field %s appears more than once", e.Path)
	}
	return fmt.Sprintf("unknown field %s", e.Path)
}

// Check returns an *Error for the first object key in b, at any depth the type t
// describes, that is not exactly the JSON name of one of t's fields, or that repeats a
// key of the same object. Values of other shapes than t expects, and malformed JSON, are
// not its business: it returns nil and leaves them to the decoder. Keys under
// json.RawMessage, interface and map values are not checked.
func Check(b []byte, t reflect.Type, prefix string) error {
	if e := check(b, t, prefix); e != nil {
		return e
	}
	return nil // not a nil *Error in a non-nil interface
}

var rawMessage = reflect.TypeFor[json.RawMessage]()

func check(b []byte, t reflect.Type, prefix string) *Error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessage {
		return nil
	}
	b = bytes.TrimSpace(b)
	switch t.Kind() {
	case reflect.Struct:
		if len(b) == 0 || b[0] != '{' {
			return nil
		}
		fields := fieldsOf(t)
		if fields == nil {
			return nil // a type with its own decoding (time.Time and such)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if _, err := dec.Token(); err != nil {
			return nil
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil
			}
			key, _ := tok.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil
			}
			path := join(prefix, key)
			ft, ok := fields[key]
			if !ok {
				return &Error{Path: path, Key: key}
			}
			if seen[key] {
				return &Error{Path: path, Key: key, Duplicate: true}
			}
			seen[key] = true
			if e := check(raw, ft, path); e != nil {
				return e
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 || len(b) == 0 || b[0] != '[' {
			return nil
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if _, err := dec.Token(); err != nil {
			return nil
		}
		for i := 0; dec.More(); i++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil
			}
			if e := check(raw, t.Elem(), fmt.Sprintf("%s[%d]", prefix, i)); e != nil {
				return e
			}
		}
	}
	return nil
}

var cache sync.Map // reflect.Type -> map[string]reflect.Type

// fieldsOf returns the JSON names of t's fields and their types, with embedded structs'
// fields promoted, or nil when t decodes itself (json.Unmarshaler).
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if v, ok := cache.Load(t); ok {
		return v.(map[string]reflect.Type)
	}
	var out map[string]reflect.Type
	if !reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		out = map[string]reflect.Type{}
		addFields(t, out)
	}
	cache.Store(t, out)
	return out
}

func addFields(t reflect.Type, out map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(ft, out)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, ok := out[name]; !ok {
			out[name] = f.Type
		}
	}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
