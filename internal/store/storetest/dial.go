package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

func testContacts(t *testing.T, s outdial.Store, _ *clock.Virtual) {
	w := newWorld(t, s, "acme")
	mk := func(phones ...string) []*outdial.Contact {
		cs := make([]*outdial.Contact, len(phones))
		for i, p := range phones {
			cs[i] = &outdial.Contact{TenantID: w.tenant.ID, TaskID: w.task.ID, BatchID: w.batch.ID, Phone: p, State: "s" + p}
		}
		return cs
	}
	added, err := s.AddContacts(ctx, mk("13800000001", "13800000002", "13800000001"))
	must(t, err)
	if !added[0] || !added[1] || added[2] {
		t.Fatalf("added = %v, want the repeat within one call skipped", added)
	}
	added, err = s.AddContacts(ctx, mk("13800000002", "13800000003"))
	must(t, err)
	if added[0] || !added[1] {
		t.Fatalf("added = %v, want the number already in the batch skipped", added)
	}
	// Another batch of the same task may hold the same number.
	b2 := &outdial.Batch{TenantID: w.tenant.ID, TaskID: w.task.ID, Name: "b2"}
	must(t, s.CreateBatch(ctx, b2))
	cs := mk("13800000001")
	cs[0].BatchID = b2.ID
	if added, _ = s.AddContacts(ctx, cs); !added[0] {
		t.Fatal("a number in another batch was taken as a duplicate")
	}
	p, err := s.TaskProgress(ctx, w.tenant.ID, w.task.ID)
	must(t, err)
	if p.Total != 4 || p.Pending != 4 || p.Percent != 0 {
		t.Fatalf("progress = %+v, want 4 total and pending", p)
	}
	b, _ := s.Batch(ctx, w.tenant.ID, w.batch.ID)
	if b.Size != 3 {
		t.Fatalf("batch size = %d, want 3", b.Size)
	}
	list, err := s.Contacts(ctx, w.tenant.ID, outdial.ContactFilter{BatchID: w.batch.ID, Page: outdial.Page{Limit: 2}})
	must(t, err)
	if len(list) != 2 || list[0].State != "s13800000001" || list[0].Status != outdial.ContactPending {
		t.Fatalf("contacts page = %+v", list)
	}
	next, err := s.Contacts(ctx, w.tenant.ID, outdial.ContactFilter{BatchID: w.batch.ID, Page: outdial.Page{After: list[1].ID}})
	must(t, err)
	if len(next) != 1 || next[0].Phone != "13800000003" {
		t.Fatalf("second page = %+v", next)
	}
	must(t, s.DeleteContact(ctx, w.tenant.ID, next[0].ID))
	must(t, s.DeleteBatch(ctx, w.tenant.ID, b2.ID))
	p, _ = s.TaskProgress(ctx, w.tenant.ID, w.task.ID)
	if p.Total != 2 || p.Pending != 2 {
		t.Fatalf("progress after deletes = %+v, want 2", p)
	}
	if _, err := s.AddContacts(ctx, []*outdial.Contact{{TenantID: w.tenant.ID, TaskID: w.task.ID, BatchID: b2.ID, Phone: "1"}}); outdial.ErrorCode(err) != outdial.ENOTFOUND {
		t.Fatalf("adding to a deleted batch: %v", err)
	}
}

func testDueOrder(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	now := clk.Now()
	cs := []*outdial.Contact{
		{Phone: "13800000001", NextAttemptAt: now.Add(-time.Minute)},
		{Phone: "13800000002", NextAttemptAt: now.Add(-time.Hour)},
		{Phone: "13800000003", NextAttemptAt: now.Add(-time.Minute), Priority: 5},
		{Phone: "13800000004", NextAttemptAt: now.Add(time.Hour)},
		{Phone: "13800000005", NextAttemptAt: now.Add(-time.Minute)},
	}
	for _, c := range cs {
		c.TenantID, c.TaskID, c.BatchID = w.tenant.ID, w.task.ID, w.batch.ID
	}
	_, err := s.AddContacts(ctx, cs)
	must(t, err)
	due, err := s.DueContacts(ctx, w.task.ID, now, 10)
	must(t, err)
	var got []string
	for _, c := range due {
		got = append(got, c.Phone)
	}
	want := []string{"13800000003", "13800000002", "13800000001", "13800000005"}
	if len(got) != len(want) {
		t.Fatalf("due = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("due = %v, want %v (priority, then due time, then import order)", got, want)
		}
	}
	next, ok, err := s.NextDue(ctx, w.task.ID)
	must(t, err)
	if !ok || !next.Equal(now.Add(-time.Hour)) {
		t.Fatalf("NextDue = %v %v", next, ok)
	}
}

