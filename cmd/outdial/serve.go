package main

import (
	"context"
	"fmt"
	"github.com/outdial/outdial/internal/app"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// serve runs the server until ctx ends or a signal asks it to stop, then shuts it down
// within Config.ShutdownTimeout.
func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve", "serve [flags]")
	cfg, pos, err := m.loadConfig(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("serve takes no arguments, got %q", pos[0])
	}
	logger := newLogger(cfg, m.Stderr)
	defer routeLibraryLogs(cfg, logger, false)()
	ctx, stop := m.notifyShutdown(ctx, logger)
	defer stop()

	logger.Info("outdial starting", slog.String("version", version),
		slog.String("config_file", fs.settings.ConfigFile(m.Getenv)), slog.Any("config", cfg))
	srv, err := app.New(ctx, cfg, app.Options{Logger: logger, Version: version})
	if err != nil {
		return err
	}
	m.hangup = srv.HangUp
	if err := srv.Start(); err != nil {
		srv.Close(context.Background())
		return err
	}
	logger.Info("outdial serving", slog.String("http", srv.Addr()), slog.String("api", "http://"+srv.Addr()+"/api/v1"))
	if m.Started != nil {
		m.Started(srv)
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-srv.Done():
		logger.Error("http server stopped", slog.Any("err", serveErr))
	}
	logger.Info("outdial shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Close(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if serveErr != nil {
		return fmt.Errorf("http: %w", serveErr)
	}
	logger.Info("outdial stopped")
	return nil
}

// notifyShutdown returns a context that ends at the first SIGINT or SIGTERM (from
// m.Signals, or the process's own when nil); a second signal exits at once through
// m.Exit(1). stop releases the signals.
func (m *Main) notifyShutdown(parent context.Context, logger *slog.Logger) (ctx context.Context, stop func()) {
	sigs := m.Signals
	var own chan os.Signal
	if sigs == nil {
		own = make(chan os.Signal, 2)
		signal.Notify(own, syscall.SIGINT, syscall.SIGTERM)
		sigs = own
	}
	ctx, cancel := context.WithCancel(parent)
	done := make(chan struct{})
	go func() {
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case sig := <-sigs:
				if n > 0 {
					logger.Error("second signal: hanging up live calls and exiting", slog.String("signal", sig.String()))
					if m.hangup != nil {
						m.hangup()
					}
					m.Exit(1)
					return
				}
				logger.Info("signal received: shutting down (signal again to force)", slog.String("signal", sig.String()))
				cancel()
			}
		}
	}()
	return ctx, func() {
		if own != nil {
			signal.Stop(own)
		}
		close(done)
		cancel()
	}
}
