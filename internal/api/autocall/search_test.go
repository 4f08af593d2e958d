package autocall

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestSearchDocumentExample sends the document's example search (1.4.1) with its ids
// replaced by real ones, and checks the answer field by field against the example's
// shape (1.4.2).
func TestSearchDocumentExample(t *testing.T) {
	e := newEnv(t)
	tn := e.newTenant("acme")
	at := time.Date(2026, 3, 23, 17, 24, 35, 0, shanghai)
	calls := tn.addCalls(t, cdr{at: at.Add(-time.Second), result: outdial.ResultBusy},
		cdr{at: at.Add(500 * time.Millisecond), result: outdial.ResultNoAnswer},
		cdr{at: at.Add(2 * time.Second), result: outdial.ResultAnswered, by: outdial.HangupCustomer})
	first := tn.search(`{"perPage":1}`)
	if len(first.Results) != 1 || first.SearchAfter == nil {
		t.Fatalf("first page: %+v", first)
	}
	c := calls[1]
	body := fmt.Sprintf(`{
"callId": "%d",
"projectId": "%d",
"searchAfter":"%s",
"taskId":"%d",
"caller":"02151234567",
"called":"%s",
"callresult":"0",
"endresult":"12",
"perPage":1,
"startTime":{"gte":"2026-03-23 17:24:35","lte":"2026-03-23 17:24:36"}
}`, c.ID, c.ProjectID, *first.SearchAfter, c.TaskID, c.Called)
	a := e.do(tn, "POST", searchPath, body)
	if a.status != 200 || a.Code != 0 || a.Message != "操作成功" || len(a.RequestID) != 32 || strings.Trim(a.RequestID, "0123456789abcdef") != "" {
		t.Fatalf("envelope: %d %s", a.status, a.raw)
	}
	var got struct {
		Results     []json.RawMessage `json:"results"`
		SearchAfter *string           `json:"searchAfter"`
	}
	must(t, json.Unmarshal(a.Data, &got))
	if len(got.Results) != 1 || got.SearchAfter != nil {
		t.Fatalf("want one result and searchAfter null, got %s", a.Data)
	}
	want := fmt.Sprintf(`{"vccId":"%d","projectId":"%d","taskId":"%d","callId":"%d","caller":"02151234567","called":"%s",
		"calledAreacode":"0755","calledAreaname":"广东 深圳","calledType":"MOBILE","calledVendor":"MOBILE",
		"transCaller":"","transPhone":"","transAreacode":"","transAreaname":"","transType":"","transVendor":"",
		"startTimeEe":0,"ringTimeEe":0,"answerTimeEe":0,"endTimeEe":0,"startTime":%d,"ringTime":0,"ansTime":0,
		"answerTime":0,"endTime":%d,"ansSecs":0,"linkSecs":0,"allSecs":12,"callresult":"0","endresult":"12",
		"userData":{"tag":"autocall","extId":"ext-2","proid":"%d","taskid":"%d"}}`,
		tn.tenant.ID, c.ProjectID, c.TaskID, c.ID, c.Called, at.Unix(), at.Unix()+12, c.ProjectID, c.TaskID)
	sameJSON(t, got.Results[0], want)
	if len(fmt.Sprint(c.ID)) != 19 {
		t.Errorf("callId %d is not 19 digits", c.ID)
	}
	// The same search as GET query parameters, startTime both ways.
	q := url.Values{"callId": {fmt.Sprint(c.ID)}, "projectId": {fmt.Sprint(c.ProjectID)}, "searchAfter": {*first.SearchAfter},
		"taskId": {fmt.Sprint(c.TaskID)}, "caller": {"02151234567"}, "called": {c.Called}, "callresult": {"0"},
		"endresult": {"12"}, "perPage": {"1"}}
	for _, st := range []url.Values{{"startTime": {`{"gte":"2026-03-23 17:24:35","lte":"2026-03-23 17:24:36"}`}},
		{"startTime[gte]": {"2026-03-23 17:24:35"}, "startTime[lte]": {"2026-03-23 17:24:36"}}} {
		for k, v := range st {
			q[k] = v
		}
		g := e.do(tn, "GET", searchPath+"?"+q.Encode(), "")
		if g.status != 200 || string(g.Data) != string(a.Data) {
			t.Errorf("GET %s answers %d %s, POST answered %s", q.Encode(), g.status, g.Data, a.Data)
		}
		delete(q, "startTime")
	}
}

