package groupcall_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/app/apptest"
)

// docToken is the token in the document's examples.
const docToken = "b9f43e6f11e111ec906b00163e1260a0"

// TestDocumentExamples sends every example request of the document verbatim (but for the
// token and the ids "59" and "659", replaced by real ones) to a whole outdial whose task
// has really dialed the carrier simulator, in the document's order. Each answer must have
// the outline of the document's example (every field name, its nesting, order and JSON
// type), match its golden file with volatile values normalised, and equal the document's
// example normalised alike.
//
// The examples that add a batch and upload a contact (whose callback_url is a public
// site) name a second task that is never started, created after task-list has shown the
// first, so that contact is never called whatever the engine does meanwhile.
func TestDocumentExamples(t *testing.T) {
	t.Parallel()
	e, c := startOutdial(t, apptest.Options{})
	// The document's task: its name and window, in a time zone where the window is open now.
	task := newTask(t, e, "测试群呼任务", outdial.DailyWindow{Start: 8*3600 + 30*60 + 1, End: 19*3600 + 30*60 + 2},
		openZone(time.Now()))

	// Setup, through the dialect: a batch "test" with three numbers the carrier simulator
	// answers (last digits 1, 7, 9) and two it does not (busy, invalid), dialed to the end.
	var setup struct {
		BatchID string `json:"batch_id"`
	}
	c.Call(e.Token, "batch-add", map[string]string{"id": id(task.ID), "name": "test"}).OK(&setup)
	var rows []map[string]string
	for _, p := range []string{"13800000011", "13800000017", "13800000019", "13800000010", "13800000013"} {
		rows = append(rows, map[string]string{"name": "customer name", "phone": p, "address": ""})
	}
	c.Call(e.Token, "upload-data", map[string]any{"id": id(task.ID), "batch_id": setup.BatchID, "data_list": rows}).OK(nil)
	c.Call(e.Token, "task-start", map[string]string{"id": id(task.ID)}).OK(nil)
	waitCalls(t, e, task, 5)

	// The examples. "659" is the batch the example batch-add creates.
	var quiet *outdial.Task
	newBatch := ""
	for _, name := range []string{"task-list", "task-info", "batch-add", "task-bound-batch-id-list", "task-start",
		"task-stop", "upload-data", "record-list"} {
		t.Run(name, func(t *testing.T) {
			c.T = t
			taskID := task.ID
			switch name {
			case "batch-add":
				quiet = newTask(t, e, "quiet", outdial.DailyWindow{}, "Asia/Shanghai")
				taskID = quiet.ID
			case "task-bound-batch-id-list", "upload-data":
				taskID = quiet.ID
			}
			req := readDoc(t, name+".request.json")
			req = strings.NewReplacer(docToken, e.Token, `"59"`, `"`+id(taskID)+`"`, `"659"`, `"`+newBatch+`"`).Replace(req)
			ans := c.Send("POST", "r=groupcall/"+name, []byte(req)).OK(nil)
			doc := []byte(readDoc(t, name+".response.json"))
			if got, want := outline(t, ans.Body), outline(t, doc); got != want {
				t.Fatalf("outline of the answer:\n%s\nthe document's:\n%s\nanswer: %s", got, want, ans.Body)
			}
			got, want := golden(t, name, ans.Body), normalised(t, doc)
			if !bytes.Equal(got, want) {
				t.Errorf("answer (normalised):\n%s\nthe document's:\n%s", got, want)
			}
			if name == "batch-add" {
				var info struct {
					BatchID string `json:"batch_id"`
				}
				ans.OK(&info)
				newBatch = info.BatchID
			}
		})
	}
	c.T = t

	// What the examples did: the batch of the quiet task, its one contact (never dialed),
	// the first task stopped.
	cs, err := e.Server.Store.Contacts(ctx, e.Tenant.ID, outdial.ContactFilter{BatchID: mustID(t, newBatch)})
	if err != nil || len(cs) != 1 || cs[0].Phone != "18851498762" || cs[0].CallbackURL != "http://www.baidu.com" ||
		cs[0].Attempts != 0 || cs[0].Name != "customer name" {
		t.Fatalf("contacts of the example batch: %+v, %v", cs, err)
	}
	if got, _ := e.Server.Store.Task(ctx, e.Tenant.ID, task.ID); got.Status == outdial.TaskRunning {
		t.Fatalf("the task runs after the example task-stop")
	}
}

// TestRecordListTypes states the JSON types of record-list the document's example shows
// and clients parse: page, page_size, total_page and each row's call_result are numbers,
// total_count and every other field strings.
func TestRecordListTypes(t *testing.T) {
	o := outline(t, []byte(readDoc(t, "record-list.response.json")))
	for _, want := range []string{"statusCode number", "message string", "info.page number", "info.page_size number",
		"info.total_page number", "info.total_count string", "info.info[].call_result number", "info.info[].path string",
		"info.info[].uniqueid string", "info.info[].staff_id string"} {
		if !strings.Contains(o+"\n", want+"\n") {
			t.Errorf("the document's record-list has no %q", want)
		}
	}
	g := outline(t, []byte(readGolden(t, "record-list")))
	if g != o {
		t.Errorf("the golden record-list's outline differs from the document's:\n%s\n%s", g, o)
	}
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "doc", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
