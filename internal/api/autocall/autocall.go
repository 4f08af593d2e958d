// Package autocall is the dialect of the predictive-dialing CDR document
// (seeds/002_99ea987b9a177bc0.txt): CDR search at GET and POST /api/v1/cdr/search with
// the document's filters, envelope and searchAfter cursor, and the CDR push (signed,
// optionally AES-encrypted, retried on the document's schedule through the webhook
// outbox). README.md in this directory lists the routes, the algorithms with a worked
// example, the cursor and where outdial departs from the document.
package autocall

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// RecordingLinks makes download links of recordings (internal/recording.Links does).
type RecordingLinks interface {
	// URL returns a link signed now; URLAt one signed at the instant at (a push attempt's).
	URL(tenantID, callID int64) string
	URLAt(tenantID, callID int64, at time.Time) string
}

// Config is what the dialect needs. Store and CursorKey are required.
type Config struct {
	Store outdial.Store
	// CursorKey signs searchAfter cursors (at least 16 bytes). Nodes that serve the same
	// customers must share it, or a cursor from one is refused by another.
	CursorKey []byte
	// Links makes the record_file links of pushes (none when nil).
	Links  RecordingLinks
	Clock  outdial.Clock
	Logger *slog.Logger
	// Location is the time zone of startTime filters, push timestamps and call_time
	// (Asia/Shanghai when nil).
	Location *time.Location
}

// Handler serves the dialect's routes. Build it with New, mount it with Register, and
// give Notifier to the engine and Format to the webhook dispatcher.
type Handler struct {
	store    outdial.Store
	key      []byte
	clock    outdial.Clock
	log      *slog.Logger
	location *time.Location
	notifier *Notifier
	routes   []route
}

// New returns the dialect's handler. It panics without a Store or with a short CursorKey.
func New(cfg Config) *Handler {
	if cfg.Store == nil || len(cfg.CursorKey) < 16 {
		panic("autocall: Config.Store and a CursorKey of at least 16 bytes are required")
	}
	h := &Handler{store: cfg.Store, key: cfg.CursorKey, clock: cfg.Clock, log: cfg.Logger, location: cfg.Location}
	if h.clock == nil {
		h.clock = outdial.SystemClock{}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.location == nil {
		h.location = shanghai
	}
	h.notifier = &Notifier{store: cfg.Store, links: cfg.Links, clock: h.clock, log: h.log, location: h.location}
	h.routes = h.routeTable()
	return h
}

// Notifier returns the engine notifier that queues the CDR pushes.
func (h *Handler) Notifier() *Notifier { return h.notifier }

// Format returns the webhook format that signs, encrypts and judges the CDR pushes.
func (h *Handler) Format() Format { return Format{Location: h.location, Links: h.notifier.links} }

// Register mounts the dialect's routes on mux, and a catch-all under /api/v1/cdr/ that
// answers unknown routes and methods in the dialect's envelope.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes {
		mux.Handle(rt.method+" "+rt.pattern, h.serve(rt))
	}
	mux.Handle("/api/v1/cdr/", h.serve(route{public: true, handle: h.noRoute}))
}

// noRoute answers a path or method the dialect does not have.
func (h *Handler) noRoute(w http.ResponseWriter, r *http.Request, _ *outdial.Tenant) (any, error) {
	var allowed []string
	for _, rt := range h.routes {
		if rt.pattern == r.URL.Path {
			allowed = append(allowed, rt.method)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		return nil, errMethod(r.Method, r.URL.Path, allowed)
	}
	return nil, outdial.Errorf(outdial.ENOTFOUND, "no route %s %s (see the autocall README)", r.Method, r.URL.Path)
}

// shanghai is the default time zone of the document's "Y-m-d H:i:s" times.
var shanghai = mustLoad(outdial.DefaultTimeZone)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CST", 8*3600) // Asia/Shanghai has had no DST since 1991
	}
	return loc
}

// timeLayout is the document's "Y-m-d H:i:s".
const timeLayout = "2006-01-02 15:04:05"

// userTag is the tag of userData (and _tag of a push's user_data).
const userTag = "autocall"
