package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/outdial/outdial/internal/app"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests of this package run the real Main in-process, serially (one of them sends
// the process a SIGTERM), each on its own temporary SQLite file and 127.0.0.1:0.

// syncBuffer is a bytes.Buffer safe for the server's logging goroutines.
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

// env is a test's environment: a temporary directory and the OUTDIAL_* variables Main
// sees (none of the process's own).
type env struct {
	t    *testing.T
	dir  string
	vars map[string]string
}

func newEnv(t *testing.T) *env {
	dir := t.TempDir()
	return &env{t: t, dir: dir, vars: map[string]string{
		"OUTDIAL_DB":   "sqlite:" + filepath.Join(dir, "outdial.db"),
		"OUTDIAL_DATA": filepath.Join(dir, "data"),
		"OUTDIAL_HTTP": "127.0.0.1:0",
		// SIP on a free port: test packages run in parallel processes.
		"OUTDIAL_SIP_LISTEN": "127.0.0.1:0",
	}}
}

func (e *env) main(stdout, stderr io.Writer) *Main {
	return &Main{
		Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr,
		Getenv: func(k string) string { return e.vars[k] },
		Environ: func() []string {
			var kv []string
			for k, v := range e.vars {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
		Exit: func(code int) { e.t.Errorf("Main called Exit(%d)", code) },
	}
}

// result is what one run of Main did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs Main with args to the end.
func (e *env) run(args ...string) result {
	e.t.Helper()
	var out, errs syncBuffer
	code := e.main(&out, &errs).Run(context.Background(), args)
	return result{code, out.String(), errs.String()}
}

// mustRun runs Main and fails the test unless it exits 0.
func (e *env) mustRun(args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("outdial %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// serving is "outdial serve" running in the background.
type serving struct {
	t      *testing.T
	srv    *app.Server
	url    string
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuffer
}

// serve starts "outdial serve" with args on Main m (env's when nil) and waits until it
// listens; the test's end stops it.
func (e *env) serve(m *Main, args ...string) *serving {
	e.t.Helper()
	s := &serving{t: e.t, done: make(chan int, 1), stderr: &syncBuffer{}}
	if m == nil {
		m = e.main(io.Discard, s.stderr)
	} else {
		m.Stderr = s.stderr
	}
	started := make(chan *app.Server, 1)
	m.Started = func(srv *app.Server) { started <- srv }
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- m.Run(ctx, append([]string{"serve"}, args...)) }()
	select {
	case s.srv = <-started:
	case code := <-s.done:
		cancel()
		e.t.Fatalf("serve exited %d before listening:\n%s", code, s.stderr)
	case <-time.After(30 * time.Second):
		cancel()
		e.t.Fatalf("serve did not start in 30s:\n%s", s.stderr)
	}
	s.url = "http://" + s.srv.Addr()
	e.t.Cleanup(func() { s.stop() })
	return s
}

// stop cancels serve's context and returns its exit status.
func (s *serving) stop() int {
	s.cancel()
	return s.wait()
}

// wait returns serve's exit status once it has exited.
func (s *serving) wait() int {
	select {
	case code := <-s.done:
		s.done <- code // later calls see it too
		return code
	case <-time.After(30 * time.Second):
		s.t.Fatalf("serve did not stop in 30s:\n%s", s.stderr)
		return -1
	}
}

// call makes an API request with token and decodes a JSON answer into out (if not nil);
// it returns the status.
func (s *serving) call(method, path, token, contentType, body string, out any) int {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// create POSTs a JSON body and returns the new entity's id; it fails the test unless the
// answer is 201.
func (s *serving) create(path, token, body string) int64 {
	s.t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	if code := s.call("POST", path, token, "application/json", body, &out); code != http.StatusCreated || out.ID == 0 {
		s.t.Fatalf("POST %s %s: status %d, id %d", path, body, code, out.ID)
	}
	return out.ID
}

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
