package native

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// subset fails unless every key of want has the same JSON value in got.
func subset(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	b, _ := json.Marshal(want)
	var norm map[string]any
	json.Unmarshal(b, &norm)
	for k, v := range norm {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s: %s = %#v, want %#v", what, k, got[k], v)
		}
	}
}

type m = map[string]any

func TestCRUD(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	w := a.world(t)
	cases := []struct {
		name, path     string
		create, update m
		want, wantUpd  m // expected fields after create and after update
	}{
		{name: "project", path: "/api/v1/projects",
			create: m{"name": "spring"}, want: m{"name": "spring", "is_default": false},
			update: m{"name": "summer"}, wantUpd: m{"name": "summer"}},
		{name: "line", path: "/api/v1/lines",
			create: m{"name": "l2", "gateway": "10.0.0.1:5060", "transport": "TCP", "username": "bob", "password": "pw1",
				"caller_numbers": []string{"01012345678"}, "concurrency": 3, "calls_per_second": 1.5,
				"valid_from": "2026-03-01T08:00:00+08:00", "valid_until": "2027-03-01T00:00:00Z"},
			want: m{"name": "l2", "transport": "tcp", "has_password": true, "concurrency": 3, "calls_per_second": 1.5,
				"valid_from": "2026-03-01T00:00:00Z", "valid_until": "2027-03-01T00:00:00Z", "caller_numbers": []string{"01012345678"}},
			update: m{"name": "l2b", "gateway": "10.0.0.2:5070", "caller_numbers": []string{"01012345678", "01087654321"},
				"concurrency": 4},
			wantUpd: m{"name": "l2b", "gateway": "10.0.0.2:5070", "transport": "udp", "has_password": true,
				"valid_from": nil, "valid_until": nil}},
		{name: "time group", path: "/api/v1/time-groups",
			create: m{"name": "lunch", "ranges": []m{{"weekdays": []int{1, 2, 3, 4, 5}, "start": "12:00:00", "end": "13:30:00"}}},
			want:   m{"name": "lunch", "ranges": []m{{"weekdays": []int{1, 2, 3, 4, 5}, "start": "12:00:00", "end": "13:30:00"}}},
			update: m{"name": "night", "ranges": []m{{"weekdays": []int{7}, "start": "22:00", "end": "08:00:00"}, {"start": "00:00:00", "end": "24:00:00"}}},
			wantUpd: m{"name": "night", "ranges": []m{{"weekdays": []int{0}, "start": "22:00:00", "end": "08:00:00"},
				{"weekdays": []int{0, 1, 2, 3, 4, 5, 6}, "start": "00:00:00", "end": "24:00:00"}}}},
		{name: "recall rule", path: "/api/v1/recall-rules",
			create: m{"name": "busy twice", "results": []string{"busy", "no_answer"}, "intervals": []int{600, 3600}, "max_attempts": 3},
			want:   m{"name": "busy twice", "enabled": true, "results": []string{"busy", "no_answer"}, "intervals": []int{600, 3600}, "max_attempts": 3},
			update: m{"name": "off", "enabled": false, "max_attempts": 1, "remark": "paused"},
			wantUpd: m{"name": "off", "enabled": false, "results": []string{}, "intervals": []int{}, "max_attempts": 1,
				"remark": "paused"}},
		{name: "agent group", path: "/api/v1/agent-groups",
			create: m{"name": "sales", "line_id": w.line, "agents": []m{{"name": "Li", "extension": "8001"}}},
			want:   m{"name": "sales", "line_id": w.line, "status": 1, "agents": []m{{"name": "Li", "extension": "8001"}}},
			update: m{"name": "sales off", "status": 0}, wantUpd: m{"name": "sales off", "line_id": 0, "status": 0, "agents": []m{}}},
		{name: "script group", path: "/api/v1/script-groups",
			create: m{"name": "survey", "debug": true}, want: m{"name": "survey", "debug": true, "is_default": false},
			update: m{"name": "survey 2"}, wantUpd: m{"name": "survey 2", "debug": false}},
		{name: "script", path: "/api/v1/scripts",
			create:  m{"group_id": w.group, "name": "hello", "prompts": []m{{"text": "您好", "wait_keys": true, "max_keys": 1}}},
			want:    m{"group_id": w.group, "name": "hello", "prompts": []m{{"text": "您好", "wait_keys": true, "max_keys": 1}}},
			update:  m{"group_id": w.group, "name": "bye", "prompts": []m{{"audio": "bye.wav"}}},
			wantUpd: m{"name": "bye", "prompts": []m{{"audio": "bye.wav"}}}},
		{name: "task", path: "/api/v1/tasks",
			create: m{"name": "t2", "line_id": w.line, "script_group_id": w.group, "window": m{"start": "08:30:00", "end": "19:30:00"},
				"pause_seconds": 3, "notify_url": "https://example.com/hook"},
			want: m{"name": "t2", "status": "stopped", "line_id": w.line, "max_concurrency": 1, "ring_timeout_seconds": 60,
				"time_zone": "Asia/Shanghai", "window": m{"start": "08:30:00", "end": "19:30:00"}, "pause_seconds": 3},
			update: m{"name": "t2b", "line_id": w.line, "script_group_id": w.group, "max_concurrency": 4, "time_zone": "UTC"},
			wantUpd: m{"name": "t2b", "status": "stopped", "max_concurrency": 4, "time_zone": "UTC",
				"window": m{"start": "00:00:00", "end": "24:00:00"}, "notify_url": ""}},
		{name: "batch", path: "/api/v1/batches",
			create: m{"task_id": w.task, "name": "april"}, want: m{"task_id": w.task, "name": "april", "size": 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do("POST", tc.path, tc.create)
			id := r.id(t)
			created := r.obj(t)
			subset(t, "create", created, tc.want)
			if loc := r.header.Get("Location"); loc != path("%s/%d", tc.path, id) {
				t.Errorf("Location = %q", loc)
			}
			item := path("%s/%d", tc.path, id)
			got := a.do("GET", item, nil).ok(t, http.StatusOK, nil).obj(t)
			if !reflect.DeepEqual(got, created) {
				t.Errorf("GET = %v, want what POST answered %v", got, created)
			}
			var list page[map[string]any]
			a.do("GET", tc.path+"?limit=1000", nil).ok(t, http.StatusOK, &list)
			found := false
			for _, x := range list.Data {
				found = found || x["id"] == created["id"]
			}
			if !found || list.NextCursor != nil {
				t.Errorf("list %v does not hold %d (next %v)", list.Data, id, list.NextCursor)
			}
			if tc.update != nil {
				upd := a.do("PUT", item, tc.update).ok(t, http.StatusOK, nil).obj(t)
				subset(t, "update", upd, tc.wantUpd)
				if upd["created_at"] != created["created_at"] {
					t.Errorf("created_at changed on update")
				}
				subset(t, "GET after update", a.do("GET", item, nil).ok(t, http.StatusOK, nil).obj(t), tc.wantUpd)
			} else {
				a.do("PUT", item, tc.create).fails(t, http.StatusNotFound, "not_found", "")
			}
			a.do("DELETE", item, nil).ok(t, http.StatusNoContent, nil)
			a.do("GET", item, nil).fails(t, http.StatusNotFound, "not_found", "")
			a.do("DELETE", item, nil).fails(t, http.StatusNotFound, "not_found", "")
		})
	}
}

