package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

const batchCols = `id, tenant_id, task_id, name, size, created_at`

func scanBatch(row interface{ Scan(...any) error }) (*outdial.Batch, error) {
	var b outdial.Batch
	var c int64
	if err := row.Scan(&b.ID, &b.TenantID, &b.TaskID, &b.Name, &b.Size, &c); err != nil {
		return nil, err
	}
	b.CreatedAt = fromMS(c)
	return &b, nil
}

// CreateBatch creates a batch bound to one of the tenant's tasks.
func (s *Store) CreateBatch(ctx context.Context, b *outdial.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if n, err := s.count(ctx, tx, `SELECT count(*) FROM tasks WHERE tenant_id = ? AND id = ?`, b.TenantID, b.TaskID); err != nil {
			return err
		} else if n == 0 {
			return outdial.Errorf(outdial.ENOTFOUND, "task not found")
		}
		id, err := s.insert(ctx, tx, `INSERT INTO batches (tenant_id, task_id, name, size, created_at) VALUES (?, ?, ?, 0, ?)`,
			b.TenantID, b.TaskID, b.Name, ms(now))
		b.ID, b.Size, b.CreatedAt = id, 0, now
		return err
	})
	return wrap("create batch", err)
}

// Batch returns one of the tenant's batches.
func (s *Store) Batch(ctx context.Context, tenantID, id int64) (*outdial.Batch, error) {
	b, err := scanBatch(s.row(ctx, `SELECT `+batchCols+` FROM batches WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return b, wrap("batch", notFound(err, "batch"))
}

// Batches lists the tenant's batches, of one task when taskID is not 0.
func (s *Store) Batches(ctx context.Context, tenantID, taskID int64, pg outdial.Page) ([]*outdial.Batch, error) {
	rows, err := s.rows(ctx, `SELECT `+batchCols+` FROM batches WHERE tenant_id = ? AND (? = 0 OR task_id = ?) AND id > ?
		ORDER BY id LIMIT ?`, tenantID, taskID, taskID, pg.After, limit(pg.Limit, 100, 10000))
	if err != nil {
		return nil, wrap("batches", err)
	}
	return collect(rows, scanBatch, "batches")
}

// DeleteBatch deletes a batch and its contacts, unless one of them is dialing.
func (s *Store) DeleteBatch(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var taskID int64
		err := s.txRow(ctx, tx, `SELECT task_id FROM batches WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&taskID)
		if err != nil {
			return notFound(err, "batch")
		}
		if err := s.forgetContacts(ctx, tx, taskID, `batch_id = ?`, id); err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `DELETE FROM batches WHERE id = ?`, id)
		return err
	})
	return wrap("delete batch", err)
}

