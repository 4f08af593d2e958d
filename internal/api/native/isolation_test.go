package native

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outdial/outdial"
)

// full is a tenant with one of everything.
type full struct {
	world
	project, timeGroup, recallRule, agentGroup, script, contact int64
	call                                                        string
	blocked                                                     string
	webhook, delivery                                           int64
}

func (c *caller) full(t *testing.T, blocked string) full {
	t.Helper()
	f := full{world: c.world(t)}
	f.project = c.do("POST", "/api/v1/projects", m{"name": "p"}).id(t)
	f.timeGroup = c.do("POST", "/api/v1/time-groups", m{"name": "lunch",
		"ranges": []m{{"start": "12:00:00", "end": "13:00:00"}}}).id(t)
	f.recallRule = c.do("POST", "/api/v1/recall-rules", m{"name": "r", "results": []string{"busy"}, "intervals": []int{60},
		"max_attempts": 2}).id(t)
	f.agentGroup = c.do("POST", "/api/v1/agent-groups", m{"name": "ag", "line_id": f.line}).id(t)
	f.script = c.do("POST", "/api/v1/scripts", m{"group_id": f.group, "name": "s", "prompts": []m{{"text": "hi"}}}).id(t)
	if err := os.WriteFile(filepath.Join(c.e.dataDir, "rec.wav"), []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := placeCalls(t, c, f.world, []string{"13800000001", "13800000002"},
		[]outdial.Result{outdial.ResultAnswered, outdial.ResultBusy}, []string{"rec.wav"})
	f.call, f.contact = path("%d", calls[0].ID), calls[1].ContactID
	f.blocked = blocked
	c.do("POST", "/api/v1/blocklist", m{"phone": f.blocked, "reason": "complained"}).ok(t, http.StatusCreated, nil)
	f.webhook, f.delivery = c.webhookWithDelivery(t)
	return f
}

// probe is one request tenant B makes at tenant A's data, and the status it must get.
type probe struct {
	path   string
	body   any
	ct     string
	status int
	field  string // for errors: the field that names A's id
}

// TestTenantIsolation walks every route of the table with tenant B's token against
// tenant A's ids: each id of A answers 404 as if it did not exist, lists show none of
// A's data, and A's data is the same afterwards.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	a, b := e.newTenant("acme"), e.newTenant("globex")
	A, B := a.full(t, "13900000001"), b.full(t, "13900000002")
	taskBody := func(mod m) m {
		body := m{"name": "t", "line_id": B.line, "script_group_id": B.group}
		for k, v := range mod {
			body[k] = v
		}
		return body
	}
	lineBody := m{"name": "l", "gateway": "127.0.0.1:5060", "caller_numbers": []string{"1"}, "concurrency": 1}
	csv := "phone\n13800000009\n"
	probes := map[string][]probe{
		"GET /api/v1/tenant": {{path: "/api/v1/tenant", status: 200}},
		"PUT /api/v1/tenant": {{path: "/api/v1/tenant", body: m{"name": "globex"}, status: 200}},

		"GET /api/v1/projects":         {{path: "/api/v1/projects", status: 200}},
		"POST /api/v1/projects":        {{path: "/api/v1/projects", body: m{"name": "x"}, status: 201}},
		"GET /api/v1/projects/{id}":    {{path: path("/api/v1/projects/%d", A.project), status: 404}},
		"PUT /api/v1/projects/{id}":    {{path: path("/api/v1/projects/%d", A.project), body: m{"name": "x"}, status: 404}},
		"DELETE /api/v1/projects/{id}": {{path: path("/api/v1/projects/%d", A.project), status: 404}},

		"GET /api/v1/lines":         {{path: "/api/v1/lines", status: 200}},
		"POST /api/v1/lines":        {{path: "/api/v1/lines", body: lineBody, status: 201}},
		"GET /api/v1/lines/{id}":    {{path: path("/api/v1/lines/%d", A.line), status: 404}},
		"PUT /api/v1/lines/{id}":    {{path: path("/api/v1/lines/%d", A.line), body: lineBody, status: 404}},
		"DELETE /api/v1/lines/{id}": {{path: path("/api/v1/lines/%d", A.line), status: 404}},

		"GET /api/v1/time-groups":         {{path: "/api/v1/time-groups", status: 200}},
		"POST /api/v1/time-groups":        {{path: "/api/v1/time-groups", body: m{"name": "x"}, status: 201}},
		"GET /api/v1/time-groups/{id}":    {{path: path("/api/v1/time-groups/%d", A.timeGroup), status: 404}},
		"PUT /api/v1/time-groups/{id}":    {{path: path("/api/v1/time-groups/%d", A.timeGroup), body: m{"name": "x"}, status: 404}},
		"DELETE /api/v1/time-groups/{id}": {{path: path("/api/v1/time-groups/%d", A.timeGroup), status: 404}},

		"GET /api/v1/recall-rules":      {{path: "/api/v1/recall-rules", status: 200}},
		"POST /api/v1/recall-rules":     {{path: "/api/v1/recall-rules", body: m{"name": "x", "max_attempts": 1}, status: 201}},
		"GET /api/v1/recall-rules/{id}": {{path: path("/api/v1/recall-rules/%d", A.recallRule), status: 404}},
		"PUT /api/v1/recall-rules/{id}": {{path: path("/api/v1/recall-rules/%d", A.recallRule),
			body: m{"name": "x", "max_attempts": 1}, status: 404}},
		"DELETE /api/v1/recall-rules/{id}": {{path: path("/api/v1/recall-rules/%d", A.recallRule), status: 404}},

		"GET /api/v1/agent-groups": {{path: "/api/v1/agent-groups", status: 200}},
		"POST /api/v1/agent-groups": {{path: "/api/v1/agent-groups", body: m{"name": "x", "line_id": A.line},
			status: 404, field: "line_id"}},
		"GET /api/v1/agent-groups/{id}": {{path: path("/api/v1/agent-groups/%d", A.agentGroup), status: 404}},
		"PUT /api/v1/agent-groups/{id}": {
			{path: path("/api/v1/agent-groups/%d", A.agentGroup), body: m{"name": "x"}, status: 404},
			{path: path("/api/v1/agent-groups/%d", B.agentGroup), body: m{"name": "x", "line_id": A.line}, status: 404, field: "line_id"},
		},
		"DELETE /api/v1/agent-groups/{id}": {{path: path("/api/v1/agent-groups/%d", A.agentGroup), status: 404}},

		"GET /api/v1/script-groups":         {{path: "/api/v1/script-groups", status: 200}},
		"POST /api/v1/script-groups":        {{path: "/api/v1/script-groups", body: m{"name": "x"}, status: 201}},
		"GET /api/v1/script-groups/{id}":    {{path: path("/api/v1/script-groups/%d", A.group), status: 404}},
		"PUT /api/v1/script-groups/{id}":    {{path: path("/api/v1/script-groups/%d", A.group), body: m{"name": "x"}, status: 404}},
		"DELETE /api/v1/script-groups/{id}": {{path: path("/api/v1/script-groups/%d", A.group), status: 404}},

		"GET /api/v1/scripts": {{path: path("/api/v1/scripts?group_id=%d", A.group), status: 200}},
		"POST /api/v1/scripts": {{path: "/api/v1/scripts", body: m{"name": "x", "group_id": A.group, "prompts": []m{{"text": "x"}}},
			status: 404, field: "group_id"}},
		"GET /api/v1/scripts/{id}": {{path: path("/api/v1/scripts/%d", A.script), status: 404}},
		"PUT /api/v1/scripts/{id}": {
			{path: path("/api/v1/scripts/%d", A.script), body: m{"name": "x", "group_id": B.group}, status: 404},
			{path: path("/api/v1/scripts/%d", B.script), body: m{"name": "x", "group_id": A.group}, status: 404, field: "group_id"},
		},
		"DELETE /api/v1/scripts/{id}": {{path: path("/api/v1/scripts/%d", A.script), status: 404}},

		"GET /api/v1/tasks": {{path: path("/api/v1/tasks?project_id=%d", A.project), status: 200}},
		"POST /api/v1/tasks": {
			{path: "/api/v1/tasks", body: taskBody(m{"project_id": A.project}), status: 404, field: "project_id"},
			{path: "/api/v1/tasks", body: taskBody(m{"line_id": A.line}), status: 404, field: "line_id"},
			{path: "/api/v1/tasks", body: taskBody(m{"script_group_id": A.group}), status: 404, field: "script_group_id"},
			{path: "/api/v1/tasks", body: taskBody(m{"time_group_id": A.timeGroup}), status: 404, field: "time_group_id"},
			{path: "/api/v1/tasks", body: taskBody(m{"recall_rule_id": A.recallRule}), status: 404, field: "recall_rule_id"},
			{path: "/api/v1/tasks", body: taskBody(m{"agent_group_id": A.agentGroup}), status: 404, field: "agent_group_id"},
		},
		"GET /api/v1/tasks/{id}": {{path: path("/api/v1/tasks/%d", A.task), status: 404}},
		"PUT /api/v1/tasks/{id}": {
			{path: path("/api/v1/tasks/%d", A.task), body: taskBody(nil), status: 404},
			{path: path("/api/v1/tasks/%d", B.task), body: taskBody(m{"line_id": A.line}), status: 404, field: "line_id"},
		},
		"DELETE /api/v1/tasks/{id}":          {{path: path("/api/v1/tasks/%d", A.task), status: 404}},
		"POST /api/v1/tasks/{id}/start":      {{path: path("/api/v1/tasks/%d/start", A.task), status: 404}},
		"POST /api/v1/tasks/{id}/stop":       {{path: path("/api/v1/tasks/%d/stop", A.task), status: 404}},
		"GET /api/v1/tasks/{id}/progress":    {{path: path("/api/v1/tasks/%d/progress", A.task), status: 404}},
		"GET /api/v1/batches":                {{path: path("/api/v1/batches?task_id=%d", A.task), status: 200}},
		"POST /api/v1/batches":               {{path: "/api/v1/batches", body: m{"name": "x", "task_id": A.task}, status: 404, field: "task_id"}},
		"GET /api/v1/batches/{id}":           {{path: path("/api/v1/batches/%d", A.batch), status: 404}},
		"DELETE /api/v1/batches/{id}":        {{path: path("/api/v1/batches/%d", A.batch), status: 404}},
		"POST /api/v1/batches/{id}/contacts": {{path: path("/api/v1/batches/%d/contacts", A.batch), body: csv, ct: "text/csv", status: 404}},

		"GET /api/v1/contacts": {
			{path: path("/api/v1/contacts?task_id=%d", A.task), status: 200},
			{path: path("/api/v1/contacts?batch_id=%d&phone=13800000001", A.batch), status: 200},
		},
		"GET /api/v1/contacts/{id}":    {{path: path("/api/v1/contacts/%d", A.contact), status: 404}},
		"DELETE /api/v1/contacts/{id}": {{path: path("/api/v1/contacts/%d", A.contact), status: 404}},

		"GET /api/v1/calls": {
			{path: path("/api/v1/calls?task_id=%d", A.task), status: 200},
			{path: "/api/v1/calls?called=13800000001", status: 200},
		},
		"GET /api/v1/calls/{id}":           {{path: "/api/v1/calls/" + A.call, status: 404}},
		"GET /api/v1/calls/{id}/recording": {{path: "/api/v1/calls/" + A.call + "/recording", status: 404}},

		"GET /api/v1/blocklist":            {{path: "/api/v1/blocklist", status: 200}},
		"POST /api/v1/blocklist":           {{path: "/api/v1/blocklist", body: m{"phone": "13800000001"}, status: 201}},
		"DELETE /api/v1/blocklist/{phone}": {{path: "/api/v1/blocklist/" + A.blocked, status: 404}},
		"GET /api/v1/openapi.json":         {{path: "/api/v1/openapi.json", status: 200}},
	}
	for route, ps := range webhookProbes(A, B) {
		probes[route] = ps
	}

	before, aIDs := snapshot(t, a, e.h.routes, A)
	seen := map[string]bool{}
	for _, rt := range e.h.routes {
		key := rt.method + " " + rt.pattern
		seen[key] = true
		ps := probes[key]
		if len(ps) == 0 {
			t.Errorf("route %s has no isolation probe: add one", key)
		}
		for _, p := range ps {
			r := e.send(b, rt.method, p.path, p.body, p.ct)
			if p.status == 404 {
				r.fails(t, http.StatusNotFound, "not_found", p.field)
				continue
			}
			r.ok(t, p.status, nil)
			if rt.list {
				leaks(t, key, r.body, aIDs[rt.pattern])
			}
			if rt.pattern == "/api/v1/tenant" && r.obj(t)["id"] != float64(b.tenant.ID) {
				t.Errorf("%s answered another tenant: %s", key, r.body)
			}
		}
	}
	for key := range probes {
		if !seen[key] {
			t.Errorf("probe for %s, which is not a route", key)
		}
	}
	if after, _ := snapshot(t, a, e.h.routes, A); !bytes.Equal(before, after) {
		t.Fatalf("tenant A's data changed:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot reads everything tenant A can read, with A's token, and collects the keys
// (ids, or phones for the blocklist) of A's lists by route.
func snapshot(t *testing.T, a *caller, routes []route, A full) ([]byte, map[string]map[string]bool) {
	t.Helper()
	ids := map[string]map[string]bool{}
	var buf bytes.Buffer
	for _, rt := range routes {
		if rt.method != "GET" || rt.public {
			continue
		}
		p := rt.pattern
		if i := strings.Index(p, "{"); i > 0 {
			id := map[string]string{
				"/api/v1/projects/": path("%d", A.project), "/api/v1/lines/": path("%d", A.line),
				"/api/v1/time-groups/": path("%d", A.timeGroup), "/api/v1/recall-rules/": path("%d", A.recallRule),
				"/api/v1/agent-groups/": path("%d", A.agentGroup), "/api/v1/script-groups/": path("%d", A.group),
				"/api/v1/scripts/": path("%d", A.script), "/api/v1/tasks/": path("%d", A.task),
				"/api/v1/batches/": path("%d", A.batch), "/api/v1/contacts/": path("%d", A.contact),
				"/api/v1/calls/": A.call, "/api/v1/webhooks/": path("%d", A.webhook),
				"/api/v1/deliveries/": path("%d", A.delivery),
			}[p[:i]]
			if id == "" {
				t.Fatalf("snapshot: no id of A for %s", p)
			}
			p = p[:i] + id + p[strings.Index(p, "}")+1:]
		}
		if rt.list {
			p += "?limit=1000"
		}
		r := a.do("GET", p, nil).ok(t, http.StatusOK, nil)
		buf.WriteString(rt.pattern + " " + string(r.body) + "\n")
		if rt.list {
			ids[rt.pattern] = keysOf(t, r.body)
		}
	}
	return buf.Bytes(), ids
}

// keysOf returns the ids (or phones) of a list answer.
func keysOf(t *testing.T, body []byte) map[string]bool {
	t.Helper()
	var p page[map[string]any]
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("list %s: %v", body, err)
	}
	keys := map[string]bool{}
	for _, item := range p.Data {
		k, ok := item["id"]
		if !ok {
			k = item["phone"]
		}
		keys[fmt.Sprint(k)] = true
	}
	return keys
}

// leaks fails if a list answered to B holds one of A's items.
func leaks(t *testing.T, key string, body []byte, aKeys map[string]bool) {
	t.Helper()
	if len(aKeys) == 0 {
		t.Fatalf("%s: A has nothing of this kind, so the probe proves nothing", key)
	}
	for k := range keysOf(t, body) {
		if aKeys[k] {
			t.Errorf("%s shows A's %s: %s", key, k, body)
		}
	}
}