func testStartLimits(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	cs := w.addContacts(t, s, "13800000001", "13800000002", "13800000003", "13800000004")
	now := clk.Now()
	ids := outdial.NewCallIDs(1)
	as := make([]outdial.AttemptStart, len(cs))
	for i, c := range cs {
		as[i] = w.attempt(c, ids.Next(now), now)
		as[i].LineConcurrency, as[i].TaskConcurrency = 3, 2
	}
	as[2].TaskConcurrency = 5 // the third finds the line (3) with room, the fourth does not
	refusals, err := s.StartAttempts(ctx, as)
	must(t, err)
	if refusals[0] != nil || refusals[1] != nil || refusals[2] != nil {
		t.Fatalf("refusals = %v %v %v, want the first three started", refusals[0], refusals[1], refusals[2])
	}
	if refusals[3] == nil || refusals[3].Reason != outdial.RefuseLineFull {
		t.Fatalf("4th refusal = %v, want line_full", refusals[3])
	}
	// The same contact again: not pending.
	again := w.attempt(cs[0], ids.Next(now), now)
	r, err := s.StartAttempts(ctx, []outdial.AttemptStart{again})
	must(t, err)
	if r[0] == nil || r[0].Reason != outdial.RefuseLineFull && r[0].Reason != outdial.RefuseNotPending {
		t.Fatalf("restart of a dialing contact = %v", r[0])
	}
	again.LineConcurrency = 100
	r, _ = s.StartAttempts(ctx, []outdial.AttemptStart{again})
	if r[0] == nil || r[0].Reason != outdial.RefuseNotPending {
		t.Fatalf("restart of a dialing contact = %v, want not_pending", r[0])
	}
	// Task full: the task has 3 live calls.
	tf := w.attempt(cs[3], ids.Next(now), now)
	tf.LineConcurrency, tf.TaskConcurrency = 100, 3
	if r, _ = s.StartAttempts(ctx, []outdial.AttemptStart{tf}); r[0] == nil || r[0].Reason != outdial.RefuseTaskFull {
		t.Fatalf("refusal = %v, want task_full", r[0])
	}
	p, _ := s.TaskProgress(ctx, w.tenant.ID, w.task.ID)
	if p.Live != 3 || p.Dialed != 3 {
		t.Fatalf("progress = %+v, want 3 live and dialed", p)
	}
	live, err := s.LiveAttempts(ctx, "n1")
	must(t, err)
	if len(live) != 3 || live[0].Status != outdial.CallStarted || live[0].Attempt != 1 {
		t.Fatalf("live attempts = %d", len(live))
	}
	c, _ := s.Contact(ctx, w.tenant.ID, cs[0].ID)
	if c.Status != outdial.ContactDialing || c.Attempts != 1 || c.LastCallID != as[0].Call.ID {
		t.Fatalf("contact after start = %+v", c)
	}
	if lv, _, _ := s.LineUsage(ctx, w.tenant.ID, w.line.ID); lv != 3 {
		t.Fatalf("line live = %d", lv)
	}
}