func TestLinePasswordIsWriteOnly(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	body := m{"name": "l", "gateway": "127.0.0.1:5060", "caller_numbers": []string{"1"}, "concurrency": 1, "password": "hunter2"}
	r := a.do("POST", "/api/v1/lines", body)
	id := r.id(t)
	check := func(r *reply, want bool) {
		t.Helper()
		if strings.Contains(string(r.body), "hunter2") || strings.Contains(string(r.body), `"password"`) {
			t.Fatalf("a line answer shows its password: %s", r.body)
		}
		if r.obj(t)["has_password"] != want {
			t.Fatalf("has_password = %v, want %v", r.obj(t)["has_password"], want)
		}
	}
	check(r, true)
	check(a.do("GET", path("/api/v1/lines/%d", id), nil), true)
	var list page[map[string]any]
	lr := a.do("GET", "/api/v1/lines", nil).ok(t, http.StatusOK, &list)
	if strings.Contains(string(lr.body), "hunter2") {
		t.Fatal("the line list shows a password")
	}
	delete(body, "password") // an update without a password keeps it
	check(a.do("PUT", path("/api/v1/lines/%d", id), body).ok(t, http.StatusOK, nil), true)
	if l, _ := e.store.Line(ctx, a.tenant.ID, id); l.Password != "hunter2" {
		t.Fatalf("stored password = %q after an update without one", l.Password)
	}
	body["password"] = "correct horse"
	a.do("PUT", path("/api/v1/lines/%d", id), body).ok(t, http.StatusOK, nil)
	if l, _ := e.store.Line(ctx, a.tenant.ID, id); l.Password != "correct horse" {
		t.Fatalf("stored password = %q, want the new one", l.Password)
	}
	body = m{"name": "nopw", "gateway": "127.0.0.1:5060", "caller_numbers": []string{"1"}, "concurrency": 1}
	check(a.do("POST", "/api/v1/lines", body).ok(t, http.StatusCreated, nil), false)
}

