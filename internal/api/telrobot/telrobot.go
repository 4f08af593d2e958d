// Package telrobot is the API dialect of an AI outbound-robot platform built on
// FreeSWITCH (seed document 001): REST routes under /v1 (task-creation metadata, tasks,
// customer import, progress, script and agent groups) that answer in that platform's
// Laravel-style JSON, and its hangup notification to a task's call_notify_url.
//
// Every route is in one table (routes.go); Register mounts it and the tests check that
// README.md lists it. The package talks to the domain through outdial.Store, never to SQL
// and never to another dialect.
package telrobot

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
	"github.com/outdial/outdial/internal/contactimport"
	"github.com/outdial/outdial/internal/taskctl"
)

// Config is what the dialect needs. Store is required; Importer, Tasks, Clock and Logger
// get working defaults over Store when nil.
type Config struct {
	Store    outdial.Store
	Importer *contactimport.Importer
	Tasks    *taskctl.Control
	Clock    outdial.Clock
	Logger   *slog.Logger
	// BaseURL is the public base URL used in pagination links; the request's host when "".
	BaseURL string
}

// Handler serves the dialect. Build it with New and mount it with Register.
type Handler struct {
	store    outdial.Store
	importer *contactimport.Importer
	control  *taskctl.Control
	clock    outdial.Clock
	log      *slog.Logger
	baseURL  string
	routes   []route
}

// New returns the dialect's handler. It panics if cfg.Store is nil.
func New(cfg Config) *Handler {
	if cfg.Store == nil {
		panic("telrobot: Config.Store is required")
	}
	h := &Handler{store: cfg.Store, importer: cfg.Importer, control: cfg.Tasks, clock: cfg.Clock, log: cfg.Logger,
		baseURL: cfg.BaseURL}
	if h.clock == nil {
		h.clock = outdial.SystemClock{}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.importer == nil {
		h.importer = &contactimport.Importer{Store: cfg.Store, Clock: h.clock}
	}
	if h.control == nil {
		h.control = &taskctl.Control{Store: cfg.Store, Clock: h.clock}
	}
	h.routes = h.routeTable()
	return h
}

// Register mounts every route on mux, and a catch-all under /v1/ that answers unknown
// routes in this dialect's error envelope.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes {
		mux.Handle(rt.method+" "+rt.pattern, h.serve(rt))
	}
	mux.Handle("/v1/", h.serve(route{handle: func(w http.ResponseWriter, r *http.Request, _ *outdial.Tenant) error {
		return outdial.Errorf(outdial.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path)
	}}))
}

// serve wraps a route's handler: it recovers panics, authenticates the caller and writes
// any error in the envelope.
func (h *Handler) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.fail(w, r, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		t, err := h.authenticate(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		r = r.WithContext(auth.WithTenant(r.Context(), t))
		if err := rt.handle(w, r, t); err != nil {
			h.fail(w, r, err)
		}
	})
}

// authenticate resolves the bearer token to its tenant; EUNAUTHORIZED without a valid one.
func (h *Handler) authenticate(r *http.Request) (*outdial.Tenant, error) {
	tok := auth.BearerToken(r)
	if tok == "" {
		return nil, outdial.Errorf(outdial.EUNAUTHORIZED, "Unauthenticated: send the header Authorization: Bearer <token>")
	}
	t, err := auth.Tenant(r.Context(), h.store, tok)
	if outdial.ErrorCode(err) == outdial.EUNAUTHORIZED {
		return nil, outdial.Errorf(outdial.EUNAUTHORIZED, "Unauthenticated: invalid token")
	}
	return t, err
}

// wake tells the dialing engine that a task has new work.
func (h *Handler) wake() {
	if h.control.Wake != nil {
		h.control.Wake()
	}
}
