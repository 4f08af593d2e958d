// Package apptest runs a whole outdial for end-to-end tests: the real server on
// 127.0.0.1 with a temporary database, placing real SIP calls to the carrier simulator
// (internal/carriersim) on loopback, with a tenant, its token, a line to the simulator
// and a script ready to use.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/app"
	"github.com/outdial/outdial/internal/auth"
	"github.com/outdial/outdial/internal/carriersim"
	"github.com/outdial/outdial/internal/config"
	"github.com/outdial/outdial/internal/store/storetest"
)

// Env is a running outdial with one tenant.
type Env struct {
	T       testing.TB
	Server  *app.Server
	URL     string // http://127.0.0.1:port
	Carrier *carriersim.Sim
	Tenant  *outdial.Tenant
	Token   string
	Line    *outdial.Line // to the carrier simulator, 10 channels
	Scripts *outdial.ScriptGroup
	// ShutdownErrorExpected keeps the cleanup from failing the test on Close's error (a
	// test that shuts outdial down itself, against a database that does not answer).
	ShutdownErrorExpected bool
}

// Options change the environment.
type Options struct {
	// Postgres runs on a fresh PostgreSQL schema (skips without OUTDIAL_TEST_POSTGRES).
	Postgres bool
	// Sim places calls through the in-process simulated carrier instead of SIP.
	Sim bool
	// TimeScale speeds up the carrier simulator's number plan (default 0.2).
	TimeScale float64
	// Config edits the server's configuration before it starts.
	Config func(*config.Config)
}

// Start runs an outdial for the test; it stops when the test ends.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.HTTP, cfg.SIP.Listen = "127.0.0.1:0", "127.0.0.1:0"
	cfg.DB, cfg.Data = "sqlite:"+filepath.Join(dir, "outdial.db"), filepath.Join(dir, "data")
	cfg.Webhooks.AllowPrivate = true
	cfg.ShutdownTimeout = 10 * time.Second
	if o.Postgres {
		cfg.DB = storetest.NewPostgresDatabase(t)
	}
	e := &Env{T: t}
	if o.Sim {
		cfg.Telephony = "sim"
	} else {
		scale := o.TimeScale
		if scale == 0 {
			scale = 0.2
		}
		sim, err := carriersim.New(carriersim.Config{ListenAddr: "127.0.0.1:0", TimeScale: scale, MaxRing: 30 * time.Second})
		if err != nil {
			t.Fatalf("carrier simulator: %v", err)
		}
		if err := sim.Start(context.Background()); err != nil {
			t.Fatalf("carrier simulator: %v", err)
		}
		t.Cleanup(func() { sim.Close() })
		e.Carrier = sim
	}
	if o.Config != nil {
		o.Config(&cfg)
	}
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("OUTDIAL_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := app.New(context.Background(), cfg, app.Options{Logger: logger, Version: "test"})
	if err != nil {
		t.Fatalf("outdial: %v", err)
	}
	if err := srv.Start(); err != nil {
		srv.Close(context.Background())
		t.Fatalf("outdial: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil && !e.ShutdownErrorExpected {
			t.Errorf("outdial shutdown: %v", err)
		}
	})
	e.Server, e.URL = srv, "http://"+srv.Addr()
	e.Tenant, e.Token = e.NewTenant("acme")
	gateway := "127.0.0.1:5060"
	if e.Carrier != nil {
		gateway = e.Carrier.Addr()
	}
	ctx := context.Background()
	e.Line = &outdial.Line{TenantID: e.Tenant.ID, Name: "carrier-sim", Gateway: gateway, CallerNumbers: []string{"02151234567"}, Concurrency: 10}
	must(t, srv.Store.CreateLine(ctx, e.Line))
	e.Scripts = &outdial.ScriptGroup{TenantID: e.Tenant.ID, Name: "robot", IsDefault: true}
	must(t, srv.Store.CreateScriptGroup(ctx, e.Scripts))
	must(t, srv.Store.CreateScript(ctx, &outdial.Script{TenantID: e.Tenant.ID, GroupID: e.Scripts.ID, Name: "hello",
		Prompts: []outdial.Prompt{{Text: "您好，这是一个测试。", WaitKeys: true, TimeoutSecs: 2}}}))
	return e
}

// NewTenant creates another tenant and returns it with its API token.
func (e *Env) NewTenant(name string) (*outdial.Tenant, string) {
	e.T.Helper()
	ctx := context.Background()
	t := &outdial.Tenant{Name: name, CapPerHour: 0, CapPerDay: 0}
	must(e.T, e.Server.Store.CreateTenant(ctx, t))
	tok, err := auth.Issue(ctx, e.Server.Store, t.ID)
	must(e.T, err)
	return t, tok
}

// Do sends a request with body (JSON-encoded unless it is []byte or a string) and
// headers; it returns the status and the answer's body.
func (e *Env) Do(method, path string, body any, header map[string]string) (int, []byte) {
	e.T.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		must(e.T, err)
		r, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	must(e.T, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	must(e.T, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	must(e.T, err)
	return resp.StatusCode, out
}

// WaitFor polls cond every 50 ms until it is true, failing the test after limit.
func (e *Env) WaitFor(limit time.Duration, what string, cond func() bool) {
	e.T.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			e.T.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
