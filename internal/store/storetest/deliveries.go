package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

func testDeliveryLog(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	other := newWorld(t, s, "other")
	now := clk.Now()
	m := outboxMessage(w.tenant.ID, "evt-1", 0, now)
	must(t, s.AddOutbox(ctx, []*outdial.OutboxMessage{m}))
	claimed, err := s.ClaimOutbox(ctx, "n1", now, time.Minute, 1)
	must(t, err)
	m = claimed[0]

	// A failure: the message waits for its next attempt.
	retryAt := now.Add(15 * time.Second)
	m.NextAttemptAt, m.LastError = retryAt, "answered 500"
	must(t, s.RecordAttempt(ctx, m, outdial.DeliveryAttempt{At: now, Status: 500, Response: "oops", Error: "answered 500",
		Duration: 1500 * time.Microsecond}))
	if m.Attempts != 1 {
		t.Fatalf("attempts on the message = %d, want 1", m.Attempts)
	}
	got, _ := s.OutboxMessage(ctx, w.tenant.ID, m.ID)
	if got.Status != outdial.OutboxPending || got.Attempts != 1 || !got.NextAttemptAt.Equal(retryAt) || got.LastError != "answered 500" {
		t.Fatalf("after a failure: %+v", got)
	}
	if c, _ := s.ClaimOutbox(ctx, "n1", retryAt.Add(-time.Millisecond), time.Minute, 10); len(c) != 0 {
		t.Fatal("a retry was claimed before its time")
	}
	// Success on the second try.
	at2 := retryAt
	m.Status, m.DeliveredAt, m.LastError = outdial.OutboxDelivered, at2, ""
	must(t, s.RecordAttempt(ctx, m, outdial.DeliveryAttempt{At: at2, Status: 204, Delivered: true, Duration: time.Millisecond}))
	got, _ = s.OutboxMessage(ctx, w.tenant.ID, m.ID)
	if got.Status != outdial.OutboxDelivered || got.Attempts != 2 || !got.DeliveredAt.Equal(at2) || got.LastError != "" {
		t.Fatalf("after delivery: %+v", got)
	}
	// A late failure from a dispatcher whose lease ran out is logged, and changes nothing.
	late := *m
	late.Status, late.NextAttemptAt, late.LastError = outdial.OutboxPending, at2.Add(time.Hour), "timeout"
	must(t, s.RecordAttempt(ctx, &late, outdial.DeliveryAttempt{At: at2, Error: "timeout"}))
	if got, _ = s.OutboxMessage(ctx, w.tenant.ID, m.ID); got.Status != outdial.OutboxDelivered {
		t.Fatalf("a late failure undid a delivery: %+v", got)
	}
	as, err := s.DeliveryAttempts(ctx, w.tenant.ID, m.ID)
	must(t, err)
	if len(as) != 3 || as[0].Status != 500 || as[0].Response != "oops" || as[0].Error != "answered 500" ||
		as[0].Duration != 1500*time.Microsecond || !as[0].At.Equal(now) || as[0].Delivered || as[0].MessageID != m.ID ||
		!as[1].Delivered || as[1].Status != 204 || as[2].Error != "timeout" {
		t.Fatalf("attempts = %s", show(as))
	}
	_, err = s.DeliveryAttempts(ctx, other.tenant.ID, m.ID)
	wantCode(t, err, outdial.ENOTFOUND)

	// Redeliver: a delivered or dead message goes again with a fresh schedule.
	wantCode(t, s.Redeliver(ctx, other.tenant.ID, m.ID, now), outdial.ENOTFOUND)
	later := at2.Add(time.Hour)
	must(t, s.Redeliver(ctx, w.tenant.ID, m.ID, later))
	got, _ = s.OutboxMessage(ctx, w.tenant.ID, m.ID)
	if got.Status != outdial.OutboxPending || got.Attempts != 0 || !got.NextAttemptAt.Equal(later) || !got.DeliveredAt.IsZero() {
		t.Fatalf("redelivered: %+v", got)
	}
	wantCode(t, s.Redeliver(ctx, w.tenant.ID, m.ID, later), outdial.ECONFLICT)
	if c, _ := s.ClaimOutbox(ctx, "n1", later, time.Minute, 10); len(c) != 1 || c[0].EventID != "evt-1" {
		t.Fatalf("the redelivered message is not claimable: %v", c)
	}
	if as, _ = s.DeliveryAttempts(ctx, w.tenant.ID, m.ID); len(as) != 3 {
		t.Fatalf("redelivery lost the log: %d attempts", len(as))
	}
	// Dead after the last retry.
	m.Status, m.LastError = outdial.OutboxDead, "refused: 10.0.0.1 is a private address"
	must(t, s.RecordAttempt(ctx, m, outdial.DeliveryAttempt{At: later, Error: m.LastError}))
	if got, _ = s.OutboxMessage(ctx, w.tenant.ID, m.ID); got.Status != outdial.OutboxDead || got.LastError != m.LastError {
		t.Fatalf("dead: %+v", got)
	}
	if c, _ := s.ClaimOutbox(ctx, "n1", later.Add(24*time.Hour), time.Minute, 10); len(c) != 0 {
		t.Fatal("a dead message was claimed")
	}
}

