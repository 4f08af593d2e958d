package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

// A batch's numbers stay unique however they arrive (sqlstore's contactimport.go): large
// imports that keep the keys in memory, adds with no import running, adds and deletes
// while an import runs, and a second import into a batch that holds contacts.

type fixture struct {
	t     *testing.T
	path  string
	s     *sqlstore.Store
	batch *outdial.Batch
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, path: filepath.Join(t.TempDir(), "outdial.db")}
	f.open()
	ctx := context.Background()
	tenant := &outdial.Tenant{Name: "keys"}
	f.must(f.s.CreateTenant(ctx, tenant))
	g := &outdial.ScriptGroup{TenantID: tenant.ID, Name: "robot"}
	f.must(f.s.CreateScriptGroup(ctx, g))
	l := &outdial.Line{TenantID: tenant.ID, Name: "line", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02100000000"},
		Concurrency: 10, CallsPerSecond: 10}
	f.must(f.s.CreateLine(ctx, l))
	task := &outdial.Task{TenantID: tenant.ID, Name: "task", LineID: l.ID, ScriptGroupID: g.ID}
	f.must(f.s.CreateTask(ctx, task))
	f.batch = &outdial.Batch{TenantID: tenant.ID, TaskID: task.ID, Name: "upload"}
	f.must(f.s.CreateBatch(ctx, f.batch))
	return f
}

func (f *fixture) open() {
	f.t.Helper()
	s, err := Open(context.Background(), f.path, outdial.SystemClock{})
	f.must(err)
	f.s = s
	f.t.Cleanup(func() { s.Close() })
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func phone(i int) string { return fmt.Sprintf("1380%07d", i) }

// add adds the numbers i of from..to-1 (step 1) and returns how many were new.
func (f *fixture) add(from, to int) int {
	f.t.Helper()
	var cs []*outdial.Contact
	for i := from; i < to; i++ {
		cs = append(cs, &outdial.Contact{TenantID: f.batch.TenantID, TaskID: f.batch.TaskID, BatchID: f.batch.ID,
			Phone: phone(i), Name: "n" + phone(i)})
	}
	added, err := f.s.AddContacts(context.Background(), cs)
	f.must(err)
	n := 0
	for _, a := range added {
		if a {
			n++
		}
	}
	return n
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	db, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)")
	f.must(err)
	defer db.Close()
	var n int
	f.must(db.QueryRow(q, args...).Scan(&n))
	return n
}

func (f *fixture) expect(what string, got, want int) {
	f.t.Helper()
	if got != want {
		f.t.Errorf("%s: %d, want %d", what, got, want)
	}
}

