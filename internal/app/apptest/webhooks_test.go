package apptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/config"
	"github.com/outdial/outdial/internal/webhook"
)

// TestNativeWebhooks subscribes a local receiver through the native API, runs a task over
// real SIP, and checks that every event type arrives, signed, with the call's data.
func TestNativeWebhooks(t *testing.T) {
	const secret = "whsec-0123456789abcdef"
	var mu sync.Mutex
	got := map[string][]map[string]any{}
	var bad []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var env map[string]any
		json.Unmarshal(body, &env)
		mu.Lock()
		defer mu.Unlock()
		if err := webhook.Verify(secret, r.Header, body, time.Now(), time.Minute); err != nil {
			bad = append(bad, err.Error())
		}
		typ, _ := env["type"].(string)
		got[typ] = append(got[typ], env)
	}))
	defer rcv.Close()

	e := Start(t, Options{Sim: true, Config: func(c *config.Config) { c.Sim.Speedup = 10 }})
	auth := map[string]string{"Authorization": "Bearer " + e.Token}
	if code, body := e.Do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.URL + "/hooks", "secret": secret}, auth); code != 201 {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	code, body := e.Do("POST", "/api/v1/tasks", map[string]any{"name": "hooks", "line_id": e.Line.ID,
		"script_group_id": e.Scripts.ID, "max_concurrency": 3}, auth)
	if code != 201 {
		t.Fatalf("task: %d %s", code, body)
	}
	var task struct{ ID int64 }
	json.Unmarshal(body, &task)
	code, body = e.Do("POST", "/api/v1/batches", map[string]any{"task_id": task.ID, "name": "b"}, auth)
	var batch struct{ ID int64 }
	json.Unmarshal(body, &batch)
	if code != 201 {
		t.Fatalf("batch: %d %s", code, body)
	}
	var contacts []map[string]string
	for _, p := range []string{"13800138001", "13800138002", "13800138003", "13800138004", "13800138005", "13800138006"} {
		contacts = append(contacts, map[string]string{"phone": p})
	}
	if code, body = e.Do("POST", "/api/v1/batches/"+itoa(batch.ID)+"/contacts", contacts, auth); code != 200 {
		t.Fatalf("import: %d %s", code, body)
	}
	if code, body = e.Do("POST", "/api/v1/tasks/"+itoa(task.ID)+"/start", nil, auth); code != 200 {
		t.Fatalf("start: %d %s", code, body)
	}
	e.WaitFor(90*time.Second, "task.finished and a call.ended per contact", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got["task.finished"]) == 1 && len(got["call.ended"]) >= 6
	})
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("%d deliveries failed the signature check, first: %s", len(bad), bad[0])
	}
	for _, typ := range []string{"task.started", "call.started", "call.ringing", "call.answered", "call.ended", "task.finished"} {
		if len(got[typ]) == 0 {
			t.Errorf("no %s event", typ)
		}
	}
	if n := len(got["call.started"]); n != len(got["call.ended"]) {
		t.Errorf("%d call.started for %d call.ended", n, len(got["call.ended"]))
	}
	ended := got["call.ended"][0]["data"].(map[string]any)
	call, _ := ended["call"].(map[string]any)
	if call == nil || call["id"] == nil || call["result"] == nil || ended["contact"] == nil {
		t.Errorf("call.ended data lacks the CDR or the contact: %v", ended)
	}
}
