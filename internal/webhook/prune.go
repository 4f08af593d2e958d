package webhook

import (
	"context"
	"log/slog"
	"time"
)

// pruneChunk is how many messages one pruning transaction looks at: small enough that
// it holds SQLite's write lock for milliseconds, not seconds.
const pruneChunk = 1000

// pruneLoop deletes messages past the retention until ctx ends: a minute after the start
// (or PruneEvery, if shorter), then every PruneEvery. Several nodes may prune the same
// store; they delete the same rows at worst.
func (d *Dispatcher) pruneLoop(ctx context.Context) {
	if d.cfg.Retention <= 0 {
		return
	}
	t := time.NewTimer(min(time.Minute, d.cfg.PruneEvery))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d.prune(ctx)
		t.Reset(d.cfg.PruneEvery)
	}
}

// prune walks the outbox from its oldest message, in chunks, deleting finished messages
// queued more than Retention ago; it stops at the first newer message.
func (d *Dispatcher) prune(ctx context.Context) {
	before := d.cfg.Clock.Now().Add(-d.cfg.Retention)
	var total int64
	after := int64(0)
	for more := true; more && ctx.Err() == nil; {
		var n int64
		var err error
		n, after, more, err = d.cfg.Store.PruneOutbox(ctx, before, after, pruneChunk)
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("webhooks: pruning old messages", slog.Any("err", err))
			}
			return
		}
		total += n
		if more {
			// Let other writers in between chunks.
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	if total > 0 {
		d.log.Info("webhooks: deleted delivered and dead messages past the retention", slog.Int64("messages", total),
			slog.Time("queued_before", before))
	}
}
