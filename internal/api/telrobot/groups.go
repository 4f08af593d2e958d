package telrobot

import (
	"net/http"

	"github.com/outdial/outdial"
)

// listScriptGroups answers GET /v1/outbound_group: a page of the tenant's script groups
// (话术分组), in the shape of the meta's outbound_group.
func (h *Handler) listScriptGroups(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	groups, err := all(r.Context(), t.ID, h.store.ScriptGroups, func(g *outdial.ScriptGroup) int64 { return g.ID })
	if err != nil {
		return err
	}
	lo, hi := p.slice(len(groups))
	items := make([]scriptGroupWire, 0, hi-lo)
	for _, g := range groups[lo:hi] {
		items = append(items, *showScriptGroup(g))
	}
	h.writeJSON(w, r, http.StatusOK, pageOf(h, r, p, items, int64(len(groups))))
	return nil
}

// listAgentGroups answers GET /v1/customer_service: a page of the tenant's agent groups
// (客服组), in the shape of the meta's customer_service.
func (h *Handler) listAgentGroups(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	groups, err := all(r.Context(), t.ID, h.store.AgentGroups, func(g *outdial.AgentGroup) int64 { return g.ID })
	if err != nil {
		return err
	}
	lo, hi := p.slice(len(groups))
	items, err := h.refs(r.Context(), t.ID).agentGroups(groups[lo:hi])
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, pageOf(h, r, p, items, int64(len(groups))))
	return nil
}
