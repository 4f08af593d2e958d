package webhook

import (
	"context"
	"log/slog"
	"time"

	"github.com/outdial/outdial"
)

// Attempts are written in batches: at most maxRecordBatch per transaction, gathered for
// at most recordWindow (wall time: this only batches I/O; no schedule depends on it).
const (
	maxRecordBatch = 256
	recordWindow   = 2 * time.Millisecond
)

// recordLoop writes finished deliveries, many per transaction, until the records channel
// is closed and drained.
func (d *Dispatcher) recordLoop() {
	defer close(d.flushed)
	batch := make([]*delivery, 0, maxRecordBatch)
	window := time.NewTimer(time.Hour)
	window.Stop()
	for dl := range d.records {
		batch = append(batch[:0], dl)
		window.Reset(recordWindow)
	gather:
		for len(batch) < maxRecordBatch {
			select {
			case dl, ok := <-d.records:
				if !ok {
					break gather
				}
				batch = append(batch, dl)
			case <-window.C:
				break gather
			}
		}
		window.Stop()
		d.write(batch)
	}
}

// write records a batch of attempts. Retries are scheduled on the clock first, so a
// retry's timer exists by the time anyone can read the failed attempt. If the store keeps
// failing, the attempts are lost and the messages are delivered again after their lease.
func (d *Dispatcher) write(batch []*delivery) {
	msgs := make([]*outdial.OutboxMessage, len(batch))
	as := make([]outdial.DeliveryAttempt, len(batch))
	for i, dl := range batch {
		msgs[i], as[i] = dl.m, dl.attempt
		if dl.m.Status == outdial.OutboxPending {
			d.wakeups.add(dl.m.NextAttemptAt)
		}
	}
	var err error
	for try := 0; try < 3; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = d.recordAll(ctx, msgs, as)
		cancel()
		if err == nil {
			break
		}
		time.Sleep(time.Duration(try+1) * 100 * time.Millisecond)
	}
	if err != nil {
		d.log.Error("webhook: record attempts; they are delivered again after their lease", "attempts", len(batch), "err", err)
		return
	}
	for _, dl := range batch {
		d.observe(dl)
	}
}

func (d *Dispatcher) recordAll(ctx context.Context, msgs []*outdial.OutboxMessage, as []outdial.DeliveryAttempt) error {
	if br, ok := d.cfg.Store.(batchRecorder); ok {
		return br.RecordAttempts(ctx, msgs, as)
	}
	for i, m := range msgs {
		if err := d.cfg.Store.RecordAttempt(ctx, m, as[i]); err != nil {
			return err
		}
	}
	return nil
}

// observe counts a recorded attempt and logs a message that died. Logs name the message,
// event and host, never the URL (its query may hold a customer's token) or a secret.
func (d *Dispatcher) observe(dl *delivery) {
	m, a := dl.m, &dl.attempt
	if mt := d.metrics; mt != nil {
		if dl.elapsed > 0 {
			mt.latency.WithLabelValues(m.Format).Observe(dl.elapsed.Seconds())
		}
		if a.Delivered {
			mt.delivered.WithLabelValues(m.Format).Inc()
		} else {
			mt.failed.WithLabelValues(m.Format).Inc()
		}
		if m.Status == outdial.OutboxDead {
			mt.dead.WithLabelValues(m.Format).Inc()
		}
	}
	if m.Status == outdial.OutboxDead {
		d.log.LogAttrs(context.Background(), slog.LevelWarn, "webhook: delivery is dead",
			slog.Int64("message", m.ID), slog.Int64("tenant", m.TenantID), slog.String("event", m.EventID),
			slog.String("host", dl.host), slog.Int("attempts", m.Attempts), slog.String("last_error", m.LastError))
	}
}
