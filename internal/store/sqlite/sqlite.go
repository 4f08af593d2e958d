// Package sqlite is outdial's embedded default store: SQLite (modernc.org/sqlite, pure
// Go) in WAL mode, with one writer connection and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlstore"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if needed) the database file at path, applies the migrations and
// returns the store. path may carry a "sqlite:" prefix; ":memory:" is refused (readers
// and the writer must share one database).
func Open(ctx context.Context, path string, clock outdial.Clock) (*sqlstore.Store, error) {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite://"), "sqlite:")
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: need a file path, got %q", path)
	}
	// A new database file is its owner's only: it holds trunk passwords and webhook
	// secrets. SQLite gives its -wal and -shm files the same mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	}
	// Page caches: 16 MB for the writer, 8 MB for each reader, so memory stays bounded
	// (16 MB keeps the engine as fast as 32 did, and leaves room for large import chunks).
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" +
		"&_pragma=temp_store(MEMORY)"
	dsn := "file:" + url.PathEscape(path) + "?" + pragmas
	// The writer never checkpoints: a committing transaction would copy the WAL into the
	// database while it holds the write lock. The checkpointer does it on its own
	// connection, beside the writer (see checkpointer).
	w, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-16384)&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Write transactions are serialised by the store; the second connection only prepares
	// statements while the first holds a transaction.
	w.SetMaxOpenConns(2)
	w.SetMaxIdleConns(2)
	w.SetConnMaxLifetime(0)
	sub, _ := fs.Sub(migrations, "migrations")
	if err := sqlstore.Migrate(ctx, w, sub, ""); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-8192)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	c, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-2048)&_pragma=busy_timeout(0)")
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	c.SetMaxOpenConns(1)
	st := sqlstore.New(w, r, Dialect, clock)
	cp := newCheckpointer(c)
	st.OnCommit(cp.wake, cp.close)
	if err := st.RebuildContactKeys(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return st, nil
}

// Dialect is SQLite's side of sqlstore.
var Dialect = sqlstore.Dialect{
	Name: "sqlite",
	// One writer at a time, serialised in the process: a transaction never waits on
	// SQLite's busy timeout, and the pool's second connection stays free to prepare.
	SingleWriter: true,
	IsUniqueViolation: func(err error) bool {
		c := code(err)
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	},
	IsRetryable: func(err error) bool {
		c := code(err) & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	},
}

func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}
