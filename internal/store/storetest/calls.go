package storetest

import (
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

// startOne starts one attempt for c at at and fails the test if it is refused.
func (w *world) startOne(t *testing.T, s outdial.Store, ids *outdial.CallIDs, c *outdial.Contact, at time.Time) *outdial.Call {
	t.Helper()
	a := w.attempt(c, ids.Next(at), at)
	r, err := s.StartAttempts(ctx, []outdial.AttemptStart{a})
	must(t, err)
	if r[0] != nil {
		t.Fatalf("start refused: %v", r[0])
	}
	return a.Call
}

// end finishes call with result at end, making the contact final or due again at recall.
func (w *world) end(t *testing.T, s outdial.Store, call *outdial.Call, res outdial.Result, end time.Time, recall time.Time) {
	t.Helper()
	o := outdial.Outcome{Result: res, EndTime: end, SIPStatus: 200}
	if res == outdial.ResultAnswered {
		o.AnswerTime, o.HangupBy, o.RingTime = call.StartTime.Add(2*time.Second), outdial.HangupCustomer, call.StartTime.Add(time.Second)
	}
	call.Apply(o)
	u := outdial.ContactUpdate{TenantID: call.TenantID, ContactID: call.ContactID, Status: outdial.ContactFinished, Result: res}
	if !recall.IsZero() {
		u.Status, u.NextAttemptAt = outdial.ContactPending, recall
	}
	must(t, s.FinishAttempts(ctx, []outdial.AttemptEnd{{Call: call, Contact: u, Outbox: []*outdial.OutboxMessage{{
		TenantID: call.TenantID, EventID: "e", EventType: outdial.EventCallEnded, Format: "native", URL: "http://127.0.0.1/x",
		Payload: []byte(`{}`)}}}}))
}

func testFinishAndRecall(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	cs := w.addContacts(t, s, "13800000001", "13800000002")
	ids := outdial.NewCallIDs(1)
	now := clk.Now()
	c1 := w.startOne(t, s, ids, cs[0], now)
	c2 := w.startOne(t, s, ids, cs[1], now)
	w.end(t, s, c1, outdial.ResultAnswered, now.Add(30*time.Second), time.Time{})
	recallAt := now.Add(10 * time.Minute)
	w.end(t, s, c2, outdial.ResultBusy, now.Add(5*time.Second), recallAt)
	// Finishing again changes nothing (an outcome that arrives twice).
	w.end(t, s, c1, outdial.ResultAnswered, now.Add(30*time.Second), time.Time{})

	p, _ := s.TaskProgress(ctx, w.tenant.ID, w.task.ID)
	want := outdial.Progress{Total: 2, Pending: 1, Dialed: 2, Answered: 1, Failed: 0, Calls: 2, Live: 0, Percent: 50}
	if p != want {
		t.Fatalf("progress = %+v, want %+v", p, want)
	}
	got, err := s.Call(ctx, w.tenant.ID, c1.ID)
	must(t, err)
	if got.Status != outdial.CallEnded || got.Result != outdial.ResultAnswered || got.AnsSecs != 28 || got.AllSecs != 30 ||
		got.CallResult != 1 || got.EndResult != 11 || !got.StartTime.Equal(now) || got.Attempt != 1 {
		t.Fatalf("CDR = %+v", got)
	}
	contact, _ := s.Contact(ctx, w.tenant.ID, cs[1].ID)
	if contact.Status != outdial.ContactPending || !contact.NextAttemptAt.Equal(recallAt) || contact.LastResult != outdial.ResultBusy {
		t.Fatalf("recalled contact = %+v", contact)
	}
	if due, _ := s.DueContacts(ctx, w.task.ID, recallAt.Add(-time.Second), 10); len(due) != 0 {
		t.Fatal("a recall is due before its time")
	}
	if due, _ := s.DueContacts(ctx, w.task.ID, recallAt, 10); len(due) != 1 {
		t.Fatal("a recall is not due at its time")
	}
	c3 := w.startOne(t, s, ids, cs[1], recallAt)
	if c3.Attempt != 2 {
		t.Fatalf("second attempt numbered %d", c3.Attempt)
	}
	w.end(t, s, c3, outdial.ResultNoAnswer, recallAt.Add(time.Minute), time.Time{})
	p, _ = s.TaskProgress(ctx, w.tenant.ID, w.task.ID)
	if p.Pending != 0 || p.Failed != 1 || p.Answered != 1 || p.Calls != 3 || p.Dialed != 2 || p.Percent != 100 {
		t.Fatalf("final progress = %+v", p)
	}
	if live, _ := s.LiveAttempts(ctx, "n1"); len(live) != 0 {
		t.Fatalf("%d attempts still live", len(live))
	}
	if lv, _, _ := s.LineUsage(ctx, w.tenant.ID, w.line.ID); lv != 0 {
		t.Fatalf("line live = %d after every call ended", lv)
	}

	// A blocked contact settles without a call.
	c4 := w.addContacts(t, s, "13800000004")[0]
	must(t, s.SettleContact(ctx, outdial.ContactUpdate{TenantID: w.tenant.ID, ContactID: c4.ID, Status: outdial.ContactFinished,
		Result: outdial.ResultRejected}))
	wantCode(t, s.SettleContact(ctx, outdial.ContactUpdate{TenantID: w.tenant.ID, ContactID: c4.ID, Status: outdial.ContactFinished}), outdial.ENOTFOUND)
	p, _ = s.TaskProgress(ctx, w.tenant.ID, w.task.ID)
	if p.Total != 3 || p.Pending != 0 || p.Failed != 2 {
		t.Fatalf("progress after settle = %+v", p)
	}
}

func testCalls(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	other := newWorld(t, s, "other")
	ids := outdial.NewCallIDs(1)
	phones := []string{"13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13800000006"}
	cs := w.addContacts(t, s, phones...)
	start := clk.Now()
	var calls []*outdial.Call
	for i, c := range cs {
		at := start.Add(time.Duration(i) * time.Minute)
		call := w.startOne(t, s, ids, c, at)
		res := outdial.ResultNoAnswer
		if i%2 == 0 {
			res = outdial.ResultAnswered
		}
		w.end(t, s, call, res, at.Add(20*time.Second), time.Time{})
		calls = append(calls, call)
	}
	oc := other.addContacts(t, s, "13800000001")[0]
	other.end(t, s, other.startOne(t, s, ids, oc, start), outdial.ResultAnswered, start.Add(time.Second), time.Time{})

	one := 1
	cases := []struct {
		name string
		f    outdial.CallFilter
		want []int // indexes into calls
	}{
		{"all", outdial.CallFilter{}, []int{0, 1, 2, 3, 4, 5}},
		{"task", outdial.CallFilter{TaskID: w.task.ID}, []int{0, 1, 2, 3, 4, 5}},
		{"other task", outdial.CallFilter{TaskID: other.task.ID}, nil},
		{"called", outdial.CallFilter{Called: "13800000002"}, []int{1}},
		{"callresult 1", outdial.CallFilter{CallResult: &one}, []int{0, 2, 4}},
		{"endresult 12", outdial.CallFilter{EndResult: 12}, []int{1, 3, 5}},
		{"result", outdial.CallFilter{Result: outdial.ResultNoAnswer}, []int{1, 3, 5}},
		{"from", outdial.CallFilter{From: start.Add(2 * time.Minute)}, []int{2, 3, 4, 5}},
		{"to inclusive", outdial.CallFilter{To: start.Add(2 * time.Minute)}, []int{0, 1, 2}},
		{"range", outdial.CallFilter{From: start.Add(time.Minute), To: start.Add(3 * time.Minute)}, []int{1, 2, 3}},
		{"call id", outdial.CallFilter{CallID: calls[4].ID}, []int{4}},
		{"cursor", outdial.CallFilter{After: calls[3].ID}, []int{4, 5}},
		{"desc cursor", outdial.CallFilter{After: calls[3].ID, Desc: true}, []int{2, 1, 0}},
		{"limit", outdial.CallFilter{Limit: 2}, []int{0, 1}},
		{"caller", outdial.CallFilter{Caller: "nobody"}, nil},
	}
	for _, tc := range cases {
		tc.f.TenantID = w.tenant.ID
		got, err := s.Calls(ctx, tc.f)
		must(t, err)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d calls, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i, idx := range tc.want {
			if got[i].ID != calls[idx].ID {
				t.Errorf("%s: call %d is %d, want %d", tc.name, i, got[i].ID, calls[idx].ID)
			}
		}
		if tc.f.Limit == 0 && tc.f.After == 0 {
			n, err := s.CountCalls(ctx, tc.f)
			must(t, err)
			if n != int64(len(tc.want)) {
				t.Errorf("%s: count %d, want %d", tc.name, n, len(tc.want))
			}
		}
	}
	_, err := s.Call(ctx, other.tenant.ID, calls[0].ID)
	wantCode(t, err, outdial.ENOTFOUND)
}

func testBlocklist(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	c := w.addContacts(t, s, "13800000001")[0]
	must(t, s.BlockNumber(ctx, &outdial.BlockedNumber{TenantID: w.tenant.ID, Phone: "13800000001", Reason: "complaint"}))
	must(t, s.BlockNumber(ctx, &outdial.BlockedNumber{TenantID: w.tenant.ID, Phone: "13800000001", Reason: "refused"}))
	if ok, _ := s.IsBlocked(ctx, w.tenant.ID, "13800000001"); !ok {
		t.Fatal("number not blocked")
	}
	other := newWorld(t, s, "other")
	if ok, _ := s.IsBlocked(ctx, other.tenant.ID, "13800000001"); ok {
		t.Fatal("a block leaked to another tenant")
	}
	a := w.attempt(c, 1<<40, clk.Now())
	r, err := s.StartAttempts(ctx, []outdial.AttemptStart{a})
	must(t, err)
	if r[0] == nil || r[0].Reason != outdial.RefuseBlocked {
		t.Fatalf("refusal = %v, want blocked", r[0])
	}
	list, _ := s.BlockedNumbers(ctx, w.tenant.ID, "", 10)
	if len(list) != 1 || list[0].Reason != "refused" {
		t.Fatalf("blocklist = %+v", list)
	}
	must(t, s.UnblockNumber(ctx, w.tenant.ID, "13800000001"))
	wantCode(t, s.UnblockNumber(ctx, w.tenant.ID, "13800000001"), outdial.ENOTFOUND)
	if r, _ = s.StartAttempts(ctx, []outdial.AttemptStart{a}); r[0] != nil {
		t.Fatalf("after unblock: %v", r[0])
	}
}

// testExternalIDKept checks a CDR keeps its contact's external id, even after the task
// (and with it the contact) is deleted.
func testExternalIDKept(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	c := &outdial.Contact{TenantID: w.tenant.ID, TaskID: w.task.ID, BatchID: w.batch.ID, Phone: "13800000001", ExternalID: "crm-42"}
	_, err := s.AddContacts(ctx, []*outdial.Contact{c})
	must(t, err)
	a := w.attempt(c, outdial.NewCallIDs(1).Next(clk.Now()), clk.Now())
	a.Call.ExternalID = c.ExternalID
	r, err := s.StartAttempts(ctx, []outdial.AttemptStart{a})
	must(t, err)
	if r[0] != nil {
		t.Fatal(r[0])
	}
	w.end(t, s, a.Call, outdial.ResultAnswered, clk.Now().Add(time.Minute), time.Time{})
	must(t, s.DeleteTask(ctx, w.tenant.ID, w.task.ID))
	got, err := s.Call(ctx, w.tenant.ID, a.Call.ID)
	must(t, err)
	if got.ExternalID != "crm-42" {
		t.Fatalf("external id = %q after the task was deleted", got.ExternalID)
	}
}

// testDeleteLineUnderCall: a line whose task moved to another line cannot be deleted while
// a call is still up on it (its outcome releases the line's slot), and can be after.
func testDeleteLineUnderCall(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	cs := w.addContacts(t, s, "13800000001")
	call := w.startOne(t, s, outdial.NewCallIDs(1), cs[0], clk.Now())
	other := &outdial.Line{TenantID: w.tenant.ID, Name: "other", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02100000000"},
		Concurrency: 1}
	must(t, s.CreateLine(ctx, other))
	w.task.LineID = other.ID
	must(t, s.UpdateTask(ctx, w.task))
	wantCode(t, s.DeleteLine(ctx, w.tenant.ID, w.line.ID), outdial.ECONFLICT)
	w.end(t, s, call, outdial.ResultAnswered, clk.Now().Add(time.Minute), time.Time{})
	must(t, s.DeleteLine(ctx, w.tenant.ID, w.line.ID))
	if p, _ := s.TaskProgress(ctx, w.tenant.ID, w.task.ID); p.Live != 0 || p.Calls != 1 {
		t.Fatalf("progress = %+v after the call ended", p)
	}
}

// testFinishTask: a running task finishes, with its webhook, only when it has contacts
// and none is pending, dialing or on a live call; otherwise nothing changes.
func testFinishTask(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	msg := func() []*outdial.OutboxMessage {
		return []*outdial.OutboxMessage{outboxMessage(w.tenant.ID, "task-finished", 0, clk.Now())}
	}
	finished := func() int {
		ms, err := s.OutboxMessages(ctx, w.tenant.ID, outdial.OutboxFilter{EventID: "task-finished"})
		must(t, err)
		return len(ms)
	}
	_, err := s.SetTaskStatus(ctx, w.tenant.ID, w.task.ID, outdial.TaskRunning)
	must(t, err)
	if moved, err := s.FinishTask(ctx, w.tenant.ID, w.task.ID, msg()); err != nil || moved {
		t.Fatalf("a task without contacts finished: %v %v", moved, err)
	}
	cs := w.addContacts(t, s, "13800000001")
	if moved, _ := s.FinishTask(ctx, w.tenant.ID, w.task.ID, msg()); moved {
		t.Fatal("a task with a pending contact finished")
	}
	call := w.startOne(t, s, outdial.NewCallIDs(1), cs[0], clk.Now())
	if moved, _ := s.FinishTask(ctx, w.tenant.ID, w.task.ID, msg()); moved {
		t.Fatal("a task with a live call finished")
	}
	w.end(t, s, call, outdial.ResultAnswered, clk.Now().Add(time.Minute), time.Time{})
	if n := finished(); n != 0 {
		t.Fatalf("%d task.finished messages before the task finished", n)
	}
	moved, err := s.FinishTask(ctx, w.tenant.ID, w.task.ID, msg())
	must(t, err)
	got, _ := s.Task(ctx, w.tenant.ID, w.task.ID)
	if !moved || got.Status != outdial.TaskFinished || finished() != 1 {
		t.Fatalf("finish: moved %v, status %s, %d messages", moved, got.Status, finished())
	}
	if moved, _ := s.FinishTask(ctx, w.tenant.ID, w.task.ID, msg()); moved || finished() != 1 {
		t.Fatal("a finished task finished again")
	}
}
