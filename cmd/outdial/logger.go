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
