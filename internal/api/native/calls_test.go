package native

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// placeCalls imports phones into the world's batch and makes one call to each through
// the store, started a minute apart; results[i] ends call i ("" leaves it live).
func placeCalls(t *testing.T, c *caller, w world, phones []string, results []outdial.Result, recordings []string) []*outdial.Call {
	t.Helper()
	e := c.e
	body := "phone\n"
	for _, p := range phones {
		body += p + "\n"
	}
	wantImport(t, e.send(c, "POST", path("/api/v1/batches/%d/contacts", w.batch), body, "text/csv"), len(phones), 0, 0)
	cs, err := e.store.Contacts(ctx, c.tenant.ID, outdial.ContactFilter{BatchID: w.batch})
	if err != nil {
		t.Fatal(err)
	}
	task, _ := e.store.Task(ctx, c.tenant.ID, w.task)
	ids := outdial.NewCallIDs(int(c.tenant.ID))
	var calls []*outdial.Call
	for i, ct := range cs {
		at := e.clock.Now().Add(time.Duration(i) * time.Minute)
		call := &outdial.Call{ID: ids.Next(at), TenantID: c.tenant.ID, ProjectID: task.ProjectID, TaskID: w.task, BatchID: w.batch,
			ContactID: ct.ID, LineID: w.line, Attempt: 1, NodeID: "n1", Caller: "0215123456" + strconv.Itoa(i%2), Called: ct.Phone,
			StartTime: at}
		refusals, err := e.store.StartAttempts(ctx, []outdial.AttemptStart{{Call: call, LineConcurrency: 100, TaskConcurrency: 100}})
		if err != nil || refusals[0] != nil {
			t.Fatalf("start: %v %v", err, refusals[0])
		}
		calls = append(calls, call)
		if results[i] == "" {
			continue
		}
		o := outdial.Outcome{Result: results[i], EndTime: at.Add(20 * time.Second), SIPStatus: 486}
		if results[i] == outdial.ResultAnswered {
			o.SIPStatus, o.RingTime, o.AnswerTime, o.HangupBy = 200, at.Add(time.Second), at.Add(3*time.Second), outdial.HangupCustomer
			o.DTMF, o.Tags = "1", []string{"interested"}
		}
		if i < len(recordings) {
			o.Recording = recordings[i]
		}
		call.Apply(o)
		err = e.store.FinishAttempts(ctx, []outdial.AttemptEnd{{Call: call, Contact: outdial.ContactUpdate{TenantID: c.tenant.ID,
			ContactID: ct.ID, Status: outdial.ContactFinished, Result: results[i]}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return calls
}

// callIDs lists the ids of a call page.
func callIDs(p page[callOut]) []string {
	out := []string{}
	for _, c := range p.Data {
		out = append(out, c.ID)
	}
	return out
}

func TestCalls(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	w := a.world(t)
	phones := []string{"13800000001", "13800000002", "13800000003", "13800000004", "13800000005"}
	results := []outdial.Result{outdial.ResultAnswered, outdial.ResultBusy, outdial.ResultAnswered, outdial.ResultNoAnswer, ""}
	calls := placeCalls(t, a, w, phones, results, nil)
	id := func(i int) string { return strconv.FormatInt(calls[i].ID, 10) }
	list := func(query string) page[callOut] {
		t.Helper()
		var p page[callOut]
		a.do("GET", "/api/v1/calls"+query, nil).ok(t, http.StatusOK, &p)
		return p
	}
	same := func(what string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s = %v, want %v", what, got, want)
			}
		}
	}
	same("default (newest first, ended only)", callIDs(list("")), id(3), id(2), id(1), id(0))

	p1 := list("?order=asc&limit=2")
	same("asc page 1", callIDs(p1), id(0), id(1))
	p2 := list("?order=asc&limit=2&cursor=" + *p1.NextCursor)
	same("asc page 2", callIDs(p2), id(2), id(3))
	p3 := list("?order=asc&limit=2&cursor=" + *p2.NextCursor)
	if len(p3.Data) != 0 || p3.NextCursor != nil {
		t.Fatalf("asc page 3 = %+v", p3)
	}
	d1 := list("?limit=3")
	same("desc page 1", callIDs(d1), id(3), id(2), id(1))
	d2 := list("?limit=3&cursor=" + *d1.NextCursor)
	same("desc page 2", callIDs(d2), id(0))
	if d2.NextCursor != nil {
		t.Fatal("a short page has a next_cursor")
	}

	from := calls[1].StartTime.Add(30 * time.Second).Format(time.RFC3339)
	to := calls[2].StartTime.Add(30 * time.Second).In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339)
	for _, f := range []struct {
		query string
		want  []string
	}{
		{"?result=busy", []string{id(1)}},
		{"?callresult=1", []string{id(2), id(0)}},
		{"?callresult=0", []string{id(3), id(1)}},
		{"?endresult=11", []string{id(2), id(0)}},
		{"?called=%2B86%20138-0000-0003", []string{id(2)}},
		{"?caller=02151234561", []string{id(3), id(1)}},
		{path("?task_id=%d&batch_id=%d&project_id=%d", w.task, w.batch, calls[0].ProjectID), []string{id(3), id(2), id(1), id(0)}},
		{path("?contact_id=%d", calls[3].ContactID), []string{id(3)}},
		{"?from=" + from + "&to=" + urlQuery(to), []string{id(2)}},
		{path("?task_id=%d", w.task+1000), nil},
	} {
		same(f.query, callIDs(list(f.query)), f.want...)
	}

	var got callOut
	a.do("GET", "/api/v1/calls/"+id(0), nil).ok(t, http.StatusOK, &got)
	if got.ID != id(0) || got.Result != "answered" || got.CallResult != 1 || got.EndResult != 11 || got.AnsSecs != 17 ||
		got.AnswerTime == nil || got.LinkTime != nil || got.DTMF != "1" || len(got.Tags) != 1 || got.HasRecording {
		t.Fatalf("call = %+v", got)
	}
	raw := a.do("GET", "/api/v1/calls/"+id(0), nil).obj(t)
	if _, isString := raw["id"].(string); !isString {
		t.Fatalf("call id on the wire is %T, want a string", raw["id"])
	}
	a.do("GET", "/api/v1/calls/"+id(4), nil).ok(t, http.StatusOK, &got)
	if got.Status != "started" || got.EndTime != nil {
		t.Fatalf("live call = %+v", got)
	}
	a.do("GET", "/api/v1/calls/"+id(0)+"1", nil).fails(t, http.StatusNotFound, "not_found", "")
}

// urlQuery escapes the '+' of a time zone offset.
func urlQuery(s string) string {
	out := ""
	for _, r := range s {
		if r == '+' {
			out += "%2B"
		} else {
			out += string(r)
		}
	}
	return out
}

func TestRecording(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	w := a.world(t)
	os.MkdirAll(filepath.Join(e.dataDir, "recordings"), 0o755)
	wav := []byte("RIFF....WAVEfmt fake audio")
	os.WriteFile(filepath.Join(e.dataDir, "recordings", "a.wav"), wav, 0o644)
	outside := filepath.Join(t.TempDir(), "secret.wav")
	os.WriteFile(outside, []byte("secret"), 0o644)
	os.Symlink(outside, filepath.Join(e.dataDir, "recordings", "link.wav"))
	phones := []string{"13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13800000006"}
	results := []outdial.Result{"answered", "answered", "answered", "answered", "answered", "answered"}
	recs := []string{"recordings/a.wav", filepath.Join(e.dataDir, "recordings", "a.wav"), "", "../secret.wav",
		"recordings/link.wav", outside}
	calls := placeCalls(t, a, w, phones, results, recs)
	for i, want := range []int{200, 200, 404, 404, 404, 404} {
		r := a.do("GET", path("/api/v1/calls/%d/recording", calls[i].ID), nil)
		if want == 404 {
			r.fails(t, http.StatusNotFound, "not_found", "")
			continue
		}
		r.ok(t, http.StatusOK, nil)
		if string(r.body) != string(wav) || r.header.Get("Content-Type") != "audio/wav" {
			t.Fatalf("recording %d = %q (%s)", i, r.body, r.header.Get("Content-Type"))
		}
	}
	var c callOut
	a.do("GET", path("/api/v1/calls/%d", calls[0].ID), nil).ok(t, http.StatusOK, &c)
	if !c.HasRecording {
		t.Fatal("has_recording is false for a call with a recording")
	}
}

func TestTaskControl(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	w := a.world(t)
	placeCalls(t, a, w, []string{"13800000001", "13800000002", "13800000003"},
		[]outdial.Result{outdial.ResultAnswered, outdial.ResultBusy, ""}, nil)
	var task taskOut
	start := path("/api/v1/tasks/%d/start", w.task)
	a.do("POST", start, nil).ok(t, http.StatusOK, &task)
	if task.Status != "running" {
		t.Fatalf("status after start = %q", task.Status)
	}
	a.do("POST", start, nil).ok(t, http.StatusOK, &task) // a running task stays running
	a.do("GET", path("/api/v1/tasks/%d", w.task), nil).ok(t, http.StatusOK, &task)
	if task.Status != "running" {
		t.Fatalf("stored status = %q", task.Status)
	}
	var p outdial.Progress
	a.do("GET", path("/api/v1/tasks/%d/progress", w.task), nil).ok(t, http.StatusOK, &p)
	want := outdial.Progress{Total: 3, Pending: 1, Dialed: 3, Answered: 1, Failed: 1, Calls: 2, Live: 1, Percent: 66}
	if p != want {
		t.Fatalf("progress = %+v, want %+v", p, want)
	}
	a.do("POST", path("/api/v1/tasks/%d/stop", w.task), nil).ok(t, http.StatusOK, &task)
	if task.Status != "stopped" {
		t.Fatalf("status after stop = %q", task.Status)
	}

	// A line that has expired cannot start a task.
	var line lineOut
	a.do("GET", path("/api/v1/lines/%d", w.line), nil).ok(t, http.StatusOK, &line)
	until := e.clock.Now().Add(time.Hour).Format(time.RFC3339)
	a.do("PUT", path("/api/v1/lines/%d", w.line), m{"name": line.Name, "gateway": line.Gateway, "caller_numbers": line.CallerNumbers,
		"concurrency": line.Concurrency, "valid_until": until}).ok(t, http.StatusOK, nil)
	e.clock.Advance(2 * time.Hour)
	a.do("POST", start, nil).fails(t, http.StatusBadRequest, "invalid", "")
	a.do("GET", path("/api/v1/tasks/%d", w.task), nil).ok(t, http.StatusOK, &task)
	if task.Status != "stopped" {
		t.Fatalf("a refused start changed the status to %q", task.Status)
	}
}
