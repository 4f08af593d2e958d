package groupcall

// Security/robustness review tests (independent review). See the review report.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/storetest"
)

// addRecordedCall stores one finished, answered call of a's task with a recording path
// as the SIP backend names it (the file itself is not written).
func addRecordedCall(t *testing.T, e *env, a *account) *outdial.Call {
	t.Helper()
	ct := &outdial.Contact{TenantID: a.tenant.ID, TaskID: a.task.ID, BatchID: a.batch.ID, Phone: "13800000011"}
	_, err := e.store.AddContacts(ctx, []*outdial.Contact{ct})
	must(t, err)
	at := storetest.Start
	call := &outdial.Call{ID: outdial.NewCallIDs(1).Next(at), TenantID: a.tenant.ID, ProjectID: a.task.ProjectID, TaskID: a.task.ID,
		BatchID: a.batch.ID, ContactID: ct.ID, LineID: a.line.ID, Attempt: 1, NodeID: "n1", Caller: "02151234567",
		Called: ct.Phone, StartTime: at}
	rec := "recordings/2026-03-02/20260302090000_13800000011_" + idString(call.ID) + ".wav"
	refused, err := e.store.StartAttempts(ctx, []outdial.AttemptStart{{Call: call, LineConcurrency: 10, TaskConcurrency: 10}})
	if err != nil || refused[0] != nil {
		t.Fatalf("start: %v %v", err, refused[0])
	}
	call.Apply(outdial.Outcome{Result: outdial.ResultAnswered, RingTime: at.Add(time.Second), AnswerTime: at.Add(2 * time.Second),
		EndTime: at.Add(10 * time.Second), HangupBy: outdial.HangupCustomer, SIPStatus: 200, Recording: rec})
	must(t, e.store.FinishAttempts(ctx, []outdial.AttemptEnd{{Call: call, Contact: outdial.ContactUpdate{TenantID: a.tenant.ID,
		ContactID: ct.ID, Status: outdial.ContactFinished, Result: outdial.ResultAnswered}}}))
	return call
}

// TestReviewSecDownloadMissingFileEnvelope: a call whose recording is in the database but
// whose file is gone from disk (deleted by retention, a full disk, another node's data
// directory). record-download answers every other refusal in the groupcall envelope
// (TestDownloadErrors), but this one is Links.ServeFile's bare text/plain
// "no recording for this call": clients that parse the envelope cannot tell what happened.
func TestSecDownloadMissingFileEnvelope(t *testing.T) {
	e := newEnv(t)
	a := e.account("acme")
	rec := addRecordedCall(t, e, a).Recording
	for _, method := range []string{"GET", "POST"} {
		var ans *Answer
		if method == "GET" {
			ans = e.Send("GET", "r=groupcall/record-download&token="+url.QueryEscape(a.token)+"&path="+url.QueryEscape(rec), nil)
		} else {
			ans = e.Call(a.token, "record-download", map[string]string{"path": rec})
		}
		ct := ans.Header.Get("Content-Type")
		if ans.Status != http.StatusNotFound || !strings.HasPrefix(ct, "application/json") || ans.Env.StatusCode != StatusNotFound {
			t.Errorf("%s record-download of a recording whose file is missing: HTTP %d, Content-Type %q, body %q; "+
				"want HTTP 404 with the groupcall envelope (statusCode %d)", method, ans.Status, ct, ans.Body, StatusNotFound)
		}
	}
}
