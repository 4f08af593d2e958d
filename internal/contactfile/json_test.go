package contactfile

import (
	"reflect"
	"strings"
	"testing"

	"github.com/outdial/outdial"
)

func TestJSON(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		phones string // "num:phone ..." of the rows read
		bad    []int  // Num of each RowError
		fatal  string // part of the fatal error's message
	}{
		{name: "strings and numbers", in: `[{"phone":"188 5149 8762"},{"mobile":13912345678},{"手机号":1.885149876e10}]`,
			phones: "1:188 5149 8762 2:13912345678 3:18851498760"},
		{name: "empty array", in: " [ ] \n", phones: ""},
		{name: "element not an object", in: `[{"phone":"1"},"x",[1,[2]],{"phone":"2"}]`,
			phones: "1:1 4:2", bad: []int{2, 3}},
		{name: "nested value", in: `[{"phone":"1","tags":["a"],"name":"Li"},{"phone":"2"}]`,
			phones: "2:2", bad: []int{1}},
		{name: "rounded phone", in: `[{"phone":"1.88515E+10"}]`, bad: []int{1}},
		{name: "null and empty values", in: `[{"phone":"1","name":null,"email":""}]`, phones: "1:1"},
		{name: "first object without phone", in: `[{"name":"Li"}]`, phones: "1:"},
		{name: "first element not an object", in: `["13800138000",{"phone":"1"}]`, fatal: "array of objects"},
		{name: "not an array", in: `{"phone":"1"}`, fatal: "JSON array"},
		{name: "empty input", in: ``, fatal: "ends early"},
		{name: "truncated", in: `[{"phone":"1"},{"phone":`, phones: "1:1", fatal: "ends early"},
		{name: "malformed", in: `[{"phone":"1"},{phone:2}]`, phones: "1:1", fatal: "malformed"},
		{name: "data after the array", in: `[{"phone":"1"}] []`, phones: "1:1", fatal: "after the JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewJSON(strings.NewReader(tt.in))
			res := result{err: err}
			if err == nil {
				res = readAll(t, r, 100)
			}
			if tt.fatal == "" && res.err != nil {
				t.Fatal(res.err)
			} else if tt.fatal != "" && (outdial.ErrorCode(res.err) != outdial.EINVALID ||
				!strings.Contains(outdial.ErrorMessage(res.err), tt.fatal)) {
				t.Fatalf("fatal error %v, want EINVALID about %q", res.err, tt.fatal)
			}
			if got := res.phones(); got != tt.phones {
				t.Errorf("rows %q, want %q", got, tt.phones)
			}
			var bad []int
			for _, e := range res.bad {
				bad = append(bad, e.Num)
			}
			if !reflect.DeepEqual(bad, tt.bad) {
				t.Errorf("row errors %+v, want rows %v", res.bad, tt.bad)
			}
		})
	}
}

func TestJSONFields(t *testing.T) {
	in := `[{"phone":"18851498762","name":" Li ","address":"Beijing","email":"li@example.com",
		"state":"s","callbackUrl":"https://example.com/cb","external_id":"C-1","priority":5,
		"amount":100.5,"vip":true,"variables":{"due":"2024-05-01","count":2}}]`
	r, err := NewJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r, 10)
	want := []Row{{Num: 1, Phone: "18851498762", Name: "Li", Address: "Beijing", Email: "li@example.com",
		State: "s", CallbackURL: "https://example.com/cb", ExternalID: "C-1", Priority: "5",
		Variables: map[string]string{"amount": "100.5", "vip": "true", "due": "2024-05-01", "count": "2"}}}
	if res.err != nil || len(res.bad) > 0 || !reflect.DeepEqual(res.rows, want) {
		t.Errorf("got %+v (%v %v),\nwant %+v", res.rows, res.bad, res.err, want)
	}
}

// Map order must not decide anything: the key that sorts first takes a field, and
// "variables" wins over a top-level key.
func TestJSONDeterministic(t *testing.T) {
	in := `[{"phone":"13900000000","mobile":"18851498762","x":"top","variables":{"x":"nested"},"a":[1],"b":{}}]`
	for range 20 {
		r, err := NewJSON(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		res := readAll(t, r, 10)
		if len(res.bad) != 1 || !strings.Contains(res.bad[0].Reason, `"a"`) {
			t.Fatalf("row errors %+v, want one about \"a\"", res.bad)
		}
		in2 := strings.Replace(in, `,"a":[1],"b":{}`, "", 1)
		r, _ = NewJSON(strings.NewReader(in2))
		res = readAll(t, r, 10)
		want := Row{Num: 1, Phone: "18851498762", Variables: map[string]string{"phone": "13900000000", "x": "nested"}}
		if len(res.rows) != 1 || !reflect.DeepEqual(res.rows[0], want) {
			t.Fatalf("got %+v, want %+v", res.rows, want)
		}
	}
}
