package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

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

// BatchNamed finds or creates the task's batch named name. The task's row is locked
// first (FOR UPDATE on PostgreSQL; SQLite's writer is single), so two nodes importing
// into a new task at once create one batch, not two.
func (s *Store) BatchNamed(ctx context.Context, tenantID, taskID int64, name string) (*outdial.Batch, error) {
	b := &outdial.Batch{TenantID: tenantID, TaskID: taskID, Name: name}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := s.txRow(ctx, tx, `SELECT id FROM tasks WHERE tenant_id = ? AND id = ?`+s.d.ForUpdate, tenantID, taskID).Scan(&id); err != nil {
			return notFound(err, "task")
		}
		found, err := scanBatch(s.txRow(ctx, tx, `SELECT `+batchCols+` FROM batches WHERE tenant_id = ? AND task_id = ? AND name = ?
			ORDER BY id LIMIT 1`, tenantID, taskID, name))
		if err == nil {
			*b = *found
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.now()
		id, err = s.insert(ctx, tx, `INSERT INTO batches (tenant_id, task_id, name, size, created_at) VALUES (?, ?, ?, 0, ?)`,
			tenantID, taskID, name, ms(now))
		b.ID, b.Size, b.CreatedAt = id, 0, now
		return err
	})
	if err != nil {
		return nil, wrap("batch named", err)
	}
	return b, nil
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
		if err := s.forgetContacts(ctx, tx, tenantID, taskID, `batch_id = ?`, id); err != nil {
			return err
		}
		if _, err = s.exec(ctx, tx, `DELETE FROM batches WHERE id = ?`, id); err != nil {
			return err
		}
		return s.forgetKeys(ctx, tx, "", id)
	})
	return wrap("delete batch", err)
}

// forgetContacts deletes the task's contacts matching where, taking them out of the task's
// counters; ECONFLICT if one is dialing. (Naming the tenant lets contacts_task find the
// task's contacts.)
func (s *Store) forgetContacts(ctx context.Context, tx *sql.Tx, tenantID, taskID int64, where string, arg any) error {
	var n, pending, dialing, dialed, answered, failed sql.NullInt64
	err := s.txRow(ctx, tx, `SELECT count(*),
		sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'dialing' THEN 1 ELSE 0 END),
		sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'finished' AND last_result = 'answered' THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'finished' AND last_result <> 'answered' THEN 1 ELSE 0 END)
		FROM contacts WHERE tenant_id = ? AND task_id = ? AND `+where, tenantID, taskID, arg).Scan(&n, &pending, &dialing, &dialed, &answered, &failed)
	if err != nil {
		return err
	}
	if dialing.Int64 > 0 {
		return outdial.Errorf(outdial.ECONFLICT, "%d of these contacts are being called; try again when the calls end", dialing.Int64)
	}
	if n.Int64 == 0 {
		return nil
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM contacts WHERE tenant_id = ? AND task_id = ? AND `+where, tenantID, taskID, arg); err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `UPDATE tasks SET total = total - ?, pending = pending - ?, dialed = dialed - ?, answered = answered - ?,
		failed = failed - ? WHERE id = ?`, n.Int64, pending.Int64, dialed.Int64, answered.Int64, failed.Int64, taskID)
	return err
}

// ImportChunkSize is how many contacts an import should give AddContacts at once. On
// SQLite a chunk appends to the table and its indexes (the numbers are checked in memory
// during an import, contactimport.go), so a commit costs little more than its rows and
// chunks are small: the write lock is held about 25 ms. On PostgreSQL a commit costs more
// (the random numbers of a chunk touch most pages of the batch's unique index), so
// chunks are larger.
func (s *Store) ImportChunkSize() int {
	if s.d.SingleWriter {
		return 8192
	}
	return 12288
}

// AddContacts inserts contacts of one batch, skipping numbers already in the batch, in one
// transaction (see contactinsert.go for how each database gets them).
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
	if st := s.keys.get(b.BatchID); st != nil {
		now = st.now // one created_at for an import: its INSERT is prepared once
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		clear(added) // a retried transaction starts over
		if n, err := s.count(ctx, tx, `SELECT count(*) FROM batches WHERE tenant_id = ? AND id = ? AND task_id = ?`, b.TenantID, b.BatchID, b.TaskID); err != nil {
			return err
		} else if n == 0 {
			return outdial.Errorf(outdial.ENOTFOUND, "batch not found")
		}
		insert := s.insertContactRows
		if s.d.Name == "postgres" {
			insert = s.insertContactSet
		}
		total, err := insert(ctx, tx, cs, added, now)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE batches SET size = size + ? WHERE id = ?`, total, b.BatchID); err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `UPDATE tasks SET total = total + ?, pending = pending + ? WHERE id = ?`, total, total, b.TaskID)
		return err
	})
	if err != nil {
		return nil, wrap("add contacts", err)
	}
	return added, nil
}

