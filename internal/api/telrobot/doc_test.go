package telrobot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/app/apptest"
)

// TestDocumentShapes checks every example of the document against the answers of a real
// outdial: each example, with its // comments removed, is JSON, and the answer has every
// field it shows with the same JSON type. The answers are kept as golden files.
func TestDocumentShapes(t *testing.T) {
	e := newEnv(t, apptest.Options{Sim: true})
	ctx := context.Background()
	e.Line.ValidFrom = time.Now().Add(-time.Hour).Truncate(time.Second)
	e.Line.ValidUntil = e.Line.ValidFrom.Add(365 * 24 * time.Hour)
	if err := e.Server.Store.UpdateLine(ctx, e.Line); err != nil {
		t.Fatal(err)
	}
	e.Scripts.Debug = true
	if err := e.Server.Store.UpdateScriptGroup(ctx, e.Scripts); err != nil {
		t.Fatal(err)
	}

	meta := e.ok("GET", "/v1/task/create", nil)
	check(t, "GET /v1/task/create", vendorExample(t, "task_create_meta.jsonc"), meta)
	golden(t, "task_create_meta.json", meta)

	created := e.ok("POST", "/v1/task", e.taskBody(m{"call_notify_url": "http://127.0.0.1:81/api/hangup_notify",
		"call_notify_type": 2}))
	check(t, "POST /v1/task", vendorExample(t, "task_created.jsonc"), created)
	golden(t, "task_created.json", created)
	if g := created["group"].(m); g["debug"] != true || created["start"] != 0.0 || created["start_str"] != "暂停" {
		t.Errorf("a new task: group %v, start %v %v; want debug true, paused", g, created["start"], created["start_str"])
	}

	list := e.ok("GET", "/v1/task", nil)
	check(t, "GET /v1/task", vendorExample(t, "task_list.jsonc"), list)
	golden(t, "task_list.json", list)
}

// TestDesignedShapes keeps the answers of the routes the document does not show as
// golden files, so a change to what README.md documents is seen.
func TestDesignedShapes(t *testing.T) {
	e := newEnv(t, apptest.Options{Sim: true})
	id := e.createTask(nil)
	imported := e.ok("POST", "/v1/task/import_task_customer/"+id, m{"customers": []m{
		{"phone": "13800000011", "name": "张三", "variables": m{"amount": 100, "due": "2026-03-01"}},
		{"phone": "13800000011"}, {"phone": "12"}, {"name": "no phone"}, {"phone": 13800000019, "extra": 1}}})
	golden(t, "import_task_customer.json", imported)
	golden(t, "task_progress.json", e.ok("GET", "/v1/task/progress/"+id, nil))
	empty := e.createTask(m{"name": "无客户"}) // started without customers, so no call changes its answers
	for _, name := range []string{"start", "stop", "destroy"} {
		golden(t, "task_"+name+".json", e.ok("GET", "/v1/task/"+name+"/"+empty, nil))
	}
	golden(t, "outbound_group.json", e.ok("GET", "/v1/outbound_group", nil))
	golden(t, "customer_service.json", e.ok("GET", "/v1/customer_service?per_page=2&page=2", nil))
}

func check(t *testing.T, what string, doc, got any) {
	t.Helper()
	if bad := sameShape(doc, got, "$"); len(bad) > 0 {
		t.Errorf("%s does not have the document's shape:\n%s", what, strings.Join(bad, "\n"))
	}
}
