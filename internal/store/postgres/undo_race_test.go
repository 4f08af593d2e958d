package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/storetest"
)

// Run with -race: writeOnce (db.go) sets s.undo = s.undo[:0] after every commit, also on
// PostgreSQL, where write transactions run at once on many connections with no lock.
func TestConcurrentWritesRaceOnUndo(t *testing.T) {
	s := storetest.OpenPostgres(t, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if err := s.CreateTenant(ctx, &outdial.Tenant{Name: fmt.Sprintf("t%d-%d", g, i)}); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
}
