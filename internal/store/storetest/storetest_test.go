package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlite"
)

func TestSQLite(t *testing.T) {
	Run(t, func(t *testing.T, clk outdial.Clock) outdial.Store { return OpenSQLite(t, clk) })
}

func TestPostgres(t *testing.T) {
	PostgresDSN(t)
	Run(t, func(t *testing.T, clk outdial.Clock) outdial.Store { return OpenPostgres(t, clk) })
}

// TestClosedStoreAnswersErrors checks that a store whose database is gone answers errors
// (it once recursed forever when a statement could not be prepared).
func TestClosedStoreAnswersErrors(t *testing.T) {
	s := OpenSQLite(t, nil)
	s.Close()
	if _, err := s.Tenant(context.Background(), 1); err == nil {
		t.Fatal("a closed store answered without error")
	}
	if err := s.CreateTenant(context.Background(), &outdial.Tenant{Name: "x"}); err == nil {
		t.Fatal("a closed store wrote without error")
	}
}

// TestSQLiteWritersDoNotStall runs many concurrent write transactions, each using a
// statement for the first time: two writers once raced for SQLite's write lock while a
// third waited to prepare a statement, and everything stalled. A watchdog fails the test
// instead of letting it hang.
func TestSQLiteWritersDoNotStall(t *testing.T) {
	s := OpenSQLite(t, nil)
	ctx := context.Background()
	errs := make(chan error, 80)
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tenant := &outdial.Tenant{Name: fmt.Sprintf("t%d", i)}
				errs <- s.CreateTenant(ctx, tenant)
				errs <- s.CreateScriptGroup(ctx, &outdial.ScriptGroup{TenantID: tenant.ID, Name: "g"})
			}()
		}
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("40 small write transactions have not finished after 30 s: writers are stuck on each other")
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestSQLiteCheckpointsBesideTheWriter: the writer connection never checkpoints (its
// commits would copy the WAL while holding the write lock), so the store's checkpointer
// must: what is committed reaches the database file without anyone asking.
func TestSQLiteCheckpointsBesideTheWriter(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "outdial.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	size := func() int64 {
		st, err := os.Stat(filepath.Join(dir, "outdial.db"))
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	before := size()
	w := newWorld(t, s, "acme")
	// About 4 MB of contacts in a few transactions.
	for chunk := range 4 {
		cs := make([]*outdial.Contact, 5000)
		for i := range cs {
			cs[i] = &outdial.Contact{TenantID: w.tenant.ID, TaskID: w.task.ID, BatchID: w.batch.ID,
				Phone: fmt.Sprintf("138%08d", chunk*5000+i), Address: strings.Repeat("x", 200)}
		}
		if _, err := s.AddContacts(ctx, cs); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for size() < before+3<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes 5 s after 4 MB were committed (%d before): nothing checkpoints the WAL",
				size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
