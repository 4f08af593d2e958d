package storetest

import (
	"context"
	"testing"

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
