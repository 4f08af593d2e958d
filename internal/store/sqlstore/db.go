// Package sqlstore implements outdial.Store over database/sql for both of outdial's
// databases. The SQL is written once, with ? placeholders, in the subset SQLite and
// PostgreSQL share; a Dialect supplies the few places where they differ (placeholders,
// row locks, number locks, unique-violation errors). Keeping one implementation makes
// "the same behaviour on both" true by construction; internal/store/storetest checks it.
package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outdial/outdial"
)

// Dialect is what differs between the databases.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Numbered turns ? placeholders into $1, $2 ... (PostgreSQL).
	Numbered bool
	// ForUpdate is appended to SELECTs of rows the transaction will update (" FOR UPDATE"
	// on PostgreSQL; SQLite write transactions are exclusive already).
	ForUpdate string
	// IsUniqueViolation reports whether err is a unique constraint violation.
	IsUniqueViolation func(err error) bool
	// IsRetryable reports whether the transaction should be run again (deadlock,
	// serialization failure, busy).
	IsRetryable func(err error) bool
	// SingleWriter serialises write transactions in the process (SQLite has one writer).
	SingleWriter bool
	// LockNumbers serialises, until the transaction ends, attempts to the same numbers
	// across connections (PostgreSQL advisory locks); nil where the write lock does it.
	LockNumbers func(ctx context.Context, tx *sql.Tx, keys []int64) error
}

// Store is outdial's store over one database.
type Store struct {
	w       *sql.DB // writes (one connection on SQLite)
	r       *sql.DB // reads
	d       Dialect
	clock   outdial.Clock
	wmu     sync.Mutex // held by write transactions when the dialect has a single writer
	rebinds sync.Map   // query -> rebound query
	stmts   sync.Map   // stmtKey -> *sql.Stmt
	// committed, if set, is called after each write transaction commits.
	committed func()
	closers   []func() error
	keys      keyStates // batches being imported into (SQLite: contactimport.go)
	instance  string    // this store among the processes on the database (contact_key_builds)
	// undo holds what the write transaction running changed in memory, to put back if it
	// does not commit (SQLite only, where write transactions are serialised).
	undo []func()
}

var _ outdial.Store = (*Store)(nil)

// New returns a store writing through w and reading through r (the same pool is fine).
// The caller has applied the migrations.
func New(w, r *sql.DB, d Dialect, clock outdial.Clock) *Store {
	if clock == nil {
		clock = outdial.SystemClock{}
	}
	var id [12]byte
	rand.Read(id[:])
	return &Store{w: w, r: r, d: d, clock: clock, instance: hex.EncodeToString(id[:])}
}

// OnCommit sets a function called after each write transaction commits (it must not
// block), and one called when the store closes, before its pools. Call it before use.
func (s *Store) OnCommit(committed func(), closed func() error) {
	s.committed = committed
	if closed != nil {
		s.closers = append(s.closers, closed)
	}
}

// Close closes both pools.
func (s *Store) Close() error {
	var err error
	for _, c := range s.closers {
		err = errors.Join(err, c())
	}
	s.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.d }

// DB returns the writer pool (for tests and benchmarks that inspect the database).
func (s *Store) DB() *sql.DB { return s.w }

// q returns query with the dialect's placeholders.
func (s *Store) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	if v, ok := s.rebinds.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	s.rebinds.Store(query, b.String())
	return b.String()
}

// prepared returns the statement for query prepared once on db (cached per pool).
func (s *Store) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	key := stmtKey{db, query}
	if v, ok := s.stmts.Load(key); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil, err
	}
	if v, loaded := s.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		st = v.(*sql.Stmt)
	}
	return st, nil
}

type stmtKey struct {
	db    *sql.DB
	query string
}

// rows runs a read query on the reader pool.
func (s *Store) rows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.prepared(ctx, s.r, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// row runs a single-row read query on the reader pool.
func (s *Store) row(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, s.r, query)
	if err != nil {
		return s.r.QueryRowContext(ctx, s.q(query), args...) // carries the error
	}
	return st.QueryRowContext(ctx, args...)
}

// txRow runs a single-row query in tx.
func (s *Store) txRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, s.w, query)
	if err != nil {
		return tx.QueryRowContext(ctx, s.q(query), args...) // carries the error
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// write runs fn in a write transaction, retrying it when the database asks to.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.writeOnce(ctx, fn)
		if err == nil || s.d.IsRetryable == nil || !s.d.IsRetryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.d.SingleWriter {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.d.SingleWriter {
		s.undo = s.undo[:0]
		defer s.runUndo()
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if s.d.SingleWriter {
		s.undo = s.undo[:0]
	}
	if s.committed != nil {
		s.committed()
	}
	return nil
}

// runUndo puts back, newest first, what a transaction that did not commit changed in
// memory.
func (s *Store) runUndo() {
	if len(s.undo) == 0 {
		return
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	for i := len(s.undo) - 1; i >= 0; i-- {
		s.undo[i]()
	}
	s.undo = s.undo[:0]
}

// exec runs a statement in tx.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, s.w, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// insert runs an INSERT ... RETURNING id in tx and returns the id.
func (s *Store) insert(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	var id int64
	err := s.txRow(ctx, tx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// affected returns ENOTFOUND (with what) when res changed no row.
func affected(res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return outdial.Errorf(outdial.ENOTFOUND, "%s not found", what)
	}
	return nil
}

// notFound turns sql.ErrNoRows into an ENOTFOUND error naming what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return outdial.Errorf(outdial.ENOTFOUND, "%s not found", what)
	}
	return err
}

// wrap adds the store's context to unexpected errors, leaving outdial errors as they are.
func wrap(op string, err error) error {
	var oe *outdial.Error
	if err == nil || errors.As(err, &oe) {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// ms converts a time to Unix milliseconds, 0 for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts Unix milliseconds back, 0 to the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// now returns the store clock's time, truncated to what the database keeps.
func (s *Store) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// limit clamps a page size.
func limit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	if n > max {
		return max
	}
	return n
}
