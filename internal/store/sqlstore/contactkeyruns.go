package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"slices"
)

// A large import writes its batch's new keys at its end as runs: rows of
// contact_key_runs holding up to keyRunLen ascending keys in one blob, from lo to hi.
// Writing a million keys so is about a hundred rows, where one row a key would be a
// million B-tree inserts (a tenth of the import). A batch's keys are its rows of
// contact_keys and the keys of its runs, and no key is in both or in two runs.

// keyRunLen is how many keys a run holds at most (64 kB).
const keyRunLen = 8192

func encodeRun(keys []uint64) []byte {
	b := make([]byte, 8*len(keys))
	for i, k := range keys {
		binary.LittleEndian.PutUint64(b[8*i:], k)
	}
	return b
}

func decodeRun(b []byte) ([]uint64, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("contact key run of %d bytes", len(b))
	}
	keys := make([]uint64, len(b)/8)
	for i := range keys {
		keys[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return keys, nil
}

// writeRuns writes keys (ascending, none of them the batch's yet) as runs.
func (s *Store) writeRuns(ctx context.Context, tx *sql.Tx, batchID int64, keys []uint64) error {
	for start := 0; start < len(keys); start += keyRunLen {
		run := keys[start:min(start+keyRunLen, len(keys))]
		if _, err := s.exec(ctx, tx, `INSERT INTO contact_key_runs (batch_id, lo, hi, keys) VALUES (?, ?, ?, ?)`,
			batchID, int64(run[0]), int64(run[len(run)-1]), encodeRun(run)); err != nil {
			return err
		}
	}
	return nil
}

// runCache holds the runs one transaction has read, by id.
type runCache map[int64][]uint64

// inRuns reports whether k is in one of the batch's runs, and which (0 if none).
func (s *Store) inRuns(ctx context.Context, tx *sql.Tx, cache runCache, batchID, k int64) (int64, error) {
	st, err := s.prepared(ctx, s.w, `SELECT id FROM contact_key_runs WHERE batch_id = ? AND lo <= ? AND hi >= ?`)
	if err != nil {
		return 0, err
	}
	rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, batchID, k, k)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		keys, ok := cache[id]
		if !ok {
			var blob []byte
			if err := s.txRow(ctx, tx, `SELECT keys FROM contact_key_runs WHERE id = ?`, id).Scan(&blob); err != nil {
				return 0, err
			}
			if keys, err = decodeRun(blob); err != nil {
				return 0, err
			}
			cache[id] = keys
		}
		if _, found := slices.BinarySearch(keys, uint64(k)); found {
			return id, nil
		}
	}
	return 0, nil
}

// removeFromRuns takes k out of the batch's runs, if it is in one; false if not.
func (s *Store) removeFromRuns(ctx context.Context, tx *sql.Tx, batchID, k int64) (bool, error) {
	cache := runCache{}
	id, err := s.inRuns(ctx, tx, cache, batchID, k)
	if err != nil || id == 0 {
		return false, err
	}
	keys := cache[id]
	i, _ := slices.BinarySearch(keys, uint64(k))
	keys = slices.Delete(keys, i, i+1)
	if len(keys) == 0 {
		_, err = s.exec(ctx, tx, `DELETE FROM contact_key_runs WHERE id = ?`, id)
	} else {
		_, err = s.exec(ctx, tx, `UPDATE contact_key_runs SET lo = ?, hi = ?, keys = ? WHERE id = ?`,
			int64(keys[0]), int64(keys[len(keys)-1]), encodeRun(keys), id)
	}
	return err == nil, err
}

// readRuns adds the keys of the batch's runs to set (not marked new).
func (s *Store) readRuns(ctx context.Context, tx *sql.Tx, batchID int64, set *keySet) error {
	rows, err := tx.QueryContext(ctx, `SELECT keys FROM contact_key_runs WHERE batch_id = ?`, batchID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var blob sql.RawBytes
		if err := rows.Scan(&blob); err != nil {
			return err
		}
		if len(blob)%8 != 0 {
			return fmt.Errorf("contact key run of %d bytes", len(blob))
		}
		for i := 0; i < len(blob); i += 8 {
			set.add(int64(binary.LittleEndian.Uint64(blob[i:])), false)
		}
	}
	return rows.Err()
}
