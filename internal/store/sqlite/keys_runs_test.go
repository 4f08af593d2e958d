package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand"
	"strconv"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

// reviewKey is phoneKey for the national numbers these tests use.
func reviewKey(t *testing.T, p string) int64 {
	t.Helper()
	k, err := strconv.ParseInt("1"+p, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// reviewCheckKeys checks the invariant of a batch's keys: rows of contact_keys plus keys of
// its runs are exactly the keys of its contacts, each once, every run ascending with lo/hi
// its first and last key.
func (f *fixture) reviewCheckKeys(what string, batchID int64) {
	f.t.Helper()
	db, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)")
	f.must(err)
	defer db.Close()
	where := map[int64]string{}
	put := func(k int64, w string) {
		if old, ok := where[k]; ok {
			f.t.Errorf("%s: key %d in %s and in %s", what, k, old, w)
		}
		where[k] = w
	}
	rows, err := db.Query(`SELECT k FROM contact_keys WHERE batch_id = ?`, batchID)
	f.must(err)
	for rows.Next() {
		var k int64
		f.must(rows.Scan(&k))
		put(k, "contact_keys")
	}
	rows.Close()
	rows, err = db.Query(`SELECT id, lo, hi, keys FROM contact_key_runs WHERE batch_id = ?`, batchID)
	f.must(err)
	for rows.Next() {
		var id, lo, hi int64
		var b []byte
		f.must(rows.Scan(&id, &lo, &hi, &b))
		if len(b) == 0 || len(b)%8 != 0 || len(b) > 8*8192 {
			f.t.Errorf("%s: run %d of %d bytes", what, id, len(b))
			continue
		}
		var prev int64
		for i := 0; i < len(b); i += 8 {
			k := int64(binary.LittleEndian.Uint64(b[i:]))
			if i > 0 && k <= prev {
				f.t.Errorf("%s: run %d not ascending", what, id)
			}
			prev = k
			put(k, "run "+strconv.FormatInt(id, 10))
		}
		if first, last := int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[len(b)-8:])); lo != first || hi != last {
			f.t.Errorf("%s: run %d lo/hi %d/%d, keys from %d to %d", what, id, lo, hi, first, last)
		}
	}
	rows.Close()
	rows, err = db.Query(`SELECT phone FROM contacts WHERE batch_id = ?`, batchID)
	f.must(err)
	contacts := 0
	for rows.Next() {
		var p string
		f.must(rows.Scan(&p))
		contacts++
		if _, ok := where[reviewKey(f.t, p)]; !ok {
			f.t.Errorf("%s: contact %s has no key", what, p)
		}
	}
	rows.Close()
	if contacts != len(where) {
		f.t.Errorf("%s: %d contacts, %d keys", what, contacts, len(where))
	}
}

func (f *fixture) reviewDelete(s *sqlstore.Store, p string) {
	f.t.Helper()
	ctx := context.Background()
	cs, err := s.Contacts(ctx, f.batch.TenantID, outdial.ContactFilter{BatchID: f.batch.ID, Phone: p})
	f.must(err)
	if len(cs) != 1 {
		f.t.Fatalf("contact %s: %d found", p, len(cs))
	}
	f.must(s.DeleteContact(ctx, f.batch.TenantID, cs[0].ID))
}

func reviewCount(added []bool) int {
	n := 0
	for _, a := range added {
		if a {
			n++
		}
	}
	return n
}

