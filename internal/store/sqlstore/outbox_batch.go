package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/outdial/outdial"
)

// outboxRowsPerInsert is the most outbox rows one INSERT writes (a power of two).
const outboxRowsPerInsert = 32

// outboxInsertSQL holds, by row count (powers of two), a multi-row INSERT into outbox.
var outboxInsertSQL = func() map[int]string {
	out := map[int]string{}
	for n := 1; n <= outboxRowsPerInsert; n *= 2 {
		var b strings.Builder
		b.WriteString(`INSERT INTO outbox (tenant_id, event_id, event_type, format, url, subscription_id, payload, status,
			attempts, next_attempt_at, last_error, created_at, delivered_at) VALUES `)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		}
		out[n] = b.String()
	}
	return out
}()

// insertOutboxBatch writes many new pending outbox messages with few statements (the
// engine writes one or more per finished call). Their ids are not read back.
func (s *Store) insertOutboxBatch(ctx context.Context, tx *sql.Tx, msgs []*outdial.OutboxMessage) error {
	now := s.now()
	args := make([]any, 0, 13*outboxRowsPerInsert)
	for done := 0; done < len(msgs); {
		n := outboxRowsPerInsert
		for n > len(msgs)-done {
			n /= 2
		}
		args = args[:0]
		for _, m := range msgs[done : done+n] {
			if m.Status == "" {
				m.Status = outdial.OutboxPending
			}
			if m.CreatedAt.IsZero() {
				m.CreatedAt = now
			}
			if m.NextAttemptAt.IsZero() {
				m.NextAttemptAt = now
			}
			if m.Payload == nil {
				m.Payload = []byte{}
			}
			args = append(args, m.TenantID, m.EventID, m.EventType, m.Format, m.URL, m.SubscriptionID, m.Payload, m.Status,
				m.Attempts, ms(m.NextAttemptAt), m.LastError, ms(m.CreatedAt), ms(m.DeliveredAt))
		}
		if _, err := s.exec(ctx, tx, outboxInsertSQL[n], args...); err != nil {
			return err
		}
		done += n
	}
	return nil
}