// TestSearchFilters checks each filter alone, and that the last page answers null.
func TestSearchFilters(t *testing.T) {
	e := newEnv(t)
	tn := e.newTenant("acme")
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, shanghai)
	calls := tn.addCalls(t,
		cdr{at: day.Add(9 * time.Hour), result: outdial.ResultBusy},
		cdr{at: day.Add(10 * time.Hour), result: outdial.ResultAnswered, by: outdial.HangupCustomer},
		cdr{at: day.Add(11 * time.Hour), result: outdial.ResultAnswered, by: outdial.HangupPlatform, agent: true},
		cdr{at: day.Add(24*time.Hour + 9*time.Hour), result: outdial.ResultNoAnswer})
	ids := func(p page) []int64 {
		var out []int64
		for _, r := range p.Results {
			var n int64
			fmt.Sscan(r["callId"].(string), &n)
			out = append(out, n)
		}
		return out
	}
	for _, c := range []struct {
		body string
		want []int
	}{
		{`{}`, []int{0, 1, 2, 3}},
		{`{"callresult":"0"}`, []int{0, 3}},
		{`{"callresult":1}`, []int{1}},
		{`{"callresult":"2"}`, []int{2}},
		{`{"endresult":"11"}`, []int{1}},
		{`{"endresult":12}`, []int{0, 2, 3}},
		{fmt.Sprintf(`{"called":"%s"}`, calls[2].Called), []int{2}},
		{fmt.Sprintf(`{"called":"+86 %s"}`, calls[2].Called), []int{2}},
		{`{"caller":"02151234567"}`, []int{0, 1, 2, 3}},
		{`{"caller":"02100000000"}`, nil},
		{fmt.Sprintf(`{"taskId":%d}`, tn.task.ID), []int{0, 1, 2, 3}},
		{fmt.Sprintf(`{"projectId":"%d"}`, tn.task.ProjectID), []int{0, 1, 2, 3}},
		{`{"projectId":"999999"}`, nil},
		{fmt.Sprintf(`{"callId":"%d"}`, calls[1].ID), []int{1}},
		{`{"startTime":{"gte":"2026-03-01 10:00:00"}}`, []int{1, 2, 3}},
		{`{"startTime":{"lte":"2026-03-01 10:00:00"}}`, []int{0, 1}},
		{`{"startTime":{"gte":"2026-03-01 00:00:00","lte":"2026-03-01 23:59:59"}}`, []int{0, 1, 2}},
		{`{"startTime":{"gte":"2026-03-01 09:00:01","lte":"2026-03-01 09:59:59"}}`, nil},
		{`{"startTime":{"gte":null,"lte":"2026-03-01 09:00:00"}}`, []int{0}},
		{`{"callId":"","taskId":null,"startTime":null,"searchAfter":null}`, []int{0, 1, 2, 3}},
	} {
		p := tn.search(c.body)
		var want []int64
		for _, i := range c.want {
			want = append(want, calls[i].ID)
		}
		if got := ids(p); !reflect.DeepEqual(got, want) || p.SearchAfter != nil {
			t.Errorf("%s: calls %v (searchAfter %v), want %v", c.body, got, p.SearchAfter, want)
		}
	}
	// The agent leg and the times of a transferred call.
	p := tn.search(`{"callresult":"2"}`)
	r := p.Results[0]
	at := calls[2].StartTime.Unix()
	for k, v := range map[string]any{"transPhone": "8001", "startTimeEe": at + 5, "answerTimeEe": at + 6, "endTimeEe": at + 12,
		"ringTime": at + 1, "ansTime": at + 3, "answerTime": at + 3, "ansSecs": 9, "linkSecs": 6, "allSecs": 12, "endresult": "12"} {
		if fmt.Sprint(r[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, r[k], v)
		}
	}
	// Pages: 2 + 2, the second one last.
	p1 := tn.search(`{"perPage":"2"}`)
	if len(p1.Results) != 2 || p1.SearchAfter == nil {
		t.Fatalf("page 1: %+v", p1)
	}
	p2 := tn.search(fmt.Sprintf(`{"perPage":2,"searchAfter":%q}`, *p1.SearchAfter))
	if got := append(ids(p1), ids(p2)...); !reflect.DeepEqual(got, []int64{calls[0].ID, calls[1].ID, calls[2].ID, calls[3].ID}) ||
		p2.SearchAfter != nil {
		t.Fatalf("pages: %v, last searchAfter %v", got, p2.SearchAfter)
	}
	// perPage above the maximum is lowered to it.
	if p := tn.search(fmt.Sprintf(`{"perPage":%d}`, MaxPerPage*10)); len(p.Results) != 4 {
		t.Fatalf("perPage over the maximum: %d results", len(p.Results))
	}
}

// sameJSON fails the test unless got and want hold the same JSON value.
func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	must(t, json.Unmarshal(got, &g))
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		t.Fatalf("got  %s\nwant %s", gb, wb)
	}
}

// TestSearchRemembersExternalIDs checks that the search takes a contact's external id
// from the calls the notifier saw end (no read), and otherwise from the store ("" once
// the contact is deleted).
func TestSearchKeepsExternalIDs(t *testing.T) {
	e := newEnv(t)
	tn := e.newTenant("acme")
	calls := tn.addCalls(t, cdr{at: storetest0(), result: outdial.ResultBusy}, cdr{at: storetest0().Add(time.Second), result: outdial.ResultBusy})
	// The CDR keeps the external id its contact had, even once the contact is deleted.
	must(t, e.store.DeleteContact(ctx, tn.tenant.ID, calls[1].ContactID))
	p := tn.search(`{}`)
	if got := []any{p.Results[0]["userData"].(map[string]any)["extId"], p.Results[1]["userData"].(map[string]any)["extId"]}; !reflect.DeepEqual(got, []any{"ext-1", "ext-2"}) {
		t.Fatalf("extIds %v", got)
	}
}
