// Package native is outdial's own REST API under /api/v1: JSON bodies, an
// "Authorization: Bearer <token>" header, one error envelope, cursor pagination and an
// OpenAPI 3.0 document at /api/v1/openapi.json. README.md in this directory lists every
// route.
//
// Every route is in one table (routes.go); Register mounts it, the OpenAPI document is
// built from it, and the tests walk it, so a route cannot be added without being
// documented and checked for tenant isolation.
package native

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

// Config is what the API needs. Store is required; Importer, Tasks, Clock and Logger
// get working defaults over Store when nil.
type Config struct {
	Store    outdial.Store
	Importer *contactimport.Importer
	Tasks    *taskctl.Control
	Clock    outdial.Clock
	Logger   *slog.Logger
	DataDir  string // recordings live under it
}

// Handler serves the native API. Build it with New and mount it with Register.
type Handler struct {
	store    outdial.Store
	importer *contactimport.Importer
	control  *taskctl.Control
	clock    outdial.Clock
	log      *slog.Logger
	dataDir  string
	routes   []route
	openapi  []byte // the OpenAPI document, built once from routes
	// Upload limits, MaxUploadBytes and MaxXLSXBytes (tests lower them).
	maxUpload, maxXLSX int64
}

// New returns the API's handler. It panics if cfg.Store is nil.
func New(cfg Config) *Handler {
	if cfg.Store == nil {
		panic("native: Config.Store is required")
	}
	h := &Handler{store: cfg.Store, importer: cfg.Importer, control: cfg.Tasks, clock: cfg.Clock, log: cfg.Logger,
		dataDir: cfg.DataDir, maxUpload: MaxUploadBytes, maxXLSX: MaxXLSXBytes}
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
	h.openapi = openAPIDocument(h.routes)
	return h
}

// Register mounts every route of the API on mux, and a catch-all under /api/v1/ that
// answers unknown routes with the error envelope.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes {
		mux.Handle(rt.method+" "+rt.pattern, h.serve(rt))
	}
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, outdial.Errorf(outdial.ENOTFOUND, "no route %s %s: see /api/v1/openapi.json", r.Method, r.URL.Path))
	})
}

// serve wraps a route's handler: it recovers panics, authenticates the caller, checks
// the query parameters and writes any error in the envelope.
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
		var t *outdial.Tenant
		if !rt.public {
			var err error
			if t, err = h.authenticate(r); err != nil {
				h.fail(w, r, err)
				return
			}
			r = r.WithContext(auth.WithTenant(r.Context(), t))
		}
		if err := checkQuery(r.URL.Query(), rt.query); err != nil {
			h.fail(w, r, err)
			return
		}
		if err := rt.handle(w, r, t); err != nil {
			h.fail(w, r, err)
		}
	})
}

// authenticate resolves the bearer token to its tenant; EUNAUTHORIZED without a valid one.
func (h *Handler) authenticate(r *http.Request) (*outdial.Tenant, error) {
	tok := auth.BearerToken(r)
	if tok == "" {
		return nil, outdial.Errorf(outdial.EUNAUTHORIZED, "missing token: send the header Authorization: Bearer <token>")
	}
	t, err := auth.Tenant(r.Context(), h.store, tok)
	if isCode(err, outdial.EUNAUTHORIZED) {
		return nil, outdial.Errorf(outdial.EUNAUTHORIZED, "invalid token")
	}
	return t, err
}
