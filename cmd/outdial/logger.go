package main

import (
	"io"
	"log/slog"

	"github.com/outdial/outdial/internal/config"
)

// newLogger returns the logger of cfg's level and format, writing to w.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	level, err := config.ParseLogLevel(cfg.LogLevel)
	if err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// routeLibraryLogs sends what the SIP libraries (sipgo, diago) log through slog's default
// logger to logger, or drops it when quiet and the level is not debug (the demo, whose
// terminal output is the show). It returns a func that restores the previous default.
func routeLibraryLogs(cfg config.Config, logger *slog.Logger, quiet bool) (restore func()) {
	prev := slog.Default()
	if level, _ := config.ParseLogLevel(cfg.LogLevel); quiet && level > slog.LevelDebug {
		slog.SetDefault(slog.New(slog.DiscardHandler))
	} else {
		slog.SetDefault(logger.With(slog.String("component", "sip-library")))
	}
	return func() { slog.SetDefault(prev) }
}
