package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
	"unsafe"

	"github.com/outdial/outdial"
)

// How SQLite keeps a batch's numbers unique (contactkeys.go has why):
//
//   - A batch's keys are its rows of contact_keys and the keys of its runs in
//     contact_key_runs (contactkeyruns.go), except for a batch listed in
//     contact_key_builds, whose new keys are held in memory by the import running.
//   - A contact added with no import running, or among the first rows of an import, is
//     a duplicate if its key is in a run of the batch or in contact_keys; otherwise its
//     key is inserted in contact_keys in the transaction that adds it.
//   - Once an import has stored bulkAfter rows and an eighth of what the batch held (the
//     set costs 16 bytes a key, at most), it lists the batch in contact_key_builds
//     as its store's and loads the batch's keys into a keySet; from then on its chunks,
//     and anything else added to the batch, are checked against the set, and the new
//     keys are written as runs when the last import into the batch ends, which also takes
//     the batch off the list.
//   - A batch listed and not held by this store (a crash, a migration, another process)
//     has its keys rebuilt from its contacts, as runs, by the next add or import, or when
//     a store opens; an import whose listing another store rebuilt or took loads again.
//
// All of it runs in write transactions, which SQLite's single writer serialises, so the
// state in memory is only read and changed by one transaction at a time.

// bulkAfter is how many rows an import stores before it keeps its batch's keys in memory.
const bulkAfter = 8192

// keyState is what the store keeps in memory about a batch being imported into.
type keyState struct {
	users int       // imports running
	rows  int       // rows they stored or refused so far
	size  int64     // the batch's size when the first began
	set   *keySet   // the batch's keys, once the imports switched to memory
	now   time.Time // when the first began: the contacts' created_at

	insert    *sql.Stmt // the INSERT of contactRowsPerRun contacts, for insertContactRows
	insertSQL string
}

// keyStates are the batches being imported into.
type keyStates struct {
	mu sync.Mutex
	m  map[int64]*keyState
}

func (k *keyStates) get(batchID int64) *keyState {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.m[batchID]
}

// keyed reports whether the store keeps numbers unique through contact_keys (SQLite).
func (s *Store) keyed() bool { return s.d.Name == "sqlite" }

// BeginContactImport tells the store that an import of many contacts into the batch
// starts; end, which must be called, says it is over. On SQLite the import's keys are
// then kept in memory and written at the end; on PostgreSQL nothing changes.
func (s *Store) BeginContactImport(ctx context.Context, tenantID, batchID int64) (end func(), err error) {
	if !s.keyed() {
		return func() {}, nil
	}
	var size int64
	if err := s.row(ctx, `SELECT size FROM batches WHERE tenant_id = ? AND id = ?`, tenantID, batchID).Scan(&size); err != nil {
		return nil, wrap("begin contact import", notFound(err, "batch"))
	}
	s.keys.mu.Lock()
	if s.keys.m == nil {
		s.keys.m = map[int64]*keyState{}
	}
	st := s.keys.m[batchID]
	if st == nil {
		st = &keyState{size: size, now: s.now()}
		s.keys.m[batchID] = st
	}
	st.users++
	s.keys.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { s.endContactImport(batchID, st) }) }, nil
}

// endContactImport ends one import into the batch; the last one writes the new keys.
// Everything it changes in memory changes inside its transaction (which no other write
// transaction overlaps): once it commits, no state of the batch is left, and if it does
// not, the batch stays listed and its keys are rebuilt from its contacts by the next add
// (or the next start), the set being gone.
func (s *Store) endContactImport(batchID int64, st *keyState) {
	s.keys.mu.Lock()
	st.users--
	s.keys.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	_ = s.write(ctx, func(tx *sql.Tx) error {
		s.keys.mu.Lock()
		defer s.keys.mu.Unlock()
		if st.users > 0 {
			return nil // another import into the batch runs on: it writes the keys at its end
		}
		if s.keys.m[batchID] == st {
			delete(s.keys.m, batchID)
		}
		if st.insert != nil {
			st.insert.Close()
			st.insert = nil
		}
		set := st.set
		st.set, st.rows = nil, 0
		if set == nil { // none held, or the batch was deleted
			return nil
		}
		// Unless another process rebuilt the batch's keys from its contacts meanwhile
		// (the batch is no longer listed as this store's), they are written now.
		var owner string
		if err := s.txRow(ctx, tx, `SELECT owner FROM contact_key_builds WHERE batch_id = ?`, batchID).Scan(&owner); err != nil {
			return notFound(err, "listed batch")
		} else if owner != s.instance {
			return nil
		}
		if err := s.writeRuns(ctx, tx, batchID, set.takeNew()); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `DELETE FROM contact_key_builds WHERE batch_id = ?`, batchID)
		return err
	})
}

