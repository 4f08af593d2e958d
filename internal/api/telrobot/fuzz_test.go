package telrobot

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"

	"github.com/outdial/outdial"
)

// refusedWell fails the fuzz case unless err is EINVALID or ETOOLARGE with a message.
func refusedWell(t *testing.T, body []byte, err error) {
	t.Helper()
	if code := outdial.ErrorCode(err); (code != outdial.EINVALID && code != outdial.ETOOLARGE) || outdial.ErrorMessage(err) == "" {
		t.Fatalf("refused %q with %v (code %q)", body, err, code)
	}
}

// checkParams fails the fuzz case if accepted parameters break a rule.
func checkParams(t *testing.T, body []byte, p taskParams) {
	t.Helper()
	switch {
	case p.Name == "" || len(p.Name) > 200 || len(p.Remark) > 1000:
		t.Fatalf("accepted %q: name %q", body, p.Name)
	case !isUUID(p.CallerLineID) || !isUUID(p.DisableDialTimegroup):
		t.Fatalf("accepted %q: uuids %q %q", body, p.CallerLineID, p.DisableDialTimegroup)
	case p.Maximumcall < 1 || p.Maximumcall > 10000 || p.DestinationExtension < 1 || p.AutoRecycleRuleID < 1 || p.CustomerServiceID < 0:
		t.Fatalf("accepted %q: numbers %+v", body, p)
	case p.OriginateTimeout < 1 || p.OriginateTimeout > outdial.MaxRingTimeout || p.CallPauseSecond < 0 || p.CallPauseSecond > 3600:
		t.Fatalf("accepted %q: times %+v", body, p)
	case (p.CallNotifyURL != "" && !outdial.ValidCallbackURL(p.CallNotifyURL)) || (p.CallNotifyURL != "" && p.CallNotifyType == 0):
		t.Fatalf("accepted %q: notify %q %d", body, p.CallNotifyURL, p.CallNotifyType)
	case p.CallNotifyType != 0 && p.CallNotifyType != NotifyAnswered && p.CallNotifyType != NotifyAll:
		t.Fatalf("accepted %q: notify type %d", body, p.CallNotifyType)
	}
}

const validTask = `{"caller_line_id":"37d73edf-4628-4cf1-8beb-758433fd0aab","customer_service_id":1,"destination_extension":297,` +
	`"disable_dial_timegroup":"146979fe-3864-4817-ad76-13b37f43bb1c","maximumcall":1,"name":"测试任务","random_assignment_number":0,` +
	`"recycle_limit":0,"remark":"第一个任务","_originate_timeout":60,"call_pause_second":10,"auto_recycle_rule_id":1}`

func FuzzTaskParams(f *testing.F) {
	for _, s := range []string{validTask, `{}`, `null`, `[]`, `{"name":1}`, `{"maximumcall":"1"} x`, "",
		`{"maximumcall":1e3,"start":1,"uuid":"x"}`, `{"call_notify_url":"http://a/b","call_notify_type":"2"}`,
		"{\u00a0\"name\":\u00a0\"a\u00a0b\"}", `{"customer_service_id":null,"name":"  "}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fs, err := jsonFields(body)
		if err == nil {
			var p taskParams
			if p, err = parseTaskParams(fs); err == nil {
				checkParams(t, body, p)
			}
		}
		if err != nil {
			refusedWell(t, body, err)
		}
	})
}

func FuzzFormTaskParams(f *testing.F) {
	f.Add([]byte("name=a&maximumcall=1&maximumcall=2"))
	f.Add([]byte("caller_line_id=37d73edf-4628-4cf1-8beb-758433fd0aab&destination_extension=1&maximumcall=%201&name=x" +
		"&disable_dial_timegroup=146979fe-3864-4817-ad76-13b37f43bb1c&random_assignment_number=0&recycle_limit=0" +
		"&_originate_timeout=60&call_pause_second=0&auto_recycle_rule_id=1&customer_service_id="))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return // net/url's business
		}
		fs, err := formFields(v)
		if err == nil {
			var p taskParams
			if p, err = parseTaskParams(fs); err == nil {
				checkParams(t, body, p)
			}
		}
		if err != nil {
			refusedWell(t, body, err)
		}
	})
}

func FuzzCustomers(f *testing.F) {
	for _, s := range []string{`{"customers":[{"phone":"13800000011","name":"张三","variables":{"a":1,"b":true,"c":"x","d":null}}]}`,
		`[{"phone":13800000011},{"phone":1.5},{"phone":[1]},7,{"name":"x","variables":{"e":{}}}]`, `{"customers":[]}`,
		`{"customers":{}}`, `{"customer":[]}`, `[`, ``, `{"customers":[{"phone":"1","x":1}]} 1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, failures, err := parseCustomers(body)
		if err != nil {
			refusedWell(t, body, err)
			return
		}
		if n := len(rows) + len(failures); n == 0 || n > MaxCustomers {
			t.Fatalf("accepted %q as %d rows and %d failures", body, len(rows), len(failures))
		}
		seen := map[int]bool{}
		for _, r := range rows {
			if r.Num < 1 || seen[r.Num] {
				t.Fatalf("%q: row number %d repeated or missing", body, r.Num)
			}
			seen[r.Num] = true
		}
		for _, fl := range failures {
			if fl.Row < 1 || seen[fl.Row] || fl.Reason == "" {
				t.Fatalf("%q: failure %+v", body, fl)
			}
			seen[fl.Row] = true
		}
	})
}

// FuzzRelaxSpaces checks that replacing the no-break spaces around JSON tokens keeps the
// byte length, and never changes what a valid document means.
func FuzzRelaxSpaces(f *testing.F) {
	f.Add([]byte("{\u00a0\"a\":\u00a0\"x\u00a0\\\"\u00a0\"}"))
	f.Add([]byte(`{"a":"\\"}` + "\u00a0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := relaxSpaces(b)
		if len(out) != len(b) {
			t.Fatalf("length %d, want %d", len(out), len(b))
		}
		var in, got any
		if json.Unmarshal(b, &in) == nil {
			if err := json.Unmarshal(out, &got); err != nil || !reflect.DeepEqual(in, got) {
				t.Fatalf("%q became %q (%v)", b, out, err)
			}
		}
	})
}
