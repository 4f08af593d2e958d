package telrobot_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/outdial/outdial/internal/app/apptest"
)

// TestTenantIsolation walks every route that names a task with another tenant's token:
// each answers 404 "task not found" as for a task that does not exist, lists and the meta
// show none of the first tenant's things, and its task is the same afterwards. Requests
// without a valid token answer 401.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t, apptest.Options{Sim: true})
	id := e.createTask(nil)
	e.ok("POST", "/v1/task/import_task_customer/"+id, m{"customers": []m{{"phone": "13800000011"}}})
	before := e.ok("GET", "/v1/task", nil)
	_, token := e.NewTenant("globex")

	for _, probe := range []struct{ method, path string }{
		{"PUT", "/v1/task/" + id},
		{"GET", "/v1/task/destroy/" + id},
		{"GET", "/v1/task/start/" + id},
		{"GET", "/v1/task/stop/" + id},
		{"POST", "/v1/task/import_task_customer/" + id},
		{"GET", "/v1/task/progress/" + id},
	} {
		var body any
		if probe.method != "GET" {
			body = m{"customers": []m{{"phone": "13800000012"}}}
		}
		code, out := e.callAs(token, probe.method, probe.path, body)
		if code != 404 || !strings.Contains(string(out), "task not found") {
			t.Errorf("another tenant's %s %s: %d %s, want 404 task not found", probe.method, probe.path, code, out)
		}
		code, out = e.callAs(token, probe.method, strings.Replace(probe.path, id, "02f5bb4a-8a09-4eae-8969-6c2a3732f774", 1), body)
		if code != 404 || !strings.Contains(string(out), "task not found") {
			t.Errorf("no such task, %s %s: %d %s", probe.method, probe.path, code, out)
		}
	}
	for _, path := range []string{"/v1/task", "/v1/outbound_group", "/v1/customer_service"} {
		code, out := e.callAs(token, "GET", path, nil)
		if list := object(t, out); code != 200 || len(list["data"].([]any)) != 0 || list["meta"].(m)["total"] != 0.0 {
			t.Errorf("another tenant's %s: %d %s, want an empty list", path, code, out)
		}
	}
	code, out := e.callAs(token, "GET", "/v1/task/create", nil)
	for _, list := range object(t, out)["meta"].(m) {
		if l, ok := list.([]any); code != 200 || (ok && len(l) != 0) {
			t.Errorf("another tenant's meta: %d %s, want empty lists", code, out)
			break
		}
	}
	if after := e.ok("GET", "/v1/task", nil); !reflect.DeepEqual(before, after) {
		t.Errorf("another tenant's requests changed the task:\n%v\n%v", before, after)
	}

	for name, header := range map[string]map[string]string{"no token": {}, "unknown token": {"Authorization": "Bearer od_nope"},
		"not bearer": {"Authorization": "Basic " + e.Token}} {
		code, out := e.Do("GET", "/v1/task", nil, header)
		refused(t, name, code, out, 401, "")
	}
	code, out = e.call("GET", "/v1/nothing", nil)
	refused(t, "an unknown route", code, out, 404, "")
}
