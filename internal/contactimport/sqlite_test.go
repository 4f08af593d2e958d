package contactimport

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/contactfile"
	"github.com/outdial/outdial/internal/store/sqlite"
)

// sqliteBatch opens a SQLite store in a temporary directory with a tenant, a task and an
// empty batch.
func sqliteBatch(tb testing.TB) (outdial.Store, *outdial.Batch) {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "outdial.db"), outdial.SystemClock{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	tenant := &outdial.Tenant{Name: "bench"}
	must(tb, s.CreateTenant(ctx, tenant))
	g := &outdial.ScriptGroup{TenantID: tenant.ID, Name: "robot"}
	must(tb, s.CreateScriptGroup(ctx, g))
	l := &outdial.Line{TenantID: tenant.ID, Name: "line", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02100000000"},
		Concurrency: 10, CallsPerSecond: 10}
	must(tb, s.CreateLine(ctx, l))
	task := &outdial.Task{TenantID: tenant.ID, Name: "task", LineID: l.ID, ScriptGroupID: g.ID}
	must(tb, s.CreateTask(ctx, task))
	b := &outdial.Batch{TenantID: tenant.ID, TaskID: task.ID, Name: "upload"}
	must(tb, s.CreateBatch(ctx, b))
	return s, b
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkImportCSVSQLite measures the whole pipeline into a SQLite file: one fresh
// database per op, 200,000 rows each.
func BenchmarkImportCSVSQLite(b *testing.B) {
	const rows = 200_000
	for b.Loop() {
		b.StopTimer()
		store, batch := sqliteBatch(b)
		r, err := contactfile.NewCSV(newUploadCSV(rows))
		must(b, err)
		b.StartTimer()
		res, err := (&Importer{Store: store}).Import(context.Background(), batch, r)
		if err != nil || res.SuccessCount+res.DuplicateCount+res.FailCount != rows {
			b.Fatalf("%+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// Through a real store, duplicates across chunks and uploads are caught by the batch's
// unique numbers.
func TestImportSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("uses a SQLite file")
	}
	store, batch := sqliteBatch(t)
	im := &Importer{Store: store, ChunkSize: 1000}
	began := time.Now()
	r, err := contactfile.NewCSV(newUploadCSV(20_000))
	must(t, err)
	first, err := im.Import(context.Background(), batch, r)
	must(t, err)
	t.Logf("20,000 rows in %v: %+v", time.Since(began).Round(time.Millisecond), first.SuccessCount)
	r, err = contactfile.NewCSV(newUploadCSV(20_000)) // the same numbers again
	must(t, err)
	again, err := im.Import(context.Background(), batch, r)
	must(t, err)
	if again.SuccessCount != 0 || again.DuplicateCount != first.SuccessCount+first.DuplicateCount {
		t.Errorf("second upload %d added, %d duplicates; first %d added, %d duplicates",
			again.SuccessCount, again.DuplicateCount, first.SuccessCount, first.DuplicateCount)
	}
	cs, err := store.Contacts(context.Background(), batch.TenantID, outdial.ContactFilter{BatchID: batch.ID, Page: outdial.Page{Limit: 1}})
	must(t, err)
	if len(cs) != 1 || cs[0].AreaName == "" || cs[0].Status != outdial.ContactPending {
		t.Errorf("stored contact %+v", cs)
	}
}
