package native

import (
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"
)

// FuzzDecodeWebhook: the webhook body decoder.
func FuzzDecodeWebhook(f *testing.F) {
	fuzzDecode(f, func(r io.Reader, s *outdial.Subscription) error { return decoders().webhooks().parse(r, s) },
		(*outdial.Subscription).Validate,
		`{"url":"https://x.example/h?t=1","secret":"0123456789abcdef","events":["call.ended"],"schedule":[1,2]}`,
		`{"format":"autocall","url":"http://x/","secret":"k","encrypt":true,"enabled":false,"project_id":3}`,
		`{"url":"https://u:p@x/","secret":"0123456789abcdef"}`, `{"url":"x","secret":"","schedule":[0,-1]}`)
}

// notifierWorld is a tenant with webhooks of every kind, and a Notifier.
type notifierWorld struct {
	e        *env
	tenant   *outdial.Tenant
	n        *Notifier
	all      *outdial.Subscription // native, every event, every project
	ended    *outdial.Subscription // native, call.ended only, project 2
	off      *outdial.Subscription // native, disabled
	autocall *outdial.Subscription
}

func newNotifierWorld(t *testing.T) *notifierWorld {
	e := newEnv(t)
	w := &notifierWorld{e: e, tenant: e.newTenant("acme").tenant}
	for _, sub := range []**outdial.Subscription{&w.all, &w.ended, &w.off, &w.autocall} {
		*sub = &outdial.Subscription{TenantID: w.tenant.ID, Format: "native", URL: "https://h.example/", Secret: testSecret, Enabled: true}
	}
	w.ended.Events, w.ended.ProjectID = []string{outdial.EventCallEnded}, 2
	w.off.Enabled = false
	w.autocall.Format = "autocall"
	for _, sub := range []*outdial.Subscription{w.all, w.ended, w.off, w.autocall} {
		if err := e.store.CreateSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	w.n = NewNotifier(e.store, e.clock, nil)
	return w
}

func subsOf(ms []*outdial.OutboxMessage) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.SubscriptionID)
	}
	return out
}

func TestNotifierCallEnded(t *testing.T) {
	w := newNotifierWorld(t)
	start := w.e.clock.Now()
	call := &outdial.Call{ID: 7243350001234567890, TenantID: w.tenant.ID, ProjectID: 2, TaskID: 5, ContactID: 9, Called: "13800000001",
		StartTime: start}
	call.Apply(outdial.Outcome{Result: outdial.ResultAnswered, AnswerTime: start.Add(3 * time.Second), EndTime: start.Add(30 * time.Second),
		HangupBy: outdial.HangupCustomer})
	contact := &outdial.Contact{ID: 9, TenantID: w.tenant.ID, Phone: "13800000001", ExternalID: "crm-1", Status: outdial.ContactFinished}
	task := &outdial.Task{ID: 5, TenantID: w.tenant.ID, ProjectID: 2, Name: "November", Status: outdial.TaskRunning}
	msgs := w.n.CallEnded(call, contact, task)
	if got := subsOf(msgs); len(got) != 2 || got[0] != w.all.ID || got[1] != w.ended.ID {
		t.Fatalf("messages for subscriptions %v, want %d and %d", got, w.all.ID, w.ended.ID)
	}
	m := msgs[0]
	if m.EventID != "call-7243350001234567890-ended" || m.EventType != "call.ended" || m.Format != "native" || m.URL != w.all.URL {
		t.Fatalf("message %+v", m)
	}
	var data struct {
		Call    map[string]any `json:"call"`
		Contact map[string]any `json:"contact"`
		Task    map[string]any `json:"task"`
	}
	if err := json.Unmarshal(m.Payload, &data); err != nil {
		t.Fatal(err)
	}
	if data.Call["id"] != "7243350001234567890" || data.Call["result"] != "answered" || data.Call["ans_secs"] != 27.0 ||
		data.Contact["external_id"] != "crm-1" || data.Task["name"] != "November" {
		t.Fatalf("payload %s", m.Payload)
	}
	// Another project: only the subscription for every project.
	call.ProjectID = 3
	if got := subsOf(w.n.CallEnded(call, contact, task)); len(got) != 1 || got[0] != w.all.ID {
		t.Fatalf("project 3: %v", got)
	}
}