func show(as []*outdial.DeliveryAttempt) string {
	out := ""
	for _, a := range as {
		out += fmt.Sprintf("%+v\n", *a)
	}
	return out
}

func testOutboxLists(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	other := newWorld(t, s, "other")
	now := clk.Now()
	var msgs []*outdial.OutboxMessage
	for i := range 6 {
		msgs = append(msgs, outboxMessage(w.tenant.ID, fmt.Sprint("e", i%3), int64(i%2+1), now))
	}
	msgs = append(msgs, outboxMessage(other.tenant.ID, "e0", 1, now))
	must(t, s.AddOutbox(ctx, msgs))
	dead := msgs[4]
	dead.Status, dead.LastError = outdial.OutboxDead, "gone"
	must(t, s.RecordAttempt(ctx, dead, outdial.DeliveryAttempt{At: now, Error: "gone"}))

	cases := []struct {
		name string
		f    outdial.OutboxFilter
		want []int // indexes into msgs, newest first
	}{
		{"all", outdial.OutboxFilter{}, []int{5, 4, 3, 2, 1, 0}},
		{"event", outdial.OutboxFilter{EventID: "e0"}, []int{3, 0}},
		{"subscription", outdial.OutboxFilter{SubscriptionID: 2}, []int{5, 3, 1}},
		{"status", outdial.OutboxFilter{Status: outdial.OutboxDead}, []int{4}},
		{"event and subscription", outdial.OutboxFilter{EventID: "e1", SubscriptionID: 2}, []int{1}},
		{"page", outdial.OutboxFilter{Page: outdial.Page{Limit: 2}}, []int{5, 4}},
		{"cursor", outdial.OutboxFilter{Page: outdial.Page{After: msgs[4].ID, Limit: 2}}, []int{3, 2}},
	}
	for _, tc := range cases {
		got, err := s.OutboxMessages(ctx, w.tenant.ID, tc.f)
		must(t, err)
		var want []*outdial.OutboxMessage
		for _, i := range tc.want {
			want = append(want, msgs[i])
		}
		if ids(got) != ids(want) {
			t.Errorf("%s: %s, want %s", tc.name, ids(got), ids(want))
		}
	}
	if got, _ := s.OutboxMessages(ctx, other.tenant.ID, outdial.OutboxFilter{}); len(got) != 1 {
		t.Fatalf("the other tenant lists %d messages, want its 1", len(got))
	}
	_, err := s.OutboxMessage(ctx, other.tenant.ID, msgs[0].ID)
	wantCode(t, err, outdial.ENOTFOUND)

	backlog, err := s.OutboxBacklog(ctx)
	must(t, err)
	if backlog[outdial.OutboxPending] != 6 || backlog[outdial.OutboxDead] != 1 {
		t.Fatalf("backlog = %v, want 6 pending and 1 dead", backlog)
	}
}

// attemptsRecorder is a store that records many attempts at once (sqlstore).
type attemptsRecorder interface {
	RecordAttempts(ctx context.Context, ms []*outdial.OutboxMessage, as []outdial.DeliveryAttempt) error
}

