package app_test

// Resilience (from an independent review; the bugs it found are fixed): the database goes
// away (connections cut, commits whose answer is lost, a partition) while calls and
// webhooks flow. Needs OUTDIAL_TEST_POSTGRES.

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/app/apptest"
	"github.com/outdial/outdial/internal/config"
)

// rrProxy forwards TCP to PostgreSQL. It can cut every connection (the database goes
// away), refuse new ones while down, and cut a connection at the moment PostgreSQL
// answers COMMIT (the commit happened, the client never learns it).
type rrProxy struct {
	t        testing.TB
	ln       net.Listener
	upstream string

	mu     sync.Mutex
	conns  map[net.Conn]bool
	down   bool
	frozen bool // forward nothing, keep connections open (a network partition)
	// cutCommit: when > 0, every cutCommit-th COMMIT answer is swallowed and its
	// connection cut.
	cutCommit int64
	commits   atomic.Int64
	cuts      atomic.Int64
}

func newRRProxy(t testing.TB, upstream string) *rrProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &rrProxy{t: t, ln: ln, upstream: upstream, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.cutAll() })
	return p
}

func (p *rrProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		u, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[u] = true, true
		p.mu.Unlock()
		go func() { p.copyGated(u, c); u.Close(); c.Close() }()
		go p.serverToClient(u, c)
	}
}

// serverToClient copies PostgreSQL's messages to the client, one by one.
func (p *rrProxy) serverToClient(u, c net.Conn) {
	defer u.Close()
	defer c.Close()
	hdr := make([]byte, 5)
	for {
		if _, err := io.ReadFull(u, hdr); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(hdr[1:])) - 4
		body := make([]byte, n)
		if _, err := io.ReadFull(u, body); err != nil {
			return
		}
		if hdr[0] == 'C' && len(body) >= 6 && string(body[:6]) == "COMMIT" {
			k := p.commits.Add(1)
			p.mu.Lock()
			every := p.cutCommit
			p.mu.Unlock()
			if every > 0 && k%every == 0 {
				p.cuts.Add(1)
				return // committed; the client sees the connection drop
			}
		}
		p.gate()
		if _, err := c.Write(append(hdr, body...)); err != nil {
			return
		}
	}
}

// gate blocks while the proxy is frozen.
func (p *rrProxy) gate() {
	for {
		p.mu.Lock()
		f := p.frozen
		p.mu.Unlock()
		if !f {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *rrProxy) copyGated(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.gate()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *rrProxy) setFrozen(f bool) {
	p.mu.Lock()
	p.frozen = f
	p.mu.Unlock()
}

func (p *rrProxy) cutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *rrProxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.cutAll()
	}
}

// rrReceiver counts webhook deliveries by event id.
type rrReceiver struct {
	mu  sync.Mutex
	got map[string]int // event id -> deliveries
	typ map[string]string
}