// decideNew marks in added the contacts of cs (one batch) whose numbers are new to the
// batch and not earlier in cs, recording their keys (SQLite). It returns the state of
// the imports into the batch, nil if none runs.
func (s *Store) decideNew(ctx context.Context, tx *sql.Tx, cs []*outdial.Contact, added []bool) (*keyState, error) {
	batchID := cs[0].BatchID
	st := s.keys.get(batchID)
	if st != nil {
		s.keys.mu.Lock()
		defer s.keys.mu.Unlock()
		st.rows += len(cs)
		if st.set == nil && st.users > 0 && st.rows >= bulkAfter && int64(st.rows)*8 >= st.size {
			if err := s.loadKeys(ctx, tx, batchID, st); err != nil {
				return nil, err
			}
		}
	}
	if st == nil || st.set == nil {
		if err := s.rebuildListedKeys(ctx, tx, batchID); err != nil {
			return nil, err
		}
		ins, err := s.prepared(ctx, s.w, `INSERT OR IGNORE INTO contact_keys (batch_id, k) VALUES (?, ?)`)
		if err != nil {
			return nil, err
		}
		stmt := tx.StmtContext(ctx, ins)
		defer stmt.Close()
		var runs int
		if err := s.txRow(ctx, tx, `SELECT count(*) FROM (SELECT 1 FROM contact_key_runs WHERE batch_id = ? LIMIT 1)`, batchID).Scan(&runs); err != nil {
			return nil, err
		}
		cache := runCache{}
		for i, c := range cs {
			k := phoneKey(c.Phone)
			if runs > 0 {
				if id, err := s.inRuns(ctx, tx, cache, batchID, k); err != nil {
					return nil, err
				} else if id != 0 {
					continue // a duplicate
				}
			}
			res, err := stmt.ExecContext(ctx, batchID, k)
			if err != nil {
				return nil, err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return nil, err
			}
			added[i] = n == 1
		}
		return st, nil
	}
	// Another process on the database file (outdial import, or one that opened and
	// rebuilt the listed batches) may have changed the batch's keys since the last chunk:
	// it took the batch off the list, or listed it as its own. Then the set is read again.
	var owner string
	switch err := s.txRow(ctx, tx, `SELECT owner FROM contact_key_builds WHERE batch_id = ?`, batchID).Scan(&owner); {
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return nil, err
	case owner != s.instance:
		if err := s.loadKeys(ctx, tx, batchID, st); err != nil {
			return nil, err
		}
	}
	var fresh []int64
	set := st.set
	for i, c := range cs {
		k := phoneKey(c.Phone)
		if added[i] = set.add(k, true); added[i] {
			fresh = append(fresh, k)
		}
	}
	// The transaction may yet fail: its keys leave the set then.
	s.undo = append(s.undo, func() {
		for _, k := range fresh {
			set.remove(k)
		}
	})
	return st, nil
}

// loadKeys lists the batch in contact_key_builds and reads its keys into a new set.
func (s *Store) loadKeys(ctx context.Context, tx *sql.Tx, batchID int64, st *keyState) error {
	if err := s.rebuildListedKeys(ctx, tx, batchID); err != nil {
		return err
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO contact_key_builds (batch_id, owner) VALUES (?, ?)`, batchID, s.instance); err != nil {
		return err
	}
	var n int
	if err := s.txRow(ctx, tx, `SELECT (SELECT count(*) FROM contact_keys WHERE batch_id = ?) +
		(SELECT coalesce(sum(length(keys)), 0) / 8 FROM contact_key_runs WHERE batch_id = ?)`, batchID, batchID).Scan(&n); err != nil {
		return err
	}
	set := newKeySet(max(n+n/4, 4*bulkAfter)) // room for a quarter more before it grows
	if err := s.readRuns(ctx, tx, batchID, set); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT k FROM contact_keys WHERE batch_id = ?`, batchID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return err
		}
		set.add(k, false)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	old := st.set
	st.set = set
	s.undo = append(s.undo, func() { st.set = old })
	return nil
}

