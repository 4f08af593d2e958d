package jsonkeys

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type row struct {
	Phone string `json:"phone"`
	Name  string `json:"name,omitempty"`
}

type inner struct {
	ID   string          `json:"id"`
	Rows []row           `json:"data_list"`
	Raw  json.RawMessage `json:"raw"`
	Vars map[string]any  `json:"vars"`
	At   time.Time       `json:"at"`
}

type base struct {
	Token string `json:"token"`
}

type body struct {
	base
	Data  *inner `json:"data"`
	Plain int
	//lint:ignore U1000 an unexported field must not be a key
	hidden int
	Skip   int `json:"-"`
}

func TestCheck(t *testing.T) {
	typ := reflect.TypeFor[body]()
	for _, c := range []struct {
		in   string
		path string // "" for no error
		dup  bool
	}{
		{`{"token":"t","data":{"id":"1","data_list":[{"phone":"1"},{"phone":"2","name":"n"}]},"Plain":1}`, "", false},
		{`{"Token":"t"}`, "Token", false},
		{`{"token":"t","DATA":{}}`, "DATA", false},
		{`{"data":{"ID":"1"}}`, "data.ID", false},
		{`{"data":{"id":"1","Id":"2"}}`, "data.Id", false},
		{`{"data":{"id":"1","id":"2"}}`, "data.id", true},
		{`{"data":{"data_list":[{"phone":"1"},{"PHONE":"2"}]}}`, "data.data_list[1].PHONE", false},
		{`{"plain":1}`, "plain", false},
		{`{"Skip":1}`, "Skip", false},
		{`{"hidden":1}`, "hidden", false},
		{`{"data":{"raw":{"Anything":1},"vars":{"X":1},"at":"2026-01-01T00:00:00Z"}}`, "", false},
		{`{"data":"not an object"}`, "", false},
		{`{"token":`, "", false},
		{`[1,2]`, "", false},
	} {
		err := Check([]byte(c.in), typ, "")
		switch {
		case c.path == "" && err != nil:
			t.Errorf("%s: %v, want no error", c.in, err)
		case c.path != "" && err == nil:
			t.Errorf("%s: no error, want one at %s", c.in, c.path)
		case c.path != "":
			e := err.(*Error)
			if e.Path != c.path || e.Duplicate != c.dup {
				t.Errorf("%s: %+v, want path %s duplicate %v", c.in, e, c.path, c.dup)
			}
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"token":"t","data":{"id":"1","data_list":[{"phone":"1"}]}}`))
	f.Add([]byte(`{"data":{"id":"1","Id":"2"}}`))
	typ := reflect.TypeFor[body]()
	f.Fuzz(func(t *testing.T, b []byte) {
		if Check(b, typ, "") != nil {
			return
		}
		// Passed: every key of the top object and of data is exactly one of the type's.
		var top map[string]json.RawMessage
		if json.Unmarshal(b, &top) != nil {
			return
		}
		for k, v := range top {
			if k != "token" && k != "data" && k != "Plain" {
				t.Fatalf("%s passed with key %q", b, k)
			}
			var data map[string]json.RawMessage
			if k == "data" && json.Unmarshal(v, &data) == nil {
				for dk := range data {
					if dk != "id" && dk != "data_list" && dk != "raw" && dk != "vars" && dk != "at" {
						t.Fatalf("%s passed with data key %q", b, dk)
					}
				}
			}
		}
	})
}
