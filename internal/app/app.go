// Package app assembles a running outdial: the store, the dialing engine, telephony, the
// API dialects and the HTTP server. cmd/outdial runs it; end-to-end tests run it too, on
// 127.0.0.1 with a temporary database.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/native"
	"github.com/outdial/outdial/internal/config"
	"github.com/outdial/outdial/internal/contactimport"
	"github.com/outdial/outdial/internal/engine"
	"github.com/outdial/outdial/internal/recording"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/taskctl"
	"github.com/outdial/outdial/internal/telephony"
	"github.com/outdial/outdial/internal/webhook"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options are what a Server takes besides its configuration.
type Options struct {
	Logger  *slog.Logger
	Version string
	// Originator, if set, places the calls instead of the one Config.Telephony names
	// (tests wrap or replace telephony).
	Originator telephony.Originator
}

// Server is a running outdial: its store, the services the API dialects share, the
// dialing engine with its telephony, and the HTTP server. New builds it without
// listening or dialling; mount more handlers on Mux and register shutdown steps with
// OnClose before Start; Close ends it.
type Server struct {
	Config config.Config
	Logger *slog.Logger
	Clock  outdial.Clock
	Store  *sqlstore.Store
	// apiStore is Store as the APIs use it: it wakes the engine after changes.
	apiStore outdial.Store
	CallIDs  *outdial.CallIDs // this node's call ids (Config.NodeID)
	Tasks    *taskctl.Control // start and stop for every dialect; set Wake to wake an engine
	Importer *contactimport.Importer
	// Mux routes every request: the native API under /api/v1, GET /healthz, GET /metrics.
	Mux *http.ServeMux
	// Registry holds this server's Prometheus metrics (served at /metrics).
	Registry *prometheus.Registry
	// Telephony places the calls; Engine dials the running tasks through it.
	Telephony telephony.Originator
	Engine    *engine.Engine
	// DataDir is where recordings and prompts live.
	DataDir string
	// Recordings signs and serves recording links (GET /recordings/...).
	Recordings *recording.Links
	// Formats are the webhook formats the dialects deliver in; Dispatcher delivers them.
	Formats    webhook.Formats
	Dispatcher *webhook.Dispatcher

	notifiers   []engine.Notifier
	opts        Options
	engineStop  context.CancelFunc
	engineDrain context.CancelFunc
	engineDone  chan error

	http    *http.Server
	ln      net.Listener
	served  chan error // the result of http.Serve, once it returns
	closers []func(context.Context) error

	closeOnce sync.Once
	closeErr  error
}

// New opens the store (applying migrations), creates the data directory, builds
// telephony and the engine, and mounts the routes. The caller must Close the server, even
// when it never starts.
func New(ctx context.Context, cfg config.Config, opts Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	clock := outdial.Clock(outdial.SystemClock{})
	// The data directory holds recordings and the link-signing key: its owner only.
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	store, err := OpenStore(ctx, cfg.DB, clock)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:     opts,
		DataDir:  cfg.Data,
		Registry: prometheus.NewRegistry(),
		Formats:  webhook.Formats{},
		Config:   cfg,
		Logger:   logger,
		Clock:    clock,
		Store:    store,
		CallIDs:  outdial.NewCallIDs(cfg.NodeID),
		Mux:      http.NewServeMux(),
	}
	s.apiStore = &wakingStore{Store: store, wake: func() {
		if s.Engine != nil {
			s.Engine.Wake()
		}
	}}
	s.Tasks = &taskctl.Control{Store: s.apiStore, Clock: clock}
	s.Importer = &contactimport.Importer{Store: s.apiStore, Clock: clock, ChunkSize: store.ImportChunkSize()}
	native.New(native.Config{Store: s.apiStore, Importer: s.Importer, Tasks: s.Tasks, Clock: clock,
		Logger: logger.With(slog.String("api", "native")), DataDir: cfg.Data}).Register(s.Mux)
	s.Mux.HandleFunc("GET /healthz", s.healthz)
	s.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(opts.Version))
	s.Mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	if err := s.newLinks(); err != nil {
		s.Close(ctx)
		return nil, err
	}
	if err := s.mountDialects(); err != nil {
		s.Close(ctx)
		return nil, err
	}
	s.buildDispatcher()
	if err := s.buildDialer(); err != nil {
		s.Close(ctx)
		return nil, err
	}
	return s, nil
}

// OnClose registers a step of the shutdown (stopping an engine, a dispatcher). Close
// runs the steps after the HTTP server has stopped and before the store closes, the
// last registered first, each with the shutdown's context.
func (s *Server) OnClose(f func(ctx context.Context) error) {
	s.closers = append(s.closers, f)
}

// Start listens on Config.HTTP and serves in the background, and starts the engine; Addr
// tells the address.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.Config.HTTP)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           s.Mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	if s.Config.PublicURL == "" && s.Recordings != nil {
		s.Recordings.BaseURL = s.publicURL() // the port is known now (":0" picks one)
	}
	s.served = make(chan error, 1)
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.served <- err
	}()
	s.startDispatcher()
	s.startEngine()
	return nil
}

// Addr returns the address the server listens on ("" before Start).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Done returns a channel that yields the error that stopped the HTTP server on its own
// (nil after Close); it never yields before Start.
func (s *Server) Done() <-chan error { return s.served }

// Close shuts down gracefully within ctx: the HTTP server stops taking requests and lets
// those in flight finish, the OnClose steps run, then the store closes. Later calls
// return the first call's error.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.http != nil {
			if err := s.http.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("http shutdown: %w", err))
				s.http.Close()
			}
		}
		for _, f := range slices.Backward(s.closers) {
			errs = append(errs, f(ctx))
		}
		// Closing the store waits for its queries in flight; past the deadline (a database
		// that does not answer) it is left to the process's exit.
		closed := make(chan error, 1)
		go func() { closed <- s.Store.Close() }()
		wait := time.Hour // no deadline: as long as it takes, in practice
		if d, ok := ctx.Deadline(); ok {
			wait = max(time.Until(d), 0) + time.Second/2
		}
		select {
		case err := <-closed:
			if err != nil {
				errs = append(errs, fmt.Errorf("close store: %w", err))
			}
		case <-time.After(wait):
			errs = append(errs, errors.New("close store: queries still in flight at the shutdown deadline"))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// healthz answers 200 while the database answers, 503 when it does not.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, body := http.StatusOK, map[string]string{"status": "ok"}
	if err := s.Store.DB().PingContext(ctx); err != nil {
		s.Logger.Warn("health check: database unreachable", slog.Any("err", err))
		status, body = http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database unreachable"}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
