package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

// Opener opens an empty store whose clock is clk.
type Opener func(t *testing.T, clk outdial.Clock) outdial.Store

// Start is the virtual time every conformance test begins at.
var Start = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) // a Monday, 09:00 in Shanghai

// Run runs the whole conformance suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s outdial.Store, clk *clock.Virtual)
	}{
		{"Tenants", testTenants},
		{"Lines", testLines},
		{"Rules", testRules},
		{"AgentsAndScripts", testAgentsAndScripts},
		{"Tasks", testTasks},
		{"Isolation", testIsolation},
		{"Contacts", testContacts},
		{"DueOrder", testDueOrder},
		{"StartLimits", testStartLimits},
		{"Pacing", testPacing},
		{"Caps", testCaps},
		{"FinishAndRecall", testFinishAndRecall},
		{"PruneOutbox", testPruneOutbox},
		{"BatchNamed", testBatchNamed},
		{"ReleaseLease", testReleaseLease},
		{"FinishTask", testFinishTask},
		{"DeleteLineUnderCall", testDeleteLineUnderCall},
		{"Calls", testCalls},
		{"Blocklist", testBlocklist},
		{"ExternalIDKept", testExternalIDKept},
		{"ReleaseClaims", testReleaseClaims},
		{"Subscriptions", testSubscriptions},
		{"OutboxClaim", testOutboxClaim},
		{"DeliveryLog", testDeliveryLog},
		{"OutboxLists", testOutboxLists},
		{"RecordMany", testRecordMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewVirtual(Start)
			tt.fn(t, open(t, clk), clk)
		})
	}
}

var ctx = context.Background()

// world is one tenant with everything a task needs.
type world struct {
	tenant *outdial.Tenant
	line   *outdial.Line
	group  *outdial.ScriptGroup
	task   *outdial.Task
	batch  *outdial.Batch
}

func newWorld(t *testing.T, s outdial.Store, name string) *world {
	t.Helper()
	w := &world{tenant: &outdial.Tenant{Name: name, CapPerHour: 0, CapPerDay: 0}}
	must(t, s.CreateTenant(ctx, w.tenant))
	w.line = &outdial.Line{TenantID: w.tenant.ID, Name: "trunk", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02151234567"},
		Concurrency: 10, Username: "u", Password: "secret"}
	must(t, s.CreateLine(ctx, w.line))
	w.group = &outdial.ScriptGroup{TenantID: w.tenant.ID, Name: "script"}
	must(t, s.CreateScriptGroup(ctx, w.group))
	w.task = &outdial.Task{TenantID: w.tenant.ID, Name: "task", LineID: w.line.ID, ScriptGroupID: w.group.ID, MaxConcurrency: 5}
	must(t, s.CreateTask(ctx, w.task))
	w.batch = &outdial.Batch{TenantID: w.tenant.ID, TaskID: w.task.ID, Name: "batch"}
	must(t, s.CreateBatch(ctx, w.batch))
	return w
}

// addContacts adds contacts with the given phones to the world's batch.
func (w *world) addContacts(t *testing.T, s outdial.Store, phones ...string) []*outdial.Contact {
	t.Helper()
	cs := make([]*outdial.Contact, len(phones))
	for i, p := range phones {
		cs[i] = &outdial.Contact{TenantID: w.tenant.ID, TaskID: w.task.ID, BatchID: w.batch.ID, Phone: p, Name: "n" + p,
			Variables: map[string]string{"k": p}}
	}
	added, err := s.AddContacts(ctx, cs)
	must(t, err)
	for i, a := range added {
		if !a {
			t.Fatalf("contact %s was not added", phones[i])
		}
	}
	return cs
}

// attempt builds an AttemptStart for contact c at time at.
func (w *world) attempt(c *outdial.Contact, id int64, at time.Time) outdial.AttemptStart {
	return outdial.AttemptStart{
		Call: &outdial.Call{ID: id, TenantID: w.tenant.ID, ProjectID: w.task.ProjectID, TaskID: w.task.ID, BatchID: c.BatchID,
			ContactID: c.ID, LineID: w.line.ID, NodeID: "n1", Caller: "02151234567", Called: c.Phone, StartTime: at},
		LineConcurrency: w.line.Concurrency, TaskConcurrency: w.task.MaxConcurrency,
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err carries the outdial error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := outdial.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
