package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

func TestNativeBuild(t *testing.T) {
	created := time.Date(2026, 11, 21, 1, 2, 3, 456e6, time.UTC)
	m := &outdial.OutboxMessage{ID: 7, EventID: `evt-"1"`, EventType: outdial.EventCallEnded, CreatedAt: created,
		Payload: []byte(`{"call": {"id": "42"}}`)}
	sub := &outdial.Subscription{Secret: "whsec"}
	at := created.Add(15 * time.Second)
	body, h, err := Native{}.Build(m, sub, at)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		ID        string          `json:"id"`
		Type      string          `json:"type"`
		CreatedAt time.Time       `json:"created_at"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if env.ID != m.EventID || env.Type != "call.ended" || !env.CreatedAt.Equal(created) || string(env.Data) != `{"call": {"id": "42"}}` {
		t.Fatalf("envelope = %+v", env)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte("whsec"))
	mac.Write([]byte(ts + "." + string(body)))
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	if h.Get(HeaderEventID) != m.EventID || h.Get(HeaderEventType) != "call.ended" || h.Get(HeaderTimestamp) != ts ||
		h.Get(HeaderSignature) != want || h.Get("Content-Type") != "application/json" {
		t.Fatalf("headers = %v, want signature %s", h, want)
	}
	if err := Verify("whsec", h, body, at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	// A retry: same event id and body, a fresh timestamp and signature.
	body2, h2, _ := Native{}.Build(m, sub, at.Add(30*time.Second))
	if string(body2) != string(body) || h2.Get(HeaderEventID) != m.EventID || h2.Get(HeaderTimestamp) == ts ||
		h2.Get(HeaderSignature) == want {
		t.Fatalf("retry headers %v", h2)
	}
	if _, _, err := (Native{}).Build(&outdial.OutboxMessage{Payload: []byte(`{"a":`)}, sub, at); err == nil {
		t.Fatal("a payload that is not JSON was sent")
	}
	if _, h, _ := (Native{}).Build(m, nil, at); h.Get(HeaderSignature) != "" {
		t.Fatal("signed without a secret")
	}
	for status, want := range map[int]bool{200: true, 201: true, 204: true, 299: true, 199: false, 301: false, 404: false, 500: false} {
		if (Native{}).Delivered(status, nil) != want {
			t.Errorf("Delivered(%d) != %v", status, want)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"e"}`)
	good := func() http.Header {
		ts := strconv.FormatInt(now.Unix(), 10)
		return http.Header{HeaderTimestamp: {ts}, HeaderSignature: {Sign("k", ts, body)}}
	}
	cases := map[string]func(h http.Header) ([]byte, string, time.Time){
		"other secret":    func(h http.Header) ([]byte, string, time.Time) { return body, "k2", now },
		"changed body":    func(h http.Header) ([]byte, string, time.Time) { return []byte(`{"id":"f"}`), "k", now },
		"too old":         func(h http.Header) ([]byte, string, time.Time) { return body, "k", now.Add(10 * time.Minute) },
		"from the future": func(h http.Header) ([]byte, string, time.Time) { return body, "k", now.Add(-10 * time.Minute) },
		"no timestamp": func(h http.Header) ([]byte, string, time.Time) {
			h.Del(HeaderTimestamp)
			return body, "k", now
		},
		"changed timestamp": func(h http.Header) ([]byte, string, time.Time) {
			h.Set(HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10))
			return body, "k", now
		},
		"no signature": func(h http.Header) ([]byte, string, time.Time) {
			h.Del(HeaderSignature)
			return body, "k", now
		},
	}
	for name, change := range cases {
		h := good()
		b, secret, at := change(h)
		if err := Verify(secret, h, b, at, 5*time.Minute); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	if err := Verify("k", good(), body, now, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	// Several signatures (a secret being rotated): one matching is enough.
	h := good()
	h.Set(HeaderSignature, "v1=00, "+h.Get(HeaderSignature))
	if err := Verify("k", h, body, now, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
}

// FuzzVerify: Verify reads outside input (headers and body); it never panics and accepts
// only what Sign produced for that body.
func FuzzVerify(f *testing.F) {
	f.Add("1800000000", "v1=abc", []byte(`{}`))
	f.Add("", "", []byte(nil))
	f.Add("-1", "v1=,v1=", []byte("\x00"))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		h := http.Header{HeaderTimestamp: {ts}, HeaderSignature: {sig}}
		err := Verify("k", h, body, now, time.Hour)
		if err == nil && !strings.Contains(sig, Sign("k", ts, body)) {
			t.Fatalf("verified a signature Sign did not make: %q", sig)
		}
	})
}

// TestREADMEExample keeps the worked example of README.md true: its signature is what
// Sign makes of its timestamp, secret and body.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"id":"call-7243350001234567890-ended","type":"call.ended","created_at":"2026-11-21T01:00:35Z",` +
		`"data":{"call":{"id":"7243350001234567890","result":"answered"}}}`
	sig := Sign("whsec_example_0123456789", "1763686835", []byte(body))
	for _, want := range []string{body, "X-Outdial-Signature: " + sig, "X-Outdial-Timestamp: 1763686835", "whsec_example_0123456789"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not hold %q", want)
		}
	}
	m := &outdial.OutboxMessage{EventID: "call-7243350001234567890-ended", EventType: "call.ended",
		CreatedAt: time.Date(2026, 11, 21, 1, 0, 35, 0, time.UTC), Payload: []byte(`{"call":{"id":"7243350001234567890","result":"answered"}}`)}
	got, h, _ := Native{}.Build(m, &outdial.Subscription{Secret: "whsec_example_0123456789"}, time.Unix(1763686835, 0))
	if string(got) != body || h.Get(HeaderSignature) != sig {
		t.Fatalf("Build makes %s with %s, the README shows %s", got, h.Get(HeaderSignature), body)
	}
}
