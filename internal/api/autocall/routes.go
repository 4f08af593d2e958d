package autocall

import (
	"net/http"

	"github.com/outdial/outdial"
)

// route is one entry of the dialect's route table: what Register mounts, what README.md
// lists (a test checks) and what the isolation test walks.
type route struct {
	method  string // "GET"
	pattern string // "/api/v1/cdr/search"
	summary string
	public  bool // no token needed
	// handle returns the envelope's data, or an error for the envelope.
	handle func(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) (any, error)
}

// routeTable lists every route, in the order README.md shows them.
func (h *Handler) routeTable() []route {
	return []route{
		{method: "GET", pattern: searchPath, summary: "Search CDRs; filters as query parameters", handle: h.searchQuery},
		{method: "POST", pattern: searchPath, summary: "Search CDRs; filters as a JSON body", handle: h.searchBody},
		{method: "GET", pattern: pushPath, summary: "List the CDR push configurations", handle: h.listPush},
		{method: "POST", pattern: pushPath, summary: "Set the CDR push of the tenant or of one project", handle: h.setPush},
		{method: "DELETE", pattern: pushPath, summary: "Remove the CDR push of the tenant or of one project", handle: h.deletePush},
	}
}

// The dialect's paths.
const (
	searchPath = "/api/v1/cdr/search"
	pushPath   = "/api/v1/cdr/push"
)
