package app_test

// One tenant must not be able to stop another's dialling: regressions for two ways an
// independent review found (tenant A using only the native API, tenant B's calls stopped).

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/app/apptest"
)

// client is one tenant's view of the native API.
type client struct {
	t    *testing.T
	e    *apptest.Env
	auth map[string]string
}

func newClient(t *testing.T, e *apptest.Env, token string) *client {
	return &client{t: t, e: e, auth: map[string]string{"Authorization": "Bearer " + token}}
}

// call sends a request, checks the status and decodes the answer into out (if set).
func (c *client) call(method, path string, body any, want int, out any) {
	c.t.Helper()
	code, b := c.e.Do(method, path, body, c.auth)
	if code != want {
		c.t.Fatalf("%s %s: %d %s (want %d)", method, path, code, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// create POSTs body and returns the new entity's id.
func (c *client) create(path string, body any) int64 {
	c.t.Helper()
	var v struct{ ID int64 }
	c.call("POST", path, body, 201, &v)
	return v.ID
}

type progress struct {
	Total, Pending, Dialed, Answered, Failed, Calls, Live int64
}

func (c *client) progress(task int64) progress {
	c.t.Helper()
	var p progress
	c.call("GET", "/api/v1/tasks/"+itoa(task)+"/progress", nil, 200, &p)
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// line creates a line to the carrier simulator; extra fields are added to the body.
func (c *client) line(name string, concurrency int, extra map[string]any) int64 {
	c.t.Helper()
	body := map[string]any{"name": name, "gateway": c.e.Carrier.Addr(), "caller_numbers": []string{"02151234567"},
		"concurrency": concurrency}
	for k, v := range extra {
		body[k] = v
	}
	return c.create("/api/v1/lines", body)
}

// scripts creates a script group with one script.
func (c *client) scripts(name string) int64 {
	c.t.Helper()
	group := c.create("/api/v1/script-groups", map[string]any{"name": name})
	c.create("/api/v1/scripts", map[string]any{"group_id": group, "name": "hello", "prompts": []map[string]any{{"text": "hello"}}})
	return group
}

// task creates a task from body and a batch with the phones, and returns the task's id.
func (c *client) task(body map[string]any, phones ...string) int64 {
	c.t.Helper()
	task := c.create("/api/v1/tasks", body)
	batch := c.create("/api/v1/batches", map[string]any{"task_id": task, "name": "batch"})
	var contacts []map[string]string
	for _, p := range phones {
		contacts = append(contacts, map[string]string{"phone": p})
	}
	if len(contacts) > 0 {
		c.call("POST", "/api/v1/batches/"+itoa(batch)+"/contacts", contacts, 200, nil)
	}
	return task
}

func (c *client) start(task int64) {
	c.t.Helper()
	c.call("POST", "/api/v1/tasks/"+itoa(task)+"/start", nil, 200, nil)
}

// tenantB sets up an ordinary tenant with a task of three quick calls (404, 603 and 503
// from the carrier simulator) on its own line of one channel, starts it and checks that
// it finishes within limit, as it does in well under a second on an idle server.
func tenantB(t *testing.T, e *apptest.Env, limit time.Duration) (progress, bool) {
	t.Helper()
	_, tok := e.NewTenant("tenant-b")
	b := newClient(t, e, tok)
	line := b.line("b-line", 1, nil)
	group := b.scripts("b-scripts")
	task := b.task(map[string]any{"name": "b", "line_id": line, "script_group_id": group, "max_concurrency": 1,
		"ring_timeout_seconds": 5}, "13800000013", "13800000018", "13800000016")
	b.start(task)
	deadline := time.Now().Add(limit)
	for {
		p := b.progress(task)
		if p.Total > 0 && p.Pending == 0 {
			return p, true
		}
		if time.Now().After(deadline) {
			return p, false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDeletingALineUnderALiveCall: tenant A moves its running task to another line
// while a call is up on the first, then tries to delete the first line. The store
// refuses (409) while the line has calls up, and accepts once the call has ended; tenant
// B dials throughout. (Deleting the line used to succeed; the call's outcome then could
// not be written, and as the engine wrote every tenant's outcomes in one batch, no
// tenant's call ever ended in the store again.)
func TestDeletingALineUnderALiveCall(t *testing.T) {
	e := apptest.Start(t, apptest.Options{TimeScale: 0.2})

	_, tokA := e.NewTenant("tenant-a")
	a := newClient(t, e, tokA)
	l1 := a.line("a-line-1", 10, nil)
	l2 := a.line("a-line-2", 10, nil)
	groupA := a.scripts("a-scripts")
	taskBody := map[string]any{"name": "a", "line_id": l1, "script_group_id": groupA, "max_concurrency": 1, "ring_timeout_seconds": 2}
	// 13800000012 rings until the ring timeout (2 s): the call stays up meanwhile.
	taskA := a.task(taskBody, "13800000012")
	a.start(taskA)
	deadline := time.Now().Add(5 * time.Second)
	for a.progress(taskA).Live == 0 {
		if time.Now().After(deadline) {
			t.Fatal("tenant A's call never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	taskBody["line_id"] = l2
	a.call("PUT", "/api/v1/tasks/"+itoa(taskA), taskBody, 200, nil)
	code, body := e.Do("DELETE", "/api/v1/lines/"+itoa(l1), nil, a.auth)
	if p := a.progress(taskA); p.Calls != 0 {
		t.Fatalf("precondition: tenant A's call ended before the delete (progress %+v); the test needs a longer ring", p)
	}
	if code != 409 {
		t.Fatalf("DELETE of a line with a call up: %d %s, want 409", code, body)
	}

	if p, ok := tenantB(t, e, 10*time.Second); !ok {
		t.Fatalf("tenant B's task did not finish: %+v (A's progress %+v)", p, a.progress(taskA))
	}
	deadline = time.Now().Add(10 * time.Second)
	for a.progress(taskA).Calls == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("tenant A's call never ended: %+v", a.progress(taskA))
		}
		time.Sleep(50 * time.Millisecond)
	}
	a.call("DELETE", "/api/v1/lines/"+itoa(l1), nil, 204, nil)
}

// TestWindowOpeningInADSTGap: tenant A's task in America/New_York has a daily window
// that opens at 02:30, a time that 10 March 2030 does not have (clocks go from 02:00 to
// 03:00), on a line valid from the evening before, so the engine computes that opening
// at once. Tenant B must still dial. (The rules used to go back to 01:30 EST and loop
// forever in the engine's only goroutine.)
func TestWindowOpeningInADSTGap(t *testing.T) {
	e := apptest.Start(t, apptest.Options{TimeScale: 0.2})

	_, tokA := e.NewTenant("tenant-a")
	a := newClient(t, e, tokA)
	line := a.line("a-line", 10, map[string]any{"valid_from": "2030-03-09T20:00:00Z"})
	group := a.scripts("a-scripts")
	taskA := a.task(map[string]any{"name": "a", "line_id": line, "script_group_id": group, "time_zone": "America/New_York",
		"window": map[string]string{"start": "02:30:00", "end": "09:00:00"}}, "13800000011")
	a.start(taskA)
	time.Sleep(300 * time.Millisecond) // the engine picks the task up

	if p, ok := tenantB(t, e, 10*time.Second); !ok {
		t.Fatalf("tenant B's task did not finish: %+v", p)
	}
	if p := a.progress(taskA); p.Dialed != 0 {
		t.Errorf("tenant A's task dialled before its line is valid: %+v", p)
	}
}
