package groupcall_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/groupcall"
	"github.com/outdial/outdial/internal/app/apptest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var ctx = context.Background()

// startOutdial runs a whole outdial (real SIP to the carrier simulator) with a client of
// the dialect for its tenant. It skips without espeak-ng, which the test script speaks by.
func startOutdial(t *testing.T, o apptest.Options) (*apptest.Env, groupcall.Client) {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil && os.Getenv("CI") != "true" {
		t.Skip("espeak-ng is not installed (the script speaks by TTS)")
	}
	e := apptest.Start(t, o)
	return e, groupcall.Client{T: t, Base: e.URL}
}

// newTask creates a task of the tenant on the carrier simulator's line.
func newTask(t *testing.T, e *apptest.Env, name string, window outdial.DailyWindow, zone string) *outdial.Task {
	t.Helper()
	task := &outdial.Task{TenantID: e.Tenant.ID, Name: name, LineID: e.Line.ID, ScriptGroupID: e.Scripts.ID,
		MaxConcurrency: 5, RingTimeoutSeconds: 3, Window: window, TimeZone: zone}
	if err := e.Server.Store.CreateTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	return task
}

// openZone names a fixed-offset time zone in which it is now between 10:00 and 17:59, so
// that a task with the document's window (08:30:01 to 19:30:02) dials during the test.
func openZone(now time.Time) string {
	for k := -12; k <= 14; k++ {
		if h := (now.UTC().Hour() + k + 24) % 24; h >= 10 && h <= 17 {
			switch { // Etc/GMT-8 is UTC+8
			case k > 0:
				return "Etc/GMT-" + strconv.Itoa(k)
			case k < 0:
				return "Etc/GMT+" + strconv.Itoa(-k)
			}
			return "Etc/GMT"
		}
	}
	panic("unreachable")
}

// waitCalls waits until the task is finished with n CDRs, and returns them.
func waitCalls(t *testing.T, e *apptest.Env, task *outdial.Task, n int) []*outdial.Call {
	t.Helper()
	var calls []*outdial.Call
	e.WaitFor(90*time.Second, "the task's calls", func() bool {
		got, err := e.Server.Store.Task(ctx, e.Tenant.ID, task.ID)
		if err != nil || got.Status != outdial.TaskFinished {
			return false
		}
		calls, err = e.Server.Store.Calls(ctx, outdial.CallFilter{TenantID: e.Tenant.ID, TaskID: task.ID})
		return err == nil && len(calls) == n
	})
	return calls
}

// id formats an id as the dialect shows it.
func id(n int64) string { return strconv.FormatInt(n, 10) }

// outline is groupcall.Outline failing the test on a document it cannot read.
func outline(t *testing.T, b []byte) string {
	t.Helper()
	o, err := groupcall.Outline(b)
	if err != nil {
		t.Fatalf("outline of %s: %v", b, err)
	}
	return o
}

// normalised is groupcall.Normalise failing the test on a document it cannot read.
func normalised(t *testing.T, b []byte) []byte {
	t.Helper()
	v, err := groupcall.Normalise(b)
	if err != nil {
		t.Fatalf("normalise %s: %v", b, err)
	}
	return v
}

// mustID reads an id string.
func mustID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		t.Fatalf("%q is not an id", s)
	}
	return n
}

// golden compares the normalised answer with testdata/golden/<name>.json (rewritten with
// -update) and returns the normalised answer.
func golden(t *testing.T, name string, body []byte) []byte {
	t.Helper()
	got := normalised(t, body)
	file := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: the answer differs from %s:\n%s", name, file, got)
	}
	return got
}

// receiver is a customer's callback endpoint on 127.0.0.1: it keeps every request and
// answers 200.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []delivery
	seen map[string]bool // event ids
}

// delivery is one request the receiver got.
type delivery struct {
	path   string
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{seen: map[string]bool{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		if ev := req.Header.Get("X-Outdial-Event-Id"); ev == "" || !r.seen[ev] { // drop redeliveries
			r.seen[ev] = true
			r.got = append(r.got, delivery{path: req.URL.RequestURI(), header: req.Header.Clone(), body: b})
		}
		r.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}
