package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// outboxCols are the columns of an outbox message, in scanOutbox's order.
const outboxCols = `id, tenant_id, event_id, event_type, format, url, subscription_id, payload, status, attempts,
	next_attempt_at, last_error, created_at, delivered_at`

func scanOutbox(row interface{ Scan(...any) error }) (*outdial.OutboxMessage, error) {
	var m outdial.OutboxMessage
	var next, created, delivered int64
	if err := row.Scan(&m.ID, &m.TenantID, &m.EventID, &m.EventType, &m.Format, &m.URL, &m.SubscriptionID, &m.Payload,
		&m.Status, &m.Attempts, &next, &m.LastError, &created, &delivered); err != nil {
		return nil, err
	}
	m.NextAttemptAt, m.CreatedAt, m.DeliveredAt = fromMS(next), fromMS(created), fromMS(delivered)
	return &m, nil
}

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
	if m.Payload == nil {
		m.Payload = []byte{}
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

// ClaimOutbox leases up to limit pending messages due at now, oldest due first: their
// next_attempt_at moves to now+lease, so no dispatcher claims them again before the lease
// ends (a crashed dispatcher's messages come back then). It walks the outbox_due index,
// so it costs the same with a backlog of millions. On PostgreSQL the rows are locked FOR
// UPDATE SKIP LOCKED: nodes claiming at once get different messages without waiting.
func (s *Store) ClaimOutbox(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]*outdial.OutboxMessage, error) {
	if limit <= 0 {
		return nil, nil
	}
	lock := ""
	if s.d.ForUpdate != "" {
		lock = s.d.ForUpdate + " SKIP LOCKED"
	}
	query := `UPDATE outbox SET next_attempt_at = ?, claimed_by = ? WHERE id IN (SELECT id FROM outbox
		WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?` + lock + `)
		RETURNING ` + outboxCols
	var out []*outdial.OutboxMessage
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		st, err := s.prepared(ctx, s.w, query)
		if err != nil {
			return err
		}
		rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, ms(now.Add(lease)), node, ms(now), limit)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanOutbox, "claim outbox")
		return err
	})
	// RETURNING gives no order; deliver oldest first.
	slices.SortFunc(out, func(a, b *outdial.OutboxMessage) int { return cmp.Compare(a.ID, b.ID) })
	return out, wrap("claim outbox", err)
}

// ReleaseLease makes node's pending messages whose lease ends at leaseEnd (those one
// claim leased: ClaimOutbox sets every claimed message's next attempt to now+lease) due
// at now. A dispatcher whose claim failed calls it: the claim may have committed all
// the same, and its messages would wait for the lease.
func (s *Store) ReleaseLease(ctx context.Context, node string, leaseEnd, now time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE outbox SET next_attempt_at = ?, claimed_by = '' WHERE claimed_by = ? AND status = 'pending'
			AND next_attempt_at = ?`, ms(now), node, ms(leaseEnd))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, wrap("release lease", err)
}

// RecordAttempt stores one delivery attempt and the message's new state in one
// transaction; see RecordAttempts.
func (s *Store) RecordAttempt(ctx context.Context, m *outdial.OutboxMessage, a outdial.DeliveryAttempt) error {
	return s.RecordAttempts(ctx, []*outdial.OutboxMessage{m}, []outdial.DeliveryAttempt{a})
}

// RecordAttempts stores the attempts as[i] of messages msgs[i] in one transaction: each
// attempt is added to the delivery log, and its message's attempts grow by one and it
// takes its new Status, NextAttemptAt, LastError and DeliveredAt. A message that is no
// longer pending (another node delivered it after a lease ran out) keeps its state; the
// attempt is still logged. Attempts are written many per statement (chunks of 64, 32 ...
// 1), which matters most on PostgreSQL, where each statement is a round trip.
func (s *Store) RecordAttempts(ctx context.Context, msgs []*outdial.OutboxMessage, as []outdial.DeliveryAttempt) error {
	if len(msgs) != len(as) {
		return outdial.Errorf(outdial.EINTERNAL, "record attempts: %d messages, %d attempts", len(msgs), len(as))
	}
	for i, m := range msgs {
		if as[i].At.IsZero() {
			as[i].At = s.now()
		}
		as[i].MessageID = m.ID
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		for done := 0; done < len(msgs); {
			n := recordChunk
			for n > len(msgs)-done {
				n /= 2
			}
			if err := s.writeAttempts(ctx, tx, msgs[done:done+n], as[done:done+n]); err != nil {
				return err
			}
			done += n
		}
		return nil
	})
	if err == nil {
		for _, m := range msgs {
			m.Attempts++
		}
	}
	return wrap("record attempts", err)
}

// recordChunk is the most attempts one statement writes (a power of two).
const recordChunk = 64

// recordSQL holds, by chunk size, the INSERT of attempts and the UPDATE of their messages.
var recordSQL = func() map[int][2]string {
	out := map[int][2]string{}
	for n := 1; n <= recordChunk; n *= 2 {
		var ins, upd strings.Builder
		ins.WriteString(`INSERT INTO delivery_attempts (message_id, attempted_at, status, response, error, duration_us, delivered) VALUES `)
		// The casts type the parameters for PostgreSQL, which cannot infer them in VALUES.
		upd.WriteString(`UPDATE outbox SET attempts = attempts + 1, status = v.column2, next_attempt_at = v.column3,
			last_error = v.column4, delivered_at = v.column5, claimed_by = '' FROM (VALUES `)
		for i := 0; i < n; i++ {
			if i > 0 {
				ins.WriteString(", ")
				upd.WriteString(", ")
			}
			ins.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			upd.WriteString("(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT))")
		}
		upd.WriteString(`) AS v WHERE outbox.id = v.column1 AND outbox.status = 'pending'`)
		out[n] = [2]string{ins.String(), upd.String()}
	}
	return out
}()

// writeAttempts writes len(msgs) attempts (a size recordSQL has) with two statements.
func (s *Store) writeAttempts(ctx context.Context, tx *sql.Tx, msgs []*outdial.OutboxMessage, as []outdial.DeliveryAttempt) error {
	q := recordSQL[len(msgs)]
	args := make([]any, 0, 7*len(msgs))
	for i, m := range msgs {
		a := &as[i]
		args = append(args, m.ID, ms(a.At), a.Status, a.Response, a.Error, a.Duration.Microseconds(), a.Delivered)
	}
	if _, err := s.exec(ctx, tx, q[0], args...); err != nil {
		return err
	}
	args = args[:0]
	for _, m := range msgs {
		args = append(args, m.ID, m.Status, ms(m.NextAttemptAt), m.LastError, ms(m.DeliveredAt))
	}
	_, err := s.exec(ctx, tx, q[1], args...)
	return err
}

// ReleaseClaims makes node's leased pending messages due at now.
func (s *Store) ReleaseClaims(ctx context.Context, node string, now time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE outbox SET next_attempt_at = ?, claimed_by = '' WHERE claimed_by = ? AND status = 'pending'`,
			ms(now), node)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, wrap("release claims", err)
}