func testRecordMany(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	br, ok := s.(attemptsRecorder)
	if !ok {
		t.Skip("the store records attempts one by one")
	}
	w := newWorld(t, s, "acme")
	now := clk.Now()
	addOutbox(t, s, w.tenant.ID, 101, now)
	claimed, err := s.ClaimOutbox(ctx, "n1", now, time.Minute, 200)
	must(t, err)
	as := make([]outdial.DeliveryAttempt, len(claimed))
	for i, m := range claimed {
		switch i % 3 {
		case 0:
			m.Status, m.DeliveredAt = outdial.OutboxDelivered, now.Add(time.Duration(i)*time.Millisecond)
			as[i] = outdial.DeliveryAttempt{At: now, Status: 200 + i, Delivered: true}
		case 1:
			m.NextAttemptAt, m.LastError = now.Add(time.Duration(i)*time.Second), fmt.Sprint("err ", i)
			as[i] = outdial.DeliveryAttempt{At: now, Status: 500, Error: m.LastError, Response: fmt.Sprint("resp ", i)}
		default:
			m.Status, m.LastError = outdial.OutboxDead, "refused"
			as[i] = outdial.DeliveryAttempt{At: now, Error: "refused"}
		}
	}
	must(t, br.RecordAttempts(ctx, claimed, as))
	for i, m := range claimed {
		got, err := s.OutboxMessage(ctx, w.tenant.ID, m.ID)
		must(t, err)
		log, err := s.DeliveryAttempts(ctx, w.tenant.ID, m.ID)
		must(t, err)
		if got.Attempts != 1 || got.Status != m.Status || !got.NextAttemptAt.Equal(m.NextAttemptAt) || got.LastError != m.LastError ||
			!got.DeliveredAt.Equal(m.DeliveredAt) || len(log) != 1 || log[0].Status != as[i].Status ||
			log[0].Response != as[i].Response || log[0].Delivered != as[i].Delivered {
			t.Fatalf("message %d: %+v, log %s", i, got, show(log))
		}
	}
}

// testPruneOutbox: finished messages older than the cutoff go, with their attempts;
// pending ones and newer ones stay; the cursor walks the outbox in chunks.
func testPruneOutbox(t *testing.T, s outdial.Store, clk *clock.Virtual) {
	w := newWorld(t, s, "acme")
	start := clk.Now()
	// Ten messages a minute apart: 0-3 delivered, 4 dead, 5 pending (still retrying),
	// 6-9 delivered; the cutoff is between 7 and 8.
	var msgs []*outdial.OutboxMessage
	for i := range 10 {
		clk.AdvanceTo(start.Add(time.Duration(i) * time.Minute))
		m := outboxMessage(w.tenant.ID, fmt.Sprintf("evt-%d", i), 0, clk.Now())
		must(t, s.AddOutbox(ctx, []*outdial.OutboxMessage{m}))
		claimed, err := s.ClaimOutbox(ctx, "n1", clk.Now(), time.Minute, 1)
		must(t, err)
		m = claimed[0]
		a := outdial.DeliveryAttempt{At: clk.Now(), Status: 204, Delivered: true}
		switch i {
		case 4:
			m.Status, m.LastError, a = outdial.OutboxDead, "answered 500", outdial.DeliveryAttempt{At: clk.Now(), Status: 500}
		case 5:
			m.Status, m.NextAttemptAt, a = outdial.OutboxPending, clk.Now().Add(time.Hour), outdial.DeliveryAttempt{At: clk.Now(), Status: 503}
		default:
			m.Status, m.DeliveredAt = outdial.OutboxDelivered, clk.Now()
		}
		must(t, s.RecordAttempt(ctx, m, a))
		msgs = append(msgs, m)
	}
	cutoff := start.Add(7*time.Minute + 30*time.Second)
	var total int64
	after, chunks := int64(0), 0
	for more := true; more; chunks++ {
		var n int64
		var err error
		n, after, more, err = s.PruneOutbox(ctx, cutoff, after, 3)
		must(t, err)
		total += n
		if chunks > 10 {
			t.Fatal("PruneOutbox never says it is done")
		}
	}
	if total != 7 || chunks != 3 {
		t.Fatalf("pruned %d messages in %d calls, want 7 (0-4, 6, 7) in 3", total, chunks)
	}
	for i, m := range msgs {
		_, err := s.OutboxMessage(ctx, w.tenant.ID, m.ID)
		as, _ := s.DeliveryAttempts(ctx, w.tenant.ID, m.ID)
		kept := i == 5 || i >= 8
		if kept && (err != nil || len(as) != 1) {
			t.Errorf("message %d (%s) should stay with its attempt: %v, %d attempts", i, m.Status, err, len(as))
		}
		if !kept && (outdial.ErrorCode(err) != outdial.ENOTFOUND || len(as) != 0) {
			t.Errorf("message %d (%s) should be gone with its attempts: %v, %d attempts", i, m.Status, err, len(as))
		}
	}
	// Nothing left to prune before the cutoff: one call, nothing deleted, done.
	n, _, more, err := s.PruneOutbox(ctx, cutoff, 0, 3)
	must(t, err)
	if n != 0 || more {
		t.Fatalf("second pass pruned %d, more %v", n, more)
	}
}
