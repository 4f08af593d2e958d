package native

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/outdial/outdial"
)

// callFilterParams are the query parameters of GET /api/v1/calls besides limit and cursor.
var callFilterParams = []param{
	{name: "project_id", typ: "integer", desc: "only calls of this project"},
	{name: "task_id", typ: "integer", desc: "only calls of this task"},
	{name: "batch_id", typ: "integer", desc: "only calls of this batch"},
	{name: "contact_id", typ: "integer", desc: "only calls to this contact"},
	{name: "caller", typ: "string", desc: "only calls presenting this caller number"},
	{name: "called", typ: "string", desc: "only calls to this number, in any form (normalised before matching)"},
	{name: "result", typ: "string", desc: "only calls with this result", enum: resultNames()},
	{name: "callresult", typ: "integer", desc: "0 not connected, 1 customer connected, 2 customer and agent connected"},
	{name: "endresult", typ: "integer", desc: "11 the customer hung up, 12 the platform did"},
	{name: "from", typ: "date-time", desc: "only calls started at or after this RFC 3339 time"},
	{name: "to", typ: "date-time", desc: "only calls started at or before this RFC 3339 time"},
	{name: "order", typ: "string", desc: "asc (oldest first) or desc (newest first, the default)", enum: []string{"asc", "desc"}},
}

func resultNames() []string {
	out := make([]string, len(outdial.Results))
	for i, r := range outdial.Results {
		out[i] = string(r)
	}
	return out
}

func (h *Handler) callRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/calls", summary: "List call detail records (ended calls)", list: true, out: callOut{},
			query: append(append([]param(nil), pageParams...), callFilterParams...), handle: h.listCalls},
		{method: "GET", pattern: "/api/v1/calls/{id}", summary: "Read one call (live or ended)", out: callOut{}, handle: h.getCall},
		{method: "GET", pattern: "/api/v1/calls/{id}/recording", summary: "Download a call's recording (WAV)",
			binary: "audio/wav", handle: h.getRecording},
	}
}

// callFilter reads the query of GET /api/v1/calls.
func callFilter(tenantID int64, q url.Values) (outdial.CallFilter, error) {
	f := outdial.CallFilter{TenantID: tenantID, Caller: q.Get("caller"), Result: outdial.Result(q.Get("result")), Desc: true}
	var err error
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"project_id", &f.ProjectID}, {"task_id", &f.TaskID}, {"batch_id", &f.BatchID}, {"contact_id", &f.ContactID}} {
		if *p.dst, err = queryID(q, p.name); err != nil {
			return f, err
		}
	}
	if s := q.Get("called"); s != "" {
		f.Called = s
		if n, err := normalizePhone(s); err == nil {
			f.Called = n
		}
	}
	if f.Result != "" && !f.Result.Valid() {
		return f, outdial.FieldErrorf("result", "unknown result %q", f.Result)
	}
	if s := q.Get("callresult"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 2 {
			return f, outdial.FieldErrorf("callresult", "callresult must be 0, 1 or 2")
		}
		f.CallResult = &n
	}
	if s := q.Get("endresult"); s != "" {
		if s != "11" && s != "12" {
			return f, outdial.FieldErrorf("endresult", "endresult must be 11 or 12")
		}
		f.EndResult, _ = strconv.Atoi(s)
	}
	if f.From, err = queryTime(q, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryTime(q, "to"); err != nil {
		return f, err
	}
	switch q.Get("order") {
	case "", "desc":
	case "asc":
		f.Desc = false
	default:
		return f, outdial.FieldErrorf("order", "order must be asc or desc")
	}
	if f.Limit, err = listLimit(q); err != nil {
		return f, err
	}
	f.After, err = idCursor(q)
	return f, err
}

func (h *Handler) listCalls(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	f, err := callFilter(t.ID, r.URL.Query())
	if err != nil {
		return err
	}
	calls, err := h.store.Calls(r.Context(), f)
	if err != nil {
		return err
	}
	p := page[callOut]{Data: make([]callOut, 0, len(calls))}
	for _, c := range calls {
		p.Data = append(p.Data, showCall(c))
	}
	if len(calls) > 0 && len(calls) >= f.Limit {
		p.NextCursor = makeCursor(strconv.FormatInt(calls[len(calls)-1].ID, 10))
	}
	h.writeJSON(w, r, http.StatusOK, p)
	return nil
}

// readCall loads the call of the path's {id}.
func (h *Handler) readCall(r *http.Request, t *outdial.Tenant) (*outdial.Call, error) {
	id, err := pathID(r, "call")
	if err != nil {
		return nil, err
	}
	return h.store.Call(r.Context(), t.ID, id)
}

func (h *Handler) getCall(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	c, err := h.readCall(r, t)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, showCall(c))
	return nil
}
