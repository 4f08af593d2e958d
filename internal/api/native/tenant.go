package native

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/outdial/outdial"
)

// tenantIn is the body of PUT /api/v1/tenant.
type tenantIn struct {
	Name       string `json:"name"`
	CapPerHour int    `json:"cap_per_hour"`
	CapPerDay  int    `json:"cap_per_day"`
}

// tenantOut is the caller's tenant.
type tenantOut struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CapPerHour int        `json:"cap_per_hour"`
	CapPerDay  int        `json:"cap_per_day"`
	CreatedAt  *time.Time `json:"created_at"`
	UpdatedAt  *time.Time `json:"updated_at"`
}

func showTenant(t *outdial.Tenant) tenantOut {
	return tenantOut{ID: t.ID, Name: t.Name, CapPerHour: t.CapPerHour, CapPerDay: t.CapPerDay,
		CreatedAt: ts(t.CreatedAt), UpdatedAt: ts(t.UpdatedAt)}
}

func fillTenant(in *tenantIn, t *outdial.Tenant) error {
	t.Name, t.CapPerHour, t.CapPerDay = in.Name, in.CapPerHour, in.CapPerDay
	return t.Validate()
}

func (h *Handler) tenantRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/tenant", summary: "Read the caller's tenant", out: tenantOut{}, handle: h.getTenant},
		{method: "PUT", pattern: "/api/v1/tenant", summary: "Replace the caller's tenant settings (name and per-number caps)",
			in: tenantIn{}, out: tenantOut{}, handle: h.putTenant},
	}
}

func (h *Handler) getTenant(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	cur, err := h.store.Tenant(r.Context(), t.ID)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, showTenant(cur))
	return nil
}

func (h *Handler) putTenant(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	cur, err := h.store.Tenant(r.Context(), t.ID)
	if err != nil {
		return err
	}
	var in tenantIn
	if err := decodeBody(r.Body, &in); err != nil {
		return err
	}
	if err := fillTenant(&in, cur); err != nil {
		return err
	}
	if err := h.store.UpdateTenant(r.Context(), cur); err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, showTenant(cur))
	return nil
}

// projectIn is the body of project create and update.
type projectIn struct {
	Name string `json:"name"`
}

// projectOut is a project.
type projectOut struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	IsDefault bool       `json:"is_default"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func (h *Handler) projects() *resource[outdial.Project, projectIn, projectOut] {
	s := h.store
	return &resource[outdial.Project, projectIn, projectOut]{
		h: h, noun: "project", nouns: "projects", path: "/api/v1/projects",
		list: func(ctx context.Context, tenantID int64, _ url.Values, pg outdial.Page) ([]*outdial.Project, error) {
			return s.Projects(ctx, tenantID, pg)
		},
		get:    s.Project,
		create: s.CreateProject,
		update: s.UpdateProject,
		remove: s.DeleteProject,
		blank:  func(tenantID int64) *outdial.Project { return &outdial.Project{TenantID: tenantID} },
		fill: func(in *projectIn, p *outdial.Project) error {
			p.Name = in.Name
			return p.Validate()
		},
		show: func(p *outdial.Project) projectOut {
			return projectOut{ID: p.ID, Name: p.Name, IsDefault: p.IsDefault, CreatedAt: ts(p.CreatedAt), UpdatedAt: ts(p.UpdatedAt)}
		},
		key: func(p *outdial.Project) int64 { return p.ID },
	}
}
