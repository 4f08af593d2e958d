package sqlstore

import (
	"context"
	"database/sql"
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