const contactCols = `id, tenant_id, task_id, batch_id, phone, data, priority, status, attempts, next_attempt_at, last_result,
	last_call_id, created_at, updated_at`

func scanContact(row interface{ Scan(...any) error }) (*outdial.Contact, error) {
	var c outdial.Contact
	var data string
	var next, created, updated int64
	if err := row.Scan(&c.ID, &c.TenantID, &c.TaskID, &c.BatchID, &c.Phone, &data, &c.Priority, &c.Status, &c.Attempts, &next,
		&c.LastResult, &c.LastCallID, &created, &updated); err != nil {
		return nil, err
	}
	c.NextAttemptAt, c.CreatedAt, c.UpdatedAt = fromMS(next), fromMS(created), fromMS(updated)
	return &c, setContactData(&c, data)
}

// Contact returns one of the tenant's contacts.
func (s *Store) Contact(ctx context.Context, tenantID, id int64) (*outdial.Contact, error) {
	c, err := scanContact(s.row(ctx, `SELECT `+contactCols+` FROM contacts WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return c, wrap("contact", notFound(err, "contact"))
}

// Contacts lists the tenant's contacts by id. The WHERE clause holds only the filters in
// use, so the database can walk contacts_task (tenant, task, id) in id order.
func (s *Store) Contacts(ctx context.Context, tenantID int64, f outdial.ContactFilter) ([]*outdial.Contact, error) {
	var w strings.Builder
	args := []any{tenantID}
	if f.TaskID == 0 && f.BatchID == 0 {
		// Walk the primary key in id order and stop after a page, rather than sorting all
		// of the tenant's contacts: the unary plus keeps SQLite off contacts_task.
		w.WriteString(`SELECT ` + contactCols + ` FROM contacts WHERE +tenant_id = ?`)
	} else {
		w.WriteString(`SELECT ` + contactCols + ` FROM contacts WHERE tenant_id = ?`)
	}
	if f.BatchID != 0 && f.TaskID == 0 {
		// A batch belongs to one task: naming it lets the task index serve the page.
		w.WriteString(` AND task_id = (SELECT task_id FROM batches WHERE id = ?)`)
		args = append(args, f.BatchID)
	}
	for _, c := range []struct {
		cond string
		v    any
		use  bool
	}{
		{` AND task_id = ?`, f.TaskID, f.TaskID != 0},
		{` AND batch_id = ?`, f.BatchID, f.BatchID != 0},
		{` AND phone = ?`, f.Phone, f.Phone != ""},
		{` AND status = ?`, string(f.Status), f.Status != ""},
	} {
		if c.use {
			w.WriteString(c.cond)
			args = append(args, c.v)
		}
	}
	w.WriteString(` AND id > ? ORDER BY id LIMIT ?`)
	args = append(args, f.After, limit(f.Limit, 100, 1000))
	rows, err := s.rows(ctx, w.String(), args...)
	if err != nil {
		return nil, wrap("contacts", err)
	}
	return collect(rows, scanContact, "contacts")
}

// DeleteContact deletes a contact that is not dialing.
func (s *Store) DeleteContact(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var taskID, batchID int64
		var phone string
		err := s.txRow(ctx, tx, `SELECT task_id, batch_id, phone FROM contacts WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&taskID, &batchID, &phone)
		if err != nil {
			return notFound(err, "contact")
		}
		if err := s.forgetContacts(ctx, tx, tenantID, taskID, `id = ?`, id); err != nil {
			return err
		}
		if _, err = s.exec(ctx, tx, `UPDATE batches SET size = size - 1 WHERE id = ?`, batchID); err != nil {
			return err
		}
		return s.forgetKeys(ctx, tx, phone, batchID)
	})
	return wrap("delete contact", err)
}
