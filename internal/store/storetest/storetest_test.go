package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
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
