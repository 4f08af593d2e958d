package main

import (
	"runtime"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

var buildInfoOnce sync.Once

// registerBuildInfo adds outdial_build_info{version, goversion} = 1 to the default
// Prometheus registry, once per process.
func registerBuildInfo() {
	buildInfoOnce.Do(func() {
		g := prometheus.NewGauge(prometheus.GaugeOpts{
			Name:        "outdial_build_info",
			Help:        "Always 1; its labels name the running outdial version and Go version.",
			ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
		})
		g.Set(1)
		prometheus.MustRegister(g)
	})
}
