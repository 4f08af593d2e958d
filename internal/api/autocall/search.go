package autocall

import (
	"net/http"

	"github.com/outdial/outdial"
)

// searchQuery serves GET /api/v1/cdr/search.
func (h *Handler) searchQuery(_ http.ResponseWriter, r *http.Request, t *outdial.Tenant) (any, error) {
	s, err := decodeQuery(r.URL.RawQuery, h.location)
	if err != nil {
		return nil, err
	}
	return h.search(r, t, s)
}

// searchBody serves POST /api/v1/cdr/search.
func (h *Handler) searchBody(_ http.ResponseWriter, r *http.Request, t *outdial.Tenant) (any, error) {
	if r.URL.RawQuery != "" {
		return nil, outdial.Errorf(outdial.EINVALID, "POST takes the filters in a JSON body, not in the query string")
	}
	s, err := decodeBody(r.Body, h.location)
	if err != nil {
		return nil, err
	}
	return h.search(r, t, s)
}

// search lists one page of the tenant's CDRs, oldest first, with the cursor of the next
// page (none after the last).
func (h *Handler) search(r *http.Request, t *outdial.Tenant, s *search) (*searchData, error) {
	var after int64
	if s.SearchAfter != "" {
		var err error
		if after, err = h.readCursor(t.ID, s.SearchAfter); err != nil {
			return nil, err
		}
	}
	calls, err := h.store.Calls(r.Context(), s.filter(t.ID, after))
	if err != nil {
		return nil, err
	}
	more := len(calls) > s.PerPage
	if more {
		calls = calls[:s.PerPage]
	}
	d := &searchData{Results: make([]result, len(calls))}
	for i, c := range calls {
		d.Results[i] = showResult(c, c.ExternalID)
	}
	if more {
		cur := h.makeCursor(t.ID, calls[len(calls)-1].ID)
		d.SearchAfter = &cur
	}
	return d, nil
}
