package webhook

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/outdial/outdial"
	"github.com/prometheus/client_golang/prometheus"
)

// Store is what the dispatcher needs from the store.
type Store interface {
	outdial.OutboxStore
	Subscription(ctx context.Context, tenantID, id int64) (*outdial.Subscription, error)
}

// batchRecorder is a store that records many attempts in one transaction (sqlstore does);
// the dispatcher uses it when it can, RecordAttempt one by one otherwise.
type batchRecorder interface {
	RecordAttempts(ctx context.Context, ms []*outdial.OutboxMessage, as []outdial.DeliveryAttempt) error
}

// Config is what a Dispatcher needs. Store and Formats are required; the rest have
// defaults.
type Config struct {
	// Node names this dispatcher's leases; after a crash, the node's next dispatcher takes
	// them back at once (other nodes' leases are waited out). Default "0".
	Node    string
	Store   Store
	Formats Formats
	Clock   outdial.Clock
	Logger  *slog.Logger
	// Workers bounds the deliveries in flight at once (default 32).
	Workers int
	// PerEndpoint bounds the deliveries in flight to one URL host (default 8).
	PerEndpoint int
	// ConnectTimeout bounds connecting, TLS included (default 5 s); ReadTimeout bounds
	// waiting for the answer once the request is sent (default 15 s).
	ConnectTimeout time.Duration
	ReadTimeout    time.Duration
	// Guard is the address policy (the zero Guard refuses loopback and private addresses).
	Guard Guard
	// Registerer, if set, receives the dispatcher's metrics.
	Registerer prometheus.Registerer
	// Lease is how long a claimed message is this dispatcher's; if it stops without
	// recording an attempt, the message is delivered again after the lease (default 2 min,
	// and at least twice ConnectTimeout + ReadTimeout).
	Lease time.Duration
	// Poll is how often the outbox is checked for new messages when nothing wakes the
	// dispatcher (default 1 s).
	Poll time.Duration
	// StallAfter is how long a message may wait for a busy host before the host counts
	// as stalled: its waiting messages go back to the outbox until its lease ends, so a
	// hanging receiver does not hold up everyone else's (default 1 s).
	StallAfter time.Duration
	// Retention is how long delivered and dead messages (and their delivery logs) are
	// kept after they were queued; 0 keeps them for ever. Pending ones are always kept.
	Retention time.Duration
	// PruneEvery is how often messages past Retention are deleted (default 1 h; the
	// first pass is a minute after Run starts, or PruneEvery if shorter).
	PruneEvery time.Duration
}

func (c *Config) defaults() {
	if c.Node == "" {
		c.Node = "0"
	}
	if c.Clock == nil {
		c.Clock = outdial.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Workers <= 0 {
		c.Workers = 32
	}
	if c.PerEndpoint <= 0 {
		c.PerEndpoint = 8
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 5 * time.Second
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 15 * time.Second
	}
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	c.Lease = max(c.Lease, 2*(c.ConnectTimeout+c.ReadTimeout))
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.StallAfter <= 0 {
		c.StallAfter = time.Second
	}
	if c.PruneEvery <= 0 {
		c.PruneEvery = time.Hour
	}
}

// Dispatcher delivers outbox messages. Create it with New and run it with Run; several
// dispatchers (on several nodes) may share one store.
type Dispatcher struct {
	cfg     Config
	log     *slog.Logger
	client  *http.Client
	metrics *metrics
	subs    subscriptionCache
	wakeups wakeups

	wake    chan struct{}  // Wake and timers: look at the outbox now
	done    chan *delivery // a delivery finished (its host has a free slot)
	records chan *delivery // finished deliveries waiting to be written
	flushed chan struct{}  // closed when the recorder has written everything
	mu      sync.Mutex     // guards running
	running bool
}

// New returns a dispatcher. It panics without a Store or Formats.
func New(cfg Config) *Dispatcher {
	if cfg.Store == nil || len(cfg.Formats) == 0 {
		panic("webhook: Config.Store and Config.Formats are required")
	}
	cfg.defaults()
	d := &Dispatcher{cfg: cfg, log: cfg.Logger, client: newClient(cfg),
		wake: make(chan struct{}, 1), done: make(chan *delivery, cfg.Workers),
		records: make(chan *delivery, 4*cfg.Workers), flushed: make(chan struct{})}
	d.subs = subscriptionCache{store: cfg.Store, clock: cfg.Clock, ttl: 5 * time.Second}
	d.wakeups = wakeups{clock: cfg.Clock, wake: d.Wake}
	if cfg.Registerer != nil {
		d.metrics = newMetrics(cfg.Registerer, cfg.Store)
	}
	return d
}

// Wake makes the dispatcher look at the outbox now (after new messages were added).
// It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then stops claiming, lets the deliveries in flight finish
// or time out, writes their attempts and returns. Messages it had claimed but not
// started go back to the outbox when their lease ends. Run may be called once.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		panic("webhook: Dispatcher.Run called twice")
	}
	d.running = true
	d.mu.Unlock()
	if n, err := d.cfg.Store.ReleaseClaims(ctx, d.cfg.Node, d.cfg.Clock.Now()); err != nil {
		d.cfg.Logger.Warn("webhooks: cannot take back this node's leases; they come back when they end", slog.Any("err", err))
	} else if n > 0 {
		d.cfg.Logger.Info("webhooks: took back deliveries a previous run had claimed", slog.Int64("messages", n))
	}
	go d.recordLoop()
	pruned := make(chan struct{})
	go func() { defer close(pruned); d.pruneLoop(ctx) }()
	l := newLoop(d)
	l.run(ctx)
	<-pruned
	close(d.records)
	<-d.flushed
	d.wakeups.stop()
	d.client.CloseIdleConnections()
	return nil
}
