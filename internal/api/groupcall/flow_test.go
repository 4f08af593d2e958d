package groupcall_test

import (
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/groupcall"
	"github.com/outdial/outdial/internal/app/apptest"
)

// TestFullFlow runs what a customer's integration does, against a whole outdial placing
// real SIP calls to the carrier simulator: batch-add, upload-data with duplicates and bad
// rows, task-start, the calls, a callback per call of every contact with a callback_url
// (received by a local HTTP server once the webhook dispatcher delivers the outbox), and
// record-list with recordings that only their owner can download.
func TestFullFlow(t *testing.T) {
	t.Parallel()
	e, c := startOutdial(t, apptest.Options{})
	fullFlow(t, e, c)
}

// TestFullFlowPostgres is TestFullFlow on PostgreSQL (skipped without
// OUTDIAL_TEST_POSTGRES).
func TestFullFlowPostgres(t *testing.T) {
	t.Parallel()
	e, c := startOutdial(t, apptest.Options{Postgres: true})
	fullFlow(t, e, c)
}

// fullFlow is TestFullFlow on a running outdial.
func fullFlow(t *testing.T, e *apptest.Env, c groupcall.Client) {
	rcv := newReceiver(t)
	task := newTask(t, e, "flow", outdial.DailyWindow{}, "Asia/Shanghai")
	var added struct {
		BatchID string `json:"batch_id"`
	}
	c.Call(e.Token, "batch-add", map[string]string{"id": id(task.ID), "name": "flow"}).OK(&added)

	cb := func(n string) string { return rcv.URL + "/callback?n=" + n }
	rows := []map[string]any{
		{"name": "张三", "phone": "13800000011", "address": "上海市", "state": "order-1", "callback_url": cb("1"), "email": "zs@example.com"},
		{"name": "李四", "phone": 13800000017, "callback_url": cb("2")}, // a number, as PHP clients send
		{"name": "busy", "phone": "13800000010", "state": "", "callback_url": cb("3")},
		{"name": "no answer", "phone": "13800000012", "callback_url": cb("4")},
		{"name": "no callback", "phone": "13800000019"},
		{"name": "dup", "phone": "+86 138 0000 0011", "callback_url": cb("x")},
		{"name": "dup", "phone": "13800000017"},
		{"name": "bad phone", "phone": "12345"},
		{"name": "long state", "phone": "13800000021", "state": strings.Repeat("状", 21)}, // 63 bytes
		{"name": "bad url", "phone": "13800000031", "callback_url": "ftp://example.com/cb"},
		{"name": "no phone", "callback_url": cb("y")},
	}
	var up struct {
		SuccessCount, DuplicateCount, FailCount int
		FailList                                []struct {
			Row                  int
			Phone, Field, Reason string
		}
	}
	c.Call(e.Token, "upload-data", map[string]any{"id": id(task.ID), "batch_id": added.BatchID, "data_list": rows}).OK(&up)
	if up.SuccessCount != 5 || up.DuplicateCount != 2 || up.FailCount != 4 || len(up.FailList) != 4 {
		t.Fatalf("upload-data: %+v", up)
	}
	for i, want := range []struct {
		row   int
		field string
	}{{8, "phone"}, {9, "state"}, {10, "callback_url"}, {11, "phone"}} {
		if f := up.FailList[i]; f.Row != want.row || f.Field != want.field || f.Reason == "" {
			t.Errorf("failList[%d] = %+v, want row %d, field %s", i, f, want.row, want.field)
		}
	}
	c.Call(e.Token, "upload-data", map[string]any{"id": id(task.ID), "batch_id": added.BatchID,
		"data_list": rows[:1]}).OK(&up)
	if up.SuccessCount != 0 || up.DuplicateCount != 1 || up.FailCount != 0 {
		t.Fatalf("upload-data again: %+v", up)
	}

	c.Call(e.Token, "task-start", map[string]string{"id": id(task.ID)}).OK(nil)
	var info struct{ Info struct{ Status string } }
	c.Call(e.Token, "task-info", map[string]string{"id": id(task.ID)}).OK(&info)
	if info.Info.Status != "1" {
		t.Errorf("task-info status %q while the task runs", info.Info.Status)
	}
	calls := waitCalls(t, e, task, 5)
	c.Call(e.Token, "task-info", map[string]string{"id": id(task.ID)}).OK(&info)
	if info.Info.Status != "0" {
		t.Errorf("task-info status %q once the task is finished", info.Info.Status)
	}

	byPhone := map[string]*outdial.Call{}
	for _, call := range calls {
		byPhone[call.Called] = call
	}
	checkCallbacks(t, e, rcv, byPhone, mustID(t, added.BatchID))
	checkRecordList(t, e, c, task, byPhone)
	checkDownloads(t, e, c, task)
}

// flowDay is today in the flow task's time zone.
func flowDay() string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Now().In(loc).Format("2006-01-02")
}
