package app

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
)

// buildInfo is outdial_build_info{version, goversion} = 1.
func buildInfo(version string) prometheus.Collector {
	if version == "" {
		version = "dev"
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "outdial_build_info",
		Help:        "Always 1; its labels name the running outdial version and Go version.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	g.Set(1)
	return g
}
