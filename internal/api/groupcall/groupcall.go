// Package groupcall is the dialect of the group-call (群呼) vendor API
// (seeds/000_cbdf4e8c8539d57d.txt): every route is POST /api.php?r=groupcall/<route>
// with a JSON body {"token", "data"}, and every answer is the envelope
// {"statusCode", "message", "info"}. A customer of that platform points its integration
// at outdial and changes only the base URL and the token. README.md in this directory
// lists every route, the error table and every departure from the document.
//
// The dialect sees the same tasks, batches, contacts and calls as every other dialect;
// it talks to the domain services (store, task control, contact import, recordings) and
// never to another dialect. Its per-contact callback is a Notifier and a webhook Format
// (callback.go), delivered through the outbox.
package groupcall

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
	"github.com/outdial/outdial/internal/contactimport"
	"github.com/outdial/outdial/internal/taskctl"
)

// Path is where the dialect is mounted; the route is the query parameter r.
const Path = "/api.php"

// RoutePrefix starts every value of r.
const RoutePrefix = "groupcall/"

// Recordings serves recordings and signs links to them (*recording.Links).
type Recordings interface {
	// URL returns a signed, expiring link to the recording of the tenant's call.
	URL(tenantID, callID int64) string
	// Open opens a recording given by its data-relative path (ENOTFOUND when missing).
	Open(rel string) (*os.File, fs.FileInfo, error)
}

// Config is what the dialect needs. Store is required; Importer, Tasks, Clock and Logger
// get working defaults over Store when nil. Without Recordings, record-download and
// record-url answer StatusNotFound.
type Config struct {
	Store      outdial.Store
	Importer   *contactimport.Importer
	Tasks      *taskctl.Control
	Clock      outdial.Clock
	Logger     *slog.Logger
	Recordings Recordings
}

// Handler serves the dialect. Build it with New and mount it with Register.
type Handler struct {
	store      outdial.Store
	importer   *contactimport.Importer
	control    *taskctl.Control
	clock      outdial.Clock
	log        *slog.Logger
	recordings Recordings
	routes     []route
}

// New returns the dialect's handler. It panics if cfg.Store is nil.
func New(cfg Config) *Handler {
	if cfg.Store == nil {
		panic("groupcall: Config.Store is required")
	}
	h := &Handler{store: cfg.Store, importer: cfg.Importer, control: cfg.Tasks, clock: cfg.Clock, log: cfg.Logger,
		recordings: cfg.Recordings}
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

// Register mounts the dialect on mux at Path, for every method (a method a route does
// not take answers StatusNoRoute in the envelope).
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle(Path, h)
}

// ServeHTTP finds the route named by r, reads the body, authenticates the token and runs
// the route; any error is answered in the envelope.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var rt *route
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.answerError(w, r, rt, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
		}
	}()
	rt, err := h.find(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	req, err := h.read(r)
	if err == nil {
		var t *outdial.Tenant
		if t, err = h.authenticate(r, req.Token); err == nil {
			r = r.WithContext(auth.WithTenant(r.Context(), t))
			err = rt.handle(w, r, t, req.Data)
		}
	}
	if err != nil {
		h.answerError(w, r, rt, err)
	}
}

// find returns the route that r names, if the method is one it takes.
func (h *Handler) find(r *http.Request) (*route, error) {
	vs := r.URL.Query()["r"]
	if len(vs) != 1 {
		return nil, noRoute("call %s?r=%s<route>, with r given once", Path, RoutePrefix)
	}
	name, ok := strings.CutPrefix(vs[0], RoutePrefix)
	for i := range h.routes {
		rt := &h.routes[i]
		if !ok || rt.name != name {
			continue
		}
		if r.Method != http.MethodPost && !(rt.get && r.Method == http.MethodGet) {
			return nil, noRoute("%s takes POST, not %s", vs[0], r.Method)
		}
		return rt, nil
	}
	return nil, noRoute("no route %q", cut(vs[0], 100))
}

// read returns the request: the JSON body of a POST, or for a GET the token and data in
// the query (every parameter but r and token is a key of data).
func (h *Handler) read(r *http.Request) (request, error) {
	if r.Method == http.MethodPost {
		return decodeRequest(r.Body)
	}
	q := r.URL.Query()
	data := map[string]string{}
	for k, vs := range q {
		if len(vs) != 1 {
			return request{}, malformed(outdial.FieldErrorf(k, "query parameter %q is given %d times", k, len(vs)))
		}
		if k != "r" && k != "token" {
			data[k] = vs[0]
		}
	}
	b, err := json.Marshal(data)
	return request{Token: q.Get("token"), Data: b}, err
}

// authenticate resolves the token to its tenant; EUNAUTHORIZED without a valid one.
func (h *Handler) authenticate(r *http.Request, token string) (*outdial.Tenant, error) {
	if token == "" {
		return nil, outdial.Errorf(outdial.EUNAUTHORIZED, "missing token: send the tenant's API token as \"token\"")
	}
	t, err := auth.Tenant(r.Context(), h.store, token)
	if outdial.ErrorCode(err) == outdial.EUNAUTHORIZED {
		return nil, outdial.Errorf(outdial.EUNAUTHORIZED, "invalid token")
	}
	return t, err
}

// answerError answers err: in the envelope with HTTP 200, or for a route whose success is
// not the envelope (a file) with the table's HTTP status too.
func (h *Handler) answerError(w http.ResponseWriter, r *http.Request, rt *route, err error) {
	if rt == nil || !rt.binary {
		h.fail(w, r, err)
		return
	}
	row, env := h.errorEnvelope(r, err)
	h.writeJSON(w, r, row.download, env)
}

// ok answers success with message and info.
func (h *Handler) ok(w http.ResponseWriter, r *http.Request, message string, info any) {
	h.writeJSON(w, r, http.StatusOK, envelope{StatusCode: StatusSuccess, Message: message, Info: info})
}

// writeJSON writes v as the JSON answer with status.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.log.ErrorContext(r.Context(), "groupcall api: encode answer", "route", r.URL.Query().Get("r"), "err", err)
		b = []byte(fmt.Sprintf(`{"statusCode":%d,"message":"系统错误","info":""}`, StatusInternal))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
