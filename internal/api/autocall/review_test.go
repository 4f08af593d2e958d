package autocall

// Review tests: behaviours where the CDR push departs from seed 002 (2.3: "返回的 json 中
// 必须包含 code 字段,且值必须为 0") or from what a receiver reasonably expects.

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/storetest"
	"github.com/outdial/outdial/internal/webhook"
)

// TestDeliveredNeedsTheCodeField: the document requires a member named "code";
// encoding/json matches struct tags case-insensitively, so an answer without any "code"
// member (only "Code" or "CODE") is counted as delivered, and an explicit failure
// {"code":1} followed by "CODE":0 is too.
func TestDeliveredNeedsTheCodeField(t *testing.T) {
	for _, body := range []string{
		`{"Code":0}`,
		`{"CODE":0,"message":"I am not the code field"}`,
		`{"code":1,"CODE":0}`,
	} {
		if (Format{}).Delivered(200, []byte(body)) {
			t.Errorf("Delivered(200, %s) = true: the answer has no \"code\" member equal to 0", body)
		}
	}
}

// TestPushLargeSuccessAnswer: a receiver that takes the push and answers 200 with a
// JSON object holding "code": 0 has taken it (seed 002 2.3), however long the rest of its
// answer is. The dispatcher reads only the first 64 KiB of an answer and the format
// parses that prefix as JSON, so a long (valid) success answer is judged a failure and the
// push is retried on the schedule, and in the end dropped, although the customer took it.
func TestPushLargeSuccessAnswer(t *testing.T) {
	s := storetest.OpenSQLite(t, outdial.SystemClock{})
	tenant := &outdial.Tenant{Name: "acme"}
	must(t, s.CreateTenant(ctx, tenant))
	got := make(chan struct{}, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- struct{}{}
		w.Header().Set("Content-Type", "application/json")
		// A success answer that echoes a long diagnostic, as some CRMs do.
		w.Write([]byte(`{"code":0,"message":"ok","echo":"` + strings.Repeat("x", 80<<10) + `"}`))
	}))
	defer rcv.Close()
	sub := &outdial.Subscription{TenantID: tenant.ID, Format: FormatName, URL: rcv.URL + "/cdr", Secret: "my-push-secret", Enabled: true}
	must(t, s.CreateSubscription(ctx, sub))
	m := &outdial.OutboxMessage{TenantID: tenant.ID, EventID: "call.ended/1", EventType: outdial.EventCallEnded,
		Format: FormatName, URL: sub.URL, SubscriptionID: sub.ID, Payload: []byte(`{"call_id":"1","callresult":"0"}`)}
	must(t, s.AddOutbox(ctx, []*outdial.OutboxMessage{m}))
	formats := webhook.Formats{}
	formats.Register(Format{})
	d := webhook.New(webhook.Config{Store: s, Formats: formats, Logger: slog.New(slog.DiscardHandler),
		Guard: webhook.Guard{AllowLoopback: true}, ReadTimeout: 2 * time.Second, Poll: 50 * time.Millisecond})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the push never reached the receiver")
	}
	var msg *outdial.OutboxMessage
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		if msg, err = s.OutboxMessage(ctx, tenant.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if msg.Attempts > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if msg.Status != outdial.OutboxDelivered {
		t.Errorf("receiver answered 200 {\"code\":0,...} (80 KiB): message is %q after %d attempt(s), last error %q; want delivered",
			msg.Status, msg.Attempts, msg.LastError)
	}
}
