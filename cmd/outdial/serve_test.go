package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	e := newEnv(t)
	token := strings.TrimSpace(e.mustRun("tenant", "create", "acme"))
	s := e.serve(nil)

	var health map[string]string
	if code := s.call("GET", "/healthz", "", "", "", &health); code != 200 || health["status"] != "ok" {
		t.Fatalf("/healthz: %d %v", code, health)
	}
	var tenant struct{ Name string }
	if code := s.call("GET", "/api/v1/tenant", token, "", "", &tenant); code != 200 || tenant.Name != "acme" {
		t.Fatalf("/api/v1/tenant with the token of tenant create: %d %+v", code, tenant)
	}
	if code := s.call("GET", "/api/v1/tenant", "", "", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("/api/v1/tenant without a token: %d, want 401", code)
	}
	if code := s.call("GET", "/api/v1/tenant", "od_wrong", "", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("/api/v1/tenant with a wrong token: %d, want 401", code)
	}
	if code := s.call("GET", "/api/v1/openapi.json", "", "", "", nil); code != 200 {
		t.Fatalf("/api/v1/openapi.json: %d", code)
	}
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(metrics), `outdial_build_info{goversion="go`) ||
		!strings.Contains(string(metrics), "go_goroutines") {
		t.Fatalf("/metrics: %d\n%.500s", resp.StatusCode, metrics)
	}
	if fi, err := os.Stat(e.vars["OUTDIAL_DATA"]); err != nil || !fi.IsDir() {
		t.Fatalf("serve did not create the data directory: %v", err)
	}

	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited %d after its context ended:\n%s", code, s.stderr)
	}
	logs := s.stderr.String()
	for _, want := range []string{"outdial starting", "config.http=127.0.0.1:0", "config.db=sqlite:", "outdial stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	if _, err := http.Get(s.url + "/healthz"); err == nil {
		t.Fatal("the server still answers after shutdown")
	}
	// The store was closed cleanly: a new run opens the same database.
	if r := e.run("tenant", "token", "acme"); r.code != 0 {
		t.Fatalf("tenant token after shutdown: %d %s", r.code, r.stderr)
	}
}

func TestServeSIGTERM(t *testing.T) {
	e := newEnv(t)
	s := e.serve(nil) // Signals nil: serve listens to the process's own signals
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := s.wait(); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM:\n%s", code, s.stderr)
	}
	if logs := s.stderr.String(); !strings.Contains(logs, "signal=terminated") || !strings.Contains(logs, "outdial stopped") {
		t.Fatalf("logs:\n%s", logs)
	}
}

func TestServeSecondSignalForcesExit(t *testing.T) {
	e := newEnv(t)
	sigs := make(chan os.Signal, 2)
	exited := make(chan int, 1)
	m := e.main(io.Discard, nil)
	m.Signals = sigs
	m.Exit = func(code int) { exited <- code }
	s := e.serve(m)
	// A shutdown step that hangs, as live calls that do not end would.
	release := make(chan struct{})
	s.srv.OnClose(func(ctx context.Context) error { <-release; return nil })
	defer close(release)

	sigs <- syscall.SIGTERM
	waitFor(t, func() bool { return strings.Contains(s.stderr.String(), "outdial shutting down") })
	sigs <- syscall.SIGINT
	select {
	case code := <-exited:
		if code != 1 {
			t.Fatalf("forced exit with status %d, want 1", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("a second signal did not force an exit:\n%s", s.stderr)
	}
}

func TestServeShutdownTimeout(t *testing.T) {
	e := newEnv(t)
	s := e.serve(nil, "--shutdown-timeout", "200ms")
	s.srv.OnClose(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	start := time.Now()
	if code := s.stop(); code != 1 {
		t.Fatalf("serve exited %d when shutdown overran its timeout, want 1", code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown took %s despite a 200ms timeout", d)
	}
}

func TestServeBadConfig(t *testing.T) {
	e := newEnv(t)
	if r := e.run("serve", "--node-id", "4096"); r.code != 1 || !strings.Contains(r.stderr, "node_id") {
		t.Fatalf("--node-id 4096: exit %d, stderr %q", r.code, r.stderr)
	}
	e.vars["OUTDIAL_DB"] = "mysql://db/x"
	if r := e.run("serve"); r.code != 1 || !strings.Contains(r.stderr, "unsupported database") {
		t.Fatalf("mysql: exit %d, stderr %q", r.code, r.stderr)
	}
	e.vars["OUTDIAL_DB"] = "sqlite:" + filepath.Join(e.dir, "o.db")
	busy := e.serve(nil)
	if r := e.run("serve", "--http", busy.srv.Addr()); r.code != 1 || !strings.Contains(r.stderr, "address already in use") {
		t.Fatalf("serve on a busy port: exit %d, stderr %q", r.code, r.stderr)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met in 10s")
}
