package autocall

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestBadSearches sends malformed searches and checks each gets a clear error in the
// envelope: code and status 400 (413 for a huge body), a message that says what is wrong,
// and the field at fault.
func TestBadSearches(t *testing.T) {
	e := newEnv(t)
	tn := e.newTenant("acme")
	calls := tn.addCalls(t, cdr{at: storetest0(), result: outdial.ResultBusy}, cdr{at: storetest0().Add(time.Second), result: outdial.ResultBusy})
	good := tn.search(`{"perPage":1}`)
	cursor := *good.SearchAfter
	tampered := []byte(cursor)
	tampered[5] ^= 1
	other := e.newTenant("other")
	foreign := e.h.makeCursor(other.tenant.ID, calls[0].ID)
	for _, c := range []struct {
		name, body, field, says string
		status                  int
	}{
		{"bad date", `{"startTime":{"gte":"2021-13-01 00:00:00"}}`, "startTime.gte", "Y-m-d H:i:s", 400},
		{"date without time", `{"startTime":{"lte":"2021-03-23"}}`, "startTime.lte", "2021-03-23 17:24:35", 400},
		{"ISO date", `{"startTime":{"gte":"2021-03-23T17:24:35Z"}}`, "startTime.gte", "Y-m-d H:i:s", 400},
		{"number as date", `{"startTime":{"gte":1616491476}}`, "startTime.gte", "must be a string", 400},
		{"range upside down", `{"startTime":{"gte":"2021-03-24 00:00:00","lte":"2021-03-23 00:00:00"}}`, "startTime", "after", 400},
		{"unknown bound", `{"startTime":{"gt":"2021-03-24 00:00:00"}}`, "startTime.gt", "only gte and lte", 400},
		{"startTime a string", `{"startTime":"2021-03-24 00:00:00"}`, "startTime", "must be an object", 400},
		{"unknown callresult", `{"callresult":"3"}`, "callresult", "unknown callresult", 400},
		{"callresult word", `{"callresult":"connected"}`, "callresult", "0 (not connected)", 400},
		{"unknown endresult", `{"endresult":"13"}`, "endresult", "11 (the customer hung up)", 400},
		{"callresult bool", `{"callresult":true}`, "callresult", "must be a string (or a number), not true or false", 400},
		{"taskId array", `{"taskId":[13]}`, "taskId", "not an array", 400},
		{"taskId object", `{"taskId":{"id":13}}`, "taskId", "not an object", 400},
		{"taskId word", `{"taskId":"thirteen"}`, "taskId", "positive whole number", 400},
		{"negative projectId", `{"projectId":-5}`, "projectId", "positive whole number", 400},
		{"callId too big", `{"callId":"99999999999999999999"}`, "callId", "positive whole number", 400},
		{"perPage zero", `{"perPage":0}`, "perPage", "1 to 500", 400},
		{"perPage fraction", `{"perPage":2.5}`, "perPage", "1 to 500", 400},
		{"perPage object", `{"perPage":{}}`, "perPage", "not an object", 400},
		{"forged cursor", `{"searchAfter":"6780001242530852864"}`, "searchAfter", "not a cursor this server gave you", 400},
		{"tampered cursor", `{"searchAfter":"` + string(tampered) + `"}`, "searchAfter", "not a cursor", 400},
		{"another tenant's cursor", `{"searchAfter":"` + foreign + `"}`, "searchAfter", "not a cursor", 400},
		{"cursor a number", `{"searchAfter":123}`, "searchAfter", "not a cursor", 400},
		{"unknown filter", `{"task_id":"13"}`, "task_id", "unknown filter", 400},
		{"caller too long", `{"caller":"` + strings.Repeat("1", 65) + `"}`, "caller", "at most 64", 400},
		{"not JSON", `{"taskId":`, "", "malformed JSON", 400},
		{"an array", `[{"taskId":"13"}]`, "", "JSON object", 400},
		{"null", `null`, "", "not null", 400},
		{"two objects", `{} {}`, "", "after the JSON object", 400},
		{"huge body", `{"caller":"` + strings.Repeat("1", MaxBodyBytes) + `"}`, "", "over 65536 bytes", 413},
	} {
		a := e.do(tn, "POST", searchPath, c.body)
		checkError(t, c.name, a, c.status, c.field, c.says)
	}
	for _, c := range []struct {
		name, query, field, says string
	}{
		{"bracket date", "startTime[gte]=2021-03-23+25:00:00", "startTime.gte", "Y-m-d H:i:s"},
		{"both forms", "startTime[gte]=2021-03-23+00:00:00&startTime=" + url.QueryEscape(`{"lte":"2021-03-24 00:00:00"}`), "startTime", "not both"},
		{"JSON form broken", "startTime=" + url.QueryEscape(`{"gte":`), "startTime", "must be an object"},
		{"repeated", "taskId=1&taskId=2", "taskId", "given 2 times"},
		{"unknown", "page=2", "page", "unknown filter"},
		{"bad callresult", "callresult=9", "callresult", "unknown callresult"},
		{"forged cursor", "searchAfter=" + itoa(calls[0].ID), "searchAfter", "not a cursor"},
		{"bad escape", "taskId=%zz", "", "malformed query"},
	} {
		a := e.do(tn, "GET", searchPath+"?"+c.query, "")
		checkError(t, "GET "+c.name, a, 400, c.field, c.says)
	}
	// Without a token, with a wrong one, a wrong method, a query string on POST.
	checkError(t, "no token", e.do(nil, "POST", searchPath, `{}`), 401, "", "Authorization: Bearer")
	bad := &tenant{e: e, token: "od_nope"}
	checkError(t, "unknown token", e.do(bad, "POST", searchPath, `{}`), 401, "", "invalid token")
	checkError(t, "PUT", e.do(tn, "PUT", searchPath, `{}`), 405, "", "use GET, POST")
	checkError(t, "unknown path", e.do(tn, "GET", "/api/v1/cdr/nope", ""), 404, "", "no route")
	checkError(t, "POST with a query", e.do(tn, "POST", searchPath+"?taskId=1", `{}`), 400, "", "JSON body")
}

// checkError fails the test unless a is an error envelope with the status as code.
func checkError(t *testing.T, name string, a answer, status int, field, says string) {
	t.Helper()
	var d struct{ Field string }
	if string(a.Data) != "null" {
		json.Unmarshal(a.Data, &d)
	}
	if a.status != status || a.Code != status || !strings.Contains(a.Message, says) || d.Field != field || len(a.RequestID) != 32 {
		t.Errorf("%s: %d %s\nwant status and code %d, field %q, a message with %q", name, a.status, a.raw, status, field, says)
	}
}

func storetest0() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai) }
