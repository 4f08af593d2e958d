package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// checkpointGap is the least time between two checkpoints: commits in between are
// copied by the next one, so a burst of writes costs a few checkpoints, not one each.
const checkpointGap = 50 * time.Millisecond

// walPagesToTruncate is the WAL size, in pages (4 KB), above which a checkpoint that
// finds the database idle truncates the WAL file back to nothing.
const walPagesToTruncate = 16384

// checkpointer copies committed WAL frames into the database file on its own connection
// after writes, instead of SQLite's automatic checkpoint inside the committing writer.
// A PASSIVE checkpoint runs beside readers and the writer and never waits for them; the
// WAL restarts from its beginning once a checkpoint has copied all of it. So the writer's
// lock is held only for its transaction, and on two cores the copying runs on the other.
type checkpointer struct {
	db     *sql.DB
	signal chan struct{}
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, signal: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// wake asks for a checkpoint soon; it never blocks.
func (c *checkpointer) wake() {
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	// Writes that bypass the store's transactions (tests and benchmarks using its pool
	// directly) are copied within a second.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.signal:
		case <-tick.C:
		}
		c.checkpoint("PASSIVE")
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointGap):
		}
	}
}

// checkpoint runs one checkpoint of the given mode. When the WAL has grown large and the
// passive one copied all of it, a TRUNCATE gives the file's space back; it succeeds only
// when no one is writing or reading the WAL, as the connection's busy timeout is zero, so
// it never holds up a writer.
func (c *checkpointer) checkpoint(mode string) {
	var busy, log, done int
	err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &done)
	if err != nil {
		slog.Debug("sqlite checkpoint", "mode", mode, "err", err)
		return
	}
	if mode == "PASSIVE" && busy == 0 && log > walPagesToTruncate && done == log {
		c.checkpoint("TRUNCATE")
	}
}

// close stops the checkpointer and closes its connection; the last connection to close
// checkpoints what is left.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
