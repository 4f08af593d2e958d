package webhook

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestFailingReceivers: a receiver that hangs, one that answers 500, one that answers
// 200 with {"code": 1} to a push-style format, one that closes the connection and one
// that redirects: each is retried at the schedule's offsets, and each failure is in the
// delivery log with its reason.
func TestFailingReceivers(t *testing.T) {
	hang := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		io.Copy(io.Discard, r.Body) // so the server notices when the client gives up
		<-r.Context().Done()
	})
	fail := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Error(w, `{"error":"boom"}`, http.StatusInternalServerError)
	})
	code1 := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) { w.Write([]byte(`{"code": 1, "msg": "bad sign"}`)) })
	closer := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	redirect := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	r := newRig(t, func(c *Config) { c.ReadTimeout = 200 * time.Millisecond })
	cases := []struct {
		name     string
		m        *outdial.OutboxMessage
		rc       *receiver
		status   int
		err      string
		response string
	}{
		{"hangs", r.enqueue(r.subscribe(hang.URL, nil), "", "e-hang"), hang, 0, "no answer within 200ms (read timeout)", ""},
		{"500", r.enqueue(r.subscribe(fail.URL, nil), "", "e-500"), fail, 500,
			"answered 500, which the native format does not count as delivered", `{"error":"boom"}` + "\n"},
		{"code 1", r.enqueue(nil, code1.URL, "e-code1"), code1, 200,
			"answered 200, which the push format does not count as delivered", `{"code": 1, "msg": "bad sign"}`},
		{"closes", r.enqueue(r.subscribe(closer.URL, nil), "", "e-close"), closer, 0,
			"the connection was closed before a complete answer", ""},
		{"redirects", r.enqueue(r.subscribe(redirect.URL, nil), "", "e-302"), redirect, 302,
			"answered 302, which the native format does not count as delivered", ""},
	}
	t0 := r.clock.Now()
	r.start()
	offs := offsets(Schedule(nil))
	for k := range 3 {
		r.clock.AdvanceTo(t0.Add(offs[k]))
		for _, tc := range cases {
			as := r.attempts(tc.m.ID, k+1)
			a := as[len(as)-1]
			if len(as) != k+1 || a.At.Sub(t0) != offs[k] || a.Status != tc.status || a.Error != tc.err ||
				!strings.HasPrefix(a.Response, tc.response) || a.Delivered {
				t.Fatalf("%s: attempt %d, want at +%v with status %d and error %q:\n%s", tc.name, k+1, offs[k], tc.status,
					tc.err, showAttempts(as))
			}
			if got := r.message(tc.m.ID); got.Status != outdial.OutboxPending || got.LastError != tc.err ||
				!got.NextAttemptAt.Equal(t0.Add(offs[k+1])) {
				t.Fatalf("%s: message after attempt %d: %+v", tc.name, k+1, got)
			}
		}
	}
	for _, tc := range cases {
		if tc.rc.count() != 3 {
			t.Errorf("%s: receiver got %d requests, want 3", tc.name, tc.rc.count())
		}
	}
}

// TestPushFormatDeliveredOnCodeZero: the same receiver rule, answered right.
func TestPushFormatDeliveredOnCodeZero(t *testing.T) {
	ok := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) { w.Write([]byte(`{"code":0,"msg":"ok"}`)) })
	r := newRig(t, nil)
	m := r.enqueue(nil, ok.URL, "e-ok")
	r.start()
	as := r.attempts(m.ID, 1)
	if len(as) != 1 || !as[0].Delivered || as[0].Error != "" || r.message(m.ID).Status != outdial.OutboxDelivered {
		t.Fatalf("attempts:\n%s", showAttempts(as))
	}
}

// TestCodeZero is the push format's rule on answers.
func TestCodeZero(t *testing.T) {
	for body, want := range map[string]bool{
		`{"code":0}`: true, `{"code": 0, "msg": "ok"}`: true, `{"code":"0"}`: true, `{"code":1}`: false,
		`{"msg":"ok"}`: false, `[]`: false, ``: false, `{"code":0`: false, `{"code":null}`: false, `{"code":00}`: false,
	} {
		if got := codeZero([]byte(body)); got != want {
			t.Errorf("codeZero(%q) = %v, want %v", body, got, want)
		}
	}
}

// FuzzCodeZero: any answer is judged without panicking, and only one that decodes to a
// code of zero counts as delivered.
func FuzzCodeZero(f *testing.F) {
	for _, s := range []string{`{"code":0}`, `{"code":1}`, `{"code":"0"}`, `{"code":0.0}`, `null`, `{"code":[0]}`, "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if codeZero(body) && !strings.Contains(string(body), "0") {
			t.Fatalf("%q counted as code 0", body)
		}
	})
}
