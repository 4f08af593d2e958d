package telrobot_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/app/apptest"
)

// env is a running outdial whose tenant has everything a telrobot task names: a line to
// the carrier simulator (apptest's), a script group, forbidden time groups, a recall rule
// and agent groups (one usable, one disabled, one without a line).
type env struct {
	*apptest.Env
	t          *testing.T
	timeGroup  *outdial.TimeGroup
	recall     *outdial.RecallRule
	agents     *outdial.AgentGroup // status 1 with a line: usable
	agentsOff  *outdial.AgentGroup // status 0
	agentsNone *outdial.AgentGroup // status 1 without a line
}

// m is a JSON object.
type m = map[string]any

func newEnv(t *testing.T, o apptest.Options) *env {
	t.Helper()
	e := &env{Env: apptest.Start(t, o), t: t}
	e.timeGroup, e.recall, e.agents, e.agentsOff, e.agentsNone = e.fixtures(e.Tenant.ID, e.Line.ID)
	return e
}

// fixtures gives a tenant a time group, a recall rule and three agent groups on line.
func (e *env) fixtures(tenantID, lineID int64) (*outdial.TimeGroup, *outdial.RecallRule, *outdial.AgentGroup,
	*outdial.AgentGroup, *outdial.AgentGroup) {
	e.t.Helper()
	ctx, s := context.Background(), e.Server.Store
	tg := &outdial.TimeGroup{TenantID: tenantID, Name: "午休时间", Ranges: []outdial.ForbiddenRange{
		{Start: 12 * 3600, End: 13 * 3600, Weekdays: 0}}} // on no day: never in the way of a test
	rule := &outdial.RecallRule{TenantID: tenantID, Name: "默认", Remark: "默认", Enabled: true,
		Results: []outdial.Result{outdial.ResultBusy}, Intervals: []int{3600}, MaxAttempts: 2, IsDefault: true}
	on := &outdial.AgentGroup{TenantID: tenantID, Name: "组2", LineID: lineID, Status: 1,
		Agents: []outdial.Agent{{Name: "Li", Extension: "8001"}}}
	off := &outdial.AgentGroup{TenantID: tenantID, Name: "停用组", LineID: lineID, Status: 0}
	none := &outdial.AgentGroup{TenantID: tenantID, Name: "无线路组", Status: 1}
	for _, err := range []error{s.CreateTimeGroup(ctx, tg), s.CreateRecallRule(ctx, rule), s.CreateAgentGroup(ctx, on),
		s.CreateAgentGroup(ctx, off), s.CreateAgentGroup(ctx, none)} {
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return tg, rule, on, off, none
}

// taskBody is a valid create body on the tenant's line, with overrides applied (a nil
// value deletes the key).
func (e *env) taskBody(over m) m {
	b := m{"caller_line_id": e.Line.UUID, "customer_service_id": e.agents.ID, "destination_extension": e.Scripts.ID,
		"disable_dial_timegroup": e.timeGroup.UUID, "maximumcall": 2, "name": "测试任务", "random_assignment_number": 0,
		"recycle_limit": 0, "remark": "第一个任务", "_originate_timeout": 60, "call_pause_second": 10,
		"auto_recycle_rule_id": e.recall.ID}
	for k, v := range over {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// call sends a request with the tenant's token.
func (e *env) call(method, path string, body any) (int, []byte) {
	e.t.Helper()
	return e.callAs(e.Token, method, path, body)
}

// callAs sends a request with a token.
func (e *env) callAs(token, method, path string, body any) (int, []byte) {
	e.t.Helper()
	return e.Do(method, path, body, map[string]string{"Authorization": "Bearer " + token})
}

// ok calls and checks the status is 200, returning the decoded object.
func (e *env) ok(method, path string, body any) m {
	e.t.Helper()
	code, out := e.call(method, path, body)
	if code != 200 {
		e.t.Fatalf("%s %s: %d %s", method, path, code, out)
	}
	return object(e.t, out)
}

// createTask creates a task and returns its uuid.
func (e *env) createTask(over m) string {
	e.t.Helper()
	return e.ok("POST", "/v1/task", e.taskBody(over))["uuid"].(string)
}

func object(t *testing.T, b []byte) m {
	t.Helper()
	var v m
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, b)
	}
	return v
}
