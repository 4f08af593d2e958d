package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/app"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

// TestKillDuringTask kills a real outdial process with SIGKILL in the middle of a running
// task (simulated carrier), starts it again, and checks that the task finishes with every
// started call accounted for: the calls the crash cut are interrupted and recalled, no
// contact is dialled twice for one attempt, and no finished call is lost.
func TestKillDuringTask(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "outdial.db")
	env := map[string]string{"OUTDIAL_DB": db, "OUTDIAL_DATA": filepath.Join(dir, "data"), "OUTDIAL_HTTP": freeAddr(t),
		"OUTDIAL_TELEPHONY": "sim", "OUTDIAL_SIM_SPEEDUP": "8", "OUTDIAL_LOG_LEVEL": "warn"}
	ctx := context.Background()
	s, err := app.OpenStore(ctx, db, outdial.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tenant, task := seedCrashTask(t, s, 300)

	first := startProcess(t, env, "serve")
	progress := func() outdial.Progress {
		p, err := s.TaskProgress(ctx, tenant, task)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	first.waitFor(60*time.Second, "100 finished calls and live ones", func() bool { p := progress(); return p.Calls >= 100 && p.Live > 0 })
	first.kill()
	cut, err := s.LiveAttempts(ctx, "0")
	if err != nil {
		t.Fatal(err)
	}
	before := progress()
	if len(cut) == 0 || int64(len(cut)) != before.Live {
		t.Fatalf("after the kill: %d calls without outcome, progress %+v", len(cut), before)
	}

	second := startProcess(t, env, "serve")
	second.waitFor(90*time.Second, "the task to finish", func() bool {
		got, err := s.Task(ctx, tenant, task)
		return err == nil && got.Status == outdial.TaskFinished
	})
	second.stop()

	after := progress()
	calls := allCalls(t, s, tenant)
	if after.Pending != 0 || after.Live != 0 || after.Answered+after.Failed != 300 || int64(len(calls)) != after.Calls {
		t.Fatalf("final progress %+v with %d CDRs", after, len(calls))
	}
	interrupted := 0
	byContact := map[int64][]*outdial.Call{}
	for _, c := range calls {
		if c.Status != outdial.CallEnded {
			t.Errorf("call %d still %s", c.ID, c.Status)
		}
		if c.Result == outdial.ResultInterrupted {
			interrupted++
		}
		byContact[c.ContactID] = append(byContact[c.ContactID], c)
	}
	if interrupted != len(cut) {
		t.Errorf("%d interrupted CDRs, want the %d calls the kill cut", interrupted, len(cut))
	}
	attempts := 0
	for id, cs := range byContact {
		c, err := s.Contact(ctx, tenant, id)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		for _, call := range cs {
			if seen[call.Attempt] {
				t.Errorf("contact %d dialled twice for attempt %d", id, call.Attempt)
			}
			seen[call.Attempt] = true
		}
		if c.Attempts != len(cs) || c.Status != outdial.ContactFinished {
			t.Errorf("contact %d: %d attempts, %d CDRs, status %s", id, c.Attempts, len(cs), c.Status)
		}
		attempts += c.Attempts
	}
	if attempts != len(calls) || len(byContact) != 300 {
		t.Errorf("%d attempts over %d contacts, %d CDRs", attempts, len(byContact), len(calls))
	}
	t.Logf("kill cut %d calls after %d finished; %d calls in all", len(cut), before.Calls, len(calls))
}

// seedCrashTask creates a running task of n contacts whose recall rule redials
// interrupted, busy and unanswered calls after a second.
func seedCrashTask(t *testing.T, s *sqlstore.Store, n int) (tenantID, taskID int64) {
	ctx := context.Background()
	tenant := &outdial.Tenant{Name: "crash"}
	mustNil(t, s.CreateTenant(ctx, tenant))
	line := &outdial.Line{TenantID: tenant.ID, Name: "sim", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02100000000"}, Concurrency: 40}
	mustNil(t, s.CreateLine(ctx, line))
	g := &outdial.ScriptGroup{TenantID: tenant.ID, Name: "g"}
	mustNil(t, s.CreateScriptGroup(ctx, g))
	rr := &outdial.RecallRule{TenantID: tenant.ID, Name: "r", Enabled: true, MaxAttempts: 3, Intervals: []int{1},
		Results: []outdial.Result{outdial.ResultInterrupted, outdial.ResultBusy, outdial.ResultNoAnswer}}
	mustNil(t, s.CreateRecallRule(ctx, rr))
	task := &outdial.Task{TenantID: tenant.ID, Name: "t", LineID: line.ID, ScriptGroupID: g.ID, RecallRuleID: rr.ID,
		MaxConcurrency: 30, RingTimeoutSeconds: 20}
	mustNil(t, s.CreateTask(ctx, task))
	b := &outdial.Batch{TenantID: tenant.ID, TaskID: task.ID, Name: "b"}
	mustNil(t, s.CreateBatch(ctx, b))
	var cs []*outdial.Contact
	for i := 0; i < n; i++ {
		cs = append(cs, &outdial.Contact{TenantID: tenant.ID, TaskID: task.ID, BatchID: b.ID, Phone: fmt.Sprintf("138%08d", i)})
	}
	_, err := s.AddContacts(ctx, cs)
	mustNil(t, err)
	_, err = s.SetTaskStatus(ctx, tenant.ID, task.ID, outdial.TaskRunning)
	mustNil(t, err)
	return tenant.ID, task.ID
}

// allCalls returns every CDR of the tenant, live ones included.
func allCalls(t *testing.T, s *sqlstore.Store, tenant int64) []*outdial.Call {
	var out []*outdial.Call
	var after int64
	for {
		page, err := s.Calls(context.Background(), outdial.CallFilter{TenantID: tenant, IncludeLive: true, After: after, Limit: 1000})
		mustNil(t, err)
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].ID
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
