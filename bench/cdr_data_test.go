package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/postgres"
	"github.com/outdial/outdial/internal/store/sqlite"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
)

// The CDR search benchmark's data: cdrCalls finished calls of one tenant over cdrDays days
// from cdrStart, one every cdrStepMS milliseconds, spread over cdrTasks tasks; each of
// cdrContacts contacts is called twice (attempt 2 half the period after attempt 1).
// callresult is 0 for 60% of the calls, 1 for 35% and 2 for 5%.
//
// The data is generated on first use and kept for later runs, named by cdrDataVersion
// and the size: SQLite in $TMPDIR/outdial-bench/cdr-v2-10000000.db (about 4 GB),
// PostgreSQL in the schema outdial_bench_cdr_v2_10000000 of OUTDIAL_TEST_POSTGRES's
// database (about 7 GB). Making it took 12 minutes for SQLite and 5 for PostgreSQL on
// the 2-core machine. Delete the file or drop the schema to reclaim the space.
const (
	cdrDataVersion = "cdr-v3" // change it when the generation below changes
	cdrTasks       = 20
	cdrDays        = 30
)

// cdrStart is day 0, 00:00 in Shanghai.
var cdrStart = time.Date(2026, 9, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// cdrCalls is the number of CDRs: 10,000,000, or OUTDIAL_BENCH_CDRS (a multiple of 40).
func cdrCalls() int64 {
	if n, err := strconv.ParseInt(os.Getenv("OUTDIAL_BENCH_CDRS"), 10, 64); err == nil && n >= 40 {
		return n - n%40
	}
	return 10_000_000
}

// cdrWorld is the generated data as the benchmark needs it.
type cdrWorld struct {
	store    *sqlstore.Store
	tenantID int64
	task0    int64 // tasks are task0 .. task0+cdrTasks-1
	calls    int64
	stepMS   int64
}

// cdrID is the call id of call i (node 1, sequence 0).
func (w *cdrWorld) cdrID(i int64) int64 {
	return outdial.CallIDFloor(cdrStart.Add(time.Duration(i*w.stepMS)*time.Millisecond)) | 1<<11
}

// cdrPhone is contact k's number.
func cdrPhone(k int64) string { return fmt.Sprintf("138%08d", k) }

// openCDRWorld returns the data in db ("sqlite" or "postgres"), generating it on first use.
func openCDRWorld(b testing.TB, db string) *cdrWorld {
	ctx := context.Background()
	calls := cdrCalls()
	key := fmt.Sprintf("%s-%d", cdrDataVersion, calls)
	var s *sqlstore.Store
	var err error
	switch db {
	case "sqlite":
		dir := filepath.Join(os.TempDir(), "outdial-bench")
		must(b, os.MkdirAll(dir, 0o755))
		path := filepath.Join(dir, key+".db")
		if !cdrReady(path, key) {
			os.Remove(path)
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
		}
		s, err = sqlite.Open(ctx, path, nil)
	default:
		dsn := storetest.PostgresDSN(b)
		schema := "outdial_bench_" + strings.ReplaceAll(key, "-", "_")
		admin, err := sql.Open("pgx", dsn)
		must(b, err)
		var v string
		if admin.QueryRow(`SELECT version FROM ` + schema + `.bench_meta`).Scan(&v); v != key {
			_, err = admin.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
			must(b, err)
		}
		_, err = admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema)
		admin.Close()
		must(b, err)
		u, err := url.Parse(dsn)
		must(b, err)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		s, err = postgres.Open(ctx, u.String(), nil)
		must(b, err)
	}
	must(b, err)
	w := &cdrWorld{store: s, calls: calls, stepMS: int64(cdrDays*24*time.Hour/time.Millisecond) / calls}
	var version string
	if s.DB().QueryRow(`SELECT version FROM bench_meta`).Scan(&version); version != key {
		b.Logf("generating %d CDRs in %s (once; kept for later runs under the name %s)", calls, db, key)
		start := time.Now()
		must(b, w.generate(ctx, db))
		_, err := s.DB().Exec(`CREATE TABLE bench_meta (version TEXT NOT NULL)`)
		must(b, err)
		_, err = s.DB().Exec(`INSERT INTO bench_meta (version) VALUES ('` + key + `')`)
		must(b, err)
		b.Logf("generated in %v", time.Since(start).Round(time.Second))
	}
	must(b, s.DB().QueryRow(`SELECT id FROM tenants WHERE name = 'cdr-bench'`).Scan(&w.tenantID))
	must(b, s.DB().QueryRow(`SELECT min(id) FROM tasks WHERE tenant_id = `+strconv.FormatInt(w.tenantID, 10)).Scan(&w.task0))
	return w
}

// cdrReady reports whether the SQLite file at path holds complete data of version key.
func cdrReady(path, key string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		return false
	}
	defer db.Close()
	var v string
	return db.QueryRow(`SELECT version FROM bench_meta`).Scan(&v) == nil && v == key
}

// generate creates the tenant, its tasks and batches through the store, then the
// contacts and calls in bulk SQL, with the two tables' secondary indexes dropped during
// the load and built again after it.
func (w *cdrWorld) generate(ctx context.Context, db string) error {
	s := w.store
	t := &outdial.Tenant{Name: "cdr-bench"}
	if err := s.CreateTenant(ctx, t); err != nil {
		return err
	}
	w.tenantID = t.ID
	line := &outdial.Line{TenantID: t.ID, Name: "l", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02151234560"}, Concurrency: 100}
	g := &outdial.ScriptGroup{TenantID: t.ID, Name: "g"}
	if err := s.CreateLine(ctx, line); err != nil {
		return err
	}
	if err := s.CreateScriptGroup(ctx, g); err != nil {
		return err
	}
	var batch0, project int64
	for n := range cdrTasks {
		task := &outdial.Task{TenantID: t.ID, Name: fmt.Sprintf("task %d", n), LineID: line.ID, ScriptGroupID: g.ID}
		if err := s.CreateTask(ctx, task); err != nil {
			return err
		}
		batch := &outdial.Batch{TenantID: t.ID, TaskID: task.ID, Name: "b"}
		if err := s.CreateBatch(ctx, batch); err != nil {
			return err
		}
		if n == 0 {
			w.task0, batch0, project = task.ID, batch.ID, task.ProjectID
		} else if task.ID != w.task0+int64(n) || batch.ID != batch0+int64(n) {
			return fmt.Errorf("task and batch ids are not consecutive")
		}
	}
	return w.load(ctx, db, line.ID, batch0, project)
}
