package groupcall

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/engine"
	"github.com/outdial/outdial/internal/webhook"
)

var (
	_ engine.Notifier = (*Notifier)(nil)
	_ webhook.Format  = Format{}
)

// callbackCase is a finished call of a contact with everything the callback shows.
func callbackCase() (*outdial.Call, *outdial.Contact, *outdial.Task) {
	utc := func(s string) time.Time { t, _ := time.Parse(time.DateTime, s); return t }
	ct := &outdial.Contact{ID: 30249186, TenantID: 5, TaskID: 59, BatchID: 659, Phone: "18851498762", Name: "",
		Address: "", Email: "", State: "", CallbackURL: "http://www.baidu.com", CreatedAt: utc("2022-03-09 01:04:02")}
	c := &outdial.Call{ID: 1117654348069863428, TenantID: 5, TaskID: 59, BatchID: 659, ContactID: ct.ID, Called: ct.Phone,
		Result: outdial.ResultAnswered, StartTime: utc("2022-03-09 01:03:40"), EndTime: utc("2022-03-09 01:04:02")}
	return c, ct, &outdial.Task{ID: 59, TenantID: 5, TimeZone: "Asia/Shanghai"}
}

// TestCallbackMatchesTheDocument fills the callback of the document's example call and
// compares it with the document's callback, field by field, in order and JSON type.
// The differences are the documented ones: sex "0" (unknown), and callback_url, which
// outdial fills with the URL the callback goes to.
func TestCallbackMatchesTheDocument(t *testing.T) {
	c, ct, task := callbackCase()
	got, err := json.Marshal(NewCallback(c, ct, task, ""))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("testdata/doc/callback.json")
	if err != nil {
		t.Fatal(err)
	}
	doc = []byte(strings.NewReplacer(`"sex":"1"`, `"sex":"0"`, `"callback_url":null`, `"callback_url":"http://www.baidu.com"`).Replace(string(doc)))
	g, err1 := Normalise(got)
	d, err2 := Normalise(doc)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if string(g) != string(d) {
		t.Errorf("callback:\n%s\nthe document's:\n%s", g, d)
	}
	var raw struct {
		CallResult map[string]any `json:"call_result"`
	}
	json.Unmarshal(got, &raw)
	if raw.CallResult["update_time"] != "2022-03-09 09:04:02" || raw.CallResult["create_time"] != "2022-03-09 09:04:02" {
		t.Errorf("times are not in the task's time zone: %v", raw.CallResult)
	}

	// Not answered: "fail"; the state the customer uploaded is passed back.
	c.Result, ct.State = outdial.ResultBusy, "order-1"
	cb := NewCallback(c, ct, task, "acme")
	if cb.CallResult.CallResult != CallbackFail || cb.CallResult.State == nil || *cb.CallResult.State != "order-1" ||
		cb.CallResult.CompanyName != "acme" {
		t.Errorf("%+v", cb.CallResult)
	}
}

// countingTenants counts reads of a tenant.
type countingTenants struct {
	outdial.TenantStore
	reads int
	err   error
}

func (s *countingTenants) Tenant(_ context.Context, id int64) (*outdial.Tenant, error) {
	s.reads++
	if s.err != nil {
		return nil, s.err
	}
	return &outdial.Tenant{ID: id, Name: "acme"}, nil
}

// TestNotifier writes one outbox message per call of a contact with a callback_url, with
// a stable event id, and reads the tenant's name at most once a minute.
func TestNotifier(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	tenants := &countingTenants{}
	n := NewNotifier(tenants, clk, nil)
	c, ct, task := callbackCase()
	ms := n.CallEnded(c, ct, task)
	if len(ms) != 1 {
		t.Fatalf("%d messages", len(ms))
	}
	m := ms[0]
	if m.Format != FormatName || m.URL != ct.CallbackURL || m.EventType != outdial.EventCallEnded ||
		m.EventID != "groupcall-call-1117654348069863428" || m.TenantID != 5 || !strings.Contains(string(m.Payload), `"company_name":"acme"`) {
		t.Errorf("message %+v %s", m, m.Payload)
	}
	n.CallEnded(c, ct, task)
	clk.Advance(2 * time.Minute)
	tenants.err = errors.New("database down")
	if ms := n.CallEnded(c, ct, task); len(ms) != 1 || !strings.Contains(string(ms[0].Payload), `"company_name":"acme"`) {
		t.Errorf("the last known name is not used while the store fails: %s", ms[0].Payload)
	}
	if tenants.reads != 2 {
		t.Errorf("%d reads of the tenant, want 2", tenants.reads)
	}
	ct.CallbackURL = ""
	if ms := n.CallEnded(c, ct, task); len(ms) != 0 {
		t.Errorf("a message for a contact without callback_url")
	}
	if n.TaskFinished(task) != nil {
		t.Errorf("a task callback")
	}
}

// TestFormat sends the payload as it is, as JSON; any 2xx is delivered.
func TestFormat(t *testing.T) {
	m := &outdial.OutboxMessage{EventID: "groupcall-call-1", Payload: []byte(`{"call_result":{}}`)}
	body, h, err := Format{}.Build(m, nil, time.Now())
	if err != nil || string(body) != string(m.Payload) || !strings.HasPrefix(h.Get("Content-Type"), "application/json") ||
		h.Get("X-Outdial-Event-Id") != m.EventID {
		t.Fatalf("Build: %s %v %v", body, h, err)
	}
	for status, want := range map[int]bool{200: true, 201: true, 204: true, 299: true, 301: false, 400: false, 500: false, 0: false} {
		if (Format{}).Delivered(status, nil) != want {
			t.Errorf("Delivered(%d) != %v", status, want)
		}
	}
}
