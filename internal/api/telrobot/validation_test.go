package telrobot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/app/apptest"
)

// refused checks an answer is the error envelope with status and, when field is set,
// a message for that field.
func refused(t *testing.T, what string, code int, body []byte, status int, field string) {
	t.Helper()
	var e struct {
		Message string
		Errors  map[string][]string
	}
	if err := json.Unmarshal(body, &e); err != nil || code != status || e.Message == "" {
		t.Errorf("%s: %d %s, want %d with a message", what, code, body, status)
		return
	}
	if field != "" && len(e.Errors[field]) == 0 {
		t.Errorf("%s: %s, want an error for %s", what, body, field)
	}
}

// TestTaskRules sends create and update bodies that break each rule of the document's
// parameter table: each answers 422 naming the field, and nothing changes.
func TestTaskRules(t *testing.T) { taskRules(t, apptest.Options{Sim: true}) }

// TestTaskRulesPostgres is TestTaskRules on PostgreSQL (skipped without
// OUTDIAL_TEST_POSTGRES).
func TestTaskRulesPostgres(t *testing.T) { taskRules(t, apptest.Options{Sim: true, Postgres: true}) }

func taskRules(t *testing.T, o apptest.Options) {
	e := newEnv(t, o)
	other, _ := e.NewTenant("globex")
	otherLine := &outdial.Line{TenantID: other.ID, Name: "theirs", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"1"}, Concurrency: 1}
	if err := e.Server.Store.CreateLine(context.Background(), otherLine); err != nil {
		t.Fatal(err)
	}
	id := e.createTask(nil)
	before := e.storedTasks()
	cases := []struct {
		name  string
		over  m
		field string
	}{
		{"no caller_line_id", m{"caller_line_id": nil}, "caller_line_id"},
		{"no destination_extension", m{"destination_extension": nil}, "destination_extension"},
		{"no disable_dial_timegroup", m{"disable_dial_timegroup": nil}, "disable_dial_timegroup"},
		{"no maximumcall", m{"maximumcall": nil}, "maximumcall"},
		{"no name", m{"name": nil}, "name"},
		{"empty name", m{"name": "  "}, "name"},
		{"no random_assignment_number", m{"random_assignment_number": nil}, "random_assignment_number"},
		{"no recycle_limit", m{"recycle_limit": nil}, "recycle_limit"},
		{"no _originate_timeout", m{"_originate_timeout": nil}, "_originate_timeout"},
		{"no call_pause_second", m{"call_pause_second": nil}, "call_pause_second"},
		{"no auto_recycle_rule_id", m{"auto_recycle_rule_id": nil}, "auto_recycle_rule_id"},
		{"maximumcall over the residue", m{"maximumcall": 11}, "maximumcall"},
		{"maximumcall 0", m{"maximumcall": 0}, "maximumcall"},
		{"recycle_limit not 0", m{"recycle_limit": 1}, "recycle_limit"},
		{"random_assignment_number not 0", m{"random_assignment_number": 1}, "random_assignment_number"},
		{"agent group disabled", m{"customer_service_id": e.agentsOff.ID}, "customer_service_id"},
		{"agent group without a line", m{"customer_service_id": e.agentsNone.ID}, "customer_service_id"},
		{"no such agent group", m{"customer_service_id": 999}, "customer_service_id"},
		{"time group not a uuid", m{"disable_dial_timegroup": "lunch"}, "disable_dial_timegroup"},
		{"no such time group", m{"disable_dial_timegroup": "146979fe-3864-4817-ad76-13b37f43bb1c"}, "disable_dial_timegroup"},
		{"no such script group", m{"destination_extension": 999}, "destination_extension"},
		{"no such recall rule", m{"auto_recycle_rule_id": 999}, "auto_recycle_rule_id"},
		{"no such line", m{"caller_line_id": "37d73edf-4628-4cf1-8beb-758433fd0aab"}, "caller_line_id"},
		{"another tenant's line", m{"caller_line_id": otherLine.UUID}, "caller_line_id"},
		{"ring timeout 0", m{"_originate_timeout": 0}, "_originate_timeout"},
		{"ring timeout over 300", m{"_originate_timeout": 301}, "_originate_timeout"},
		{"negative pause", m{"call_pause_second": -1}, "call_pause_second"},
		{"notify URL not http", m{"call_notify_url": "ftp://example.com/x"}, "call_notify_url"},
		{"notify type 3", m{"call_notify_type": 3}, "call_notify_type"},
		{"maximumcall a word", m{"maximumcall": "two"}, "maximumcall"},
		{"maximumcall a fraction", m{"maximumcall": 1.5}, "maximumcall"},
		{"name a number", m{"name": 5}, "name"},
		{"unknown field", m{"maximum_call": 1}, "maximum_call"},
	}
	for _, c := range cases {
		code, body := e.call("POST", "/v1/task", e.taskBody(c.over))
		refused(t, "create: "+c.name, code, body, 422, c.field)
		code, body = e.call("PUT", "/v1/task/"+id, e.taskBody(c.over))
		refused(t, "update: "+c.name, code, body, 422, c.field)
	}
	for name, body := range map[string]string{"malformed JSON": `{"name":`, "not an object": `[1]`, "empty": ``,
		"two objects": `{} {}`, "null": `null`} {
		code, out := e.call("POST", "/v1/task", body)
		refused(t, name, code, out, 422, "")
	}
	code, out := e.call("POST", "/v1/task", `{"name":"`+strings.Repeat("x", 1<<20)+`"}`)
	refused(t, "a body over 1 MiB", code, out, 413, "")
	code, out = e.call("POST", "/v1/task", e.taskBody(m{"name": nil, "maximumcall": 0, "recycle_limit": 2}))
	refused(t, "three broken rules", code, out, 422, "recycle_limit")
	if n := len(object(t, out)["errors"].(m)); n != 3 {
		t.Errorf("three broken rules: %s names %d fields, want 3", out, n)
	}
	if after := e.storedTasks(); !reflect.DeepEqual(before, after) {
		t.Errorf("refused requests changed the tasks:\n%v\n%v", before, after)
	}
}

