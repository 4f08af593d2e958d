package bench

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// importRows is the size of the benchmarks' upload.
const importRows = 1_000_000

// BenchmarkImportSQLite imports a generated 1,000,000-row CSV (writeImportCSV: realistic
// Chinese mobiles, 2% duplicates, 1% invalid) through the native API into a new SQLite
// store and checks the answer's counts. Each op is one import in a child process (see
// TestImportChild), so that the peak RSS is that of a process that did only the import.
// Metrics:
//
//   - rows/s: rows of the upload over the time from sending the request to reading the
//     answer;
//   - peak-RSS-MB: the child's VmHWM;
//   - cpu-s/op: the child's CPU time during the import (both cores);
//   - x-sqlite3-import: that time over the time the sqlite3 shell takes, in the same op,
//     to .import the same file into a bare table of a new database (left out when sqlite3
//     is not on PATH); x-sqlite3-cpu: the same for CPU time.
//
// ns/op is the child's whole life (start, migrations, import) plus the CSV's generation
// on the first op. It takes about a minute.
func BenchmarkImportSQLite(b *testing.B) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Log("sqlite3 is not on PATH: no ratio to its .import")
	}
	benchmarkImport(b, "sqlite", func(b *testing.B, dir string, file *importFile) (wall, cpu float64) {
		if sqlite3 == "" {
			return 0, 0
		}
		db := filepath.Join(dir, "sqlite3.db")
		os.Remove(db)
		defer os.Remove(db)
		return timeCommand(b, exec.Command(sqlite3, db, ".mode csv", ".import "+file.path+" bare"))
	}, "sqlite3-import")
}

// BenchmarkImportPostgres is BenchmarkImportSQLite into PostgreSQL (a new schema on
// OUTDIAL_TEST_POSTGRES; skipped without it). Its reference is psql's \copy of the file
// into a bare temporary table (x-psql-copy; left out when psql is not on PATH): most of
// the work is the server's, so there is no CPU ratio.
func BenchmarkImportPostgres(b *testing.B) {
	dsn := os.Getenv("OUTDIAL_TEST_POSTGRES")
	if dsn == "" {
		b.Skip("set OUTDIAL_TEST_POSTGRES=postgres://... to import into PostgreSQL")
	}
	psql, err := exec.LookPath("psql")
	if err != nil {
		b.Log("psql is not on PATH: no ratio to its \\copy")
	}
	benchmarkImport(b, "postgres", func(b *testing.B, _ string, file *importFile) (wall, cpu float64) {
		if psql == "" {
			return 0, 0
		}
		wall, _ = timeCommand(b, exec.Command(psql, dsn, "-q", "-v", "ON_ERROR_STOP=1",
			"-c", "CREATE TEMPORARY TABLE bare (phone text, name text, address text, state text, callback text)",
			"-c", `\copy bare FROM '`+file.path+`' WITH (FORMAT csv, HEADER true)`))
		return wall, 0
	}, "psql-copy")
}

// importReference loads file the way a bare tool would, in wall and CPU seconds; 0 when
// it cannot.
type importReference func(b *testing.B, dir string, file *importFile) (wall, cpu float64)

func benchmarkImport(b *testing.B, store string, ref importReference, refName string) {
	dir := b.TempDir()
	file, err := writeImportCSV(filepath.Join(dir, "contacts.csv"), importRows)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(file.bytes)
	var ours, ourCPU, theirs, theirCPU float64
	var peak int64
	for b.Loop() {
		out := runImportChild(b, dir, file, store)
		ours += out.Seconds
		ourCPU += out.CPUSeconds
		peak = max(peak, out.PeakRSS)
		b.StopTimer()
		wall, cpu := ref(b, dir, file)
		theirs += wall
		theirCPU += cpu
		b.StartTimer()
	}
	b.ReportMetric(float64(file.rows)*float64(b.N)/ours, "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(ourCPU/float64(b.N), "cpu-s/op")
	if theirs > 0 {
		b.ReportMetric(ours/theirs, "x-"+refName)
	}
	if theirCPU > 0 {
		b.ReportMetric(ourCPU/theirCPU, "x-"+refName+"-cpu")
	}
}

// runImportChild imports file in a new process running TestImportChild and checks its
// answer. With OUTDIAL_BENCH_IMPORT_PROFILE=DIR the child writes a CPU profile there.
func runImportChild(b *testing.B, dir string, file *importFile, store string) importOutcome {
	result := filepath.Join(dir, "outcome.json")
	os.Remove(result)
	spec, err := json.Marshal(importChild{CSV: file.path, Store: store, Result: result})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"-test.run=^TestImportChild$", "-test.bench=^$", "-test.timeout=10m"}
	if prof := os.Getenv("OUTDIAL_BENCH_IMPORT_PROFILE"); prof != "" {
		args = append(args, "-test.cpuprofile="+filepath.Join(prof, "import-"+store+".cpu.pprof"))
	}
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), importChildEnv+"="+string(spec))
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("import child: %v\n%s", err, out)
	}
	body, err := os.ReadFile(result)
	if err != nil {
		b.Fatalf("import child wrote no outcome: %v", err)
	}
	var out importOutcome
	if err := json.Unmarshal(body, &out); err != nil {
		b.Fatal(err)
	}
	if out.SuccessCount != file.added || out.DuplicateCount != file.dups || out.FailCount != file.failures ||
		out.BatchSize != int64(file.added) {
		b.Fatalf("import answered %d added, %d duplicates, %d failed, batch size %d; want %d, %d, %d",
			out.SuccessCount, out.DuplicateCount, out.FailCount, out.BatchSize, file.added, file.dups, file.failures)
	}
	return out
}

// timeCommand runs cmd, which must succeed silently, and returns its wall and CPU seconds.
func timeCommand(b *testing.B, cmd *exec.Cmd) (wall, cpu float64) {
	began := time.Now()
	out, err := cmd.CombinedOutput()
	wall = time.Since(began).Seconds()
	if err != nil || len(out) > 0 {
		b.Fatalf("%s: %v\n%s", cmd.Path, err, out)
	}
	return wall, (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
}
