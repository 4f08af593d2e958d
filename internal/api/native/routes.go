package native

import (
	"net/http"

	"github.com/outdial/outdial"
)

// route is one entry of the API's route table: what Register mounts, what the OpenAPI
// document describes and what the tests walk.
type route struct {
	method  string // "GET"
	pattern string // ServeMux path pattern, "/api/v1/lines/{id}"
	summary string
	public  bool    // no token needed
	query   []param // the only query parameters accepted
	in      any     // a zero wire value of the JSON body; nil: no JSON body
	upload  bool    // the body is a contact file (JSON, CSV, XLSX or multipart)
	out     any     // a zero wire value of the JSON answer; nil: no JSON answer
	list    bool    // the answer is a page of out
	status  int     // the success status; 200 when 0
	binary  string  // media type of a non-JSON answer ("audio/wav")
	handle  func(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error
}

// routeTable lists every route of the API, in the order the README and the OpenAPI
// document show them.
func (h *Handler) routeTable() []route {
	var rs []route
	rs = append(rs, h.tenantRoutes()...)
	rs = append(rs, h.projects().routes()...)
	rs = append(rs, h.lines().routes()...)
	rs = append(rs, h.timeGroups().routes()...)
	rs = append(rs, h.recallRules().routes()...)
	rs = append(rs, h.agentGroups().routes()...)
	rs = append(rs, h.scriptGroups().routes()...)
	rs = append(rs, h.scripts().routes()...)
	rs = append(rs, h.tasks().routes()...)
	rs = append(rs, h.taskControlRoutes()...)
	rs = append(rs, h.batches().routes()...)
	rs = append(rs, h.importRoute())
	rs = append(rs, h.contacts().routes()...)
	rs = append(rs, h.callRoutes()...)
	rs = append(rs, h.blocklistRoutes()...)
	rs = append(rs, h.webhookRoutes()...)
	rs = append(rs, route{method: "GET", pattern: "/api/v1/openapi.json", summary: "This API's OpenAPI 3.0 document",
		public: true, binary: "application/json", handle: h.serveOpenAPI})
	return rs
}

// serveOpenAPI answers the OpenAPI document.
func (h *Handler) serveOpenAPI(w http.ResponseWriter, r *http.Request, _ *outdial.Tenant) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(h.openapi)
	return nil
}
