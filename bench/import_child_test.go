package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/native"
	"github.com/outdial/outdial/internal/auth"
	"github.com/outdial/outdial/internal/store/sqlite"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
)

// importChildEnv holds the importChild JSON that makes TestImportChild run one import.
const importChildEnv = "OUTDIAL_BENCH_IMPORT_CHILD"

// importChild is what the benchmark asks of its child process.
type importChild struct {
	CSV    string // the upload
	Store  string // "sqlite" or "postgres"
	Result string // where the child writes its importOutcome
}

// importOutcome is what one import in a child process measured.
type importOutcome struct {
	Seconds        float64 // from sending the request to reading the whole answer
	CPUSeconds     float64 // user and system CPU time the child spent in that time
	PeakRSS        int64   // the child's VmHWM at the end, bytes
	SuccessCount   int     `json:"successCount"`
	DuplicateCount int     `json:"duplicateCount"`
	FailCount      int     `json:"failCount"`
	BatchSize      int64   // the batch's size in the store afterwards
}

// TestImportChild is not a test: it is the process the import benchmarks start, so that
// the peak RSS they report is that of a process that did nothing but serve the API and
// import one upload (the client streams the file from disk in the same process). It
// skips unless importChildEnv is set.
func TestImportChild(t *testing.T) {
	spec := os.Getenv(importChildEnv)
	if spec == "" {
		t.Skip("runs only as the child process of BenchmarkImport*")
	}
	var job importChild
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var s *sqlstore.Store
	switch job.Store {
	case "sqlite":
		var err error
		if s, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "outdial.db"), outdial.SystemClock{}); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	case "postgres":
		s = storetest.OpenPostgres(t, outdial.SystemClock{})
	default:
		t.Fatalf("unknown store %q", job.Store)
	}
	batch, token := importBatch(t, s)
	mux := http.NewServeMux()
	native.New(native.Config{Store: s}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	f, err := os.Open(job.CSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/batches/%d/contacts", srv.URL, batch.ID), f)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = st.Size()
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	began, cpu := time.Now(), importCPUTime()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out importOutcome
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	out.Seconds, out.CPUSeconds = time.Since(began).Seconds(), (importCPUTime() - cpu).Seconds()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("import answered %s: %v", resp.Status, err)
	}
	out.PeakRSS = importPeakRSS()
	b, err := s.Batch(ctx, batch.TenantID, batch.ID)
	if err != nil {
		t.Fatal(err)
	}
	out.BatchSize = b.Size
	res, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(job.Result, res, 0o644); err != nil {
		t.Fatal(err)
	}
}

// importBatch creates a tenant with a token, and a task with an empty batch.
func importBatch(t *testing.T, s outdial.Store) (*outdial.Batch, string) {
	ctx := context.Background()
	tenant := &outdial.Tenant{Name: "bench", CapPerHour: outdial.DefaultCapPerHour, CapPerDay: outdial.DefaultCapPerDay}
	check := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	check(s.CreateTenant(ctx, tenant))
	token, err := auth.Issue(ctx, s, tenant.ID)
	check(err)
	g := &outdial.ScriptGroup{TenantID: tenant.ID, Name: "robot"}
	check(s.CreateScriptGroup(ctx, g))
	l := &outdial.Line{TenantID: tenant.ID, Name: "line", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02100000000"},
		Concurrency: 10, CallsPerSecond: 10}
	check(s.CreateLine(ctx, l))
	task := &outdial.Task{TenantID: tenant.ID, Name: "task", LineID: l.ID, ScriptGroupID: g.ID}
	check(s.CreateTask(ctx, task))
	b := &outdial.Batch{TenantID: tenant.ID, TaskID: task.ID, Name: "upload"}
	check(s.CreateBatch(ctx, b))
	return b, token
}

// importCPUTime returns the user and system CPU time the process has used.
func importCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// importPeakRSS returns the process's peak resident set size (VmHWM) in bytes, 0 where
// /proc does not tell.
func importPeakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
