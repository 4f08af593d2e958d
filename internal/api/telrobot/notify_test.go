package telrobot

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// links signs fake recording links that say when they were made.
type links struct{ n int }

func (l *links) URL(tenantID, callID int64) string {
	l.n++
	return fmt.Sprintf("https://od.example/recordings/%d/%d.wav?sig=%d", tenantID, callID, l.n)
}

func endedCall(res outdial.Result) *outdial.Call {
	start := time.Date(2026, 3, 6, 14, 38, 2, 0, time.UTC)
	c := &outdial.Call{ID: 1117654247916175360, TenantID: 7, TaskID: 3, Attempt: 1, Called: "13800000014",
		Caller: "02151234567", StartTime: start}
	o := outdial.Outcome{Result: res, SIPStatus: 486, Reason: "486 busy here", EndTime: start.Add(2 * time.Second)}
	if res == outdial.ResultAnswered {
		o = outdial.Outcome{Result: res, SIPStatus: 200, Reason: "200 answered", HangupBy: outdial.HangupCustomer,
			RingTime: start.Add(time.Second), AnswerTime: start.Add(3 * time.Second), EndTime: start.Add(15 * time.Second),
			Recording: "recordings/2026-03-06/1.wav", DTMF: "1", Tags: []string{"intent:yes"}}
	}
	c.Apply(o)
	return c
}

// TestHangupNotification checks which calls are notified under each call_notify_type,
// and the body of a notification.
func TestHangupNotification(t *testing.T) {
	task := &outdial.Task{ID: 3, UUID: "02f5bb4a-8a09-4eae-8969-6c2a3732f774", TenantID: 7, Name: "测试",
		TimeZone: "Asia/Shanghai", NotifyURL: "http://127.0.0.1:81/api/hangup_notify"}
	contact := &outdial.Contact{Name: "张三", Variables: map[string]string{"order": "A-1"}, Status: outdial.ContactFinished}
	n := Notifier{Links: &links{}}
	for _, c := range []struct {
		name   string
		url    string
		typ    int
		result outdial.Result
		want   int
	}{
		{"no URL", "", NotifyAll, outdial.ResultAnswered, 0},
		{"every call, answered", task.NotifyURL, NotifyAll, outdial.ResultAnswered, 1},
		{"every call, busy", task.NotifyURL, NotifyAll, outdial.ResultBusy, 1},
		{"answered only, answered", task.NotifyURL, NotifyAnswered, outdial.ResultAnswered, 1},
		{"answered only, busy", task.NotifyURL, NotifyAnswered, outdial.ResultBusy, 0},
	} {
		tk := *task
		tk.NotifyURL, tk.NotifyType = c.url, c.typ
		msgs := n.CallEnded(endedCall(c.result), contact, &tk)
		if len(msgs) != c.want {
			t.Errorf("%s: %d messages, want %d", c.name, len(msgs), c.want)
			continue
		}
		for _, msg := range msgs {
			if msg.Format != "telrobot" || msg.URL != c.url || msg.EventType != outdial.EventCallEnded ||
				msg.EventID != "telrobot:call:1117654247916175360" || msg.TenantID != 7 {
				t.Errorf("%s: %+v", c.name, msg)
			}
		}
	}
	task.NotifyType = NotifyAll
	n = Notifier{Links: &links{}}
	got := string(n.CallEnded(endedCall(outdial.ResultAnswered), contact, task)[0].Payload)
	want := `{"call_id":"1117654247916175360","task_uuid":"02f5bb4a-8a09-4eae-8969-6c2a3732f774","task_name":"测试",` +
		`"user_id":"` + UserID(7) + `","number":"13800000014","name":"张三","variables":{"order":"A-1"},` +
		`"caller_id_number":"02151234567","attempt":1,"final":true,"start_datetime":"2026-03-06 22:38:02",` +
		`"ring_datetime":"2026-03-06 22:38:03","answer_datetime":"2026-03-06 22:38:05","hangup_datetime":"2026-03-06 22:38:17",` +
		`"duration":15,"billsec":12,"status":1,"status_str":"已接通","result":"answered","result_str":"已接听","sip_status":200,` +
		`"hangup_cause":"NORMAL_CLEARING","hangup_reason":"200 answered","hangup_by":"customer","dtmf":"1","tags":["intent:yes"],` +
		`"transfer_number":null,"transfer_billsec":0,"record_url":"https://od.example/recordings/7/1117654247916175360.wav?sig=1",` +
		`"notify_type":2}`
	if got != want {
		t.Errorf("notification:\n%s\nwant\n%s", got, want)
	}
	busy := string(n.CallEnded(endedCall(outdial.ResultBusy), &outdial.Contact{Status: outdial.ContactPending}, task)[0].Payload)
	for _, part := range []string{`"answer_datetime":null`, `"billsec":0`, `"status":0`, `"status_str":"未接通"`,
		`"hangup_cause":"USER_BUSY"`, `"hangup_by":null`, `"record_url":null`, `"final":false`, `"variables":{}`, `"tags":[]`} {
		if !strings.Contains(busy, part) {
			t.Errorf("busy notification %s lacks %s", busy, part)
		}
	}
	for _, r := range outdial.Results {
		if _, ok := results[r]; !ok && r != outdial.ResultBlocked {
			t.Errorf("result %s has no words or hangup cause", r)
		}
	}
}

// TestFormat checks a delivery carries the payload with a freshly signed recording link,
// and that any 2xx answer counts as delivered.
func TestFormat(t *testing.T) {
	l := &links{}
	n := Notifier{Links: l}
	task := &outdial.Task{UUID: "u", TenantID: 7, NotifyURL: "http://x/y", NotifyType: NotifyAll}
	msg := n.CallEnded(endedCall(outdial.ResultAnswered), &outdial.Contact{}, task)[0]
	f := Format{Links: l}
	body, h, err := f.Build(msg, nil, time.Now())
	if err != nil || h.Get("Content-Type") != "application/json; charset=utf-8" || h.Get("X-Event-Id") != msg.EventID {
		t.Fatalf("build: %v %v", err, h)
	}
	var sent, stored hangupNotify
	json.Unmarshal(body, &sent)
	json.Unmarshal(msg.Payload, &stored)
	if *sent.RecordURL == *stored.RecordURL || !strings.HasSuffix(*sent.RecordURL, "sig=2") {
		t.Errorf("the link was not signed again: %s", *sent.RecordURL)
	}
	sent.RecordURL, stored.RecordURL = nil, nil
	if !reflect.DeepEqual(sent, stored) {
		t.Errorf("build changed more than the link:\n%+v\n%+v", sent, stored)
	}
	if _, _, err := f.Build(&outdial.OutboxMessage{Payload: []byte("{")}, nil, time.Now()); err == nil {
		t.Error("a payload that is not JSON built")
	}
	for status, want := range map[int]bool{200: true, 204: true, 299: true, 301: false, 404: false, 500: false, 0: false} {
		if f.Delivered(status, nil) != want {
			t.Errorf("Delivered(%d) = %v", status, !want)
		}
	}
	if f.Name() != "telrobot" {
		t.Errorf("name %q", f.Name())
	}
}
