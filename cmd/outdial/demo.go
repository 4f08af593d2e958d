package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/outdial/outdial/internal/app"
	"github.com/outdial/outdial/internal/carriersim"
	"github.com/outdial/outdial/internal/config"
	"github.com/outdial/outdial/internal/demo"
)

// demo runs the server on the embedded SQLite (in --data unless --db is given), the
// carrier simulator and a sample task; it shows the task's progress and calls, then keeps
// serving (or, with --once, exits and leaves the database).
func (m *Main) demo(ctx context.Context, args []string) error {
	fs := m.newFlagSet("demo", "demo [--once] [flags]")
	once := fs.Bool("once", false, "exit when the demo task has finished (the database stays)")
	cfg, pos, err := m.loadConfig(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("demo takes no arguments, got %q", pos[0])
	}
	if cfg.DB == config.Default().DB {
		cfg.DB = "sqlite:" + filepath.Join(cfg.Data, "outdial.db")
	}
	if cfg.LogLevel == config.Default().LogLevel {
		cfg.LogLevel = "warn" // the demo's own output is the show
	}
	cfg.Telephony = "sip"
	cfg.Webhooks.AllowPrivate = true // the demo's callbacks may go to this machine
	logger := newLogger(cfg, m.Stderr)
	defer routeLibraryLogs(cfg, logger, true)()
	ctx, stop := m.notifyShutdown(ctx, logger)
	defer stop()

	sim, err := carriersim.New(carriersim.Config{ListenAddr: "127.0.0.1:0", MaxRing: 30 * time.Second,
		Logger: logger.With(slog.String("component", "carrier-sim"))})
	if err != nil {
		return fmt.Errorf("carrier simulator: %w", err)
	}
	if err := sim.Start(ctx); err != nil {
		return fmt.Errorf("carrier simulator: %w", err)
	}
	defer sim.Close()
	srv, err := app.New(ctx, cfg, app.Options{Logger: logger, Version: version})
	if err != nil {
		return err
	}
	m.hangup = srv.HangUp
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		srv.Close(sctx)
	}()
	if err := srv.Start(); err != nil {
		return err
	}
	setup, err := demo.Seed(ctx, srv.Store, sim.Addr(), cfg.Data)
	if err != nil {
		return err
	}
	base := "http://" + srv.Addr()
	out := m.Stdout
	fmt.Fprintf(out, "outdial demo: %d contacts calling the carrier simulator at %s over real SIP\n", len(demo.Numbers), sim.Addr())
	fmt.Fprintf(out, "base URL: %s\ntoken: %s\n", base, setup.Token)
	if !setup.Spoken {
		fmt.Fprintln(out, "(espeak-ng and sox are not installed: the script plays tones instead of speaking)")
	}
	fmt.Fprintln(out)
	if _, err := srv.Tasks.Start(ctx, setup.Tenant.ID, setup.Task.ID); err != nil {
		return err
	}
	if err := demo.Watch(ctx, srv.Store, setup.Task, out, isTerminal(out), 250*time.Millisecond); err != nil {
		if ctx.Err() != nil {
			return nil // interrupted by a signal
		}
		return err
	}
	fmt.Fprintln(out)
	if err := demo.Report(ctx, srv.Store, setup.Task, cfg.Data, out); err != nil {
		return err
	}
	if *once {
		return nil
	}
	fmt.Fprintf(out, "\noutdial keeps serving at %s; try\n  curl -H 'Authorization: Bearer %s' %s/api/v1/calls\n"+
		"Ctrl-C stops it.\n", base, setup.Token, base)
	select {
	case <-ctx.Done():
	case err := <-srv.Done():
		return err
	}
	return nil
}

// carrierSim runs the carrier simulator alone until a signal.
func (m *Main) carrierSim(ctx context.Context, args []string) error {
	fs := m.newFlagSet("carrier-sim", "carrier-sim [--listen HOST:PORT] [--username U --password P] [--time-scale X]", "log_level", "log_format")
	listen := fs.String("listen", "127.0.0.1:5080", "SIP address (UDP and TCP)")
	user := fs.String("username", "", "digest username required of callers (with --password)")
	pass := fs.String("password", "", "digest password; when set every INVITE is challenged")
	scale := fs.Float64("time-scale", 1, "multiplies every wait of the number plan")
	cfg, pos, err := m.loadConfig(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("carrier-sim takes no arguments, got %q", pos[0])
	}
	logger := newLogger(cfg, m.Stderr)
	defer routeLibraryLogs(cfg, logger, false)()
	ctx, stop := m.notifyShutdown(ctx, logger)
	defer stop()
	sim, err := carriersim.New(carriersim.Config{ListenAddr: *listen, Username: *user, Password: *pass, TimeScale: *scale,
		Logger: logger.With(slog.String("component", "carrier-sim"))})
	if err != nil {
		return err
	}
	if err := sim.Start(ctx); err != nil {
		return err
	}
	defer sim.Close()
	fmt.Fprintf(m.Stdout, "carrier simulator listening on %s (UDP and TCP); the number plan is in internal/carriersim/README.md\n", sim.Addr())
	<-ctx.Done()
	return nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