// Runs and rows together through direct adds (duplicates inside a call included),
// deletes of a run's first, inner and last keys and of a whole small run, re-adds, an
// import into a batch holding runs and rows with deletes and re-adds during it, and a
// rebuild while rows and runs exist.
func TestRunsMixedOperations(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	end, err := f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("import", f.add(0, 20000), 20000)
	end()
	f.reviewCheckKeys("after the first import", f.batch.ID)

	// Direct adds: a number in a run twice in one call, a new number twice.
	if n := reviewCount(reviewAdd(t, f.s, f.batch, phone(10), phone(10), phone(30000), phone(30000), phone(19999))); n != 1 {
		t.Errorf("direct add of run numbers and one new number twice: %d added, want 1", n)
	}
	f.reviewCheckKeys("after direct adds", f.batch.ID)

	// Deletes in runs and rows, then the same numbers again.
	for _, i := range []int{0, 8191, 8192, 16383, 16384, 19999, 30000, 7} {
		f.reviewDelete(f.s, phone(i))
	}
	f.reviewCheckKeys("after deletes", f.batch.ID)
	if n := reviewCount(reviewAdd(t, f.s, f.batch, phone(0), phone(8191), phone(8192), phone(16383), phone(16384), phone(19999),
		phone(30000), phone(7), phone(0))); n != 8 {
		t.Errorf("deleted numbers added again: %d, want 8", n)
	}
	f.reviewCheckKeys("after re-adds", f.batch.ID)

	// A second import: a small run of three new keys, then all three deleted.
	end, err = f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("second import", f.add(0, 20003), 3)
	end()
	f.reviewCheckKeys("after the second import", f.batch.ID)
	for _, i := range []int{20000, 20001, 20002} {
		f.reviewDelete(f.s, phone(i))
	}
	f.reviewCheckKeys("after a whole run is deleted", f.batch.ID)
	f.expect("the run's numbers again", f.add(20000, 20003), 3)

	// A third import with deletes (run key, row key, fresh key) and re-adds during it.
	end, err = f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("third import", f.add(0, 25000), 4997)
	f.reviewDelete(f.s, phone(5))     // in a run
	f.reviewDelete(f.s, phone(20001)) // in contact_keys
	f.reviewDelete(f.s, phone(24000)) // in the set only
	f.expect("re-added during the import", f.add(4, 7), 1)
	f.expect("re-added during the import", f.add(20000, 20002), 1)
	f.expect("re-added during the import", f.add(23999, 24002), 1)
	end()
	f.reviewCheckKeys("after the third import", f.batch.ID)

	// Rebuild while rows and runs exist.
	f.expect("a direct add", f.add(40000, 40002), 2)
	db, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)")
	f.must(err)
	_, err = db.Exec(`INSERT INTO contact_key_builds (batch_id, owner) VALUES (?, '')`, f.batch.ID)
	db.Close()
	f.must(err)
	f.expect("an add that rebuilds", f.add(39999, 40003), 2)
	f.reviewCheckKeys("after the rebuild", f.batch.ID)
	f.expect("all again", f.add(0, 25000), 0)
	f.expect("distinct", f.count(`SELECT count(DISTINCT phone) FROM contacts WHERE batch_id = ?`, f.batch.ID),
		f.count(`SELECT count(*) FROM contacts WHERE batch_id = ?`, f.batch.ID))
}

// A second store on the file (another process) opens while an import holds the batch's
// keys, which rebuilds them; the import goes on, and the flush finds its listing gone or
// taken again.
func TestRunsFlushAfterAnotherStoreRebuilt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expect("before", f.add(50000, 50010), 10)
	end, err := f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("import", f.add(0, 10000), 10000)
	other, err := Open(ctx, f.path, outdial.SystemClock{}) // rebuilds the listed batch
	f.must(err)
	t.Cleanup(func() { other.Close() })
	f.reviewCheckKeys("after the other store rebuilt", f.batch.ID)
	if n := reviewCount(reviewAdd(t, other, f.batch, phone(5), phone(60000))); n != 1 {
		t.Errorf("other store: %d added, want 1", n)
	}
	f.expect("import goes on", f.add(9000, 20000), 10000)
	f.expect("the other store's number through the import", f.add(60000, 60001), 0)
	end()
	f.reviewCheckKeys("after the flush", f.batch.ID)
	f.expect("all again", f.add(0, 20000), 0)
}

// Contacts get the ids the store told them when the table's largest id was deleted, and
// when contacts of two batches are added from goroutines.
func TestRunsContactIDs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	b2 := &outdial.Batch{TenantID: f.batch.TenantID, TaskID: f.batch.TaskID, Name: "second"}
	f.must(f.s.CreateBatch(ctx, b2))
	f.expect("first", f.add(0, 1200), 1200)
	f.reviewDelete(f.s, phone(1199))
	f.reviewDelete(f.s, phone(1198))
	done := make(chan error, 2)
	check := func(b *outdial.Batch, from int) {
		var cs []*outdial.Contact
		for i := from; i < from+1300; i++ {
			cs = append(cs, &outdial.Contact{TenantID: b.TenantID, TaskID: b.TaskID, BatchID: b.ID, Phone: phone(i % (from + 700))})
		}
		added, err := f.s.AddContacts(ctx, cs)
		if err != nil {
			done <- err
			return
		}
		for i, c := range cs {
			if !added[i] {
				continue
			}
			got, err := f.s.Contact(ctx, b.TenantID, c.ID)
			if err != nil || got.Phone != c.Phone || got.BatchID != b.ID {
				t.Errorf("contact told id %d (%s): %v %+v", c.ID, c.Phone, err, got)
				break
			}
		}
		done <- nil
	}
	for round := 0; round < 5; round++ {
		go check(f.batch, 2000+round*3000)
		go check(b2, 2000+round*3000)
		f.must(<-done)
		f.must(<-done)
	}
	f.reviewCheckKeys("first batch", f.batch.ID)
	f.reviewCheckKeys("second batch", b2.ID)
}

