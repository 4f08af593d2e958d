package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// OutboxMessages lists the tenant's messages newest first. f.After, when set, is an
// exclusive cursor: only messages with smaller ids (the last id of the previous page).
func (s *Store) OutboxMessages(ctx context.Context, tenantID int64, f outdial.OutboxFilter) ([]*outdial.OutboxMessage, error) {
	query := `SELECT ` + outboxCols + ` FROM outbox WHERE tenant_id = ?`
	args := []any{tenantID}
	if f.EventID != "" {
		query += ` AND event_id = ?`
		args = append(args, f.EventID)
	}
	if f.SubscriptionID != 0 {
		query += ` AND subscription_id = ?`
		args = append(args, f.SubscriptionID)
	}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.After != 0 {
		query += ` AND id < ?`
		args = append(args, f.After)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit(f.Limit, 100, 1000))
	rows, err := s.rows(ctx, query, args...)
	if err != nil {
		return nil, wrap("outbox messages", err)
	}
	return collect(rows, scanOutbox, "outbox messages")
}

// OutboxMessage returns one of the tenant's outbox messages.
func (s *Store) OutboxMessage(ctx context.Context, tenantID, id int64) (*outdial.OutboxMessage, error) {
	m, err := scanOutbox(s.row(ctx, `SELECT `+outboxCols+` FROM outbox WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return m, wrap("outbox message", notFound(err, "delivery"))
}

func scanAttempt(row interface{ Scan(...any) error }) (*outdial.DeliveryAttempt, error) {
	var a outdial.DeliveryAttempt
	var at, us int64
	if err := row.Scan(&a.ID, &a.MessageID, &at, &a.Status, &a.Response, &a.Error, &us, &a.Delivered); err != nil {
		return nil, err
	}
	a.At, a.Duration = fromMS(at), time.Duration(us)*time.Microsecond
	return &a, nil
}

// DeliveryAttempts lists the attempts of one of the tenant's messages, oldest first;
// ENOTFOUND if the message is not the tenant's.
func (s *Store) DeliveryAttempts(ctx context.Context, tenantID, messageID int64) ([]*outdial.DeliveryAttempt, error) {
	if _, err := s.OutboxMessage(ctx, tenantID, messageID); err != nil {
		return nil, err
	}
	rows, err := s.rows(ctx, `SELECT id, message_id, attempted_at, status, response, error, duration_us, delivered
		FROM delivery_attempts WHERE message_id = ? ORDER BY id`, messageID)
	if err != nil {
		return nil, wrap("delivery attempts", err)
	}
	return collect(rows, scanAttempt, "delivery attempts")
}

// Redeliver makes a dead or delivered message pending again, due at now, with a fresh
// retry schedule (attempts back to 0; the delivery log keeps every earlier attempt).
// A message still pending is ECONFLICT: it is being delivered already.
func (s *Store) Redeliver(ctx context.Context, tenantID, id int64, now time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := s.txRow(ctx, tx, `SELECT status FROM outbox WHERE tenant_id = ? AND id = ?`+s.d.ForUpdate, tenantID, id).Scan(&status)
		if err != nil {
			return notFound(err, "delivery")
		}
		if status == outdial.OutboxPending {
			return outdial.Errorf(outdial.ECONFLICT, "delivery %d is pending: it is being delivered or retried on its schedule", id)
		}
		_, err = s.exec(ctx, tx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = '', claimed_by = '',
			delivered_at = 0 WHERE id = ?`, ms(now), id)
		return err
	})
	return wrap("redeliver", err)
}

// OutboxBacklog counts pending and dead messages (each from its partial index, so it
// stays cheap with millions of delivered ones, which it does not count).
func (s *Store) OutboxBacklog(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, status := range []string{outdial.OutboxPending, outdial.OutboxDead} {
		var n int64
		// The literal status lets the planner use the partial index of that status.
		if err := s.row(ctx, `SELECT count(*) FROM outbox WHERE status = '`+status+`'`).Scan(&n); err != nil {
			return nil, wrap("outbox backlog", err)
		}
		out[status] = n
	}
	return out, nil
}

// PruneOutbox deletes finished (delivered or dead) messages created before before, with
// their delivery attempts, looking at up to limit messages after the id after, oldest
// first, in one transaction. It stops at the first message created at or after before
// (ids follow creation). It returns how many it deleted, the last id it looked at (the
// next call's after) and whether there may be more to look at. Pending messages are
// kept, however old: they are still being delivered.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time, after int64, n int) (deleted, last int64, more bool, err error) {
	n = limit(n, 1000, 10000)
	err = s.write(ctx, func(tx *sql.Tx) error {
		deleted, last, more = 0, after, false
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, status, created_at FROM outbox WHERE id > ? ORDER BY id LIMIT ?`), after, n)
		if err != nil {
			return err
		}
		var ids []any
		seen, reached := 0, false
		for rows.Next() {
			var id, created int64
			var status string
			if err := rows.Scan(&id, &status, &created); err != nil {
				rows.Close()
				return err
			}
			seen++
			if created >= ms(before) {
				reached = true
				break
			}
			last = id
			if status != outdial.OutboxPending {
				ids = append(ids, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		more = !reached && seen == n
		if len(ids) == 0 {
			return nil
		}
		in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM delivery_attempts WHERE message_id IN `+in), ids...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM outbox WHERE id IN `+in), ids...)
		if err != nil {
			return err
		}
		deleted, err = res.RowsAffected()
		return err
	})
	return deleted, last, more, wrap("prune outbox", err)
}
