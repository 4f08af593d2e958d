package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// setUpBatch creates, through the API, what contacts need: a line, a script group with a
// script, a task and a batch; it returns the batch id.
func setUpBatch(t *testing.T, s *serving, token string) int64 {
	t.Helper()
	line := s.create("/api/v1/lines", token, `{"name":"trunk","gateway":"127.0.0.1:5080","caller_numbers":["02100000000"],"concurrency":2}`)
	group := s.create("/api/v1/script-groups", token, `{"name":"greeting"}`)
	s.create("/api/v1/scripts", token, fmt.Sprintf(`{"group_id":%d,"name":"hello","prompts":[{"text":"您好"}]}`, group))
	task := s.create("/api/v1/tasks", token, fmt.Sprintf(`{"name":"renewals","line_id":%d,"script_group_id":%d}`, line, group))
	return s.create("/api/v1/batches", token, fmt.Sprintf(`{"task_id":%d,"name":"monday"}`, task))
}

func TestImport(t *testing.T) {
	e := newEnv(t)
	token := strings.TrimSpace(e.mustRun("tenant", "create", "acme"))
	e.mustRun("tenant", "create", "other")
	s := e.serve(nil)
	batch := setUpBatch(t, s, token)
	id := strconv.FormatInt(batch, 10)

	csv := writeFile(t, filepath.Join(e.dir, "contacts.csv"),
		"phone,name\n13800138000,张三\n138 0013 8001,李四\n+8613800138000,dup\n12345,bad\n,empty\n")
	r := e.run("import", "--tenant", "acme", "--batch", id, csv)
	if r.code != 0 {
		t.Fatalf("import: exit %d, stderr %s", r.code, r.stderr)
	}
	var got importResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("import printed %q: %v", r.stdout, err)
	}
	if got.SuccessCount != 2 || got.DuplicateCount != 1 || got.FailCount != 2 || len(got.Failures) != 2 ||
		got.Failures[0].Row != 5 || got.Failures[1].Row != 6 {
		t.Fatalf("import result %+v", got)
	}
	for _, key := range []string{`"successCount": 2`, `"duplicateCount": 1`, `"failCount": 2`, `"row": 5`} {
		if !strings.Contains(r.stdout, key) {
			t.Errorf("output lacks %s:\n%s", key, r.stdout)
		}
	}

	// JSON from stdin, then the API sees what the command stored.
	m := e.main(nil, nil)
	var out, errs syncBuffer
	m.Stdout, m.Stderr = &out, &errs
	m.Stdin = strings.NewReader(`[{"phone":"13900139000"},{"phone":"13800138001"}]`)
	if code := m.Run(t.Context(), []string{"import", "--tenant=acme", "--batch=" + id, "--format=json", "-"}); code != 0 ||
		!strings.Contains(out.String(), `"successCount": 1`) || !strings.Contains(out.String(), `"duplicateCount": 1`) {
		t.Fatalf("import from stdin: exit %d, %s %s", code, out.String(), errs.String())
	}
	var b struct{ Size int64 }
	if code := s.call("GET", "/api/v1/batches/"+id, token, "", "", &b); code != 200 || b.Size != 3 {
		t.Fatalf("batch after imports: %d, size %d", code, b.Size)
	}

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"another tenant's batch", []string{"import", "--tenant", "other", "--batch", id, csv}, 1, `tenant "other" has no batch ` + id},
		{"unknown tenant", []string{"import", "--tenant", "nobody", "--batch", id, csv}, 1, `no tenant named "nobody"`},
		{"missing file", []string{"import", "--tenant", "acme", "--batch", id, filepath.Join(e.dir, "none.csv")}, 1, "no such file"},
		{"unknown format", []string{"import", "--tenant", "acme", "--batch", id, filepath.Join(e.dir, "c.xls")}, 2, "cannot tell the format"},
		{"no batch", []string{"import", "--tenant", "acme", csv}, 2, "needs --tenant NAME and --batch ID"},
		{"no file", []string{"import", "--tenant", "acme", "--batch", id}, 2, "exactly one FILE"},
		{"bad json", []string{"import", "--tenant", "acme", "--batch", id, writeFile(t, filepath.Join(e.dir, "x.json"), `{"phone":1}`)}, 1, "JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q (want %q)", r.code, tt.code, r.stdout, r.stderr, tt.stderr)
			}
		})
	}
}
