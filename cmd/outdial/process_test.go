package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this package's test binary as the real outdial program: with
// OUTDIAL_TEST_MAIN set to a JSON array of arguments, the binary runs Main with them and
// exits, so crash tests can kill a real outdial process with SIGKILL.
func TestMain(m *testing.M) {
	if args := os.Getenv("OUTDIAL_TEST_MAIN"); args != "" {
		var a []string
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			fmt.Fprintln(os.Stderr, "OUTDIAL_TEST_MAIN:", err)
			os.Exit(2)
		}
		os.Exit(NewMain().Run(context.Background(), a))
	}
	os.Exit(m.Run())
}

// process is a real outdial process started from the test binary.
type process struct {
	t   *testing.T
	cmd *exec.Cmd
	out *syncBuffer
}

// startProcess runs "outdial args..." as a child process with the OUTDIAL_* variables env.
func startProcess(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	a, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OUTDIAL_TEST_MAIN="+string(a))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{t: t, cmd: cmd, out: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return p
}

// kill ends the process with SIGKILL, as a crash would.
func (p *process) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatal(err)
	}
	p.cmd.Wait()
}

// stop ends the process with SIGTERM and waits for its clean exit.
func (p *process) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Errorf("outdial exited with %v:\n%s", err, tail(p.out.String(), 2000))
		}
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		p.t.Fatalf("outdial did not stop in 30 s:\n%s", tail(p.out.String(), 2000))
	}
}

// waitFor polls cond until it holds, failing after limit with the process's output.
func (p *process) waitFor(limit time.Duration, what string, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if p.cmd.ProcessState != nil {
			p.t.Fatalf("outdial exited while waiting for %s:\n%s", what, tail(p.out.String(), 3000))
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out after %v waiting for %s:\n%s", limit, what, tail(p.out.String(), 3000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr returns a 127.0.0.1 address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		i += j + 1
	}
	return s[i:]
}