// forgetContacts deletes the task's contacts matching where, taking them out of the task's
// counters; ECONFLICT if one is dialing.
func (s *Store) forgetContacts(ctx context.Context, tx *sql.Tx, taskID int64, where string, arg any) error {
	var n, pending, dialing, dialed, answered, failed sql.NullInt64
	err := s.txRow(ctx, tx, `SELECT count(*),
		sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'dialing' THEN 1 ELSE 0 END),
		sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'finished' AND last_result = 'answered' THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'finished' AND last_result <> 'answered' THEN 1 ELSE 0 END)
		FROM contacts WHERE task_id = ? AND `+where, taskID, arg).Scan(&n, &pending, &dialing, &dialed, &answered, &failed)
	if err != nil {
		return err
	}
	if dialing.Int64 > 0 {
		return outdial.Errorf(outdial.ECONFLICT, "%d of these contacts are being called; try again when the calls end", dialing.Int64)
	}
	if n.Int64 == 0 {
		return nil
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM contacts WHERE task_id = ? AND `+where, taskID, arg); err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `UPDATE tasks SET total = total - ?, pending = pending - ?, dialed = dialed - ?, answered = answered - ?,
		failed = failed - ? WHERE id = ?`, n.Int64, pending.Int64, dialed.Int64, answered.Int64, failed.Int64, taskID)
	return err
}

// contactInsertCols are the columns AddContacts writes.
const contactInsertCols = `tenant_id, task_id, batch_id, phone, name, address, email, state, callback_url, external_id, variables,
	priority, area_code, area_name, number_type, carrier, status, attempts, next_attempt_at, last_result, last_call_id, created_at, updated_at`

const contactInsertArgs = 23

// contactRowsPerInsert keeps a multi-row INSERT under every database's parameter limit.
const contactRowsPerInsert = 400

// AddContacts inserts contacts of one batch, skipping numbers already in the batch.
func (s *Store) AddContacts(ctx context.Context, cs []*outdial.Contact) ([]bool, error) {
	added := make([]bool, len(cs))
	if len(cs) == 0 {
		return added, nil
	}
	b := cs[0]
	for _, c := range cs {
		if c.TenantID != b.TenantID || c.TaskID != b.TaskID || c.BatchID != b.BatchID {
			return nil, outdial.Errorf(outdial.EINVALID, "contacts of one call must share tenant, task and batch")
		}
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if n, err := s.count(ctx, tx, `SELECT count(*) FROM batches WHERE tenant_id = ? AND id = ? AND task_id = ?`, b.TenantID, b.BatchID, b.TaskID); err != nil {
			return err
		} else if n == 0 {
			return outdial.Errorf(outdial.ENOTFOUND, "batch not found")
		}
		var total int64
		for start := 0; start < len(cs); start += contactRowsPerInsert {
			end := min(start+contactRowsPerInsert, len(cs))
			n, err := s.insertContacts(ctx, tx, cs[start:end], added[start:end], now)
			if err != nil {
				return err
			}
			total += n
		}
		if _, err := s.exec(ctx, tx, `UPDATE batches SET size = size + ? WHERE id = ?`, total, b.BatchID); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `UPDATE tasks SET total = total + ?, pending = pending + ? WHERE id = ?`, total, total, b.TaskID)
		return err
	})
	if err != nil {
		return nil, wrap("add contacts", err)
	}
	return added, nil
}

// insertContacts writes one multi-row INSERT and marks which rows were new.
func (s *Store) insertContacts(ctx context.Context, tx *sql.Tx, cs []*outdial.Contact, added []bool, now time.Time) (int64, error) {
	var q strings.Builder
	q.WriteString(`INSERT INTO contacts (` + contactInsertCols + `) VALUES `)
	row := "(" + strings.Repeat("?, ", contactInsertArgs-1) + "?)"
	args := make([]any, 0, len(cs)*contactInsertArgs)
	for i, c := range cs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		if c.NextAttemptAt.IsZero() {
			c.NextAttemptAt = now
		}
		vars := ""
		if len(c.Variables) > 0 {
			vars = jsonText(c.Variables)
		}
		args = append(args, c.TenantID, c.TaskID, c.BatchID, c.Phone, c.Name, c.Address, c.Email, c.State, c.CallbackURL,
			c.ExternalID, vars, c.Priority, c.AreaCode, c.AreaName, c.Type, c.Carrier, outdial.ContactPending, 0, ms(c.NextAttemptAt), "", 0,
			ms(now), ms(now))
	}
	q.WriteString(` ON CONFLICT (batch_id, phone) DO NOTHING RETURNING id, phone`)
	var rows *sql.Rows
	var err error
	if len(cs) == contactRowsPerInsert { // the full-chunk statement is reused: prepare it once
		var st *sql.Stmt
		if st, err = s.prepared(ctx, s.w, q.String()); err == nil {
			rows, err = tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		}
	} else {
		rows, err = tx.QueryContext(ctx, s.q(q.String()), args...)
	}
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	ids := make(map[string]int64, len(cs))
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
	for i, c := range cs {
		if id, ok := ids[c.Phone]; ok {
			added[i] = true
			c.ID, c.Status, c.CreatedAt, c.UpdatedAt = id, outdial.ContactPending, now, now
			delete(ids, c.Phone)
		}
	}
	return int64(len(cs) - countFalse(added)), nil
}

func countFalse(b []bool) int {
	n := 0
	for _, v := range b {
		if !v {
			n++
		}
	}
	return n
}

const contactCols = `id, tenant_id, task_id, batch_id, phone, name, address, email, state, callback_url, external_id, variables,
	priority, area_code, area_name, number_type, carrier, status, attempts, next_attempt_at, last_result, last_call_id, created_at, updated_at`

func scanContact(row interface{ Scan(...any) error }) (*outdial.Contact, error) {
	var c outdial.Contact
	var vars string
	var next, created, updated int64
	if err := row.Scan(&c.ID, &c.TenantID, &c.TaskID, &c.BatchID, &c.Phone, &c.Name, &c.Address, &c.Email, &c.State, &c.CallbackURL,
		&c.ExternalID, &vars, &c.Priority, &c.AreaCode, &c.AreaName, &c.Type, &c.Carrier, &c.Status, &c.Attempts, &next,
		&c.LastResult, &c.LastCallID, &created, &updated); err != nil {
		return nil, err
	}
	c.NextAttemptAt, c.CreatedAt, c.UpdatedAt = fromMS(next), fromMS(created), fromMS(updated)
	return &c, fromJSON(vars, &c.Variables)
}

// Contact returns one of the tenant's contacts.
func (s *Store) Contact(ctx context.Context, tenantID, id int64) (*outdial.Contact, error) {
	c, err := scanContact(s.row(ctx, `SELECT `+contactCols+` FROM contacts WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return c, wrap("contact", notFound(err, "contact"))
}

// Contacts lists the tenant's contacts by id.
func (s *Store) Contacts(ctx context.Context, tenantID int64, f outdial.ContactFilter) ([]*outdial.Contact, error) {
	rows, err := s.rows(ctx, `SELECT `+contactCols+` FROM contacts WHERE tenant_id = ? AND (? = 0 OR task_id = ?)
		AND (? = 0 OR batch_id = ?) AND (? = '' OR phone = ?) AND (? = '' OR status = ?) AND id > ? ORDER BY id LIMIT ?`,
		tenantID, f.TaskID, f.TaskID, f.BatchID, f.BatchID, f.Phone, f.Phone, string(f.Status), string(f.Status), f.After,
		limit(f.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("contacts", err)
	}
	return collect(rows, scanContact, "contacts")
}

// DeleteContact deletes a contact that is not dialing.
func (s *Store) DeleteContact(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var taskID, batchID int64
		err := s.txRow(ctx, tx, `SELECT task_id, batch_id FROM contacts WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&taskID, &batchID)
		if err != nil {
			return notFound(err, "contact")
		}
		if err := s.forgetContacts(ctx, tx, taskID, `id = ?`, id); err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `UPDATE batches SET size = size - 1 WHERE id = ?`, batchID)
		return err
	})
	return wrap("delete contact", err)
}
