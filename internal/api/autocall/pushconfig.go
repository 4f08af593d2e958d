package autocall

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/outdial/outdial"
)

// pushOut is one CDR push configuration; the secret is never shown.
type pushOut struct {
	ID        string `json:"id"`
	ProjectID string `json:"projectId"` // "" for every project of the tenant
	URL       string `json:"url"`
	Encrypt   int    `json:"encrypt"` // 1: data is encrypted
	Enabled   bool   `json:"enabled"`
}

// pushList is the data of GET /api/v1/cdr/push.
type pushList struct {
	Results []pushOut `json:"results"`
}

func showPush(s *outdial.Subscription) pushOut {
	p := pushOut{ID: itoa(s.ID), URL: s.URL, Enabled: s.Enabled}
	if s.ProjectID != 0 {
		p.ProjectID = itoa(s.ProjectID)
	}
	if s.Encrypt {
		p.Encrypt = 1
	}
	return p
}

// pushIn is the body of POST /api/v1/cdr/push, checked.
type pushIn struct {
	url, secret string
	encrypt     bool
	projectID   int64
}

// Secret length bounds of a CDR push.
const (
	minSecret = 8
	maxSecret = 256
)

// decodePush reads a push configuration: {"url", "secret", "encrypt" (0, 1, false or
// true), "projectId" (optional)}. Errors are EINVALID and name the field.
func decodePush(body io.Reader) (*pushIn, error) {
	b, err := readBody(body)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, outdial.Errorf(outdial.EINVALID, `the body is empty: send {"url": "...", "secret": "...", "encrypt": 0}`)
	}
	members, err := decodeObject(b)
	if err != nil {
		return nil, err
	}
	vals := map[string]value{}
	for _, k := range slices.Sorted(maps.Keys(members)) {
		if !slices.Contains(pushFields, k) {
			return nil, outdial.FieldErrorf(k, "unknown field %s: the fields are %s", quote(k), strings.Join(pushFields, ", "))
		}
		vals[k] = value{json: members[k]}
	}
	var p pushIn
	if p.url, err = text(vals, "url"); err != nil {
		return nil, err
	}
	if p.secret, err = text(vals, "secret"); err != nil {
		return nil, err
	}
	if p.projectID, err = id(vals, "projectId"); err != nil {
		return nil, err
	}
	switch raw := string(bytes.TrimSpace(members["encrypt"])); raw {
	case "", "null", "0", `"0"`, "false":
	case "1", `"1"`, "true":
		p.encrypt = true
	default:
		return nil, outdial.FieldErrorf("encrypt", "encrypt must be 0 or 1 (or false or true), not %s", quote(raw))
	}
	switch {
	case !outdial.ValidCallbackURL(p.url):
		return nil, outdial.FieldErrorf("url", "url must be the http or https URL that receives the pushes")
	case p.secret != "" && (len(p.secret) < minSecret || len(p.secret) > maxSecret):
		return nil, outdial.FieldErrorf("secret", "secret must be %d to %d bytes", minSecret, maxSecret)
	}
	return &p, nil
}

// pushFields are the members of a push configuration.
var pushFields = []string{"url", "secret", "encrypt", "projectId"}

// listPush serves GET /api/v1/cdr/push.
func (h *Handler) listPush(_ http.ResponseWriter, r *http.Request, t *outdial.Tenant) (any, error) {
	if r.URL.RawQuery != "" {
		return nil, outdial.Errorf(outdial.EINVALID, "GET %s takes no query parameters", pushPath)
	}
	subs, err := h.store.Subscriptions(r.Context(), t.ID, FormatName)
	if err != nil {
		return nil, err
	}
	out := pushList{Results: make([]pushOut, len(subs))}
	for i, s := range subs {
		out.Results[i] = showPush(s)
	}
	return out, nil
}

// setPush serves POST /api/v1/cdr/push: it sets the push of the tenant (no projectId) or
// of one project, replacing the one configured before; an omitted secret keeps the old.
func (h *Handler) setPush(_ http.ResponseWriter, r *http.Request, t *outdial.Tenant) (any, error) {
	p, err := decodePush(r.Body)
	if err != nil {
		return nil, err
	}
	if p.projectID != 0 {
		if _, err := h.store.Project(r.Context(), t.ID, p.projectID); outdial.ErrorCode(err) == outdial.ENOTFOUND {
			return nil, &outdial.Error{Code: outdial.ENOTFOUND, Field: "projectId", Message: "project " + itoa(p.projectID) + " not found"}
		} else if err != nil {
			return nil, err
		}
	}
	sub, err := h.pushOf(r, t.ID, p.projectID)
	if err != nil {
		return nil, err
	}
	defer h.notifier.forget(t.ID)
	if sub == nil {
		if p.secret == "" {
			return nil, outdial.FieldErrorf("secret", "a new push needs a secret (%d to %d bytes): it signs every push", minSecret, maxSecret)
		}
		sub = &outdial.Subscription{TenantID: t.ID, Format: FormatName, ProjectID: p.projectID, URL: p.url,
			Secret: p.secret, Encrypt: p.encrypt, Enabled: true}
		err = h.store.CreateSubscription(r.Context(), sub)
	} else {
		if p.secret == "" && sub.Secret == "" {
			return nil, outdial.FieldErrorf("secret", "this push has no secret yet: send one (%d to %d bytes)", minSecret, maxSecret)
		}
		sub.URL, sub.Secret, sub.Encrypt, sub.Enabled = p.url, p.secret, p.encrypt, true
		err = h.store.UpdateSubscription(r.Context(), sub)
	}
	if err != nil {
		return nil, err
	}
	return showPush(sub), nil
}

// deletePush serves DELETE /api/v1/cdr/push[?projectId=N].
func (h *Handler) deletePush(_ http.ResponseWriter, r *http.Request, t *outdial.Tenant) (any, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, outdial.Errorf(outdial.EINVALID, "malformed query string: %v", err)
	}
	vals := map[string]value{}
	for k, v := range q {
		if k != "projectId" || len(v) != 1 {
			return nil, outdial.FieldErrorf(k, "DELETE %s takes only projectId, once", pushPath)
		}
		vals[k] = value{text: v[0]}
	}
	pid, err := id(vals, "projectId")
	if err != nil {
		return nil, err
	}
	sub, err := h.pushOf(r, t.ID, pid)
	if err != nil {
		return nil, err
	}
	if sub == nil {
		return nil, outdial.Errorf(outdial.ENOTFOUND, "no CDR push is set for %s", scope(pid))
	}
	defer h.notifier.forget(t.ID)
	if err := h.store.DeleteSubscription(r.Context(), t.ID, sub.ID); err != nil {
		return nil, err
	}
	return showPush(sub), nil
}

// pushOf returns the tenant's autocall subscription for the project (0: every project),
// the oldest when there are several; nil when there is none.
func (h *Handler) pushOf(r *http.Request, tenantID, projectID int64) (*outdial.Subscription, error) {
	subs, err := h.store.Subscriptions(r.Context(), tenantID, FormatName)
	if err != nil {
		return nil, err
	}
	for _, s := range subs {
		if s.ProjectID == projectID {
			return s, nil
		}
	}
	return nil, nil
}

func scope(projectID int64) string {
	if projectID == 0 {
		return "the whole tenant"
	}
	return "project " + itoa(projectID)
}
