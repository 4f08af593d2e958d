package native

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
	"sync"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
)

var ctx = context.Background()

// env is the API over a fresh SQLite store, served on 127.0.0.1.
type env struct {
	t       *testing.T
	store   *sqlstore.Store
	clock   *clock.Virtual
	h       *Handler
	srv     *httptest.Server
	dataDir string
	logs    *syncBuffer
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
	e := &env{t: t, store: s, clock: clk, dataDir: t.TempDir(), logs: &syncBuffer{}}
	e.h = New(Config{Store: s, Clock: clk, DataDir: e.dataDir, Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	mux := http.NewServeMux()
	e.h.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// caller is one tenant and its token.
type caller struct {
	e      *env
	tenant *outdial.Tenant
	token  string
}

func (e *env) newTenant(name string) *caller {
	e.t.Helper()
	t := &outdial.Tenant{Name: name, CapPerHour: outdial.DefaultCapPerHour, CapPerDay: outdial.DefaultCapPerDay}
	if err := e.store.CreateTenant(ctx, t); err != nil {
		e.t.Fatal(err)
	}
	tok, err := auth.Issue(ctx, e.store, t.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return &caller{e: e, tenant: t, token: tok}
}

// reply is an HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// send makes a request with the caller's token (none if c is nil). body is nil, a
// string or []byte sent as is, or a value sent as JSON.
func (e *env) send(c *caller, method, path string, body any, contentType string) *reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	} else if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c != nil {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &reply{status: res.StatusCode, header: res.Header, body: b}
}

// do sends a JSON request as c.
func (c *caller) do(method, path string, body any) *reply {
	c.e.t.Helper()
	return c.e.send(c, method, path, body, "")
}

// ok fails the test unless the reply has status, and decodes its body into v (if not nil).
func (r *reply) ok(t *testing.T, status int, v any) *reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("decode %s: %v", r.body, err)
		}
	}
	return r
}

// fails checks that the reply is the error envelope with status, code and (if not "")
// field, and returns the message.
func (r *reply) fails(t *testing.T, status int, code, field string) string {
	t.Helper()
	var env struct {
		Error struct {
			Code, Message, Field string
		} `json:"error"`
	}
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if err := json.Unmarshal(r.body, &env); err != nil || env.Error.Code != code || env.Error.Message == "" {
		t.Fatalf("error envelope %s, want code %q", r.body, code)
	}
	if field != "" && env.Error.Field != field {
		t.Fatalf("error field %q, want %q: %s", env.Error.Field, field, r.body)
	}
	return env.Error.Message
}

// obj decodes the reply as a JSON object.
func (r *reply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

// id reads a numeric "id" of a created entity.
func (r *reply) id(t *testing.T) int64 {
	t.Helper()
	var v struct{ ID int64 }
	r.ok(t, http.StatusCreated, &v)
	if v.ID <= 0 {
		t.Fatalf("no id in %s", r.body)
	}
	return v.ID
}

// world is everything one tenant needs to import and call: a line, a script group, a
// task and a batch, made through the API.
type world struct {
	line, group, task, batch int64
}

func (c *caller) world(t *testing.T) world {
	t.Helper()
	var w world
	w.line = c.do("POST", "/api/v1/lines", map[string]any{"name": "trunk", "gateway": "127.0.0.1:5060",
		"caller_numbers": []string{"02151234567"}, "concurrency": 10, "password": "s3cret", "username": "u"}).id(t)
	w.group = c.do("POST", "/api/v1/script-groups", map[string]any{"name": "greeting"}).id(t)
	w.task = c.do("POST", "/api/v1/tasks", map[string]any{"name": "campaign", "line_id": w.line,
		"script_group_id": w.group, "max_concurrency": 2}).id(t)
	w.batch = c.do("POST", "/api/v1/batches", map[string]any{"task_id": w.task, "name": "march"}).id(t)
	return w
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
