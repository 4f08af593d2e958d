package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// AddContacts writes a chunk in one of two ways. SQLite runs in the process and holds
// the write lock for the whole transaction: contacts go in multi-row INSERTs that bind
// only each contact's own values and the id the store gives it, so which were new is
// read from the ids, with no RETURNING to collect. PostgreSQL gets the whole chunk in one
// statement, as one array per column, and RETURNING says which were new.

// contactValueCols are the columns AddContacts binds per contact; the others are the
// same for the whole call.
const contactValueCols = `phone, name, address, email, state, callback_url, external_id, variables, priority,
	area_code, area_name, number_type, carrier, next_attempt_at`

const (
	contactValueArgs  = 14  // values bound per contact, besides its id on SQLite
	contactRowsPerRun = 500 // contacts per multi-row INSERT (SQLite)
)

// contactRowsInsert returns the SQLite INSERT of n contacts of batch b added at now, each
// binding its id and its own values: the values shared by the call are integers written
// into the statement. (Parameters are plain ?: numbered ones make binding quadratic.)
func contactRowsInsert(b *outdial.Contact, now int64, n int) string {
	row := "(?, " + strconv.FormatInt(b.TenantID, 10) + ", " + strconv.FormatInt(b.TaskID, 10) + ", " +
		strconv.FormatInt(b.BatchID, 10) + ", 'pending', 0, '', 0, " + strconv.FormatInt(now, 10) + ", " +
		strconv.FormatInt(now, 10) + strings.Repeat(", ?", contactValueArgs) + ")"
	var q strings.Builder
	q.Grow(len(row)*n + 400)
	q.WriteString(`INSERT OR IGNORE INTO contacts (id, tenant_id, task_id, batch_id, status, attempts, last_result, last_call_id,
	created_at, updated_at, ` + contactValueCols + `) VALUES `)
	for k := range n {
		if k > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	return q.String()
}

// insertContactRows inserts cs in order and marks in added the ones that were new. The
// i-th contact gets id last+i+1, last being the table's largest id when the (exclusive)
// write transaction began: ids follow the upload, and a number already in the batch, or
// earlier in cs, leaves its id unused. OR IGNORE can skip only those rows, as no value is
// NULL and no id is taken. When an INSERT skips some, its ids are read back to tell which.
func (s *Store) insertContactRows(ctx context.Context, tx *sql.Tx, cs []*outdial.Contact, added []bool, now time.Time) (int64, error) {
	var last int64
	if err := s.txRow(ctx, tx, `SELECT coalesce(max(id), 0) FROM contacts`).Scan(&last); err != nil {
		return 0, err
	}
	var full *sql.Stmt // the statement of contactRowsPerRun rows, prepared for this call
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, (1+contactValueArgs)*min(len(cs), contactRowsPerRun))
	var total int64
	for start := 0; start < len(cs); start += contactRowsPerRun {
		run := cs[start:min(start+contactRowsPerRun, len(cs))]
		first := last + int64(start) + 1 // the id of run[0]
		args = args[:0]
		for k, c := range run {
			if c.NextAttemptAt.IsZero() {
				c.NextAttemptAt = now
			}
			args = append(args, first+int64(k), c.Phone, c.Name, c.Address, c.Email, c.State, c.CallbackURL, c.ExternalID,
				variablesText(c), int64(c.Priority), c.AreaCode, c.AreaName, c.Type, c.Carrier, ms(c.NextAttemptAt))
		}
		var res sql.Result
		var err error
		switch {
		case len(run) < contactRowsPerRun:
			res, err = tx.ExecContext(ctx, contactRowsInsert(cs[0], ms(now), len(run)), args...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, contactRowsInsert(cs[0], ms(now), contactRowsPerRun)); err == nil {
				res, err = full.ExecContext(ctx, args...)
			}
		default:
			res, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		if n == int64(len(run)) {
			for k := range run {
				added[start+k] = true
			}
		} else if err := s.readAdded(ctx, tx, first, added[start:start+len(run)]); err != nil {
			return 0, err
		}
		for k, c := range run {
			if added[start+k] {
				c.ID, c.Status, c.CreatedAt, c.UpdatedAt = first+int64(k), outdial.ContactPending, now, now
			}
		}
		total += n
	}
	return total, nil
}

// readAdded marks in added the ids from first to first+len(added)-1 that are in the table.
func (s *Store) readAdded(ctx context.Context, tx *sql.Tx, first int64, added []bool) error {
	st, err := s.prepared(ctx, s.w, `SELECT id FROM contacts WHERE id >= ? AND id < ?`)
	if err != nil {
		return err
	}
	rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, first, first+int64(len(added)))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		added[id-first] = true
	}
	return rows.Err()
}

// insertContactSet inserts cs in one INSERT ... SELECT from unnest(arrays), in the order
// of cs (so ids follow it), and marks in added the ones that were new: RETURNING gives
// their numbers, and the first contact with a returned number is the one added.
func (s *Store) insertContactSet(ctx context.Context, tx *sql.Tx, cs []*outdial.Contact, added []bool, now time.Time) (int64, error) {
	n := len(cs)
	texts := make([][]string, 12) // phone ... carrier, without priority
	for k := range texts {
		texts[k] = make([]string, n)
	}
	priority, next := make([]int64, n), make([]int64, n)
	for i, c := range cs {
		if c.NextAttemptAt.IsZero() {
			c.NextAttemptAt = now
		}
		texts[0][i], texts[1][i], texts[2][i], texts[3][i], texts[4][i], texts[5][i] = c.Phone, c.Name, c.Address, c.Email, c.State, c.CallbackURL
		texts[6][i], texts[7][i], texts[8][i], texts[9][i], texts[10][i], texts[11][i] = c.ExternalID, variablesText(c), c.AreaCode, c.AreaName, c.Type, c.Carrier
		priority[i], next[i] = int64(c.Priority), ms(c.NextAttemptAt)
	}
	b := cs[0]
	rows, err := tx.QueryContext(ctx, s.q(`INSERT INTO contacts (tenant_id, task_id, batch_id, status, attempts, last_result,
		last_call_id, created_at, updated_at, `+contactValueCols+`)
		SELECT ?, ?, ?, 'pending', 0, '', 0, ?, ?, u.phone, u.name, u.address, u.email, u.state, u.callback_url, u.external_id,
			u.variables, u.priority, u.area_code, u.area_name, u.number_type, u.carrier, u.next_attempt_at
		FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],
			?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[]) WITH ORDINALITY
			AS u(phone, name, address, email, state, callback_url, external_id, variables, priority,
				area_code, area_name, number_type, carrier, next_attempt_at, ord)
		ORDER BY u.ord
		ON CONFLICT (batch_id, phone) DO NOTHING RETURNING id, phone`),
		b.TenantID, b.TaskID, b.BatchID, ms(now), ms(now), texts[0], texts[1], texts[2], texts[3], texts[4], texts[5], texts[6],
		texts[7], priority, texts[8], texts[9], texts[10], texts[11], next)
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

// variablesText is the variables column of c.
func variablesText(c *outdial.Contact) string {
	if len(c.Variables) == 0 {
		return ""
	}
	return jsonText(c.Variables)
}