// rebuildListedKeys, if the batch is listed in contact_key_builds, writes the keys of
// the batch's contacts as its keys (runs) and takes it off the list.
func (s *Store) rebuildListedKeys(ctx context.Context, tx *sql.Tx, batchID int64) error {
	var n int
	if err := s.txRow(ctx, tx, `SELECT count(*) FROM contact_key_builds WHERE batch_id = ?`, batchID).Scan(&n); err != nil || n == 0 {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.phone FROM batches b JOIN contacts c
		ON c.tenant_id = b.tenant_id AND c.task_id = b.task_id AND c.batch_id = b.id WHERE b.id = ?`, batchID)
	if err != nil {
		return err
	}
	set := newKeySet(1024)
	for rows.Next() {
		var phone string
		if err := rows.Scan(&phone); err != nil {
			rows.Close()
			return err
		}
		set.add(phoneKey(phone), true)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM contact_keys WHERE batch_id = ?`, `DELETE FROM contact_key_runs WHERE batch_id = ?`} {
		if _, err := s.exec(ctx, tx, q, batchID); err != nil {
			return err
		}
	}
	if err := s.writeRuns(ctx, tx, batchID, set.takeNew()); err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `DELETE FROM contact_key_builds WHERE batch_id = ?`, batchID)
	return err
}

// RebuildContactKeys rebuilds the keys of every batch listed in contact_key_builds, as a
// store must when it opens (SQLite): imports that were running when the process stopped
// left their batches listed, and migration 0008 lists every batch.
func (s *Store) RebuildContactKeys(ctx context.Context) error {
	if !s.keyed() {
		return nil
	}
	rows, err := s.w.QueryContext(ctx, `SELECT batch_id FROM contact_key_builds ORDER BY batch_id`)
	if err != nil {
		return wrap("rebuild contact keys", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return wrap("rebuild contact keys", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap("rebuild contact keys", err)
	}
	for _, id := range ids {
		err := s.write(ctx, func(tx *sql.Tx) error { return s.rebuildListedKeys(ctx, tx, id) })
		if err != nil {
			return wrap("rebuild contact keys", err)
		}
	}
	return nil
}

// forgetKeys keeps contact_keys and the imports' sets true when contacts are deleted:
// the contact with phone in batchID, or, with phone "", every contact of the batches.
func (s *Store) forgetKeys(ctx context.Context, tx *sql.Tx, phone string, batchIDs ...int64) error {
	if !s.keyed() {
		return nil
	}
	for _, id := range batchIDs {
		st := s.keys.get(id)
		if phone == "" {
			for _, q := range []string{`DELETE FROM contact_keys WHERE batch_id = ?`, `DELETE FROM contact_key_runs WHERE batch_id = ?`,
				`DELETE FROM contact_key_builds WHERE batch_id = ?`} {
				if _, err := s.exec(ctx, tx, q, id); err != nil {
					return err
				}
			}
			if st != nil {
				s.keys.mu.Lock()
				set := st.set
				st.set = nil // the import has nothing to write when it ends
				s.undo = append(s.undo, func() { st.set = set })
				s.keys.mu.Unlock()
			}
			continue
		}
		k := phoneKey(phone)
		if st == nil || st.set == nil {
			// Listed by another store (process), the batch's keys are partly in its
			// memory: rebuilt from the contacts first, the key can be taken out, and that
			// store reads the keys again (its listing is gone).
			if err := s.rebuildListedKeys(ctx, tx, id); err != nil {
				return err
			}
		}
		res, err := s.exec(ctx, tx, `DELETE FROM contact_keys WHERE batch_id = ? AND k = ?`, id, k)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := s.removeFromRuns(ctx, tx, id, k); err != nil {
				return err
			}
		}
		if st != nil && st.set != nil {
			s.keys.mu.Lock()
			if found, fresh := st.set.remove(k); found {
				set := st.set
				s.undo = append(s.undo, func() { set.add(k, fresh) })
			}
			s.keys.mu.Unlock()
		}
	}
	return nil
}

// unsafeString is b as a string, without copying; b must not change afterwards.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
