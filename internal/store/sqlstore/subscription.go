package sqlstore

import (
	"context"
	"database/sql"

	"github.com/outdial/outdial"
)

const subscriptionCols = `id, tenant_id, format, project_id, url, secret, encrypt, events, enabled, schedule, created_at, updated_at`

func scanSubscription(row interface{ Scan(...any) error }) (*outdial.Subscription, error) {
	var sub outdial.Subscription
	var events, schedule string
	var c, u int64
	if err := row.Scan(&sub.ID, &sub.TenantID, &sub.Format, &sub.ProjectID, &sub.URL, &sub.Secret, &sub.Encrypt, &events,
		&sub.Enabled, &schedule, &c, &u); err != nil {
		return nil, err
	}
	if err := fromJSON(events, &sub.Events); err != nil {
		return nil, err
	}
	if err := fromJSON(schedule, &sub.Schedule); err != nil {
		return nil, err
	}
	sub.CreatedAt, sub.UpdatedAt = fromMS(c), fromMS(u)
	return &sub, nil
}

// CreateSubscription creates a subscription.
func (s *Store) CreateSubscription(ctx context.Context, sub *outdial.Subscription) error {
	if err := sub.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO subscriptions (tenant_id, format, project_id, url, secret, encrypt, events,
			enabled, schedule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sub.TenantID, sub.Format, sub.ProjectID, sub.URL, sub.Secret, sub.Encrypt, jsonText(nonNil(sub.Events)),
			sub.Enabled, jsonText(nonNil(sub.Schedule)), ms(now), ms(now))
		sub.ID, sub.CreatedAt, sub.UpdatedAt = id, now, now
		return err
	})
	return wrap("create subscription", err)
}

// Subscription returns one of the tenant's subscriptions, with its secret.
func (s *Store) Subscription(ctx context.Context, tenantID, id int64) (*outdial.Subscription, error) {
	sub, err := scanSubscription(s.row(ctx, `SELECT `+subscriptionCols+` FROM subscriptions WHERE tenant_id = ? AND id = ?`,
		tenantID, id))
	return sub, wrap("subscription", notFound(err, "subscription"))
}

// Subscriptions lists the tenant's subscriptions by id; format "" lists every format.
func (s *Store) Subscriptions(ctx context.Context, tenantID int64, format string) ([]*outdial.Subscription, error) {
	rows, err := s.rows(ctx, `SELECT `+subscriptionCols+` FROM subscriptions WHERE tenant_id = ? AND (? = '' OR format = ?)
		ORDER BY id`, tenantID, format, format)
	if err != nil {
		return nil, wrap("subscriptions", err)
	}
	return collect(rows, scanSubscription, "subscriptions")
}

// UpdateSubscription updates a subscription; an empty Secret keeps the stored one.
func (s *Store) UpdateSubscription(ctx context.Context, sub *outdial.Subscription) error {
	if err := sub.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE subscriptions SET format = ?, project_id = ?, url = ?,
			secret = CASE WHEN ? = '' THEN secret ELSE ? END, encrypt = ?, events = ?, enabled = ?, schedule = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ?`,
			sub.Format, sub.ProjectID, sub.URL, sub.Secret, sub.Secret, sub.Encrypt, jsonText(nonNil(sub.Events)), sub.Enabled,
			jsonText(nonNil(sub.Schedule)), ms(now), sub.TenantID, sub.ID)
		sub.UpdatedAt = now
		return affected(res, err, "subscription")
	})
	return wrap("update subscription", err)
}

// DeleteSubscription deletes a subscription; its messages still waiting in the outbox
// become dead (their delivery log stays).
func (s *Store) DeleteSubscription(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM subscriptions WHERE tenant_id = ? AND id = ?`, tenantID, id)
		if err := affected(res, err, "subscription"); err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `UPDATE outbox SET status = 'dead', last_error = 'the subscription was deleted'
			WHERE tenant_id = ? AND subscription_id = ? AND status = 'pending'`, tenantID, id)
		return err
	})
	return wrap("delete subscription", err)
}