func TestNotifierCachesSubscriptions(t *testing.T) {
	w := newNotifierWorld(t)
	call := &outdial.Call{ID: 1, TenantID: w.tenant.ID, ProjectID: 1}
	w.n.CallEnded(call, nil, nil)
	extra := &outdial.Subscription{TenantID: w.tenant.ID, Format: "native", URL: "https://new.example/", Secret: testSecret, Enabled: true}
	if err := w.e.store.CreateSubscription(ctx, extra); err != nil {
		t.Fatal(err)
	}
	if n := len(w.n.CallEnded(call, nil, nil)); n != 1 {
		t.Fatalf("%d messages from a fresh cache, want 1", n)
	}
	w.e.clock.Advance(SubscriptionsCacheFor)
	if n := len(w.n.CallEnded(call, nil, nil)); n != 2 {
		t.Fatalf("%d messages once the cache expired, want 2", n)
	}
	if err := w.e.store.DeleteSubscription(ctx, w.tenant.ID, extra.ID); err != nil {
		t.Fatal(err)
	}
	w.n.Forget(w.tenant.ID)
	if n := len(w.n.CallEnded(call, nil, nil)); n != 1 {
		t.Fatalf("%d messages after Forget, want 1", n)
	}
}

func TestNotifierTaskEvents(t *testing.T) {
	w := newNotifierWorld(t)
	c := &caller{e: w.e, tenant: w.tenant}
	wd := c.worldVia(t)
	task, err := w.e.store.Task(ctx, w.tenant.ID, wd.task)
	if err != nil {
		t.Fatal(err)
	}
	woken := 0
	w.n.Wake = func() { woken++ }
	w.n.TaskChanged(ctx, task, outdial.EventTaskStarted)
	got, _ := w.e.store.OutboxMessages(ctx, w.tenant.ID, outdial.OutboxFilter{})
	if len(got) != 1 || got[0].EventType != "task.started" || got[0].SubscriptionID != w.all.ID || woken != 1 {
		t.Fatalf("task.started: %+v (woken %d)", got, woken)
	}
	var data struct {
		Task     map[string]any    `json:"task"`
		Progress *outdial.Progress `json:"progress"`
	}
	if err := json.Unmarshal(got[0].Payload, &data); err != nil || data.Task["name"] != "campaign" || data.Progress == nil {
		t.Fatalf("payload %s (%v)", got[0].Payload, err)
	}
	if msgs := w.n.TaskFinished(task); len(msgs) != 1 || msgs[0].EventType != "task.finished" || msgs[0].EventID == got[0].EventID {
		t.Fatalf("task.finished: %+v", msgs)
	}
}

func TestNotifierLiveEvents(t *testing.T) {
	w := newNotifierWorld(t)
	now := w.e.clock.Now()
	call := &outdial.Call{ID: 42, TenantID: w.tenant.ID, ProjectID: 1, Status: outdial.CallStarted, StartTime: now}
	w.n.CallStarted(call)
	w.n.Observe(call, telephony.Event{Kind: telephony.Ringing, At: now.Add(time.Second)})
	w.n.Observe(call, telephony.Event{Kind: telephony.Answered, At: now.Add(2 * time.Second)})
	w.n.Observe(call, telephony.Event{Kind: telephony.Ended, At: now.Add(3 * time.Second)})
	var got []*outdial.OutboxMessage
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		got, _ = w.e.store.OutboxMessages(ctx, w.tenant.ID, outdial.OutboxFilter{})
	}
	time.Sleep(20 * time.Millisecond)
	got, _ = w.e.store.OutboxMessages(ctx, w.tenant.ID, outdial.OutboxFilter{})
	want := map[string]string{"call-42-started": "call.started", "call-42-ringing": "call.ringing", "call-42-answered": "call.answered"}
	if len(got) != 3 {
		t.Fatalf("%d live events written, want 3", len(got))
	}
	for _, m := range got {
		if want[m.EventID] != m.EventType || m.SubscriptionID != w.all.ID {
			t.Errorf("unexpected %s %s for %d", m.EventID, m.EventType, m.SubscriptionID)
		}
		if m.EventType == "call.answered" {
			var data struct{ Call callOut }
			json.Unmarshal(m.Payload, &data)
			if data.Call.AnswerTime == nil || !data.Call.AnswerTime.Equal(now.Add(2*time.Second)) {
				t.Errorf("answered payload %s", m.Payload)
			}
		}
	}
}

// worldVia makes a world for a caller built without a token, through the store.
func (c *caller) worldVia(t *testing.T) world {
	t.Helper()
	s := c.e.store
	line := &outdial.Line{TenantID: c.tenant.ID, Name: "trunk", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"021"}, Concurrency: 1}
	group := &outdial.ScriptGroup{TenantID: c.tenant.ID, Name: "g"}
	if err := s.CreateLine(ctx, line); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateScriptGroup(ctx, group); err != nil {
		t.Fatal(err)
	}
	task := &outdial.Task{TenantID: c.tenant.ID, Name: "campaign", LineID: line.ID, ScriptGroupID: group.ID}
	if err := s.CreateTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	return world{line: line.ID, group: group.ID, task: task.ID}
}
