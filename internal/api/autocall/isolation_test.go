package autocall

import (
	"fmt"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestTenantIsolation checks that one tenant's token never reaches another's CDRs or
// push configurations, by any route or filter, and that every route needs a token.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	a, b := e.newTenant("a"), e.newTenant("b")
	at := storetest0()
	ac := a.addCalls(t, cdr{at: at, result: outdial.ResultAnswered, by: outdial.HangupCustomer},
		cdr{at: at.Add(time.Second), result: outdial.ResultBusy})
	bc := b.addCalls(t, cdr{at: at.Add(2 * time.Second), result: outdial.ResultBusy})
	if p := b.search(`{}`); len(p.Results) != 1 || p.Results[0]["callId"] != itoa(bc[0].ID) || p.Results[0]["vccId"] != itoa(b.tenant.ID) {
		t.Fatalf("b sees %v", p.Results)
	}
	for _, f := range []string{
		fmt.Sprintf(`{"callId":"%d"}`, ac[0].ID),
		fmt.Sprintf(`{"taskId":"%d"}`, a.task.ID),
		fmt.Sprintf(`{"projectId":"%d"}`, a.task.ProjectID),
		fmt.Sprintf(`{"called":"%s"}`, ac[1].Called), // b has no call to it
		fmt.Sprintf(`{"called":"%s"}`, ac[0].Called), // b has one too: only b's shows
	} {
		for _, r := range b.search(f).Results {
			if r["vccId"] != itoa(b.tenant.ID) {
				t.Errorf("b searching %s finds a's call %v", f, r["callId"])
			}
		}
	}
	cur := *a.search(`{"perPage":1}`).SearchAfter
	checkError(t, "a's cursor used by b", e.do(b, "POST", searchPath, `{"searchAfter":"`+cur+`"}`), 400, "searchAfter", "not a cursor")

	// Push configurations.
	ok := e.do(a, "POST", pushPath, `{"url":"https://a.example.com/cdr","secret":"secret-of-a","encrypt":1}`)
	if ok.Code != 0 {
		t.Fatalf("a sets its push: %s", ok.raw)
	}
	if l := e.do(b, "GET", pushPath, ""); string(l.Data) != `{"results":[]}` {
		t.Errorf("b lists %s", l.Data)
	}
	checkError(t, "b deletes a push it does not have", e.do(b, "DELETE", pushPath, ""), 404, "", "no CDR push")
	checkError(t, "b pushes a's project", e.do(b, "POST", pushPath,
		fmt.Sprintf(`{"url":"https://b.example.com","secret":"secret-of-b","projectId":"%d"}`, a.task.ProjectID)), 404, "projectId", "not found")
	if subs, _ := e.store.Subscriptions(ctx, a.tenant.ID, FormatName); len(subs) != 1 || subs[0].URL != "https://a.example.com/cdr" {
		t.Errorf("a's push changed: %+v", subs)
	}
	// b's calls never reach a's push.
	if msgs := e.h.Notifier().CallEnded(bc[0], nil, nil); len(msgs) != 0 {
		t.Errorf("b's call is pushed to %v", msgs[0].URL)
	}
	if msgs := e.h.Notifier().CallEnded(ac[0], nil, nil); len(msgs) != 1 || msgs[0].TenantID != a.tenant.ID {
		t.Errorf("a's call is pushed as %+v", msgs)
	}
	// Every route needs a token.
	for _, rt := range e.h.routes {
		checkError(t, rt.method+" without a token", e.do(nil, rt.method, rt.pattern, ""), 401, "", "missing token")
	}
}