// TestTaskInputForms checks what a PHP client sends is accepted: integers as strings,
// form bodies, and the task entity as answered (its read-only fields ignored), the
// document's own example included.
func TestTaskInputForms(t *testing.T) {
	e := newEnv(t, apptest.Options{Sim: true})
	got := e.ok("POST", "/v1/task", e.taskBody(m{"maximumcall": "3", "customer_service_id": nil, "start": 1}))
	if got["maximumcall"] != 3.0 || got["customer_service_id"] != nil || got["start"] != 0.0 {
		t.Errorf("create with string integers: %v", got)
	}
	form := url.Values{}
	for k, v := range e.taskBody(m{"customer_service_id": ""}) {
		b, _ := json.Marshal(v)
		form.Set(k, strings.Trim(string(b), `"`))
	}
	code, body := e.Do("POST", "/v1/task", form.Encode(), map[string]string{"Authorization": "Bearer " + e.Token,
		"Content-Type": "application/x-www-form-urlencoded"})
	if code != 200 || object(t, body)["name"] != "测试任务" {
		t.Errorf("form body: %d %s", code, body)
	}
	id := got["uuid"].(string)
	if p := e.ok("GET", "/v1/task/progress/"+strings.ToUpper(id), nil); p["uuid"] != id {
		t.Errorf("a task uuid in upper case: %v", p)
	}
	got["name"] = "改名"
	got["caller_line_id"] = strings.ToUpper(e.Line.UUID)
	if back := e.ok("PUT", "/v1/task/"+id, got); back["name"] != "改名" || back["uuid"] != id {
		t.Errorf("PUT of the entity as answered: %v", back)
	}
	example := vendorExample(t, "task_created.jsonc").(map[string]any)
	for k, v := range map[string]any{"caller_line_id": e.Line.UUID, "destination_extension": e.Scripts.ID,
		"disable_dial_timegroup": e.timeGroup.UUID, "customer_service_id": e.agents.ID, "auto_recycle_rule_id": e.recall.ID} {
		example[k] = v
	}
	raw, _ := json.MarshalIndent(example, "", "\u00a0\u00a0") // indented as the document is, with no-break spaces
	if back := e.ok("PUT", "/v1/task/"+id, raw); back["name"] != "测试" || back["call_notify_type"] != 2.0 {
		t.Errorf("PUT of the document's example: %v", back)
	}
}

// storedTasks reads every task of the tenant from the store.
func (e *env) storedTasks() []outdial.Task {
	e.t.Helper()
	ts, err := e.Server.Store.Tasks(context.Background(), e.Tenant.ID, outdial.TaskFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	out := make([]outdial.Task, len(ts))
	for i, x := range ts {
		out[i] = *x
	}
	return out
}

// TestJSONSentAsForm: curl -d without a Content-Type sends JSON as a form
// (application/x-www-form-urlencoded); a body that is a JSON object is read as JSON, and
// a real form still works.
func TestJSONSentAsForm(t *testing.T) {
	e := newEnv(t, apptest.Options{})
	body, err := json.Marshal(e.taskBody(nil))
	if err != nil {
		t.Fatal(err)
	}
	form := map[string]string{"Authorization": "Bearer " + e.Token, "Content-Type": "application/x-www-form-urlencoded"}
	code, out := e.Do("POST", "/v1/task", body, form)
	if code != 200 || !strings.Contains(string(out), `"uuid"`) {
		t.Fatalf("JSON body sent as a form: %d %s", code, out)
	}
	vals := url.Values{}
	for k, v := range e.taskBody(nil) {
		vals.Set(k, fmt.Sprint(v))
	}
	if code, out := e.Do("POST", "/v1/task", vals.Encode(), form); code != 200 {
		t.Fatalf("form body: %d %s", code, out)
	}
}
