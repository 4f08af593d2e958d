package telrobot_test

import (
	"context"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/app/apptest"
)

// TestResidue checks that a running task reserves its maximumcall on its line: the meta's
// residue shrinks, a task may not ask for more than is left (its own reservation counts
// as free to it), a task that does not fit does not start, and a running task is not
// destroyed.
func TestResidue(t *testing.T) {
	e := newEnv(t, apptest.Options{Sim: true})
	closed := &outdial.TimeGroup{TenantID: e.Tenant.ID, Name: "全天禁呼",
		Ranges: []outdial.ForbiddenRange{{Start: 0, End: outdial.EndOfDay, Weekdays: outdial.AllWeekdays}}}
	if err := e.Server.Store.CreateTimeGroup(context.Background(), closed); err != nil {
		t.Fatal(err)
	}
	residue := func() float64 {
		return e.ok("GET", "/v1/task/create", nil)["meta"].(m)["caller_line_list"].([]any)[0].(m)["residue"].(float64)
	}
	late := e.createTask(m{"name": "late", "maximumcall": 5})
	// a runs and never calls (forbidden all day), so it keeps its reservation.
	a := e.createTask(m{"name": "a", "maximumcall": 8, "disable_dial_timegroup": closed.UUID})
	e.ok("POST", "/v1/task/import_task_customer/"+a, m{"customers": []m{{"phone": "13800000011"}}})
	e.ok("GET", "/v1/task/start/"+a, nil)
	if r := residue(); r != 2 {
		t.Fatalf("residue with a running task of 8 on a line of 10: %v, want 2", r)
	}
	code, body := e.call("POST", "/v1/task", e.taskBody(m{"maximumcall": 3}))
	refused(t, "create over the residue", code, body, 422, "maximumcall")
	b := e.createTask(m{"name": "b", "maximumcall": 2})
	code, body = e.call("PUT", "/v1/task/"+b, e.taskBody(m{"maximumcall": 3}))
	refused(t, "update over the residue", code, body, 422, "maximumcall")
	if got := e.ok("PUT", "/v1/task/"+a, e.taskBody(m{"name": "a", "maximumcall": 10, "disable_dial_timegroup": closed.UUID})); got["maximumcall"] != 10.0 {
		t.Errorf("a running task raising its own maximumcall to the line's 10: %v", got["maximumcall"])
	}
	if r := residue(); r != 0 {
		t.Errorf("residue: %v, want 0", r)
	}
	code, body = e.call("GET", "/v1/task/start/"+late, nil)
	refused(t, "start over the residue", code, body, 409, "")
	code, body = e.call("GET", "/v1/task/destroy/"+a, nil)
	refused(t, "destroy a running task", code, body, 409, "")
	if got := e.ok("GET", "/v1/task/progress/"+a, nil); got["start"] != 1.0 || got["total"] != 1.0 {
		t.Errorf("refusals changed the running task: %v", got)
	}
	e.ok("GET", "/v1/task/stop/"+a, nil)
	e.ok("GET", "/v1/task/destroy/"+a, nil)
	if got := e.ok("GET", "/v1/task/start/"+late, nil); got["start"] != 1.0 {
		t.Errorf("start once the line is free: %v", got["start"])
	}
}
