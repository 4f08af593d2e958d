package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

func reviewAdd(t *testing.T, s *sqlstore.Store, b *outdial.Batch, phones ...string) []bool {
	t.Helper()
	var cs []*outdial.Contact
	for _, p := range phones {
		cs = append(cs, &outdial.Contact{TenantID: b.TenantID, TaskID: b.TaskID, BatchID: b.ID, Phone: p})
	}
	added, err := s.AddContacts(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	return added
}

// Two stores on one file (the server and "outdial import", which the comment in
// decideNewKeys has in mind): a number added by the other store while this one holds the
// batch's keys in memory is not seen, and the batch ends up holding it twice. Before
// 515b3bd the UNIQUE (batch_id, phone) index refused it whatever the process.
func TestTwoStoresOnOneFileDuplicateNumber(t *testing.T) {
	f := newFixture(t)
	other, err := Open(context.Background(), f.path, outdial.SystemClock{})
	f.must(err)
	t.Cleanup(func() { other.Close() })

	end, err := f.s.BeginContactImport(context.Background(), f.batch.TenantID, f.batch.ID)
	f.must(err)
	defer end()
	f.expect("import chunk (keys now in memory)", f.add(0, 10000), 10000)

	if a := reviewAdd(t, other, f.batch, "13900000001"); !a[0] {
		t.Fatalf("other store: a new number was refused")
	}
	if a := reviewAdd(t, f.s, f.batch, "13900000001"); a[0] {
		t.Errorf("importing store accepted a number the batch already holds")
	}
	f.expect("contacts with 13900000001", f.count(`SELECT count(*) FROM contacts WHERE batch_id = ? AND phone = '13900000001'`, f.batch.ID), 1)
}

type reviewClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *reviewClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *reviewClock) AfterFunc(d time.Duration, fn func()) outdial.Timer {
	return time.AfterFunc(d, fn)
}
func (c *reviewClock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// When the flush of end() fails, endContactImport returns without taking the batch's
// keyState out of s.keys (contactimport.go:118-122): it stays with users == 0 for the
// life of the store, and AddContacts keeps using its now as every later contact's
// created_at/updated_at (contact.go:167), and its prepared INSERT is never closed.
func TestFailedFlushLeavesImportStateBehind(t *testing.T) {
	f := newFixture(t)
	clock := &reviewClock{now: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
	f.s.Close()
	s, err := Open(context.Background(), f.path, clock)
	f.must(err)
	f.s = s
	t.Cleanup(func() { s.Close() })

	end, err := f.s.BeginContactImport(context.Background(), f.batch.TenantID, f.batch.ID)
	f.must(err)
	f.expect("import", f.add(0, 10000), 10000)

	// Fault injection from another connection: the flush's INSERT into contact_key_runs fails.
	db, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)")
	f.must(err)
	defer db.Close()
	_, err = db.Exec(`CREATE TRIGGER review_fail BEFORE INSERT ON contact_key_runs BEGIN SELECT RAISE(ABORT, 'review: injected'); END`)
	f.must(err)
	end()
	_, err = db.Exec(`DROP TRIGGER review_fail`)
	f.must(err)

	// Numbers stay unique (the batch stays listed and is rebuilt).
	if a := reviewAdd(t, f.s, f.batch, phone(5)); a[0] {
		t.Errorf("after a failed flush, a number of the batch was accepted again")
	}

	clock.advance(24 * time.Hour)
	cs := []*outdial.Contact{{TenantID: f.batch.TenantID, TaskID: f.batch.TaskID, BatchID: f.batch.ID, Phone: "13900000002"}}
	_, err = f.s.AddContacts(context.Background(), cs)
	f.must(err)
	c, err := f.s.Contact(context.Background(), f.batch.TenantID, cs[0].ID)
	f.must(err)
	if want := clock.Now(); !c.CreatedAt.Equal(want) {
		t.Errorf("contact added a day after the import ended: created_at %v (the ended import's start), want %v", c.CreatedAt, want)
	}
}

// Between the commit of end()'s flush (which empties the set with takeNew) and
// endContactImport taking the keyState out of s.keys, the keyState still holds the
// emptied set: a write transaction of another goroutine that gets the writer lock in
// that window adds to a set with no slots (keySet.grow of 0 slots, slot() shifting by
// 0), and panics with index out of range (or, were it to work, its key would be thrown
// away with the set while the batch is no longer listed).
func TestAddRightAfterEndFlush(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var panics atomic.Int64
	var firstPanic atomic.Value
	for round := 0; round < 8 && panics.Load() == 0; round++ {
		f := newFixture(t)
		end, err := f.s.BeginContactImport(context.Background(), f.batch.TenantID, f.batch.ID)
		f.must(err)
		f.add(0, 40000)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					func() {
						defer func() {
							if r := recover(); r != nil {
								panics.Add(1)
								firstPanic.CompareAndSwap(nil, fmt.Sprint(r))
							}
						}()
						cs := []*outdial.Contact{{TenantID: f.batch.TenantID, TaskID: f.batch.TaskID, BatchID: f.batch.ID,
							Phone: fmt.Sprintf("1370%03d%04d", g, i%10000)}}
						f.s.AddContacts(context.Background(), cs)
					}()
				}
			}(g)
		}
		time.Sleep(5 * time.Millisecond)
		end()
		time.Sleep(20 * time.Millisecond)
		close(stop)
		wg.Wait()
		if panics.Load() == 0 {
			if d, n := f.count(`SELECT count(DISTINCT phone) FROM contacts WHERE batch_id = ?`, f.batch.ID),
				f.count(`SELECT count(*) FROM contacts WHERE batch_id = ?`, f.batch.ID); d != n {
				t.Fatalf("round %d: %d contacts, %d distinct numbers", round, n, d)
			}
		}
	}
	if n := panics.Load(); n > 0 {
		t.Errorf("AddContacts panicked %d times right after end(): %v", n, firstPanic.Load())
	}
}
