package apptest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestCallsThroughTheCarrierSimulator runs a task of the native API end to end: real SIP
// calls to the carrier simulator, one per digit of its number plan, each landing in the
// result the plan gives, with CDRs and recordings of the answered calls.
func TestCallsThroughTheCarrierSimulator(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil && os.Getenv("CI") != "true" {
		t.Skip("espeak-ng is not installed (the script speaks by TTS)")
	}
	e := Start(t, Options{})
	auth := map[string]string{"Authorization": "Bearer " + e.Token}
	code, body := e.Do("POST", "/api/v1/tasks", map[string]any{"name": "plan", "line_id": e.Line.ID,
		"script_group_id": e.Scripts.ID, "max_concurrency": 10, "ring_timeout_seconds": 3}, auth)
	if code != 201 && code != 200 {
		t.Fatalf("create task: %d %s", code, body)
	}
	var task struct{ ID int64 }
	json.Unmarshal(body, &task)
	if code, body = e.Do("POST", "/api/v1/batches", map[string]any{"task_id": task.ID, "name": "plan"}, auth); code != 201 && code != 200 {
		t.Fatalf("create batch: %d %s", code, body)
	}
	var batch struct{ ID int64 }
	json.Unmarshal(body, &batch)
	contacts := []map[string]string{}
	for _, p := range []string{"13800000010", "13800000011", "13800000012", "13800000013", "13800000016", "13800000018"} {
		contacts = append(contacts, map[string]string{"phone": p})
	}
	code, body = e.Do("POST", "/api/v1/batches/"+itoa(batch.ID)+"/contacts", contacts, auth)
	if code != 200 {
		t.Fatalf("import: %d %s", code, body)
	}
	if code, body = e.Do("POST", "/api/v1/tasks/"+itoa(task.ID)+"/start", nil, auth); code != 200 {
		t.Fatalf("start: %d %s", code, body)
	}
	ctx := context.Background()
	e.WaitFor(60*time.Second, "the task to finish", func() bool {
		got, _ := e.Server.Store.Task(ctx, e.Tenant.ID, task.ID)
		return got.Status == outdial.TaskFinished
	})
	want := map[string]outdial.Result{"13800000010": outdial.ResultBusy, "13800000011": outdial.ResultAnswered,
		"13800000012": outdial.ResultNoAnswer, "13800000013": outdial.ResultInvalidNumber, "13800000016": outdial.ResultFailed,
		"13800000018": outdial.ResultRejected}
	calls, _ := e.Server.Store.Calls(ctx, outdial.CallFilter{TenantID: e.Tenant.ID, TaskID: task.ID})
	if len(calls) != len(want) {
		t.Fatalf("%d CDRs, want %d", len(calls), len(want))
	}
	answered := 0
	for _, c := range calls {
		if c.Result == outdial.ResultAnswered {
			answered++
		}
		if c.Result != want[c.Called] {
			t.Errorf("%s: %s (SIP %d %s), want %s", c.Called, c.Result, c.SIPStatus, c.Reason, want[c.Called])
		}
		if c.Result == outdial.ResultAnswered {
			if c.Recording == "" || c.HangupBy != outdial.HangupPlatform {
				t.Errorf("%s: answered call without recording (%q) or not ended by the script (%s)", c.Called, c.Recording, c.HangupBy)
			} else if _, err := os.Stat(e.Server.DataDir + "/" + c.Recording); err != nil {
				t.Errorf("%s: %v", c.Called, err)
			}
		}
	}
	checkMetrics(t, e, answered)
}

// checkMetrics reads /metrics and checks the engine's series are there with the call counts.
func checkMetrics(t *testing.T, e *Env, answered int) {
	code, body := e.Do("GET", "/metrics", nil, nil)
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	text := string(body)
	for _, want := range []string{
		`outdial_calls_finished_total{result="answered"} ` + itoa(int64(answered)),
		`outdial_calls_started_total{task=`,
		`outdial_live_calls_line{line=`,
		`outdial_live_calls_task{task=`,
		`outdial_build_info{`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