// Another store deletes, during an import by this one, a contact the import added: its
// key, held only in the import's set, is written to a run at the flush though no contact
// has the number, which is then refused for good.
func TestRunsDeleteByOtherStoreDuringImport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, err := Open(ctx, f.path, outdial.SystemClock{})
	f.must(err)
	t.Cleanup(func() { other.Close() })
	end, err := f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("import", f.add(0, 10000), 10000)
	f.reviewDelete(other, phone(5))
	end()
	f.reviewCheckKeys("after the flush", f.batch.ID)
	if a := reviewAdd(t, f.s, f.batch, phone(5)); !a[0] {
		t.Errorf("a number deleted during the import (by another store) is refused: no contact of the batch has it")
	}
}

// A random mix of imports, direct adds from two stores, deletes, reopenings and crashed
// imports, against a model of the batch's numbers (deletes by the second store only when
// no import of the first runs: TestRunsReviewDeleteByOtherStoreDuringImport).
func TestRunsRandomModel(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		f := newFixture(t)
		ctx := context.Background()
		other, err := Open(ctx, f.path, outdial.SystemClock{})
		f.must(err)
		r := rand.New(rand.NewSource(seed))
		model := map[int]bool{}
		var end func()
		addVia := func(s *sqlstore.Store, from, n int) {
			var ps []string
			want := 0
			seen := map[int]bool{}
			for j := 0; j < n; j++ {
				i := from + r.Intn(n*2)
				ps = append(ps, phone(i))
				if !model[i] && !seen[i] {
					want++
				}
				seen[i] = true
			}
			got := reviewCount(reviewAdd(t, s, f.batch, ps...))
			if got != want {
				t.Fatalf("seed %d: add of %d numbers from %d: %d added, want %d", seed, n, from, got, want)
			}
			for i := range seen {
				model[i] = true
			}
		}
		for op := 0; op < 60; op++ {
			switch x := r.Intn(10); {
			case x < 2 && end == nil:
				end, err = f.s.BeginContactImport(ctx, f.batch.TenantID, f.batch.ID)
				f.must(err)
				addVia(f.s, r.Intn(20000), 9000)
			case x < 3 && end != nil:
				end()
				end = nil
				f.reviewCheckKeys("after an import ended", f.batch.ID)
			case x < 5:
				s := f.s
				if r.Intn(2) == 0 {
					s = other
				}
				addVia(s, r.Intn(40000), 1+r.Intn(50))
			case x < 8 && len(model) > 0:
				var i int
				for i = range model {
					break
				}
				if r.Intn(3) == 0 { // a neighbour in key order, often the edge of a run
					for j := i + 1; j < i+50; j++ {
						if model[j] {
							i = j
						}
					}
				}
				s := f.s
				if end == nil && r.Intn(2) == 0 {
					s = other
				}
				f.reviewDelete(s, phone(i))
				delete(model, i)
			case x == 8:
				f.must(other.Close())
				other, err = Open(ctx, f.path, outdial.SystemClock{})
				f.must(err)
			case x == 9 && end != nil && r.Intn(3) == 0:
				// The import's process stops: its store is dropped, another opens.
				f.s.Close()
				f.open()
				end = nil
			}
			if end == nil {
				f.reviewCheckKeys(fmt.Sprintf("seed %d op %d", seed, op), f.batch.ID)
			}
			if t.Failed() {
				t.FailNow()
			}
		}
		if end != nil {
			end()
		}
		f.reviewCheckKeys("at the end", f.batch.ID)
		other.Close()
	}
}
