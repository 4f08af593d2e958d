package webhook

import (
	"context"
	"time"

	"github.com/outdial/outdial"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the dispatcher's Prometheus metrics.
type metrics struct {
	delivered *prometheus.CounterVec
	failed    *prometheus.CounterVec
	dead      *prometheus.CounterVec
	latency   *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer, store outdial.OutboxStore) *metrics {
	m := &metrics{
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_webhook_delivered_total",
			Help: "Webhook deliveries the receiver accepted, by format."}, []string{"format"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_webhook_failed_total",
			Help: "Webhook delivery attempts that failed (each retry counts), by format."}, []string{"format"}),
		dead: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_webhook_dead_total",
			Help: "Webhook messages given up on (schedule exhausted or refused), by format."}, []string{"format"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "outdial_webhook_delivery_seconds",
			Help:    "Time from sending a webhook to its answer (or failure), by format.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20}}, []string{"format"}),
	}
	reg.MustRegister(m.delivered, m.failed, m.dead, m.latency, &backlogCollector{store: store,
		desc: prometheus.NewDesc("outdial_webhook_backlog", "Outbox messages by status (pending: waiting to be delivered "+
			"or retried; dead: given up on), across all nodes.", []string{"status"}, nil)})
	return m
}

// backlogCollector reads the outbox backlog from the store at each scrape.
type backlogCollector struct {
	store outdial.OutboxStore
	desc  *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.store.OutboxBacklog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, status := range []string{outdial.OutboxPending, outdial.OutboxDead} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[status]), status)
	}
}
