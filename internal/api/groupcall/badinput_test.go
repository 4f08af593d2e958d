package groupcall

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// badWorld is two tenants, a second task of the first with its own batch, and a third
// task on a line that has expired.
type badWorld struct {
	a, b          *account
	task2, task3  *outdial.Task
	batch2        *outdial.Batch
	replacer      *strings.Replacer
	unknownTaskID string
}

func newBadWorld(e *env) *badWorld {
	w := &badWorld{a: e.account("acme"), b: e.account("globex"), unknownTaskID: "999999"}
	w.task2 = &outdial.Task{TenantID: w.a.tenant.ID, Name: "second", LineID: w.a.line.ID, ScriptGroupID: w.a.task.ScriptGroupID}
	must(e.t, e.store.CreateTask(ctx, w.task2))
	w.batch2 = &outdial.Batch{TenantID: w.a.tenant.ID, TaskID: w.task2.ID, Name: "other"}
	must(e.t, e.store.CreateBatch(ctx, w.batch2))
	old := &outdial.Line{TenantID: w.a.tenant.ID, Name: "expired", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02151234567"},
		Concurrency: 1, ValidUntil: e.clock.Now().Add(-24 * time.Hour)}
	must(e.t, e.store.CreateLine(ctx, old))
	w.task3 = &outdial.Task{TenantID: w.a.tenant.ID, Name: "third", LineID: old.ID, ScriptGroupID: w.a.task.ScriptGroupID}
	must(e.t, e.store.CreateTask(ctx, w.task3))
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	w.replacer = strings.NewReplacer("TOKEN", w.a.token, "OTHER", w.b.token, "BTASK", id(w.b.task.ID), "BBATCH", id(w.b.batch.ID),
		"TASK2", id(w.task2.ID), "TASK3", id(w.task3.ID), "TASK", id(w.a.task.ID), "BATCH2", id(w.batch2.ID), "BATCH", id(w.a.batch.ID))
	return w
}

// snapshot describes everything a request could change, for both tenants.
func (e *env) snapshot(as ...*account) string {
	var b strings.Builder
	for _, a := range as {
		ts, err := e.store.Tasks(ctx, a.tenant.ID, outdial.TaskFilter{})
		must(e.t, err)
		for _, t := range ts {
			fmt.Fprintf(&b, "task %d %s %s %v; ", t.ID, t.Status, t.Name, t.UpdatedAt)
		}
		bs, err := e.store.Batches(ctx, a.tenant.ID, 0, outdial.Page{})
		must(e.t, err)
		for _, x := range bs {
			fmt.Fprintf(&b, "batch %d %d %s; ", x.ID, x.TaskID, x.Name)
		}
		cs, err := e.store.Contacts(ctx, a.tenant.ID, outdial.ContactFilter{})
		must(e.t, err)
		fmt.Fprintf(&b, "contacts %d; ", len(cs))
	}
	return b.String()
}

