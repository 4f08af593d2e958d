package storetest

import (
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

func testTenants(t *testing.T, s outdial.Store, _ *clock.Virtual) {
	a := &outdial.Tenant{Name: "acme", CapPerHour: 1, CapPerDay: 3}
	must(t, s.CreateTenant(ctx, a))
	wantCode(t, s.CreateTenant(ctx, &outdial.Tenant{Name: "acme"}), outdial.ECONFLICT)
	wantCode(t, s.CreateTenant(ctx, &outdial.Tenant{Name: ""}), outdial.EINVALID)
	got, err := s.TenantByName(ctx, "acme")
	must(t, err)
	if got.ID != a.ID || got.CapPerDay != 3 || got.CapPerHour != 1 {
		t.Fatalf("tenant = %+v", got)
	}
	p, err := s.DefaultProject(ctx, a.ID)
	must(t, err)
	if !p.IsDefault {
		t.Fatal("default project is not marked default")
	}
	wantCode(t, s.DeleteProject(ctx, a.ID, p.ID), outdial.ECONFLICT)
	must(t, s.AddToken(ctx, a.ID, "hash-1"))
	if got, err := s.TenantByToken(ctx, "hash-1"); err != nil || got.ID != a.ID {
		t.Fatalf("TenantByToken = %v, %v", got, err)
	}
	_, err = s.TenantByToken(ctx, "hash-2")
	wantCode(t, err, outdial.EUNAUTHORIZED)
	a.CapPerDay = 5
	must(t, s.UpdateTenant(ctx, a))
	got, _ = s.Tenant(ctx, a.ID)
	if got.CapPerDay != 5 {
		t.Fatalf("cap_per_day = %d after update", got.CapPerDay)
	}
	_, err = s.Tenant(ctx, a.ID+100)
	wantCode(t, err, outdial.ENOTFOUND)

	q := &outdial.Project{TenantID: a.ID, Name: "second"}
	must(t, s.CreateProject(ctx, q))
	ps, err := s.Projects(ctx, a.ID, outdial.Page{})
	must(t, err)
	if len(ps) != 2 {
		t.Fatalf("%d projects, want 2", len(ps))
	}
	must(t, s.DeleteProject(ctx, a.ID, q.ID))
}

func testLines(t *testing.T, s outdial.Store, _ *clock.Virtual) {
	w := newWorld(t, s, "acme")
	l, err := s.Line(ctx, w.tenant.ID, w.line.ID)
	must(t, err)
	if l.Password != "secret" || l.UUID == "" || l.Transport != "udp" || len(l.CallerNumbers) != 1 {
		t.Fatalf("line = %+v", l)
	}
	byUUID, err := s.LineByUUID(ctx, w.tenant.ID, l.UUID)
	must(t, err)
	if byUUID.ID != l.ID {
		t.Fatal("LineByUUID found another line")
	}
	l.Password = "" // keeps the stored one
	l.Concurrency = 20
	must(t, s.UpdateLine(ctx, l))
	l, _ = s.Line(ctx, w.tenant.ID, w.line.ID)
	if l.Password != "secret" || l.Concurrency != 20 {
		t.Fatalf("after update: password kept=%v concurrency=%d", l.Password == "secret", l.Concurrency)
	}
	l.Gateway = "nohost"
	wantCode(t, s.UpdateLine(ctx, l), outdial.EINVALID)
	wantCode(t, s.DeleteLine(ctx, w.tenant.ID, w.line.ID), outdial.ECONFLICT) // the task uses it
	live, reserved, err := s.LineUsage(ctx, w.tenant.ID, w.line.ID)
	must(t, err)
	if live != 0 || reserved != 0 {
		t.Fatalf("usage = %d, %d before any task runs", live, reserved)
	}
	_, err = s.SetTaskStatus(ctx, w.tenant.ID, w.task.ID, outdial.TaskRunning)
	must(t, err)
	if _, reserved, _ = s.LineUsage(ctx, w.tenant.ID, w.line.ID); reserved != 5 {
		t.Fatalf("reserved = %d with a running task of concurrency 5", reserved)
	}
	all, err := s.AllLines(ctx)
	must(t, err)
	if len(all) != 1 {
		t.Fatalf("AllLines = %d", len(all))
	}
}

func testRules(t *testing.T, s outdial.Store, _ *clock.Virtual) {
	w := newWorld(t, s, "acme")
	g := &outdial.TimeGroup{TenantID: w.tenant.ID, Name: "lunch", Ranges: []outdial.ForbiddenRange{
		{Weekdays: outdial.Weekdays(1, 2, 3, 4, 5), Start: 12 * 3600, End: 13*3600 + 30*60}}}
	must(t, s.CreateTimeGroup(ctx, g))
	got, err := s.TimeGroupByUUID(ctx, w.tenant.ID, g.UUID)
	must(t, err)
	if len(got.Ranges) != 1 || got.Ranges[0] != g.Ranges[0] {
		t.Fatalf("ranges = %+v", got.Ranges)
	}
	g.Name = "lunch break"
	must(t, s.UpdateTimeGroup(ctx, g))
	r := &outdial.RecallRule{TenantID: w.tenant.ID, Name: "twice", Enabled: true, MaxAttempts: 3, Intervals: []int{60, 600},
		Results: []outdial.Result{outdial.ResultBusy, outdial.ResultNoAnswer}}
	must(t, s.CreateRecallRule(ctx, r))
	gotR, err := s.RecallRule(ctx, w.tenant.ID, r.ID)
	must(t, err)
	if len(gotR.Results) != 2 || gotR.Intervals[1] != 600 || !gotR.Enabled {
		t.Fatalf("recall rule = %+v", gotR)
	}
	w.task.TimeGroupID, w.task.RecallRuleID = g.ID, r.ID
	must(t, s.UpdateTask(ctx, w.task))
	wantCode(t, s.DeleteTimeGroup(ctx, w.tenant.ID, g.ID), outdial.ECONFLICT)
	wantCode(t, s.DeleteRecallRule(ctx, w.tenant.ID, r.ID), outdial.ECONFLICT)
	w.task.TimeGroupID, w.task.RecallRuleID = 0, 0
	must(t, s.UpdateTask(ctx, w.task))
	must(t, s.DeleteTimeGroup(ctx, w.tenant.ID, g.ID))
	must(t, s.DeleteRecallRule(ctx, w.tenant.ID, r.ID))
	rules, _ := s.RecallRules(ctx, w.tenant.ID, outdial.Page{})
	groups, _ := s.TimeGroups(ctx, w.tenant.ID, outdial.Page{})
	if len(rules) != 0 || len(groups) != 0 {
		t.Fatalf("left after delete: %d rules, %d groups", len(rules), len(groups))
	}
}

func testAgentsAndScripts(t *testing.T, s outdial.Store, _ *clock.Virtual) {
	w := newWorld(t, s, "acme")
	ag := &outdial.AgentGroup{TenantID: w.tenant.ID, Name: "sales", LineID: w.line.ID, Status: 1,
		Agents: []outdial.Agent{{Name: "Li", Extension: "sip:1001@127.0.0.1"}}}
	must(t, s.CreateAgentGroup(ctx, ag))
	got, err := s.AgentGroup(ctx, w.tenant.ID, ag.ID)
	must(t, err)
	if !got.Usable() || len(got.Agents) != 1 || got.Agents[0].Extension != "sip:1001@127.0.0.1" {
		t.Fatalf("agent group = %+v", got)
	}
	bad := &outdial.AgentGroup{TenantID: w.tenant.ID, Name: "x", LineID: w.line.ID + 99, Status: 1}
	wantCode(t, s.CreateAgentGroup(ctx, bad), outdial.EINVALID)

	sc := &outdial.Script{TenantID: w.tenant.ID, GroupID: w.group.ID, Name: "main", Prompts: []outdial.Prompt{
		{Text: "您好"}, {Audio: "menu.wav", WaitKeys: true, MaxKeys: 1, TimeoutSecs: 5}}}
	must(t, s.CreateScript(ctx, sc))
	scripts, err := s.Scripts(ctx, w.tenant.ID, w.group.ID, outdial.Page{})
	must(t, err)
	if len(scripts) != 1 || len(scripts[0].Prompts) != 2 || !scripts[0].Prompts[1].WaitKeys {
		t.Fatalf("scripts = %+v", scripts)
	}
	wantCode(t, s.CreateScript(ctx, &outdial.Script{TenantID: w.tenant.ID, GroupID: w.group.ID, Name: "x",
		Prompts: []outdial.Prompt{{Audio: "../etc/passwd"}}}), outdial.EINVALID)
	wantCode(t, s.DeleteScriptGroup(ctx, w.tenant.ID, w.group.ID), outdial.ECONFLICT)
}

func testTasks(t *testing.T, s outdial.Store, _ *clock.Virtual) {
	w := newWorld(t, s, "acme")
	other := newWorld(t, s, "other")
	task := &outdial.Task{TenantID: w.tenant.ID, Name: "t2", LineID: other.line.ID, ScriptGroupID: w.group.ID}
	err := s.CreateTask(ctx, task)
	wantCode(t, err, outdial.EINVALID)
	if outdial.ErrorField(err) != "line_id" {
		t.Fatalf("field = %q, want line_id", outdial.ErrorField(err))
	}
	got, err := s.TaskByUUID(ctx, w.tenant.ID, w.task.UUID)
	must(t, err)
	if got.Status != outdial.TaskStopped || got.TimeZone != outdial.DefaultTimeZone || got.RingTimeoutSeconds != 60 ||
		got.Window != (outdial.DailyWindow{Start: 0, End: outdial.EndOfDay}) || got.ProjectID == 0 {
		t.Fatalf("task defaults = %+v", got)
	}
	moved, err := s.SetTaskStatus(ctx, w.tenant.ID, w.task.ID, outdial.TaskRunning, outdial.TaskStopped)
	must(t, err)
	if !moved {
		t.Fatal("stopped task did not start")
	}
	moved, _ = s.SetTaskStatus(ctx, w.tenant.ID, w.task.ID, outdial.TaskRunning, outdial.TaskStopped)
	if moved {
		t.Fatal("a running task moved from stopped")
	}
	running, err := s.RunningTasks(ctx)
	must(t, err)
	if len(running) != 1 || running[0].ID != w.task.ID {
		t.Fatalf("running = %v", running)
	}
	wantCode(t, s.DeleteTask(ctx, w.tenant.ID, w.task.ID), outdial.ECONFLICT)
	n, err := s.CountTasks(ctx, w.tenant.ID, outdial.TaskFilter{Status: outdial.TaskRunning})
	must(t, err)
	if n != 1 {
		t.Fatalf("CountTasks(running) = %d", n)
	}
	s.SetTaskStatus(ctx, w.tenant.ID, w.task.ID, outdial.TaskStopped)
	w.addContacts(t, s, "13800000001")
	must(t, s.DeleteTask(ctx, w.tenant.ID, w.task.ID))
	_, err = s.Batch(ctx, w.tenant.ID, w.batch.ID)
	wantCode(t, err, outdial.ENOTFOUND)
}

// testIsolation checks that every read, update and delete by id answers "not found"
// across tenants.
func testIsolation(t *testing.T, s outdial.Store, _ *clock.Virtual) {
	a := newWorld(t, s, "a")
	b := newWorld(t, s, "b")
	c := a.addContacts(t, s, "13800000001")[0]
	tg := &outdial.TimeGroup{TenantID: a.tenant.ID, Name: "g"}
	must(t, s.CreateTimeGroup(ctx, tg))
	rr := &outdial.RecallRule{TenantID: a.tenant.ID, Name: "r", MaxAttempts: 1}
	must(t, s.CreateRecallRule(ctx, rr))
	ag := &outdial.AgentGroup{TenantID: a.tenant.ID, Name: "g", Status: 1}
	must(t, s.CreateAgentGroup(ctx, ag))
	sc := &outdial.Script{TenantID: a.tenant.ID, GroupID: a.group.ID, Name: "s", Prompts: []outdial.Prompt{{Text: "hi"}}}
	must(t, s.CreateScript(ctx, sc))
	p, _ := s.DefaultProject(ctx, a.tenant.ID)
	bt := b.tenant.ID
	checks := map[string]error{}
	_, checks["project"] = s.Project(ctx, bt, p.ID)
	_, checks["line"] = s.Line(ctx, bt, a.line.ID)
	_, checks["line uuid"] = s.LineByUUID(ctx, bt, a.line.UUID)
	_, checks["task"] = s.Task(ctx, bt, a.task.ID)
	_, checks["task uuid"] = s.TaskByUUID(ctx, bt, a.task.UUID)
	_, checks["batch"] = s.Batch(ctx, bt, a.batch.ID)
	_, checks["contact"] = s.Contact(ctx, bt, c.ID)
	_, checks["time group"] = s.TimeGroup(ctx, bt, tg.ID)
	_, checks["recall rule"] = s.RecallRule(ctx, bt, rr.ID)
	_, checks["agent group"] = s.AgentGroup(ctx, bt, ag.ID)
	_, checks["script group"] = s.ScriptGroup(ctx, bt, a.group.ID)
	_, checks["script"] = s.Script(ctx, bt, sc.ID)
	_, checks["progress"] = s.TaskProgress(ctx, bt, a.task.ID)
	_, _, checks["line usage"] = s.LineUsage(ctx, bt, a.line.ID)
	_, checks["set status"] = s.SetTaskStatus(ctx, bt, a.task.ID, outdial.TaskRunning)
	checks["update line"] = s.UpdateLine(ctx, &outdial.Line{ID: a.line.ID, TenantID: bt, Name: "x", Gateway: "1.2.3.4:5060",
		CallerNumbers: []string{"1"}, Concurrency: 1})
	checks["update task"] = s.UpdateTask(ctx, &outdial.Task{ID: a.task.ID, TenantID: bt, Name: "x", LineID: b.line.ID, ScriptGroupID: b.group.ID})
	checks["update time group"] = s.UpdateTimeGroup(ctx, &outdial.TimeGroup{ID: tg.ID, TenantID: bt, Name: "x"})
	checks["update recall rule"] = s.UpdateRecallRule(ctx, &outdial.RecallRule{ID: rr.ID, TenantID: bt, Name: "x", MaxAttempts: 1})
	checks["update agent group"] = s.UpdateAgentGroup(ctx, &outdial.AgentGroup{ID: ag.ID, TenantID: bt, Name: "x"})
	checks["update script group"] = s.UpdateScriptGroup(ctx, &outdial.ScriptGroup{ID: a.group.ID, TenantID: bt, Name: "x"})
	checks["update script"] = s.UpdateScript(ctx, &outdial.Script{ID: sc.ID, TenantID: bt, GroupID: b.group.ID, Name: "x",
		Prompts: []outdial.Prompt{{Text: "x"}}})
	checks["update project"] = s.UpdateProject(ctx, &outdial.Project{ID: p.ID, TenantID: bt, Name: "x"})
	checks["delete contact"] = s.DeleteContact(ctx, bt, c.ID)
	checks["delete batch"] = s.DeleteBatch(ctx, bt, a.batch.ID)
	checks["delete task"] = s.DeleteTask(ctx, bt, a.task.ID)
	checks["delete line"] = s.DeleteLine(ctx, bt, a.line.ID)
	checks["delete time group"] = s.DeleteTimeGroup(ctx, bt, tg.ID)
	checks["delete recall rule"] = s.DeleteRecallRule(ctx, bt, rr.ID)
	checks["delete agent group"] = s.DeleteAgentGroup(ctx, bt, ag.ID)
	checks["delete script"] = s.DeleteScript(ctx, bt, sc.ID)
	checks["delete project"] = s.DeleteProject(ctx, bt, p.ID)
	checks["create batch"] = s.CreateBatch(ctx, &outdial.Batch{TenantID: bt, TaskID: a.task.ID, Name: "x"})
	_, checks["add contacts"] = s.AddContacts(ctx, []*outdial.Contact{{TenantID: bt, TaskID: a.task.ID, BatchID: a.batch.ID, Phone: "13800000009"}})
	for name, err := range checks {
		if outdial.ErrorCode(err) != outdial.ENOTFOUND {
			t.Errorf("%s across tenants: %v, want not found", name, err)
		}
	}
	if list, _ := s.Contacts(ctx, bt, outdial.ContactFilter{TaskID: a.task.ID}); len(list) != 0 {
		t.Errorf("tenant b lists %d of tenant a's contacts", len(list))
	}
	// Everything of tenant a is still there and unchanged.
	if got, err := s.Contact(ctx, a.tenant.ID, c.ID); err != nil || got.Phone != c.Phone {
		t.Errorf("tenant a's contact after b's attempts: %v, %v", got, err)
	}
	if got, _ := s.Line(ctx, a.tenant.ID, a.line.ID); got.Name != "trunk" {
		t.Errorf("tenant a's line renamed to %q", got.Name)
	}
}
