package groupcall

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
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

// client sends requests to a running dialect at base ("http://127.0.0.1:port").
type client struct {
	t    testing.TB
	base string
}

// answer is one HTTP answer and, when it is JSON, its envelope.
type answer struct {
	t      testing.TB
	status int
	header http.Header
	body   []byte
	env    struct {
		StatusCode int             `json:"statusCode"`
		Message    string          `json:"message"`
		Info       json.RawMessage `json:"info"`
	}
}

// send makes a request to Path with the query (after "?") and the body as is.
func (c client) send(method, query string, body []byte) *answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+Path+"?"+query, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, query, err)
	}
	defer res.Body.Close()
	a := &answer{t: c.t, status: res.StatusCode, header: res.Header}
	if a.body, err = io.ReadAll(res.Body); err != nil {
		c.t.Fatal(err)
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(a.body, &a.env); err != nil {
			c.t.Fatalf("%s %s: answer is not the envelope: %v: %s", method, query, err, a.body)
		}
	}
	return a
}

// call POSTs {"token": token, "data": data} to route (data left out when nil).
func (c client) call(token, route string, data any) *answer {
	c.t.Helper()
	body := map[string]any{"token": token}
	if data != nil {
		body["data"] = data
	}
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.send("POST", "r="+RoutePrefix+route, b)
}

// ok checks a success envelope with HTTP 200 and decodes info into v (if not nil).
func (a *answer) ok(v any) *answer {
	a.t.Helper()
	if a.status != http.StatusOK || a.env.StatusCode != StatusSuccess {
		a.t.Fatalf("HTTP %d, want 200 with statusCode 0: %s", a.status, a.body)
	}
	if v != nil {
		if err := json.Unmarshal(a.env.Info, v); err != nil {
			a.t.Fatalf("decode info of %s: %v", a.body, err)
		}
	}
	return a
}

// fails checks an error envelope with statusCode status (HTTP 200, an empty info, a
// message that starts with the status's title) and returns the message.
func (a *answer) fails(status int) string {
	a.t.Helper()
	if a.status != http.StatusOK || a.env.StatusCode != status || string(a.env.Info) != `""` {
		a.t.Fatalf("HTTP %d %s, want HTTP 200 with statusCode %d and info \"\"", a.status, a.body, status)
	}
	if title := titleOf(status); !strings.HasPrefix(a.env.Message, title) {
		a.t.Fatalf("message %q does not start with %q", a.env.Message, title)
	}
	return a.env.Message
}

func titleOf(status int) string {
	for _, row := range statusTable {
		if row.status == status {
			return row.title
		}
	}
	return "?"
}

// env is the dialect over a fresh SQLite store on a virtual clock, served on 127.0.0.1.
type env struct {
	client
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
	e.client = client{t: t, base: srv.URL}
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
