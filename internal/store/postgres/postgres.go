// Package postgres is outdial's store for several nodes sharing one PostgreSQL database
// (pgx through database/sql). Limits that nodes share are enforced with row locks and
// transaction-scoped advisory locks.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock serialises nodes applying migrations at the same time.
const migrationLock = `SELECT pg_advisory_xact_lock(7243350001)`

// Open connects to dsn (postgres://...), applies the migrations and returns the store.
func Open(ctx context.Context, dsn string, clock outdial.Clock) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	sub, _ := fs.Sub(migrations, "migrations")
	if err := sqlstore.Migrate(ctx, db, sub, migrationLock); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return sqlstore.New(db, db, Dialect, clock), nil
}

// Dialect is PostgreSQL's side of sqlstore.
var Dialect = sqlstore.Dialect{
	Name:              "postgres",
	Numbered:          true,
	ForUpdate:         " FOR UPDATE",
	IsUniqueViolation: func(err error) bool { return pgCode(err) == "23505" },
	IsRetryable: func(err error) bool {
		c := pgCode(err)
		return c == "40001" || c == "40P01"
	},
	LockNumbers: func(ctx context.Context, tx *sql.Tx, keys []int64) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, k); err != nil {
				return err
			}
		}
		return nil
	},
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
