package sqlstore

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/outdial/outdial"
)

// roundTrip writes c's data column, checks it is JSON and reads it back.
func roundTrip(t *testing.T, c *outdial.Contact) (string, outdial.Contact) {
	t.Helper()
	data := contactData(c)
	if !json.Valid([]byte(data)) {
		t.Fatalf("%q is not JSON", data)
	}
	var got outdial.Contact
	if err := setContactData(&got, data); err != nil {
		t.Fatalf("setContactData(%q): %v", data, err)
	}
	return data, got
}

func TestContactDataRoundTrip(t *testing.T) {
	cases := []outdial.Contact{
		{},
		{Name: "张三"},
		{Name: "a\"b\\c\n\r\t\x01\x1f", Address: "江苏省连云港市", State: "s", AreaCode: "0518", AreaName: "江苏 连云港", Type: "MOBILE", Carrier: "MOBILE"},
		{Email: "a@b.c", Variables: map[string]string{"k": "v", "名": "值\"\n"}},
		{CallbackURL: "https://x.example/cb?a=1&b=<2>", ExternalID: "ext-1", Carrier: "UNICOM"},
		{Name: "x", Variables: map[string]string{"only": ""}},
	}
	for _, c := range cases {
		data, got := roundTrip(t, &c)
		if !reflect.DeepEqual(got, c) {
			t.Errorf("round trip of %q:\n got %+v\nwant %+v", data, got, c)
		}
	}
}

// What the migrations write: SQLite's json_array without spaces, PostgreSQL's
// json_build_array with them, every field present, variables as an object.
func TestContactDataFromMigrations(t *testing.T) {
	want := outdial.Contact{Name: "n", Address: "a", State: "s", AreaCode: "0518", AreaName: "江苏 连云港", Type: "MOBILE",
		Carrier: "MOBILE", Variables: map[string]string{"k": "v"}}
	for _, data := range []string{
		`["n","a","","s","","","0518","江苏 连云港","MOBILE","MOBILE",{"k":"v"}]`,
		`["n", "a", "", "s", "", "", "0518", "江苏 连云港", "MOBILE", "MOBILE", {"k": "v"}]`,
		`["n","a","","s","","","0518","\u6c5f\u82cf \u8fde\u4e91\u6e2f","MOBILE","MOBILE",{"k":"v"}]`,
	} {
		var got outdial.Contact
		if err := setContactData(&got, data); err != nil {
			t.Fatalf("setContactData(%q): %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", data, got, want)
		}
	}
	for _, bad := range []string{``, `{}`, `[1]`, `["a",2]`, `["a"`, `["a","b","c","d","e","f","g","h","i","j",{"k":"v"},"x"]`} {
		var got outdial.Contact
		if err := setContactData(&got, bad); err == nil {
			t.Errorf("setContactData(%q) accepted it: %+v", bad, got)
		}
	}
}

func FuzzContactData(f *testing.F) {
	f.Add("张三", "addr", "", "state", "https://x/y", "", "0518", "江苏 连云港", "k", "v\n\"")
	f.Add("\x00\xff", "\\", "\"", "\u2028", "", "ext", "", "", "", "")
	f.Fuzz(func(t *testing.T, name, address, email, state, cb, ext, area, k, v, raw string) {
		c := outdial.Contact{Name: name, Address: address, Email: email, State: state, CallbackURL: cb, ExternalID: ext,
			AreaCode: area, AreaName: area + "x", Type: "MOBILE"}
		if k != "" {
			c.Variables = map[string]string{k: v}
		}
		data, got := roundTrip(t, &c)
		want := c
		for _, p := range contactDataStrings(&want) {
			*p = string([]rune(*p)) // each byte that is not UTF-8 becomes U+FFFD
		}
		if want.Variables != nil {
			want.Variables = map[string]string{string([]rune(k)): string([]rune(v))}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip of %q:\n got %+v\nwant %+v", data, got, want)
		}
		// Any column value: an error or fields that are valid UTF-8 when it is, no panic.
		var any outdial.Contact
		if setContactData(&any, raw) == nil && utf8.ValidString(raw) {
			for _, p := range contactDataStrings(&any) {
				if !utf8.ValidString(*p) {
					t.Fatalf("setContactData(%q) made invalid UTF-8 %q", raw, *p)
				}
			}
		}
	})
}

// The set against a map, over random adds, removes and lookups, through several growths.
func TestKeySetModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	set, model := newKeySet(10), map[int64]bool{} // value: marked new
	for i := range 200000 {
		k := int64(rng.IntN(50000) + 1)
		switch op := rng.IntN(10); {
		case op < 6:
			fresh := rng.IntN(2) == 0
			_, had := model[k]
			if got := set.add(k, fresh); got == had {
				t.Fatalf("op %d: add(%d) = %v with the key there = %v", i, k, got, had)
			}
			if !had {
				model[k] = fresh
			}
		case op < 8:
			found, fresh := set.remove(k)
			if wantFresh, had := model[k]; found != had || (had && fresh != wantFresh) {
				t.Fatalf("op %d: remove(%d) = %v, %v; model %v, %v", i, k, found, fresh, had, wantFresh)
			}
			delete(model, k)
		default:
			if _, had := model[k]; set.has(k) != had {
				t.Fatalf("op %d: has(%d) = %v, model %v", i, k, !had, had)
			}
		}
		if set.n != len(model) {
			t.Fatalf("op %d: %d keys, model %d", i, set.n, len(model))
		}
	}
	var want []uint64
	for k, fresh := range model {
		if fresh {
			want = append(want, uint64(k))
		}
	}
	got := set.takeNew()
	if len(got) != len(want) {
		t.Fatalf("takeNew gave %d keys, want %d", len(got), len(want))
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("takeNew not ascending at %d: %d then %d", i, got[i-1], got[i])
		}
	}
	for _, k := range got {
		if !model[int64(k)] {
			t.Fatalf("takeNew gave %d, not a new key", k)
		}
	}
}

func TestPhoneKey(t *testing.T) {
	seen := map[int64]string{}
	for _, p := range []string{"18851498762", "075512345678", "75512345678", "+14155552671", "14155552671", "+8618851498762",
		"010123", "10123", "+0", "0", "", "+", "abc", "1885149876x", "123456789012345678", "+123456789012345678"} {
		k := phoneKey(p)
		if k <= 0 {
			t.Errorf("phoneKey(%q) = %d, want > 0", p, k)
		}
		if other, dup := seen[k]; dup {
			t.Errorf("phoneKey(%q) = phoneKey(%q) = %d", p, other, k)
		}
		seen[k] = p
	}
	if phoneKey("18851498762") != 118851498762 || phoneKey("+14155552671") != 214155552671 {
		t.Errorf("phoneKey: %d, %d", phoneKey("18851498762"), phoneKey("+14155552671"))
	}
}