func TestTenant(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	e.newTenant("globex")
	got := a.do("GET", "/api/v1/tenant", nil).ok(t, http.StatusOK, nil).obj(t)
	subset(t, "tenant", got, m{"id": a.tenant.ID, "name": "acme", "cap_per_hour": 1, "cap_per_day": 3})
	upd := a.do("PUT", "/api/v1/tenant", m{"name": "acme inc", "cap_per_hour": 2, "cap_per_day": 0}).ok(t, http.StatusOK, nil).obj(t)
	subset(t, "updated tenant", upd, m{"name": "acme inc", "cap_per_hour": 2, "cap_per_day": 0})
	a.do("PUT", "/api/v1/tenant", m{"name": "globex"}).fails(t, http.StatusConflict, "conflict", "")
	a.do("PUT", "/api/v1/tenant", m{"name": "x", "cap_per_day": -1}).fails(t, http.StatusBadRequest, "invalid", "cap_per_day")
	if cur, _ := e.store.Tenant(ctx, a.tenant.ID); cur.Name != "acme inc" || cur.CapPerHour != 2 {
		t.Fatalf("tenant after refused updates = %+v", cur)
	}
}

func TestConflicts(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	w := a.world(t)
	a.do("DELETE", path("/api/v1/lines/%d", w.line), nil).fails(t, http.StatusConflict, "conflict", "")
	a.do("DELETE", path("/api/v1/script-groups/%d", w.group), nil).fails(t, http.StatusConflict, "conflict", "")
	var projects page[projectOut]
	a.do("GET", "/api/v1/projects", nil).ok(t, http.StatusOK, &projects)
	if len(projects.Data) != 1 || !projects.Data[0].IsDefault {
		t.Fatalf("projects = %+v, want the default one", projects.Data)
	}
	a.do("DELETE", path("/api/v1/projects/%d", projects.Data[0].ID), nil).fails(t, http.StatusConflict, "conflict", "")
	a.do("POST", path("/api/v1/tasks/%d/start", w.task), nil).ok(t, http.StatusOK, nil)
	a.do("DELETE", path("/api/v1/tasks/%d", w.task), nil).fails(t, http.StatusConflict, "conflict", "")
}
