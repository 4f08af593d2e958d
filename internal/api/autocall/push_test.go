package autocall

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestPushConfiguration sets, replaces, lists and removes CDR pushes through the route,
// and refuses bad configurations.
func TestPushConfiguration(t *testing.T) {
	e := newEnv(t)
	tn := e.newTenant("acme")
	for _, c := range []struct{ name, body, field, says string }{
		{"no secret", `{"url":"https://x.example.com"}`, "secret", "needs a secret"},
		{"short secret", `{"url":"https://x.example.com","secret":"short"}`, "secret", "8 to 256"},
		{"bad url", `{"url":"ftp://x.example.com","secret":"long-enough"}`, "url", "http or https"},
		{"no url", `{"secret":"long-enough"}`, "url", "http or https"},
		{"bad encrypt", `{"url":"https://x.example.com","secret":"long-enough","encrypt":2}`, "encrypt", "0 or 1"},
		{"unknown field", `{"url":"https://x.example.com","secret":"long-enough","retry":1}`, "retry", "unknown field"},
		{"empty", ``, "", "body is empty"},
	} {
		checkError(t, c.name, e.do(tn, "POST", pushPath, c.body), 400, c.field, c.says)
	}
	set := func(body string) pushOut {
		t.Helper()
		a := e.do(tn, "POST", pushPath, body)
		var p pushOut
		if a.Code != 0 || json.Unmarshal(a.Data, &p) != nil {
			t.Fatalf("set %s: %s", body, a.raw)
		}
		return p
	}
	all := set(`{"url":"https://crm.example.com/cdr","secret":"first-secret","encrypt":"1"}`)
	again := set(`{"url":"https://crm.example.com/cdr2","encrypt":false}`) // the secret is kept
	proj := set(fmt.Sprintf(`{"url":"https://p.example.com","secret":"project-secret","projectId":%d}`, tn.task.ProjectID))
	if again.ID != all.ID || again.Encrypt != 0 || again.URL != "https://crm.example.com/cdr2" || proj.ProjectID != itoa(tn.task.ProjectID) {
		t.Fatalf("pushes: %+v %+v %+v", all, again, proj)
	}
	subs, _ := e.store.Subscriptions(ctx, tn.tenant.ID, FormatName)
	if len(subs) != 2 || subs[0].Secret != "first-secret" || subs[0].Encrypt || !subs[0].Enabled {
		t.Fatalf("stored: %+v", subs)
	}
	if l := e.do(tn, "GET", pushPath, ""); !strings.Contains(string(l.Data), "cdr2") || strings.Contains(string(l.raw), "secret\"") {
		t.Fatalf("list: %s", l.raw)
	}
	if d := e.do(tn, "DELETE", pushPath+"?projectId="+itoa(tn.task.ProjectID), ""); d.Code != 0 {
		t.Fatalf("delete: %s", d.raw)
	}
	checkError(t, "delete twice", e.do(tn, "DELETE", pushPath+"?projectId="+itoa(tn.task.ProjectID), ""), 404, "", "no CDR push")
	checkError(t, "delete with a bad query", e.do(tn, "DELETE", pushPath+"?project=1", ""), 400, "project", "only projectId")
}

// fakeLinks makes recording links without signing.
type fakeLinks struct{}

func (fakeLinks) URL(tenantID, callID int64) string {
	return fmt.Sprintf("http://127.0.0.1:8080/recordings/%d/%d.wav?sig=x", tenantID, callID)
}

func (l fakeLinks) URLAt(tenantID, callID int64, _ time.Time) string { return l.URL(tenantID, callID) }

