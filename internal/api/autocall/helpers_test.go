package autocall

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
)

var ctx = context.Background()

// env is the dialect over a fresh SQLite store, served on 127.0.0.1.
type env struct {
	t     *testing.T
	store *sqlstore.Store
	clock *clock.Virtual
	h     *Handler
	srv   *httptest.Server
	ids   *outdial.CallIDs
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := clock.NewVirtual(storetest.Start)
	s := storetest.OpenSQLite(t, clk)
	e := &env{t: t, store: s, clock: clk, ids: outdial.NewCallIDs(1)}
	e.h = New(Config{Store: s, CursorKey: []byte("0123456789abcdef-test-key"), Clock: clk,
		Logger: slog.New(slog.DiscardHandler)})
	mux := http.NewServeMux()
	e.h.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// tenant is one tenant with its token and a task ready to place calls in.
type tenant struct {
	e      *env
	tenant *outdial.Tenant
	token  string
	line   *outdial.Line
	task   *outdial.Task
	batch  *outdial.Batch
	seq    int
}

func (e *env) newTenant(name string) *tenant {
	t := e.t
	t.Helper()
	tn := &tenant{e: e, tenant: &outdial.Tenant{Name: name}}
	must(t, e.store.CreateTenant(ctx, tn.tenant))
	tok, err := auth.Issue(ctx, e.store, tn.tenant.ID)
	must(t, err)
	tn.token = tok
	tn.line = &outdial.Line{TenantID: tn.tenant.ID, Name: "trunk", Gateway: "127.0.0.1:5060",
		CallerNumbers: []string{"02151234567"}, Concurrency: 10000}
	must(t, e.store.CreateLine(ctx, tn.line))
	g := &outdial.ScriptGroup{TenantID: tn.tenant.ID, Name: "script"}
	must(t, e.store.CreateScriptGroup(ctx, g))
	tn.task = &outdial.Task{TenantID: tn.tenant.ID, Name: "task", LineID: tn.line.ID, ScriptGroupID: g.ID, MaxConcurrency: 10000}
	must(t, e.store.CreateTask(ctx, tn.task))
	tn.batch = &outdial.Batch{TenantID: tn.tenant.ID, TaskID: tn.task.ID, Name: "batch"}
	must(t, e.store.CreateBatch(ctx, tn.batch))
	return tn
}

// cdr describes a call to write directly through the store.
type cdr struct {
	at     time.Time
	result outdial.Result
	by     outdial.HangupBy
	agent  bool // an agent answered a transfer
}

// addCalls writes finished calls, one new contact each (external id "ext-<seq>"),
// through StartAttempts and FinishAttempts, and returns them in order.
func (tn *tenant) addCalls(t testing.TB, cdrs ...cdr) []*outdial.Call {
	t.Helper()
	s := tn.e.store
	cs := make([]*outdial.Contact, len(cdrs))
	for i := range cdrs {
		tn.seq++
		cs[i] = &outdial.Contact{TenantID: tn.tenant.ID, TaskID: tn.task.ID, BatchID: tn.batch.ID,
			Phone: fmt.Sprintf("1380%07d", tn.seq), ExternalID: fmt.Sprintf("ext-%d", tn.seq), AreaCode: "0755",
			AreaName: "广东 深圳", Type: "MOBILE", Carrier: "MOBILE"}
	}
	_, err := s.AddContacts(ctx, cs)
	must(t, err)
	starts := make([]outdial.AttemptStart, len(cdrs))
	for i, d := range cdrs {
		c := cs[i]
		starts[i] = outdial.AttemptStart{Call: &outdial.Call{ID: tn.e.ids.Next(d.at), TenantID: tn.tenant.ID,
			ProjectID: tn.task.ProjectID, TaskID: tn.task.ID, BatchID: tn.batch.ID, ContactID: c.ID, ExternalID: c.ExternalID, LineID: tn.line.ID,
			NodeID: "n1", Caller: "02151234567", Called: c.Phone, CalledAreaCode: c.AreaCode, CalledAreaName: c.AreaName,
			CalledType: c.Type, CalledVendor: c.Carrier, StartTime: d.at},
			LineConcurrency: tn.line.Concurrency, TaskConcurrency: tn.task.MaxConcurrency}
	}
	refused, err := s.StartAttempts(ctx, starts)
	must(t, err)
	ends := make([]outdial.AttemptEnd, len(cdrs))
	calls := make([]*outdial.Call, len(cdrs))
	for i, d := range cdrs {
		if refused[i] != nil {
			t.Fatalf("attempt refused: %+v", refused[i])
		}
		c := starts[i].Call
		o := outdial.Outcome{Result: d.result, EndTime: d.at.Add(12 * time.Second), HangupBy: d.by}
		if d.result == outdial.ResultAnswered {
			o.RingTime, o.AnswerTime = d.at.Add(time.Second), d.at.Add(3*time.Second)
		}
		if d.agent {
			o.TransPhone, o.StartTimeEe, o.AnswerTimeEe = "8001", d.at.Add(5*time.Second), d.at.Add(6*time.Second)
			o.EndTimeEe, o.LinkTime = d.at.Add(12*time.Second), d.at.Add(6*time.Second)
		}
		c.Apply(o)
		calls[i] = c
		ends[i] = outdial.AttemptEnd{Call: c, Contact: outdial.ContactUpdate{TenantID: c.TenantID, ContactID: c.ContactID,
			Status: outdial.ContactFinished, Result: c.Result}}
	}
	must(t, s.FinishAttempts(ctx, ends))
	return calls
}

// answer is a decoded envelope.
type answer struct {
	status    int
	Code      int             `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
	raw       []byte
}

// page is the data of a search answer.
type page struct {
	Results     []map[string]any `json:"results"`
	SearchAfter *string          `json:"searchAfter"`
}

// do sends a request as the tenant (no token when tn is nil).
func (e *env) do(tn *tenant, method, path, body string) answer {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	must(e.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tn != nil {
		req.Header.Set("Authorization", "Bearer "+tn.token)
	}
	resp, err := http.DefaultClient.Do(req)
	must(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(e.t, err)
	a := answer{status: resp.StatusCode, raw: b}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		e.t.Fatalf("%s %s: the answer is not the envelope: %v\n%s", method, path, err, b)
	}
	return a
}

// search POSTs a search body and decodes the page, failing the test on an error answer.
func (tn *tenant) search(body string) page {
	tn.e.t.Helper()
	a := tn.e.do(tn, "POST", searchPath, body)
	if a.status != 200 || a.Code != 0 {
		tn.e.t.Fatalf("search %s: %d %s", body, a.status, a.raw)
	}
	var p page
	dec := json.NewDecoder(bytes.NewReader(a.Data))
	dec.UseNumber()
	must(tn.e.t, dec.Decode(&p))
	return p
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
