package engine

import (
	"strconv"
	"time"

	"github.com/outdial/outdial"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the engine's Prometheus metrics.
type Metrics struct {
	liveLine *prometheus.GaugeVec
	liveTask *prometheus.GaugeVec
	started  *prometheus.CounterVec
	finished *prometheus.CounterVec
	waiting  *prometheus.CounterVec
}

// NewMetrics creates the engine's metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		liveLine: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "outdial_live_calls_line",
			Help: "Calls in progress on each line, on this node."}, []string{"line"}),
		liveTask: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "outdial_live_calls_task",
			Help: "Calls in progress for each task, on this node."}, []string{"task"}),
		started: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_calls_started_total",
			Help: "Calls started, by task."}, []string{"task"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_calls_finished_total",
			Help: "Calls finished, by result."}, []string{"result"}),
		waiting: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_limit_wait_seconds_total",
			Help: "Time tasks with contacts to call spent waiting on each kind of limit."}, []string{"limit"}),
	}
	reg.MustRegister(m.liveLine, m.liveTask, m.started, m.finished, m.waiting)
	return m
}

func (e *Engine) metricStarted(run *taskRun) {
	if m := e.cfg.Metrics; m != nil {
		task := strconv.FormatInt(run.task.ID, 10)
		m.started.WithLabelValues(task).Inc()
		m.liveTask.WithLabelValues(task).Inc()
		m.liveLine.WithLabelValues(strconv.FormatInt(run.line.line.ID, 10)).Inc()
	}
}

func (e *Engine) metricEnded(run *taskRun, c *outdial.Call) {
	if m := e.cfg.Metrics; m != nil {
		m.finished.WithLabelValues(string(c.Result)).Inc()
		m.liveTask.WithLabelValues(strconv.FormatInt(run.task.ID, 10)).Dec()
		m.liveLine.WithLabelValues(strconv.FormatInt(c.LineID, 10)).Dec()
	}
}

// metricsPass adds the time since the last pass to the limit each task waited on.
func (e *Engine) metricsPass(now time.Time) {
	m := e.cfg.Metrics
	if m != nil && !e.lastPass.IsZero() {
		d := now.Sub(e.lastPass).Seconds()
		for _, run := range e.tasks {
			if run.active && run.waiting != "" {
				m.waiting.WithLabelValues(run.waiting).Add(d)
			}
		}
	}
	e.lastPass = now
}