func TestBatchNumbersStayUnique(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	// Small adds with no import: checked through contact_keys and the runs.
	f.expect("first add", f.add(0, 100), 100)
	f.expect("same numbers again", f.add(50, 150), 50)

	// A large import: after bulkAfter rows the keys are held in memory.
	end, err := f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("import chunk 1", f.add(100, 10100), 10000-50)
	f.expect("import chunk 2, half repeats", f.add(5100, 20100), 10000)
	f.expect("import chunk with repeats inside", f.add(20000, 20200)+f.add(20150, 20300), 200)
	// Meanwhile, other adds and deletes in the batch see the numbers held in memory.
	f.expect("add during the import", f.add(19990, 20310), 10)
	cs, err := f.s.Contacts(ctx, f.batch.TenantID, outdial.ContactFilter{BatchID: f.batch.ID, Phone: phone(15000)})
	f.must(err)
	if len(cs) != 1 {
		t.Fatalf("contact %s: %d found", phone(15000), len(cs))
	}
	f.must(f.s.DeleteContact(ctx, f.batch.TenantID, cs[0].ID))
	f.expect("a deleted number added again during the import", f.add(14999, 15002), 1)
	f.expect("keys written before the import ends", f.count(`SELECT (SELECT count(*) FROM contact_keys WHERE batch_id = ?1) + (SELECT coalesce(sum(length(keys)), 0) / 8 FROM contact_key_runs WHERE batch_id = ?1)`, f.batch.ID), 150)
	f.expect("batch listed while the import runs", f.count(`SELECT count(*) FROM contact_key_builds`), 1)
	end()
	end() // a second call does nothing
	f.expect("keys after the import", f.count(`SELECT (SELECT count(*) FROM contact_keys WHERE batch_id = ?1) + (SELECT coalesce(sum(length(keys)), 0) / 8 FROM contact_key_runs WHERE batch_id = ?1)`, f.batch.ID), 20310)
	f.expect("batches listed after it", f.count(`SELECT count(*) FROM contact_key_builds`), 0)
	f.expect("contacts", f.count(`SELECT count(*) FROM contacts WHERE batch_id = ?`, f.batch.ID), 20310)

	// After the import, plain adds see every number, in the runs it wrote too; a number
	// deleted from a run (its first, one inside, its last) can be added again.
	f.expect("add after the import", f.add(20300, 20320), 10)
	for _, i := range []int{150, 5000, 20309} {
		cs, err := f.s.Contacts(ctx, f.batch.TenantID, outdial.ContactFilter{BatchID: f.batch.ID, Phone: phone(i)})
		f.must(err)
		if len(cs) != 1 {
			t.Fatalf("contact %s: %d found", phone(i), len(cs))
		}
		f.must(f.s.DeleteContact(ctx, f.batch.TenantID, cs[0].ID))
		f.expect("a number deleted from a run, added again with its neighbours", f.add(i-1, i+2), 1)
	}

	// A second import into the batch, with most numbers already there.
	end, err = f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("second import", f.add(0, 30000), 30000-20320)
	end()
	f.expect("keys", f.count(`SELECT (SELECT count(*) FROM contact_keys WHERE batch_id = ?1) + (SELECT coalesce(sum(length(keys)), 0) / 8 FROM contact_key_runs WHERE batch_id = ?1)`, f.batch.ID), 30000)
	f.expect("distinct numbers", f.count(`SELECT count(DISTINCT phone) FROM contacts WHERE batch_id = ?`, f.batch.ID), 30000)
	f.expect("contacts", f.count(`SELECT count(*) FROM contacts WHERE batch_id = ?`, f.batch.ID), 30000)
	b, err := f.s.Batch(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("batch size", int(b.Size), 30000)

	// Deleting the batch takes its keys; a batch deleted during an import gets none.
	end, err = f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("third import", f.add(30000, 40000), 10000)
	f.must(f.s.DeleteBatch(ctx, f.batch.TenantID, f.batch.ID))
	end()
	f.expect("keys of a deleted batch", f.count(`SELECT (SELECT count(*) FROM contact_keys) + (SELECT coalesce(sum(length(keys)), 0) / 8 FROM contact_key_runs)`), 0)
	f.expect("batches listed", f.count(`SELECT count(*) FROM contact_key_builds`), 0)
}

// An import that never ends (the process stopped) leaves its batch listed; the next
// store to open writes the keys of the batch's contacts.
func TestKeysRebuiltAfterAnImportDidNotEnd(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.BeginContactImport(context.Background(), f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("import", f.add(0, 20000), 20000)
	f.expect("keys written", f.count(`SELECT (SELECT count(*) FROM contact_keys) + (SELECT coalesce(sum(length(keys)), 0) / 8 FROM contact_key_runs)`), 0)
	f.must(f.s.Close())
	f.open()
	f.expect("keys after reopening", f.count(`SELECT (SELECT count(*) FROM contact_keys WHERE batch_id = ?1) + (SELECT coalesce(sum(length(keys)), 0) / 8 FROM contact_key_runs WHERE batch_id = ?1)`, f.batch.ID), 20000)
	f.expect("batches listed", f.count(`SELECT count(*) FROM contact_key_builds`), 0)
	f.expect("the same numbers again", f.add(19000, 21000), 1000)
}

// A database from before migration 0008 keeps its contacts, their fields and the
// uniqueness of their numbers.
func TestMigrationToContactData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outdial.db")
	old := fstest.MapFS{}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if base := filepath.Base(n); base < "0008" {
			body, _ := fs.ReadFile(migrations, n)
			old[base] = &fstest.MapFile{Data: body}
		}
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := sqlstore.Migrate(ctx, db, old, ""); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO tenants (id, name, cap_per_hour, cap_per_day, created_at, updated_at) VALUES (1, 't', 0, 0, 0, 0)`,
		`INSERT INTO batches (id, tenant_id, task_id, name, size, created_at) VALUES (1, 1, 1, 'b', 2, 0)`,
		`INSERT INTO contacts VALUES (1, 1, 1, 1, '13800000001', '张三', 'addr "1"', 'a@b.c', 'st', 'https://x/cb', 'ext', '{"k":"v"}', 5,
			'0518', '江苏 连云港', 'MOBILE', 'MOBILE', 'pending', 0, 7, '', 0, 8, 9)`,
		`INSERT INTO contacts VALUES (2, 1, 1, 1, '13800000002', '', '', '', '', '', '', '', 0, '', '', '', '', 'finished', 1, 7, 'answered', 3, 8, 9)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(ctx, path, outdial.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Contact(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "张三" || c.Address != `addr "1"` || c.Email != "a@b.c" || c.State != "st" || c.CallbackURL != "https://x/cb" ||
		c.ExternalID != "ext" || c.Variables["k"] != "v" || c.Priority != 5 || c.AreaCode != "0518" || c.AreaName != "江苏 连云港" ||
		c.Type != "MOBILE" || c.Carrier != "MOBILE" || c.NextAttemptAt.UnixMilli() != 7 {
		t.Errorf("contact 1 after the migration: %+v", c)
	}
	c, err = s.Contact(ctx, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "" || c.Variables != nil || c.Status != outdial.ContactFinished || c.LastResult != "answered" || c.LastCallID != 3 {
		t.Errorf("contact 2 after the migration: %+v", c)
	}
	added, err := s.AddContacts(ctx, []*outdial.Contact{
		{TenantID: 1, TaskID: 1, BatchID: 1, Phone: "13800000002"},
		{TenantID: 1, TaskID: 1, BatchID: 1, Phone: "13800000003"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if added[0] || !added[1] {
		t.Errorf("after the migration, adding a number the batch has and one it has not: %v", added)
	}
}
