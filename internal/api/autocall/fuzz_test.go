package autocall

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/outdial/outdial"
)

// checkDecoded fails unless a decoder either refused with a clear EINVALID (or
// ETOOLARGE) error or returned a search every filter of which is in range.
func checkDecoded(t *testing.T, input string, s *search, err error) {
	if err != nil {
		if code := outdial.ErrorCode(err); (code != outdial.EINVALID && code != outdial.ETOOLARGE) || outdial.ErrorMessage(err) == "" {
			t.Fatalf("refused %q with %v (code %q)", input, err, code)
		}
		return
	}
	switch {
	case s.PerPage < 1 || s.PerPage > MaxPerPage:
		t.Fatalf("%q: perPage %d", input, s.PerPage)
	case s.CallID < 0 || s.ProjectID < 0 || s.TaskID < 0:
		t.Fatalf("%q: negative id", input)
	case s.CallResult != nil && (*s.CallResult < 0 || *s.CallResult > 2):
		t.Fatalf("%q: callresult %d", input, *s.CallResult)
	case s.EndResult != 0 && s.EndResult != 11 && s.EndResult != 12:
		t.Fatalf("%q: endresult %d", input, s.EndResult)
	case !s.From.IsZero() && !s.To.IsZero() && s.From.After(s.To):
		t.Fatalf("%q: from after to", input)
	case len(s.Caller) > 64 || len(s.Called) > 64:
		t.Fatalf("%q: long number", input)
	}
}

func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{``, `{}`, `null`, `[]`, `{"perPage":1}`, `{"taskId":13,"callresult":"2"}`,
		`{"callId":"6780056666542059520","projectId":"10008","searchAfter":"6780001242530852864","taskId":"13","caller":"010xxxx4343","called":"185xxxx2456","callresult":"0","endresult":"12","perPage":1,"startTime":{"gte":"2021-03-23 17:24:35","lte":"2021-03-23 17:24:36"}}`,
		`{"startTime":{"gte":"2021-03-24 00:00:00","lte":"2021-03-23 00:00:00"}}`, `{"perPage":1e9}`, `{"taskId":-1}`,
		`{"startTime":{"gte":null}}`, `{"callresult":[0]}`, `{"a":1}`, `{} x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := decodeBody(bytes.NewReader(body), shanghai)
		checkDecoded(t, string(body), s, err)
	})
}

func FuzzDecodeQuery(f *testing.F) {
	for _, s := range []string{``, `taskId=13&perPage=100`, `startTime[gte]=2021-03-23+17:24:35&startTime[lte]=2021-03-23+17:24:36`,
		`startTime=%7B%22gte%22%3A%222021-03-23+17%3A24%3A35%22%7D`, `callresult=2&endresult=11`, `taskId=1&taskId=2`,
		`perPage=0`, `x=1`, `%zz`, `called=%2B86+185+1234+2456`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := decodeQuery(raw, shanghai)
		checkDecoded(t, raw, s, err)
	})
}

func FuzzReadCursor(f *testing.F) {
	h := New(Config{Store: nilStore{}, CursorKey: []byte("fuzzing key 0123456789")})
	f.Add(h.makeCursor(1, 6780056666542059520), int64(1), int64(6780056666542059520))
	f.Add("6780001242530852864", int64(2), int64(1))
	f.Add("", int64(0), int64(-1))
	f.Fuzz(func(t *testing.T, s string, tenant, id int64) {
		if got, err := h.readCursor(tenant, s); err == nil && h.makeCursor(tenant, got) != s {
			t.Fatalf("accepted %q (call %d), which is not the cursor of its call", s, got)
		} else if err != nil && outdial.ErrorField(err) != "searchAfter" {
			t.Fatalf("%q: %v", s, err)
		}
		if id > 0 {
			if got, err := h.readCursor(tenant, h.makeCursor(tenant, id)); err != nil || got != id {
				t.Fatalf("round trip of %d: %d, %v", id, got, err)
			}
			if _, err := h.readCursor(tenant+1, h.makeCursor(tenant, id)); err == nil {
				t.Fatalf("tenant %d's cursor accepted for tenant %d", tenant, tenant+1)
			}
		}
	})
}

func FuzzDecodePush(f *testing.F) {
	for _, s := range []string{`{"url":"https://x.example.com","secret":"long-enough","encrypt":1,"projectId":"3"}`,
		`{"url":"http://x","encrypt":true}`, `{"encrypt":"2"}`, `{"url":1}`, ``, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePush(bytes.NewReader(body))
		if err != nil {
			if c := outdial.ErrorCode(err); c != outdial.EINVALID && c != outdial.ETOOLARGE {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		if !outdial.ValidCallbackURL(p.url) || p.projectID < 0 || (p.secret != "" && len(p.secret) < minSecret) || len(p.secret) > maxSecret {
			t.Fatalf("accepted %q as %+v", body, p)
		}
	})
}

func FuzzDelivered(f *testing.F) {
	for _, s := range []string{`{"code":0}`, `{"code":"0"}`, `{"code":null}`, `{"code":1}`, `x`} {
		f.Add(200, []byte(s))
	}
	f.Add(200, []byte(`{"Code":0}`))
	f.Add(200, []byte(`{"code":0,"code":1}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if (Format{}).Delivered(status, body) && (status < 200 || status > 299 || !bytes.Contains(body, []byte(`"code"`))) {
			t.Fatalf("delivered: %d %q", status, body)
		}
		// A whole JSON object is delivered exactly when its one member named code is 0.
		var m map[string]json.RawMessage
		if status == 200 && json.Unmarshal(body, &m) == nil && bytes.Count(body, []byte(`"code"`)) == 1 && !bytes.Contains(body, []byte(`\`)) {
			want := string(m["code"]) == "0" || string(m["code"]) == `"0"`
			if got := (Format{}).Delivered(status, body); got != want && !bytes.Contains(m["code"], []byte("e")) && !bytes.Contains(m["code"], []byte(".")) && string(m["code"]) != "-0" {
				t.Fatalf("Delivered(%q) = %v, want %v", body, got, want)
			}
		}
	})
}

// FuzzEncrypt checks that whatever is encrypted decrypts to itself, and only with its secret.
func FuzzEncrypt(f *testing.F) {
	f.Add("my-push-secret", []byte(`{"call_id":"1"}`))
	f.Add("", []byte{})
	f.Fuzz(func(t *testing.T, secret string, plain []byte) {
		iv := bytes.Repeat([]byte{7}, 16)
		enc, err := Encrypt(secret, iv, plain)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Decrypt(secret, enc); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip: %q, %v", got, err)
		}
		if strings.ContainsAny(enc, "\"\\ \n") {
			t.Fatalf("ciphertext text %q needs escaping in JSON", enc)
		}
	})
}

// nilStore is a Store for handlers that never reach it.
type nilStore struct{ outdial.Store }