// TestBadRequests sends every kind of bad request: each gets its documented statusCode
// (with HTTP 200 and an empty info) and changes nothing.
func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	w := newBadWorld(e)
	rows10001 := `[` + strings.Repeat(`{"phone":"13800000011"},`, MaxUploadRows) + `{"phone":"13800000011"}]`
	tests := []struct {
		name, method, route, body string
		want                      int
	}{
		{"no route", "POST", "", `{"token":"TOKEN"}`, StatusNoRoute},
		{"route given twice", "POST", "task-list&r=groupcall/task-list", `{"token":"TOKEN"}`, StatusNoRoute},
		{"unknown route", "POST", "task-delete", `{"token":"TOKEN","data":{"id":"TASK"}}`, StatusNoRoute},
		{"another dialect's prefix", "POST", "=telrobot/task-list", `{"token":"TOKEN"}`, StatusNoRoute},
		{"GET", "GET", "task-list", ``, StatusNoRoute},
		{"PUT", "PUT", "task-start", `{"token":"TOKEN","data":{"id":"TASK"}}`, StatusNoRoute},

		{"wrong token", "POST", "task-list", `{"token":"b9f43e6f11e111ec906b00163e1260a0"}`, StatusBadToken},
		{"no token", "POST", "task-start", `{"data":{"id":"TASK"}}`, StatusBadToken},
		{"empty token", "POST", "task-list", `{"token":""}`, StatusBadToken},

		{"not JSON", "POST", "task-list", `token=TOKEN`, StatusMalformed},
		{"empty body", "POST", "task-list", ``, StatusMalformed},
		{"array body", "POST", "task-list", `["TOKEN"]`, StatusMalformed},
		{"null body", "POST", "task-list", `null`, StatusMalformed},
		{"cut short", "POST", "task-start", `{"token":"TOKEN","data":{"id":"TASK"}`, StatusMalformed},
		{"trailing data", "POST", "task-start", `{"token":"TOKEN","data":{"id":"TASK"}} {}`, StatusMalformed},
		{"unknown key", "POST", "task-start", `{"token":"TOKEN","tokne":"x","data":{"id":"TASK"}}`, StatusMalformed},
		{"token a number", "POST", "task-list", `{"token":123}`, StatusMalformed},
		{"data missing", "POST", "task-start", `{"token":"TOKEN"}`, StatusMalformed},
		{"data null", "POST", "task-start", `{"token":"TOKEN","data":null}`, StatusMalformed},
		{"data an array", "POST", "task-start", `{"token":"TOKEN","data":["TASK"]}`, StatusMalformed},
		{"data a string", "POST", "task-start", `{"token":"TOKEN","data":"TASK"}`, StatusMalformed},
		{"id true", "POST", "task-start", `{"token":"TOKEN","data":{"id":true}}`, StatusMalformed},
		{"id a fraction", "POST", "task-start", `{"token":"TOKEN","data":{"id":59.5}}`, StatusMalformed},
		{"id an exponent", "POST", "task-start", `{"token":"TOKEN","data":{"id":1e2}}`, StatusMalformed},
		{"id an object", "POST", "task-start", `{"token":"TOKEN","data":{"id":{"id":"TASK"}}}`, StatusMalformed},
		{"unknown data key", "POST", "task-start", `{"token":"TOKEN","data":{"id":"TASK","force":"1"}}`, StatusMalformed},
		{"task-list with data", "POST", "task-list", `{"token":"TOKEN","data":{"id":"TASK"}}`, StatusMalformed},
		{"name a number", "POST", "batch-add", `{"token":"TOKEN","data":{"id":"TASK","name":5}}`, StatusMalformed},
		{"row with an unknown key", "POST", "upload-data",
			`{"token":"TOKEN","data":{"id":"TASK","batch_id":"BATCH","data_list":[{"phone":"13800000011","sex":"1"}]}}`, StatusMalformed},
		{"row phone a bool", "POST", "upload-data",
			`{"token":"TOKEN","data":{"id":"TASK","batch_id":"BATCH","data_list":[{"phone":true}]}}`, StatusMalformed},
		{"data_list an object", "POST", "upload-data",
			`{"token":"TOKEN","data":{"id":"TASK","batch_id":"BATCH","data_list":{"phone":"13800000011"}}}`, StatusMalformed},

		{"id empty", "POST", "task-start", `{"token":"TOKEN","data":{"id":""}}`, StatusInvalid},
		{"id letters", "POST", "task-start", `{"token":"TOKEN","data":{"id":"abc"}}`, StatusInvalid},
		{"id negative", "POST", "task-start", `{"token":"TOKEN","data":{"id":-1}}`, StatusInvalid},
		{"id zero", "POST", "task-start", `{"token":"TOKEN","data":{"id":"0"}}`, StatusInvalid},
		{"id padded", "POST", "task-start", `{"token":"TOKEN","data":{"id":" TASK"}}`, StatusInvalid},
		{"batch without a name", "POST", "batch-add", `{"token":"TOKEN","data":{"id":"TASK"}}`, StatusInvalid},
		{"batch name too long", "POST", "batch-add", `{"token":"TOKEN","data":{"id":"TASK","name":"` + strings.Repeat("名", 67) + `"}}`, StatusInvalid},
		{"upload without data_list", "POST", "upload-data", `{"token":"TOKEN","data":{"id":"TASK","batch_id":"BATCH"}}`, StatusInvalid},
		{"upload without batch_id", "POST", "upload-data", `{"token":"TOKEN","data":{"id":"TASK","data_list":[]}}`, StatusInvalid},
		{"record type 3", "POST", "record-list", `{"token":"TOKEN","data":{"id":"TASK","type":"3"}}`, StatusInvalid},
		{"record date", "POST", "record-list", `{"token":"TOKEN","data":{"id":"TASK","type":"2","search_date":"2022-3-28"}}`, StatusInvalid},
		{"record call_result 0", "POST", "record-list", `{"token":"TOKEN","data":{"id":"TASK","call_result":"0"}}`, StatusInvalid},
		{"record page 0", "POST", "record-list", `{"token":"TOKEN","data":{"id":"TASK","page":"0"}}`, StatusInvalid},
		{"record page_size 101", "POST", "record-list", `{"token":"TOKEN","data":{"id":"TASK","page_size":101}}`, StatusInvalid},
		{"record too deep", "POST", "record-list", `{"token":"TOKEN","data":{"id":"TASK","page":"10002","page_size":"10"}}`, StatusInvalid},
		{"download without a path", "POST", "record-url", `{"token":"TOKEN","data":{}}`, StatusInvalid},

		{"unknown task", "POST", "task-info", `{"token":"TOKEN","data":{"id":"999999"}}`, StatusNotFound},
		{"another tenant's task: info", "POST", "task-info", `{"token":"TOKEN","data":{"id":"BTASK"}}`, StatusNotFound},
		{"another tenant's task: start", "POST", "task-start", `{"token":"TOKEN","data":{"id":"BTASK"}}`, StatusNotFound},
		{"another tenant's task: stop", "POST", "task-stop", `{"token":"TOKEN","data":{"id":"BTASK"}}`, StatusNotFound},
		{"another tenant's task: batch-add", "POST", "batch-add", `{"token":"TOKEN","data":{"id":"BTASK","name":"x"}}`, StatusNotFound},
		{"another tenant's task: batches", "POST", "task-bound-batch-id-list", `{"token":"TOKEN","data":{"id":"BTASK"}}`, StatusNotFound},
		{"another tenant's task: records", "POST", "record-list", `{"token":"TOKEN","data":{"id":"BTASK"}}`, StatusNotFound},
		{"another tenant's task: upload", "POST", "upload-data",
			`{"token":"TOKEN","data":{"id":"BTASK","batch_id":"BBATCH","data_list":[{"phone":"13800000011"}]}}`, StatusNotFound},
		{"another tenant's batch", "POST", "upload-data",
			`{"token":"TOKEN","data":{"id":"TASK","batch_id":"BBATCH","data_list":[{"phone":"13800000011"}]}}`, StatusNotFound},
		{"a batch of another task", "POST", "upload-data",
			`{"token":"TOKEN","data":{"id":"TASK","batch_id":"BATCH2","data_list":[{"phone":"13800000011"}]}}`, StatusNotFound},
		{"unknown recording", "POST", "record-url", `{"token":"TOKEN","data":{"path":"recordings/2022-03-28/20220328112844_18851498762_1.wav"}}`, StatusNotFound},

		{"start on an expired line", "POST", "task-start", `{"token":"TOKEN","data":{"id":"TASK3"}}`, StatusConflict},

		{"too many rows", "POST", "upload-data", `{"token":"TOKEN","data":{"id":"TASK","batch_id":"BATCH","data_list":` + rows10001 + `}}`, StatusTooLarge},
		{"body too large", "POST", "task-list", `{"token":"TOKEN","x":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, StatusTooLarge},
	}
	before := e.snapshot(w.a, w.b)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			query := "r=" + RoutePrefix + tc.route
			if tc.route == "" {
				query = "x=1"
			} else if strings.HasPrefix(tc.route, "=") {
				query = "r" + tc.route
			}
			a := e.Send(tc.method, query, []byte(w.replacer.Replace(tc.body)))
			a.t = t
			a.Fails(tc.want)
			if after := e.snapshot(w.a, w.b); after != before {
				t.Fatalf("the request changed the store:\n%s\n%s", before, after)
			}
		})
	}
	if strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("a bad request was logged as an internal error:\n%s", e.logs)
	}
}

// TestAnotherTenantsIDsLookUnknown checks that the answer for another tenant's task or
// batch is the answer for an id that does not exist, word for word.
func TestAnotherTenantsIDsLookUnknown(t *testing.T) {
	e := newEnv(t)
	w := newBadWorld(e)
	unknown := "987654321"
	same := func(route, theirs, data string) {
		t.Helper()
		a := e.Call(w.a.token, route, rawJSON(w.replacer.Replace(data)))
		b := e.Call(w.a.token, route, rawJSON(strings.ReplaceAll(w.replacer.Replace(data), theirs, unknown)))
		ma, mb := a.Fails(StatusNotFound), b.Fails(StatusNotFound)
		if strings.ReplaceAll(ma, theirs, unknown) != mb {
			t.Errorf("%s: another tenant's id answers %q, an unknown one %q", route, ma, mb)
		}
	}
	btask, bbatch := strconv.FormatInt(w.b.task.ID, 10), strconv.FormatInt(w.b.batch.ID, 10)
	for _, route := range []string{"task-info", "task-start", "task-stop", "task-bound-batch-id-list", "record-list"} {
		same(route, btask, `{"id":"BTASK"}`)
	}
	same("batch-add", btask, `{"id":"BTASK","name":"x"}`)
	same("upload-data", bbatch, `{"id":"TASK","batch_id":"BBATCH","data_list":[]}`)
}

// TestDownloadErrors answers a refused download in the envelope with an HTTP status, so
// that download tools see the failure.
func TestDownloadErrors(t *testing.T) {
	e := newEnv(t)
	w := newBadWorld(e)
	path := "recordings/2026-03-02/20260302090000_13800000011_12345.wav"
	for _, tc := range []struct {
		name, query string
		http, want  int
	}{
		{"no token", "r=groupcall/record-download&path=" + path, http.StatusUnauthorized, StatusBadToken},
		{"wrong token", "r=groupcall/record-download&token=x&path=" + path, http.StatusUnauthorized, StatusBadToken},
		{"unknown recording", "r=groupcall/record-download&token=" + w.a.token + "&path=" + path, http.StatusNotFound, StatusNotFound},
		{"no path", "r=groupcall/record-download&token=" + w.a.token, http.StatusBadRequest, StatusInvalid},
		{"unknown parameter", "r=groupcall/record-download&token=" + w.a.token + "&path=" + path + "&x=1", http.StatusBadRequest, StatusMalformed},
	} {
		a := e.Send("GET", tc.query, nil)
		if a.Status != tc.http || a.Env.StatusCode != tc.want {
			t.Errorf("%s: HTTP %d %s, want HTTP %d statusCode %d", tc.name, a.Status, a.Body, tc.http, tc.want)
		}
	}
}

// rawJSON is JSON text to embed as is in a request.
type rawJSON string

// MarshalJSON implements json.Marshaler.
func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
