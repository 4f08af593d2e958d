package storetest

import (
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
