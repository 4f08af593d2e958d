package autocall_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/autocall"
)

// receiver is a customer's push endpoint on 127.0.0.1: it checks each push's sign as
// README.md tells a customer to, decrypts encrypted data, and answers {"code":0}, except
// to the first refuse attempts of each call, which it answers {"code":500}.
type receiver struct {
	url    string
	secret string
	refuse int
	server string // outdial's base URL, for recording links

	mu        sync.Mutex
	attempts  map[string][]string // call id -> timestamps of its attempts
	accepted  map[string]map[string]any
	errs      []string
	delivered bool // pushes came over HTTP (not built from the outbox by the test)
}

func newReceiver(t *testing.T, secret string, refuse int) *receiver {
	r := &receiver{secret: secret, refuse: refuse, attempts: map[string][]string{}, accepted: map[string]map[string]any{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.delivered = true
		r.mu.Unlock()
		if ok := r.take(body); !ok {
			w.Write([]byte(`{"code":500,"message":"try again"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"code":0,"message":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/cdr"
	return r
}

// take reads one push body and reports whether it is accepted.
func (r *receiver) take(raw []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	var body struct {
		Type      int             `json:"type"`
		Sign      string          `json:"sign"`
		Timestamp string          `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Type != 1 || len(body.Timestamp) != 19 {
		r.errs = append(r.errs, fmt.Sprintf("not a push: %s", raw))
		return false
	}
	// README.md: data_text is the text after the first "data": up to the last } but one,
	// without the quotes of an encrypted push's string.
	text := raw[bytes.Index(raw, []byte(`"data":`))+7 : len(raw)-1]
	text = bytes.TrimSuffix(bytes.TrimPrefix(text, []byte(`"`)), []byte(`"`))
	sum := md5.Sum([]byte(r.secret + body.Timestamp + string(text)))
	if hex.EncodeToString(sum[:]) != body.Sign {
		r.errs = append(r.errs, fmt.Sprintf("bad sign in %s", raw))
		return false
	}
	plain := []byte(body.Data)
	if body.Data[0] == '"' {
		var s string
		json.Unmarshal(body.Data, &s)
		var err error
		if plain, err = autocall.Decrypt(r.secret, s); err != nil {
			r.errs = append(r.errs, err.Error())
			return false
		}
	}
	var data map[string]any
	if err := json.Unmarshal(plain, &data); err != nil {
		r.errs = append(r.errs, fmt.Sprintf("data is not JSON: %s", plain))
		return false
	}
	id, _ := data["call_id"].(string)
	r.attempts[id] = append(r.attempts[id], body.Timestamp)
	if len(r.attempts[id]) <= r.refuse {
		return false
	}
	r.accepted[id] = data
	return true
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.accepted)
}

// check verifies the pushes of the calls: one accepted per call, with its CDR's fields;
// over HTTP, refused attempts came again.
func (r *receiver) check(t *testing.T, calls []*outdial.Call, want map[string][2]string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.errs {
		t.Errorf("receiver %s: %s", r.url, e)
	}
	for _, c := range calls {
		id := fmt.Sprint(c.ID)
		d := r.accepted[id]
		if d == nil {
			if r.delivered || r.refuse == 0 {
				t.Errorf("%s: no push of call %s (attempts at %v)", r.url, id, r.attempts[id])
			}
			continue
		}
		ud, _ := d["user_data"].(map[string]any)
		if d["vcc_id"] != fmt.Sprint(c.TenantID) || d["called"] != c.Called || d["callresult"] != want[c.Called][0] ||
			d["endresult"] != want[c.Called][1] || d["start_time"] != fmt.Sprint(c.StartTime.Unix()) ||
			ud["ext_id"] != "ext-"+c.Called || ud["taskid"] != fmt.Sprint(c.TaskID) {
			t.Errorf("%s: push of %s: %v", r.url, c.Called, d)
		}
		if c.Result == outdial.ResultAnswered {
			link, _ := d["record_file"].(string)
			if u, err := url.Parse(link); err == nil && u.Port() == "0" && r.server != "" {
				// The server was configured with port 0 and its links name that port
				// (see NEEDS.md): fetch it where it really listens.
				link = r.server + u.RequestURI()
			}
			resp, err := http.Get(link)
			if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "audio/wav" {
				t.Errorf("record_file %q of %s does not download: %v %v", link, c.Called, resp, err)
			}
			if resp != nil {
				resp.Body.Close()
			}
		}
		if ts := r.attempts[id]; r.delivered && (len(ts) != r.refuse+1 || len(ts) > 1 && ts[0] == ts[1]) {
			t.Errorf("%s: call %s was tried at %v, want %d attempts, each with its own timestamp", r.url, id, ts, r.refuse+1)
		}
	}
}
