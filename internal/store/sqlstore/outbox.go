package sqlstore

import (
	"context"
	"database/sql"

	"github.com/outdial/outdial"
)

// insertOutbox writes one outbox message in tx.
func (s *Store) insertOutbox(ctx context.Context, tx *sql.Tx, m *outdial.OutboxMessage) error {
	if m.Status == "" {
		m.Status = outdial.OutboxPending
	}
	now := s.now()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = now
	}
	id, err := s.insert(ctx, tx, `INSERT INTO outbox (tenant_id, event_id, event_type, format, url, subscription_id, payload, status,
		attempts, next_attempt_at, last_error, created_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.TenantID, m.EventID, m.EventType, m.Format, m.URL, m.SubscriptionID, m.Payload, m.Status, m.Attempts,
		ms(m.NextAttemptAt), m.LastError, ms(m.CreatedAt), ms(m.DeliveredAt))
	m.ID = id
	return err
}

// AddOutbox writes outbox messages in one transaction.
func (s *Store) AddOutbox(ctx context.Context, msgs []*outdial.OutboxMessage) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, m := range msgs {
			if err := s.insertOutbox(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("add outbox", err)
}
