package autocall

// Security/robustness review tests (independent review). See the review report.

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/recording"
)

// TestReviewSecLateAttemptRecordLink: the CDR push's record_file is a signed recording
// link valid for recording.DefaultTTL (7 days). The notifier signs it once, into the
// stored payload, when the call ends; Format.Build sends that payload as is on every
// attempt. A push retried, held behind a stalled receiver, or redelivered through
// POST /api/v1/deliveries/{id}/redeliver after those 7 days carries a link that answers
// 410 Gone. telrobot's Format re-signs record_url at each attempt for exactly this reason
// ("so a late retry still carries a working link"); autocall does not.
func TestSecLateAttemptRecordLink(t *testing.T) {
	e := newEnv(t)
	tn := e.newTenant("acme")
	e.h.notifier.links = &recording.Links{BaseURL: "http://127.0.0.1:1", Key: []byte("0123456789abcdef0123456789abcdef"),
		Clock: e.clock, Store: e.store}
	sub := &outdial.Subscription{TenantID: tn.tenant.ID, Format: FormatName, URL: "https://crm.example.com/cdr",
		Secret: "s-all-1234", Enabled: true}
	must(t, e.store.CreateSubscription(ctx, sub))
	c := tn.addCalls(t, cdr{at: storetest0(), result: outdial.ResultAnswered, by: outdial.HangupCustomer})[0]
	c.Recording = "recordings/x.wav"
	msgs := e.h.notifier.CallEnded(c, nil, tn.task)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	late := e.clock.Now().Add(recording.DefaultTTL + time.Hour) // e.g. a redelivery a week and a bit later
	body, _, err := e.h.Format().Build(msgs[0], sub, late)
	if err != nil {
		t.Fatal(err)
	}
	var push struct {
		Data struct {
			RecordFile string `json:"record_file"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &push); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	u, err := url.Parse(push.Data.RecordFile)
	if err != nil || u.Query().Get("exp") == "" {
		t.Fatalf("record_file %q", push.Data.RecordFile)
	}
	exp, _ := strconv.ParseInt(u.Query().Get("exp"), 10, 64)
	if exp < late.Unix() {
		t.Errorf("an attempt made at %v sends record_file %q, expired since %v: the receiver gets 410 Gone",
			late.UTC(), push.Data.RecordFile, time.Unix(exp, 0).UTC())
	}
}