func newRRReceiver(t *testing.T) (*rrReceiver, string) {
	r := &rrReceiver{got: map[string]int{}, typ: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var env struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		json.Unmarshal(body, &env)
		r.mu.Lock()
		r.got[env.ID]++
		r.typ[env.ID] = env.Type
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

// rrSetup starts outdial (simulated carrier) on PostgreSQL through a proxy, with a webhook
// receiver, and a running task of n contacts; it returns the env, proxy, receiver, task id.
func rrSetup(t *testing.T, n, conc int) (*apptest.Env, *rrProxy, *rrReceiver, int64) {
	var proxy *rrProxy
	e := apptest.Start(t, apptest.Options{Postgres: true, Sim: true, Config: func(c *config.Config) {
		c.Sim.Speedup = 20
		u, err := url.Parse(c.DB)
		if err != nil {
			t.Fatal(err)
		}
		proxy = newRRProxy(t, u.Host)
		u.Host = proxy.ln.Addr().String()
		c.DB = u.String()
	}})
	rcv, rcvURL := newRRReceiver(t)
	auth := map[string]string{"Authorization": "Bearer " + e.Token}
	if code, body := e.Do("POST", "/api/v1/webhooks", map[string]any{"url": rcvURL + "/hooks", "secret": "whsec-0123456789abcdef"}, auth); code != 201 {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	return e, proxy, rcv, rrTask(t, e, conc, n)
}

// rrTask creates a task of n contacts with concurrency conc through the native API and
// starts it; it returns the task's id.
func rrTask(t *testing.T, e *apptest.Env, conc, n int) int64 {
	t.Helper()
	auth := map[string]string{"Authorization": "Bearer " + e.Token}
	code, body := e.Do("POST", "/api/v1/tasks", map[string]any{"name": "res", "line_id": e.Line.ID,
		"script_group_id": e.Scripts.ID, "max_concurrency": conc}, auth)
	if code != 201 {
		t.Fatalf("task: %d %s", code, body)
	}
	var task struct{ ID int64 }
	json.Unmarshal(body, &task)
	code, body = e.Do("POST", "/api/v1/batches", map[string]any{"task_id": task.ID, "name": "b"}, auth)
	if code != 201 {
		t.Fatalf("batch: %d %s", code, body)
	}
	var batch struct{ ID int64 }
	json.Unmarshal(body, &batch)
	var contacts []map[string]string
	for i := 0; i < n; i++ {
		contacts = append(contacts, map[string]string{"phone": "138" + strconv.Itoa(10000000+i)})
	}
	if code, body = e.Do("POST", "/api/v1/batches/"+strconv.FormatInt(batch.ID, 10)+"/contacts", contacts, auth); code != 200 {
		t.Fatalf("import: %d %s", code, body)
	}
	if code, body = e.Do("POST", "/api/v1/tasks/"+strconv.FormatInt(task.ID, 10)+"/start", nil, auth); code != 200 {
		t.Fatalf("start: %d %s", code, body)
	}
	return task.ID
}

// rrCheck waits for the task to end and checks every invariant the brief names.
func rrCheck(t *testing.T, e *apptest.Env, rcv *rrReceiver, taskID int64, n int, limit time.Duration) {
	t.Helper()
	db := e.Server.Store.DB()
	q := func(query string, args ...any) int {
		var v int
		if err := db.QueryRow(query, args...).Scan(&v); err != nil {
			t.Logf("query %q: %v", query, err)
			return -1
		}
		return v
	}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if q(`SELECT count(*) FROM tasks WHERE id = $1 AND status = 'finished'`, taskID) == 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	dialing := q(`SELECT count(*) FROM contacts WHERE task_id = $1 AND status = 'dialing'`, taskID)
	pending := q(`SELECT count(*) FROM contacts WHERE task_id = $1 AND status = 'pending'`, taskID)
	started := q(`SELECT count(*) FROM calls WHERE task_id = $1 AND status = 'started'`, taskID)
	ended := q(`SELECT count(*) FROM calls WHERE task_id = $1 AND status = 'ended'`, taskID)
	// Attempts whose start could not be confirmed are ended as "not dialled": no call
	// happened, so they have no call.ended webhook.
	dialled := q(`SELECT count(*) FROM calls WHERE task_id = $1 AND status = 'ended' AND reason NOT LIKE 'not dialled%'`, taskID)
	var tCalls, tLive, tPending int
	db.QueryRow(`SELECT calls, live, pending FROM tasks WHERE id = $1`, taskID).Scan(&tCalls, &tLive, &tPending)
	lineLive := q(`SELECT live FROM lines WHERE id = $1`, e.Line.ID)
	status := ""
	db.QueryRow(`SELECT status FROM tasks WHERE id = $1`, taskID).Scan(&status)
	t.Logf("task %s: contacts dialing=%d pending=%d; calls started=%d ended=%d; task.calls=%d task.live=%d task.pending=%d line.live=%d",
		status, dialing, pending, started, ended, tCalls, tLive, tPending, lineLive)
	if status != "finished" {
		t.Errorf("task is %q after %v, want finished (engine did not resume or a contact is stuck)", status, limit)
	}
	if dialing != 0 || started != 0 {
		t.Errorf("%d contacts stuck in 'dialing', %d calls stuck 'started' (no outcome), with outdial still running", dialing, started)
	}
	if tLive != 0 || lineLive != 0 {
		t.Errorf("counters leaked: task.live=%d line.live=%d with no live call", tLive, lineLive)
	}
	if dialled != n {
		t.Errorf("%d calls dialled for %d contacts (no recall rule): each must be dialled exactly once", dialled, n)
	}
	if tCalls != ended {
		t.Errorf("task.calls=%d but %d ended CDRs", tCalls, ended)
	}
	// Webhooks: one call.ended per ended CDR, each delivered once.
	time.Sleep(3 * time.Second)
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	endedHooks, dups := 0, 0
	for id, k := range rcv.got {
		if rcv.typ[id] == "call.ended" {
			endedHooks++
		}
		if k > 1 && rcv.typ[id] != "call.ringing" && rcv.typ[id] != "call.answered" && rcv.typ[id] != "call.started" {
			dups++
			if dups <= 3 {
				t.Logf("event %s (%s) delivered %d times", id, rcv.typ[id], k)
			}
		}
	}
	if endedHooks != dialled {
		t.Errorf("%d call.ended webhooks received, %d ended CDRs of calls dialled (%d in all)", endedHooks, dialled, ended)
	}
	if dups > 0 {
		t.Logf("%d events delivered more than once (at-least-once)", dups)
	}
}

// TestResilienceLostCommitAnswer: some COMMITs succeed in PostgreSQL but the connection
// drops before outdial reads the answer (as when the network or the server goes away at
// that instant). outdial keeps running; every contact must still end up called once and
// final, and no counter may leak.
func TestResilienceLostCommitAnswer(t *testing.T) {
	const n = 60
	e, proxy, rcv, taskID := rrSetup(t, n, 5)
	proxy.mu.Lock()
	proxy.cutCommit = 7
	proxy.mu.Unlock()
	time.Sleep(6 * time.Second)
	proxy.mu.Lock()
	proxy.cutCommit = 0
	proxy.mu.Unlock()
	t.Logf("commits seen %d, answers cut %d", proxy.commits.Load(), proxy.cuts.Load())
	rrCheck(t, e, rcv, taskID, n, 30*time.Second)
}

// TestResilienceDatabaseOutage: the database goes away three times for 1.5 s (every
// connection cut, new ones refused) while calls flow, then comes back.
func TestResilienceDatabaseOutage(t *testing.T) {
	const n = 60
	e, proxy, rcv, taskID := rrSetup(t, n, 5)
	for i := 0; i < 3; i++ {
		time.Sleep(1500 * time.Millisecond)
		proxy.setDown(true)
		time.Sleep(1500 * time.Millisecond)
		proxy.setDown(false)
	}
	rrCheck(t, e, rcv, taskID, n, 30*time.Second)
}

// TestResilienceShutdownWhileDatabaseHangs: the database stops answering (a partition:
// connections stay open, nothing comes back) while calls flow, then outdial is asked to
// shut down with a 3 s timeout (serve does exactly this on SIGTERM with
// --shutdown-timeout 3s). Shutdown must be bounded by the timeout.
func TestResilienceShutdownWhileDatabaseHangs(t *testing.T) {
	e, proxy, _, _ := rrSetup(t, 60, 5)
	e.ShutdownErrorExpected = true
	time.Sleep(1500 * time.Millisecond)
	proxy.setFrozen(true)
	time.Sleep(500 * time.Millisecond)
	const timeout = 3 * time.Second
	done := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		err := e.Server.Close(ctx)
		t.Logf("Close returned: %v", err)
		done <- time.Since(start)
	}()
	select {
	case d := <-done:
		t.Logf("shutdown took %v (timeout %v)", d, timeout)
		if d > timeout+time.Second {
			t.Errorf("shutdown took %v, --shutdown-timeout is %v", d, timeout)
		}
	case <-time.After(20 * time.Second):
		if f, err := os.Create(os.TempDir() + "/rr_goroutines.txt"); err == nil {
			pprof.Lookup("goroutine").WriteTo(f, 1)
			f.Close()
		}
		t.Errorf("shutdown still running 20 s after it began, --shutdown-timeout is %v", timeout)
		proxy.setFrozen(false)
		proxy.setDown(true) // let it finish so the test can end
		<-done
	}
}

// TestResilienceHangingReceiver: one subscription's receiver accepts TCP connections and
// never answers; another's answers at once. Every call.ended must reach the good one
// soon after the task finishes, whatever the hanging one does.
func TestResilienceHangingReceiver(t *testing.T) {
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	var hmu sync.Mutex
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			hmu.Lock()
			held = append(held, c) // read nothing, answer nothing
			hmu.Unlock()
		}
	}()
	t.Cleanup(func() {
		hang.Close()
		hmu.Lock()
		for _, c := range held {
			c.Close()
		}
		hmu.Unlock()
	})
	e := apptest.Start(t, apptest.Options{Sim: true, Config: func(c *config.Config) { c.Sim.Speedup = 50 }})
	rcv, rcvURL := newRRReceiver(t)
	auth := map[string]string{"Authorization": "Bearer " + e.Token}
	for _, u := range []string{"http://" + hang.Addr().String() + "/hooks", rcvURL + "/hooks"} {
		if code, body := e.Do("POST", "/api/v1/webhooks", map[string]any{"url": u, "secret": "whsec-0123456789abcdef"}, auth); code != 201 {
			t.Fatalf("subscribe: %d %s", code, body)
		}
	}
	const n = 200
	start := time.Now()
	rrTask(t, e, 10, n)
	ended := func() int {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		k := 0
		for id := range rcv.got {
			if rcv.typ[id] == "call.ended" {
				k++
			}
		}
		return k
	}
	deadline := time.Now().Add(25 * time.Second)
	for ended() < n && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("good receiver: %d/%d call.ended after %v", ended(), n, time.Since(start).Round(time.Millisecond))
	if ended() < n {
		t.Errorf("good receiver got %d of %d call.ended webhooks in 25 s while another receiver hangs", ended(), n)
	}
}
