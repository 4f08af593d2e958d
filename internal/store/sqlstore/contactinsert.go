package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// AddContacts writes a chunk in one of two ways. SQLite runs in the process and holds
// the write lock for the whole transaction: which contacts are new is decided first
// (contact_keys, or the keys of a large import held in memory: contactkeys.go), and the
// new ones go in multi-row INSERTs binding four values of each contact. PostgreSQL
// gets the whole chunk in one statement, as one array per column, and its unique
// (batch_id, phone) index with RETURNING says which were new.

const contactRowsPerRun = 500 // contacts per multi-row INSERT (SQLite)

// contactRowsInsert returns the SQLite INSERT of n contacts of batch b added at now, each
// binding its phone, data, priority and next attempt: the values shared by the call
// are integers written into the statement. (Parameters are plain ?: numbered ones make
// binding quadratic.)
func contactRowsInsert(b *outdial.Contact, now int64, n int) string {
	row := "(" + strconv.FormatInt(b.TenantID, 10) + ", " + strconv.FormatInt(b.TaskID, 10) + ", " +
		strconv.FormatInt(b.BatchID, 10) + ", ?, ?, ?, 'pending', 0, ?, '', 0, " + strconv.FormatInt(now, 10) + ", " +
		strconv.FormatInt(now, 10) + ")"
	var q strings.Builder
	q.Grow(len(row)*n + 200)
	q.WriteString(`INSERT INTO contacts (tenant_id, task_id, batch_id, phone, data, priority, status, attempts, next_attempt_at,
	last_result, last_call_id, created_at, updated_at) VALUES `)
	for k := range n {
		if k > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	return q.String()
}

// insertContactRows inserts the contacts of cs that are new to the batch, in order, and
// marks them in added. SQLite numbers them from the table's largest id when the
// (exclusive) write transaction began, so the ids follow the upload and are known
// without reading them back (nor a seek for each id given). Another goroutine makes
// the values of each multi-row INSERT (the data column above all) while the previous one
// runs, so the writer only writes.
func (s *Store) insertContactRows(ctx context.Context, tx *sql.Tx, cs []*outdial.Contact, added []bool, now time.Time) (int64, error) {
	st, err := s.decideNew(ctx, tx, cs, added)
	if err != nil {
		return 0, err
	}
	var last int64
	if err := s.txRow(ctx, tx, `SELECT coalesce(max(id), 0) FROM contacts`).Scan(&last); err != nil {
		return 0, err
	}
	type run struct {
		args []any
		n    int
	}
	runs, stop := make(chan run, 2), make(chan struct{})
	go func() {
		defer close(runs)
		r := run{}
		var buf []byte // the data of the contacts in r
		next := last   // the id of the last contact added
		for i := 0; i <= len(cs); i++ {
			if i < len(cs) && added[i] {
				c := cs[i]
				if c.NextAttemptAt.IsZero() {
					c.NextAttemptAt = now
				}
				c.ID, c.Status, c.CreatedAt, c.UpdatedAt = next+1, outdial.ContactPending, now, now
				next++
				if r.args == nil {
					r.args, buf = make([]any, 0, 5*contactRowsPerRun), make([]byte, 0, 200*contactRowsPerRun)
				}
				mark := len(buf)
				buf = appendContactData(buf, c)
				r.args = append(r.args, c.Phone, unsafeString(buf[mark:]), int64(c.Priority), ms(c.NextAttemptAt))
				r.n++
			}
			if r.n == 0 || (r.n < contactRowsPerRun && i < len(cs)) {
				continue
			}
			select {
			case runs <- r:
			case <-stop:
				return
			}
			r, buf = run{}, nil // a new buffer: the strings of r point into this one
		}
	}()
	defer func() {
		close(stop)
		for range runs { // the goroutine has ended when runs is closed
		}
	}()
	var total int64
	for r := range runs {
		var err error
		if r.n < contactRowsPerRun {
			_, err = tx.ExecContext(ctx, contactRowsInsert(cs[0], ms(now), r.n), r.args...)
		} else {
			var full *sql.Stmt
			if full, err = s.fullContactInsert(ctx, tx, st, cs[0], now); err == nil {
				_, err = full.ExecContext(ctx, r.args...)
			}
		}
		if err != nil {
			return 0, err
		}
		total += int64(r.n)
	}
	// SQLite gave each row the table's largest id plus one, as the ids told the contacts
	// assume (the table is not AUTOINCREMENT and no id is near the largest possible).
	var top int64
	if err := s.txRow(ctx, tx, `SELECT coalesce(max(id), 0) FROM contacts`).Scan(&top); err != nil {
		return 0, err
	} else if top != last+total {
		return 0, fmt.Errorf("contacts got ids up to %d, not %d", top, last+total)
	}
	return total, nil
}

// fullContactInsert returns the INSERT of contactRowsPerRun contacts for tx: prepared
// once for the import st (closed when it ends), or for this transaction when no import
// runs (closed with it).
func (s *Store) fullContactInsert(ctx context.Context, tx *sql.Tx, st *keyState, b *outdial.Contact, now time.Time) (*sql.Stmt, error) {
	q := contactRowsInsert(b, ms(now), contactRowsPerRun)
	if st == nil {
		return tx.PrepareContext(ctx, q)
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if st.insert == nil || st.insertSQL != q {
		if st.insert != nil {
			st.insert.Close()
		}
		full, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		st.insert, st.insertSQL = full, q
	}
	return tx.StmtContext(ctx, st.insert), nil
}

// insertContactSet inserts cs in one INSERT ... SELECT from unnest(arrays), in the order
// of cs (so ids follow it), and marks in added the ones that were new: RETURNING gives
// their numbers, and the first contact with a returned number is the one added.
func (s *Store) insertContactSet(ctx context.Context, tx *sql.Tx, cs []*outdial.Contact, added []bool, now time.Time) (int64, error) {
	n := len(cs)
	phones, data := make([]string, n), make([]string, n)
	priority, next := make([]int64, n), make([]int64, n)
	for i, c := range cs {
		if c.NextAttemptAt.IsZero() {
			c.NextAttemptAt = now
		}
		phones[i], data[i], priority[i], next[i] = c.Phone, contactData(c), int64(c.Priority), ms(c.NextAttemptAt)
	}
	b := cs[0]
	rows, err := tx.QueryContext(ctx, s.q(`INSERT INTO contacts (tenant_id, task_id, batch_id, status, attempts, last_result,
		last_call_id, created_at, updated_at, phone, data, priority, next_attempt_at)
		SELECT ?, ?, ?, 'pending', 0, '', 0, ?, ?, u.phone, u.data, u.priority, u.next_attempt_at
		FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS u(phone, data, priority, next_attempt_at, ord)
		ORDER BY u.ord
		ON CONFLICT (batch_id, phone) DO NOTHING RETURNING id, phone`),
		b.TenantID, b.TaskID, b.BatchID, ms(now), ms(now), phones, data, priority, next)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	ids := make(map[string]int64, n)
	for rows.Next() {
		var id int64
		var phone string
		if err := rows.Scan(&id, &phone); err != nil {
			return 0, err
		}
		ids[phone] = id
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var total int64
	for i, c := range cs {
		if id, ok := ids[c.Phone]; ok {
			added[i] = true
			c.ID, c.Status, c.CreatedAt, c.UpdatedAt = id, outdial.ContactPending, now, now
			delete(ids, c.Phone)
			total++
		}
	}
	return total, nil
}
