package groupcall

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/recording"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
)

var ctx = context.Background()

// env is the dialect over a fresh SQLite store on a virtual clock, served on 127.0.0.1.
type env struct {
	Client
	t     *testing.T
	store *sqlstore.Store
	clock *clock.Virtual
	logs  *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := clock.NewVirtual(storetest.Start)
	s := storetest.OpenSQLite(t, clk)
	e := &env{t: t, store: s, clock: clk, logs: &syncBuffer{}}
	links := &recording.Links{BaseURL: "http://outdial.test", Key: []byte("0123456789abcdef0123456789abcdef"),
		Clock: clk, Store: s, DataDir: t.TempDir()}
	mux := http.NewServeMux()
	New(Config{Store: s, Clock: clk, Recordings: links, Logger: slog.New(slog.NewTextHandler(e.logs, nil))}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e.Client = Client{T: t, Base: srv.URL}
	return e
}

// account is one tenant with its token, a line, a script group, a task and a batch.
type account struct {
	tenant *outdial.Tenant
	token  string
	line   *outdial.Line
	task   *outdial.Task
	batch  *outdial.Batch
}

func (e *env) account(name string) *account {
	e.t.Helper()
	a := &account{tenant: &outdial.Tenant{Name: name}}
	must(e.t, e.store.CreateTenant(ctx, a.tenant))
	var err error
	a.token, err = auth.Issue(ctx, e.store, a.tenant.ID)
	must(e.t, err)
	a.line = &outdial.Line{TenantID: a.tenant.ID, Name: "trunk", Gateway: "127.0.0.1:5060",
		CallerNumbers: []string{"02151234567"}, Concurrency: 2}
	must(e.t, e.store.CreateLine(ctx, a.line))
	g := &outdial.ScriptGroup{TenantID: a.tenant.ID, Name: "robot", IsDefault: true}
	must(e.t, e.store.CreateScriptGroup(ctx, g))
	a.task = &outdial.Task{TenantID: a.tenant.ID, Name: "spring", LineID: a.line.ID, ScriptGroupID: g.ID,
		Window: outdial.DailyWindow{Start: 8*3600 + 30*60 + 1, End: 19*3600 + 30*60 + 2}}
	must(e.t, e.store.CreateTask(ctx, a.task))
	a.batch = &outdial.Batch{TenantID: a.tenant.ID, TaskID: a.task.ID, Name: "march"}
	must(e.t, e.store.CreateBatch(ctx, a.batch))
	return a
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
