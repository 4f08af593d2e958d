package groupcall

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/outdial/outdial"
)

// TestTaskRoutes walks the task routes over one tenant's task: the list and the task
// with string ids, "0"/"1" status and the daily window, a batch bound to it, start, stop.
func TestTaskRoutes(t *testing.T) {
	e := newEnv(t)
	a := e.account("acme")
	id := strconv.FormatInt(a.task.ID, 10)
	want := taskWire{ID: id, Name: "spring", Status: "0", StartTime: "08:30:01", EndTime: "19:30:02"}

	var list struct{ List []taskWire }
	e.Call(a.token, "task-list", nil).OK(&list)
	if len(list.List) != 1 || list.List[0] != want {
		t.Fatalf("task-list %+v, want [%+v]", list.List, want)
	}
	// PHP clients send an empty data as [] or {}.
	e.Call(a.token, "task-list", []any{}).OK(nil)
	e.Call(a.token, "task-list", map[string]any{}).OK(nil)

	var info struct{ Info taskWire }
	e.Call(a.token, "task-info", map[string]any{"id": id}).OK(&info)
	if info.Info != want {
		t.Fatalf("task-info %+v, want %+v", info.Info, want)
	}
	// A whole number is taken for an id string.
	e.Call(a.token, "task-info", map[string]any{"id": a.task.ID}).OK(nil)

	var added struct {
		BatchID string `json:"batch_id"`
	}
	e.Call(a.token, "batch-add", map[string]any{"id": id, "name": "api_create_test"}).OK(&added)
	b, err := e.store.Batch(ctx, a.tenant.ID, mustAtoi(t, added.BatchID))
	if err != nil || b.TaskID != a.task.ID || b.Name != "api_create_test" {
		t.Fatalf("batch-add made %+v, %v", b, err)
	}
	var bound struct{ List []string }
	e.Call(a.token, "task-bound-batch-id-list", map[string]any{"id": id}).OK(&bound)
	if strings.Join(bound.List, ",") != strconv.FormatInt(a.batch.ID, 10)+","+added.BatchID {
		t.Fatalf("bound batches %v", bound.List)
	}

	e.Call(a.token, "task-start", map[string]any{"id": id}).OK(nil)
	e.Call(a.token, "task-info", map[string]any{"id": id}).OK(&info)
	if info.Info.Status != "1" {
		t.Fatalf("status after task-start: %q", info.Info.Status)
	}
	e.Call(a.token, "task-stop", map[string]any{"id": id}).OK(nil)
	if task, _ := e.store.Task(ctx, a.tenant.ID, a.task.ID); task.Status != outdial.TaskStopped {
		t.Fatalf("status after task-stop: %s", task.Status)
	}
}

// TestAllDayWindow shows a task that calls all day as 00:00:00 to 23:59:59.
func TestAllDayWindow(t *testing.T) {
	task := &outdial.Task{ID: 7, Name: "x", Status: outdial.TaskRunning, Window: outdial.DailyWindow{End: outdial.EndOfDay}}
	if got := showTask(task); got != (taskWire{ID: "7", Name: "x", Status: "1", StartTime: "00:00:00", EndTime: "23:59:59"}) {
		t.Fatalf("%+v", got)
	}
}

// TestUploadData adds rows with duplicates and bad rows: the counts, and failList naming
// each refused row by its index in data_list.
func TestUploadData(t *testing.T) {
	e := newEnv(t)
	a := e.account("acme")
	rows := []map[string]any{
		{"name": "customer name", "phone": "18851498762", "address": "", "state": "", "callback_url": "http://www.example.com", "email": ""},
		{"name": "dup", "phone": "+86 188 5149 8762"},
		{"phone": 13800000011, "state": "order-1", "email": "a@example.com"},
		{"phone": "12345"},
		{"phone": "13800000012", "state": strings.Repeat("x", 61)},
		{"phone": "13800000013", "callback_url": "ftp://example.com/cb"},
		{"name": "no phone"},
		{"phone": "13800000014", "email": "not an email"},
	}
	var got uploadWire
	e.Call(a.token, "upload-data", map[string]any{"id": strconv.FormatInt(a.task.ID, 10),
		"batch_id": strconv.FormatInt(a.batch.ID, 10), "data_list": rows}).OK(&got)
	if got.SuccessCount != 2 || got.DuplicateCount != 1 || got.FailCount != 5 {
		t.Fatalf("counts %+v", got)
	}
	wantFails := []struct {
		row   int
		field string
	}{{4, "phone"}, {5, "state"}, {6, "callback_url"}, {7, "phone"}, {8, "email"}}
	if len(got.FailList) != len(wantFails) {
		t.Fatalf("failList %+v", got.FailList)
	}
	for i, w := range wantFails {
		if f := got.FailList[i]; f.Row != w.row || f.Field != w.field || f.Reason == "" {
			t.Errorf("failList[%d] = %+v, want row %d field %s", i, f, w.row, w.field)
		}
	}
	// Again: every good row is now a duplicate of the batch, and no failList is shown.
	a2 := e.Call(a.token, "upload-data", map[string]any{"id": strconv.FormatInt(a.task.ID, 10),
		"batch_id": strconv.FormatInt(a.batch.ID, 10), "data_list": rows[:3]}).OK(&got)
	if got.SuccessCount != 0 || got.DuplicateCount != 3 || got.FailCount != 0 {
		t.Fatalf("counts %+v", got)
	}
	if strings.Contains(string(a2.Body), "failList") {
		t.Fatalf("failList shown without failures: %s", a2.Body)
	}
	cs, err := e.store.Contacts(ctx, a.tenant.ID, outdial.ContactFilter{BatchID: a.batch.ID})
	if err != nil || len(cs) != 2 || cs[1].State != "order-1" || cs[0].CallbackURL != "http://www.example.com" {
		t.Fatalf("contacts %+v, %v", cs, err)
	}
}

// TestRecordListEmpty answers an empty page with the documented types.
func TestRecordListEmpty(t *testing.T) {
	e := newEnv(t)
	a := e.account("acme")
	ans := e.Call(a.token, "record-list", map[string]any{"id": strconv.FormatInt(a.task.ID, 10), "type": "2",
		"search_date": "2022-03-28", "call_result": "2", "page": "1", "page_size": "10"}).OK(nil)
	if ans.Env.Message != "获取成功" {
		t.Fatalf("message %q", ans.Env.Message)
	}
	var info map[string]json.RawMessage
	json.Unmarshal(ans.Env.Info, &info)
	want := map[string]string{"page": "1", "page_size": "10", "total_page": "0", "total_count": `"0"`, "info": "[]"}
	for k, v := range want {
		if string(info[k]) != v {
			t.Errorf("%s = %s, want %s", k, info[k], v)
		}
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not an id string", s)
	}
	return n
}