func testPacing(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	cs := w.addContacts(t, s, "13800000001", "13800000002", "13800000003")
	now := clk.Now()
	ids := outdial.NewCallIDs(1)
	mk := func(c *outdial.Contact, at time.Time) outdial.AttemptStart {
		a := w.attempt(c, ids.Next(at), at)
		a.CallsPerSecond = 4 // 250 ms apart
		return a
	}
	r, err := s.StartAttempts(ctx, []outdial.AttemptStart{mk(cs[0], now), mk(cs[1], now)})
	must(t, err)
	if r[0] != nil || r[1] == nil || r[1].Reason != outdial.RefusePaced || !r[1].Until.Equal(now.Add(250*time.Millisecond)) {
		t.Fatalf("refusals = %v %v, want the second paced until +250ms", r[0], r[1])
	}
	r, _ = s.StartAttempts(ctx, []outdial.AttemptStart{mk(cs[1], now.Add(249*time.Millisecond))})
	if r[0] == nil || r[0].Reason != outdial.RefusePaced {
		t.Fatalf("at +249ms: %v, want paced", r[0])
	}
	r, _ = s.StartAttempts(ctx, []outdial.AttemptStart{mk(cs[1], now.Add(250*time.Millisecond))})
	if r[0] != nil {
		t.Fatalf("at +250ms: %v, want started", r[0])
	}
	// A paced refusal does not consume a slot: the next one is due at +500ms.
	r, _ = s.StartAttempts(ctx, []outdial.AttemptStart{mk(cs[2], now.Add(400*time.Millisecond))})
	if r[0] == nil || !r[0].Until.Equal(now.Add(500*time.Millisecond)) {
		t.Fatalf("at +400ms: %v, want paced until +500ms", r[0])
	}
}

func testCaps(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	// A second task of the same tenant calls the same number: caps are per tenant.
	t2 := &outdial.Task{TenantID: w.tenant.ID, Name: "t2", LineID: w.line.ID, ScriptGroupID: w.group.ID, MaxConcurrency: 5}
	must(t, s.CreateTask(ctx, t2))
	b2 := &outdial.Batch{TenantID: w.tenant.ID, TaskID: t2.ID, Name: "b2"}
	must(t, s.CreateBatch(ctx, b2))
	c1 := w.addContacts(t, s, "13800000001")[0]
	w2 := &world{tenant: w.tenant, line: w.line, group: w.group, task: t2, batch: b2}
	c2 := w2.addContacts(t, s, "13800000001")[0]
	ids := outdial.NewCallIDs(1)
	now := clk.Now()
	a := w.attempt(c1, ids.Next(now), now)
	a.CapPerHour, a.CapPerDay = 1, 2
	r, err := s.StartAttempts(ctx, []outdial.AttemptStart{a})
	must(t, err)
	if r[0] != nil {
		t.Fatalf("first call capped: %v", r[0])
	}
	at := now.Add(10 * time.Minute)
	b := w2.attempt(c2, ids.Next(at), at)
	b.CapPerHour, b.CapPerDay = 1, 2
	r, _ = s.StartAttempts(ctx, []outdial.AttemptStart{b})
	if r[0] == nil || r[0].Reason != outdial.RefuseCapped || !r[0].Until.Equal(now.Add(time.Hour)) {
		t.Fatalf("second call within the hour from another task = %v, want capped until +1h", r[0])
	}
	at = now.Add(time.Hour)
	b = w2.attempt(c2, ids.Next(at), at)
	b.CapPerHour, b.CapPerDay = 1, 2
	if r, _ = s.StartAttempts(ctx, []outdial.AttemptStart{b}); r[0] != nil {
		t.Fatalf("call one hour later = %v, want started", r[0])
	}
}

// testBatchNamed: finding or creating a task's batch by name gives every concurrent
// caller the same batch, and only one is created.
func testBatchNamed(t *testing.T, s outdial.Store, _ *clock.Virtual) {
	w := newWorld(t, s, "acme")
	other := newWorld(t, s, "other")
	ids := make(chan int64, 8)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := s.BatchNamed(ctx, w.tenant.ID, w.task.ID, "imports")
			if err != nil {
				errs <- err
				return
			}
			ids <- b.ID
		}()
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var first int64
	for id := range ids {
		if first == 0 {
			first = id
		}
		if id != first {
			t.Fatalf("concurrent callers got batches %d and %d", first, id)
		}
	}
	bs, _ := s.Batches(ctx, w.tenant.ID, w.task.ID, outdial.Page{})
	named := 0
	for _, b := range bs {
		if b.Name == "imports" {
			named++
		}
	}
	if named != 1 {
		t.Fatalf("%d batches named imports, want 1", named)
	}
	if _, err := s.BatchNamed(ctx, other.tenant.ID, w.task.ID, "imports"); outdial.ErrorCode(err) != outdial.ENOTFOUND {
		t.Fatalf("another tenant's task: %v, want not found", err)
	}
}
