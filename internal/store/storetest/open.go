// Package storetest is the ONE conformance suite both stores must pass, and the helpers
// that open a fresh store of either kind for tests elsewhere.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/postgres"
	"github.com/outdial/outdial/internal/store/sqlite"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

// OpenSQLite opens a store on a new SQLite file in t's temporary directory.
func OpenSQLite(t testing.TB, clock outdial.Clock) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "outdial.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN returns the DSN of the test PostgreSQL server from OUTDIAL_TEST_POSTGRES.
// Without it the test is skipped, or fails when CI=true (CI must run every store).
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("OUTDIAL_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OUTDIAL_TEST_POSTGRES is not set, and CI must test PostgreSQL")
		}
		t.Skip("set OUTDIAL_TEST_POSTGRES=postgres://... to run the PostgreSQL tests")
	}
	return dsn
}

// NewPostgresDatabase creates an empty schema on the test server, dropped when t ends,
// and returns a DSN whose search_path is that schema (much faster than a database each).
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	dsn := PostgresDSN(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "outdial_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA IF EXISTS ` + name + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("OUTDIAL_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres opens a store on a new, empty PostgreSQL database.
func OpenPostgres(t testing.TB, clock outdial.Clock) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), NewPostgresDatabase(t), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
