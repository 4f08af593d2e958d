package native

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outdial/outdial"
)

// TestBadInput sends malformed bodies, wrong types, oversize fields, unknown ids, bad
// queries and missing tokens: each gets its status, code and field, and the tenant's data
// is the same afterwards.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	A := a.full(t, "13900000001")
	before, _ := snapshot(t, a, e.h.routes, A)
	line := path("/api/v1/lines/%d", A.line)
	task := path("/api/v1/tasks/%d", A.task)
	long := strings.Repeat("x", 201)
	nobody := &caller{e: e, token: ""}
	wrong := &caller{e: e, token: "od_wrong"}
	taskJSON := func(extra string) string {
		return path(`{"name":"t","line_id":%d,"script_group_id":%d%s}`, A.line, A.group, extra)
	}
	cases := []struct {
		name         string
		who          *caller
		method, path string
		body         string
		status       int
		code, field  string
	}{
		{"no token", nobody, "GET", "/api/v1/lines", "", 401, "unauthorized", ""},
		{"wrong token", wrong, "GET", "/api/v1/lines", "", 401, "unauthorized", ""},
		{"no token on a write", nobody, "DELETE", line, "", 401, "unauthorized", ""},
		{"malformed json", a, "POST", "/api/v1/projects", `{"name":`, 400, "invalid", ""},
		{"syntax error", a, "POST", "/api/v1/projects", `{"name" "x"}`, 400, "invalid", ""},
		{"wrong type", a, "POST", "/api/v1/projects", `{"name":5}`, 400, "invalid", "name"},
		{"nested wrong type", a, "POST", "/api/v1/tasks", taskJSON(`,"window":{"start":8,"end":"19:00:00"}`), 400, "invalid", "window.start"},
		{"number for an id", a, "POST", "/api/v1/tasks", `{"name":"t","line_id":"1"}`, 400, "invalid", "line_id"},
		{"fraction for an integer", a, "POST", "/api/v1/tasks", taskJSON(`,"max_concurrency":1.5`), 400, "invalid", "max_concurrency"},
		{"integer overflow", a, "POST", "/api/v1/tasks", taskJSON(`,"max_concurrency":1e30`), 400, "invalid", "max_concurrency"},
		{"unknown field", a, "POST", "/api/v1/projects", `{"name":"x","colour":"red"}`, 400, "invalid", "colour"},
		{"field in other case", a, "POST", "/api/v1/projects", `{"Name":"x"}`, 400, "invalid", "Name"},
		{"field twice", a, "POST", "/api/v1/projects", `{"name":"x","name":"y"}`, 400, "invalid", "name"},
		{"nested field in other case", a, "POST", "/api/v1/tasks", taskJSON(`,"window":{"START":"08:00:00","end":"19:00:00"}`), 400, "invalid", "window.START"},
		{"read-only field", a, "PUT", line, `{"id":5}`, 400, "invalid", "id"},
		{"trailing object", a, "POST", "/api/v1/projects", `{"name":"x"} {"name":"y"}`, 400, "invalid", ""},
		{"trailing garbage", a, "POST", "/api/v1/projects", `{"name":"x"}]`, 400, "invalid", ""},
		{"empty body", a, "POST", "/api/v1/projects", "", 400, "invalid", ""},
		{"array body", a, "POST", "/api/v1/projects", `[{"name":"x"}]`, 400, "invalid", ""},
		{"null body", a, "POST", "/api/v1/projects", `null`, 400, "invalid", "name"},
		{"body over 1 MB", a, "POST", "/api/v1/projects", `{"name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, 413, "too_large", ""},
		{"oversize name", a, "POST", "/api/v1/projects", `{"name":"` + long + `"}`, 400, "invalid", "name"},
		{"oversize remark", a, "POST", "/api/v1/tasks", taskJSON(`,"remark":"` + strings.Repeat("r", 1001) + `"`), 400, "invalid", "remark"},
		{"oversize caller number", a, "POST", "/api/v1/tasks", taskJSON(`,"caller_number":"` + strings.Repeat("1", 33) + `"`), 400, "invalid", "caller_number"},
		{"bad time zone", a, "POST", "/api/v1/tasks", taskJSON(`,"time_zone":"Mars/Olympus"`), 400, "invalid", "time_zone"},
		{"bad window", a, "POST", "/api/v1/tasks", taskJSON(`,"window":{"start":"25:00:00","end":"19:00:00"}`), 400, "invalid", "window.start"},
		{"missing window end", a, "POST", "/api/v1/tasks", taskJSON(`,"window":{"start":"08:00:00"}`), 400, "invalid", "window.end"},
		{"negative concurrency", a, "PUT", line, `{"name":"l","gateway":"h:1","caller_numbers":["1"],"concurrency":-1}`, 400, "invalid", "concurrency"},
		{"bad gateway", a, "PUT", line, `{"name":"l","gateway":"nowhere","caller_numbers":["1"],"concurrency":1}`, 400, "invalid", "gateway"},
		{"bad valid_from", a, "PUT", line, `{"name":"l","gateway":"h:1","caller_numbers":["1"],"concurrency":1,"valid_from":"yesterday"}`, 400, "invalid", "valid_from"},
		{"bad time of day", a, "POST", "/api/v1/time-groups", `{"name":"g","ranges":[{"start":"12:60:00","end":"13:00:00"}]}`, 400, "invalid", "ranges[0].start"},
		{"bad weekday", a, "POST", "/api/v1/time-groups", `{"name":"g","ranges":[{"weekdays":[8],"start":"12:00:00","end":"13:00:00"}]}`, 400, "invalid", "ranges[0].weekdays"},
		{"unknown result", a, "POST", "/api/v1/recall-rules", `{"name":"r","results":["maybe"],"max_attempts":2,"intervals":[5]}`, 400, "invalid", "results"},
		{"invalid blocked phone", a, "POST", "/api/v1/blocklist", `{"phone":"12345"}`, 400, "invalid", "phone"},
		{"bad agent status", a, "POST", "/api/v1/agent-groups", `{"name":"g","status":7}`, 400, "invalid", "status"},
		{"prompt escaping its folder", a, "POST", "/api/v1/scripts", path(`{"name":"s","group_id":%d,"prompts":[{"audio":"../../etc/passwd"}]}`, A.group), 400, "invalid", "prompts"},
		{"unknown id", a, "GET", "/api/v1/lines/999999", "", 404, "not_found", ""},
		{"id not a number", a, "GET", "/api/v1/lines/abc", "", 404, "not_found", ""},
		{"id zero", a, "GET", "/api/v1/lines/0", "", 404, "not_found", ""},
		{"id negative", a, "DELETE", "/api/v1/tasks/-1", "", 404, "not_found", ""},
		{"id with a leading zero", a, "GET", path("/api/v1/lines/0%d", A.line), "", 404, "not_found", ""},
		{"id too large", a, "GET", "/api/v1/lines/99999999999999999999", "", 404, "not_found", ""},
		{"call id not a number", a, "GET", "/api/v1/calls/1e5", "", 404, "not_found", ""},
		{"update of an unknown id", a, "PUT", "/api/v1/tasks/999999", taskJSON(""), 404, "not_found", ""},
		{"unknown referenced id", a, "POST", "/api/v1/tasks", path(`{"name":"t","line_id":999999,"script_group_id":%d}`, A.group), 404, "not_found", "line_id"},
		{"start an unknown task", a, "POST", "/api/v1/tasks/999999/start", "", 404, "not_found", ""},
		{"unblock an unknown number", a, "DELETE", "/api/v1/blocklist/13800000001", "", 404, "not_found", ""},
		{"unknown query parameter", a, "GET", "/api/v1/calls?taks_id=1", "", 400, "invalid", "taks_id"},
		{"repeated query parameter", a, "GET", "/api/v1/calls?task_id=1&task_id=2", "", 400, "invalid", "task_id"},
		{"limit zero", a, "GET", "/api/v1/lines?limit=0", "", 400, "invalid", "limit"},
		{"limit over 1000", a, "GET", "/api/v1/calls?limit=1001", "", 400, "invalid", "limit"},
		{"forged cursor", a, "GET", "/api/v1/calls?cursor=abc", "", 400, "invalid", "cursor"},
		{"bad order", a, "GET", "/api/v1/calls?order=sideways", "", 400, "invalid", "order"},
		{"bad from", a, "GET", "/api/v1/calls?from=yesterday", "", 400, "invalid", "from"},
		{"bad callresult", a, "GET", "/api/v1/calls?callresult=5", "", 400, "invalid", "callresult"},
		{"bad result", a, "GET", "/api/v1/calls?result=maybe", "", 400, "invalid", "result"},
		{"bad task status", a, "GET", "/api/v1/tasks?status=paused", "", 400, "invalid", "status"},
		{"bad contact phone", a, "GET", "/api/v1/contacts?phone=abc", "", 400, "invalid", "phone"},
		{"bad id filter", a, "GET", "/api/v1/contacts?task_id=x", "", 400, "invalid", "task_id"},
		{"unknown route", a, "GET", "/api/v1/nothing", "", 404, "not_found", ""},
		{"unknown method", a, "PATCH", task, `{}`, 404, "not_found", ""},
		{"contacts cannot be created", a, "POST", "/api/v1/contacts", `{}`, 404, "not_found", ""},
		{"batches cannot be updated", a, "PUT", path("/api/v1/batches/%d", A.batch), `{"name":"x"}`, 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = []byte(tc.body)
			}
			var r *reply
			if tc.who.token == "" {
				r = e.send(nil, tc.method, tc.path, body, "")
			} else {
				r = e.send(tc.who, tc.method, tc.path, body, "")
			}
			msg := r.fails(t, tc.status, tc.code, tc.field)
			if tc.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if strings.Contains(msg, "sql") || strings.Contains(msg, "store:") {
				t.Errorf("message shows internals: %s", msg)
			}
		})
	}
	if after, _ := snapshot(t, a, e.h.routes, A); !bytes.Equal(before, after) {
		t.Fatalf("refused requests changed the data:\nbefore %s\nafter  %s", before, after)
	}
}

// faultyStore fails to list lines with an error that is not an outdial error.
type faultyStore struct{ outdial.Store }

func (faultyStore) Lines(context.Context, int64, outdial.Page) ([]*outdial.Line, error) {
	return nil, errors.New("store: lines: disk on fire")
}

// TestInternalError checks that a fault inside outdial answers "Internal error." and
// is logged with its context, not shown.
func TestInternalError(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	h := New(Config{Store: faultyStore{e.store}, Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	mux := http.NewServeMux()
	h.Register(mux)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/lines", nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	mux.ServeHTTP(rec, req)
	r := &reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if msg := r.fails(t, http.StatusInternalServerError, "internal", ""); msg != "Internal error." {
		t.Fatalf("message = %q", msg)
	}
	if strings.Contains(string(r.body), "fire") {
		t.Fatalf("the answer shows the fault: %s", r.body)
	}
	logs := e.logs.String()
	for _, want := range []string{"internal error", "disk on fire", "path=/api/v1/lines", path("tenant=%d", a.tenant.ID)} {
		if !strings.Contains(logs, want) {
			t.Fatalf("the log lacks %q: %s", want, logs)
		}
	}
}