// TestPushData checks the notifier: one message per matching subscription, and data in
// the document's example form with every field.
func TestPushData(t *testing.T) {
	e := newEnv(t)
	tn := e.newTenant("acme")
	e.h.notifier.links = fakeLinks{}
	must(t, e.store.CreateSubscription(ctx, &outdial.Subscription{TenantID: tn.tenant.ID, Format: FormatName,
		URL: "https://all.example.com", Secret: "s-all-1234", Enabled: true}))
	c := tn.addCalls(t, cdr{at: storetest0(), result: outdial.ResultAnswered, by: outdial.HangupPlatform, agent: true})[0]
	c.Recording = "recordings/x.wav"
	tn.task.AgentGroupID = 660
	contact := &outdial.Contact{ExternalID: "buer", Variables: map[string]string{"name": "张三"}}
	if msgs := e.h.notifier.CallEnded(c, contact, tn.task); len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	// A project push made behind the notifier's back shows after the cache's TTL.
	must(t, e.store.CreateSubscription(ctx, &outdial.Subscription{TenantID: tn.tenant.ID, Format: FormatName,
		ProjectID: tn.task.ProjectID, URL: "https://p.example.com", Secret: "s-project", Enabled: true}))
	must(t, e.store.CreateSubscription(ctx, &outdial.Subscription{TenantID: tn.tenant.ID, Format: FormatName,
		ProjectID: tn.task.ProjectID + 1000, URL: "https://other.example.com", Secret: "s-other-p", Enabled: true}))
	must(t, e.store.CreateSubscription(ctx, &outdial.Subscription{TenantID: tn.tenant.ID, Format: "native",
		URL: "https://native.example.com", Secret: "s-native", Enabled: true}))
	if msgs := e.h.notifier.CallEnded(c, contact, tn.task); len(msgs) != 1 {
		t.Fatalf("before the TTL: %d messages", len(msgs))
	}
	e.clock.Advance(subscriptionTTL)
	msgs := e.h.notifier.CallEnded(c, contact, tn.task)
	if len(msgs) != 2 || msgs[0].URL != "https://all.example.com" || msgs[1].URL != "https://p.example.com" {
		t.Fatalf("after the TTL: %+v", msgs)
	}
	m := msgs[0]
	if m.Format != FormatName || m.EventType != outdial.EventCallEnded || m.SubscriptionID == 0 || m.TenantID != tn.tenant.ID ||
		string(m.Payload) != string(msgs[1].Payload) {
		t.Fatalf("message: %+v", m)
	}
	if !strings.Contains(string(m.Payload), `"called_areaname":"\u5e7f\u4e1c \u6df1\u5733"`) {
		t.Errorf("non-ASCII is not escaped as the example shows: %s", m.Payload)
	}
	at := c.StartTime.Unix()
	s := func(n int64) string { return fmt.Sprint(n) }
	want := fmt.Sprintf(`{"vcc_id":"%d","call_id":"%d","call_time":"2026-03-02 09:00:00","caller":"02151234567","called":"%s",
		"called_areacode":"0755","called_areaname":"广东 深圳","called_type":"MOBILE","called_vendor":"MOBILE","trans_caller":"",
		"trans_phone":"8001","trans_areacode":"","trans_areaname":"","trans_type":"","trans_vendor":"","start_time_ee":"%s",
		"ring_time_ee":"0","answer_time_ee":"%s","end_time_ee":"%s","start_time":"%s","ring_time":"%s","ans_time":"%s",
		"link_time":"%s","end_time":"%s","ans_secs":"9","link_secs":"6","all_secs":"12","callresult":"2","endresult":"12",
		"call_context":"mc_transque","call_exten":"ivr_in","call_vars":"trans_que=660,trans_pro=%d",
		"record_file":"http://127.0.0.1:8080/recordings/%d/%d.wav?sig=x",
		"user_data":{"_tag":"autocall","ext_id":"buer","template_data":{"name":"张三"},"proid":"%d","taskid":"%d"},
		"trans_agent":[{"trans_phone":"8001","start_time_ee":"%s","ring_time_ee":"0","answer_time_ee":"%s","end_time_ee":"%s"}]}`,
		tn.tenant.ID, c.ID, c.Called, s(at+5), s(at+6), s(at+12), s(at), s(at+1), s(at+3), s(at+6), s(at+12), c.ProjectID,
		tn.tenant.ID, c.ID, c.ProjectID, c.TaskID, s(at+5), s(at+6), s(at+12))
	sameJSON(t, m.Payload, want)
	// The example's fields in the example's order, with the table's call_time after call_id.
	wantKeys := "vcc_id call_id call_time caller called called_areacode called_areaname called_type called_vendor " +
		"trans_caller trans_phone trans_areacode trans_areaname trans_type trans_vendor start_time_ee ring_time_ee " +
		"answer_time_ee end_time_ee start_time ring_time ans_time link_time end_time ans_secs link_secs all_secs " +
		"callresult endresult call_context call_exten call_vars record_file user_data trans_agent"
	if got := strings.Join(topKeys(t, m.Payload), " "); got != wantKeys {
		t.Errorf("data's fields:\n%s\nwant\n%s", got, wantKeys)
	}
	// No contact, no task: still every field, with empty user data.
	plain := e.h.notifier.CallEnded(c, nil, nil)[0]
	if !strings.Contains(string(plain.Payload), `"user_data":{"_tag":"autocall","ext_id":"","template_data":null,`) ||
		!strings.Contains(string(plain.Payload), `"call_context":"mc_robot"`) {
		t.Errorf("without contact and task: %s", plain.Payload)
	}
}

// TestDelivered checks the document's rule: JSON with "code": 0 is delivered.
func TestDelivered(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   bool
	}{
		{200, `{"code":0}`, true},
		{200, `{"code": 0, "message": "ok"}`, true},
		{200, `{"code":"0"}`, true},
		{201, "\xef\xbb\xbf{\"code\":0}", true},
		{200, `{"code":1}`, false},
		{200, `{"code":"fail"}`, false},
		{200, `{"code":null}`, false},
		{200, `{"msg":"ok"}`, false},
		{200, `ok`, false},
		{200, ``, false},
		{200, `[{"code":0}]`, false},
		{500, `{"code":0}`, false},
		{302, `{"code":0}`, false},
	} {
		if got := (Format{}).Delivered(c.status, []byte(c.body)); got != c.want {
			t.Errorf("Delivered(%d, %s) = %v", c.status, c.body, got)
		}
	}
}

// TestBuildRefuses checks that Build fails (so the message is dead at once) when it
// cannot sign or encrypt.
func TestBuildRefuses(t *testing.T) {
	m := &outdial.OutboxMessage{ID: 7, Payload: []byte(`{"call_id":"1"}`)}
	now := time.Now()
	for name, c := range map[string]struct {
		m   *outdial.OutboxMessage
		sub *outdial.Subscription
	}{
		"no subscription":           {m, nil},
		"encryption without secret": {m, &outdial.Subscription{Encrypt: true}},
		"payload not an object":     {&outdial.OutboxMessage{Payload: []byte(`[1]`)}, &outdial.Subscription{Secret: "x"}},
	} {
		if _, _, err := (Format{}).Build(c.m, c.sub, now); err == nil {
			t.Errorf("%s: built", name)
		}
	}
}

// topKeys returns the member names of a JSON object, in order.
func topKeys(t *testing.T, b []byte) []string {
	var raw map[string]json.RawMessage
	must(t, json.Unmarshal(b, &raw))
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.Token() // {
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		must(t, err)
		keys = append(keys, k.(string))
		var skip json.RawMessage
		must(t, dec.Decode(&skip))
	}
	return keys
}
