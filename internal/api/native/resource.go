package native

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/outdial/outdial"
)

// resource is one kind of entity served by the list, create, read, update and delete
// routes. D is the domain type, In the wire body of create and update, Out the wire answer.
type resource[D, In, Out any] struct {
	h       *Handler
	noun    string // "time group"
	nouns   string // "time groups"
	path    string // "/api/v1/time-groups"
	filters []param
	list    func(ctx context.Context, tenantID int64, q url.Values, pg outdial.Page) ([]*D, error)
	get     func(ctx context.Context, tenantID, id int64) (*D, error)
	create  func(ctx context.Context, d *D) error // nil: no POST
	update  func(ctx context.Context, d *D) error // nil: no PUT
	remove  func(ctx context.Context, tenantID, id int64) error
	blank   func(tenantID int64) *D
	// fill sets every writable field of d from the body (a full update) and validates d.
	fill func(in *In, d *D) error
	// refs checks that the entities d names are the tenant's (ENOTFOUND naming the field).
	refs func(ctx context.Context, d *D) error
	show func(d *D) Out
	key  func(d *D) int64
}

// parse decodes a create or update body into d and validates it.
func (res *resource[D, In, Out]) parse(body io.Reader, d *D) error {
	var in In
	if err := decodeBody(body, &in); err != nil {
		return err
	}
	return res.fill(&in, d)
}

// routes returns the resource's routes.
func (res *resource[D, In, Out]) routes() []route {
	var in In
	var out Out
	item := res.path + "/{id}"
	rs := []route{{method: "GET", pattern: res.path, summary: "List " + res.nouns, list: true, out: out,
		query: append(append([]param(nil), pageParams...), res.filters...), handle: res.handleList}}
	if res.create != nil {
		rs = append(rs, route{method: "POST", pattern: res.path, summary: "Create " + an(res.noun), in: in, out: out,
			status: http.StatusCreated, handle: res.handleCreate})
	}
	rs = append(rs, route{method: "GET", pattern: item, summary: "Read " + an(res.noun), out: out, handle: res.handleGet})
	if res.update != nil {
		rs = append(rs, route{method: "PUT", pattern: item, summary: "Replace " + an(res.noun) + "'s settings (full update)",
			in: in, out: out, handle: res.handleUpdate})
	}
	return append(rs, route{method: "DELETE", pattern: item, summary: "Delete " + an(res.noun),
		status: http.StatusNoContent, handle: res.handleDelete})
}

func (res *resource[D, In, Out]) handleList(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	q := r.URL.Query()
	pg, err := pageOf(q)
	if err != nil {
		return err
	}
	items, err := res.list(r.Context(), t.ID, q, pg)
	if err != nil {
		return err
	}
	p := page[Out]{Data: make([]Out, 0, len(items))}
	for _, d := range items {
		p.Data = append(p.Data, res.show(d))
	}
	if len(items) > 0 && len(items) >= pg.Limit {
		p.NextCursor = makeCursor(strconv.FormatInt(res.key(items[len(items)-1]), 10))
	}
	res.h.writeJSON(w, r, http.StatusOK, p)
	return nil
}

func (res *resource[D, In, Out]) handleCreate(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	d := res.blank(t.ID)
	if err := res.parse(r.Body, d); err != nil {
		return err
	}
	if err := res.save(r.Context(), d, res.create); err != nil {
		return err
	}
	stored, err := res.get(r.Context(), t.ID, res.key(d))
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/%d", res.path, res.key(d)))
	res.h.writeJSON(w, r, http.StatusCreated, res.show(stored))
	return nil
}

func (res *resource[D, In, Out]) handleGet(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	d, err := res.read(r, t)
	if err != nil {
		return err
	}
	res.h.writeJSON(w, r, http.StatusOK, res.show(d))
	return nil
}

func (res *resource[D, In, Out]) handleUpdate(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	d, err := res.read(r, t) // another tenant's id is 404 before the body is looked at
	if err != nil {
		return err
	}
	if err := res.parse(r.Body, d); err != nil {
		return err
	}
	if err := res.save(r.Context(), d, res.update); err != nil {
		return err
	}
	stored, err := res.get(r.Context(), t.ID, res.key(d))
	if err != nil {
		return err
	}
	res.h.writeJSON(w, r, http.StatusOK, res.show(stored))
	return nil
}

func (res *resource[D, In, Out]) handleDelete(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	id, err := pathID(r, res.noun)
	if err != nil {
		return err
	}
	if err := res.remove(r.Context(), t.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// read loads the entity of the path's {id}.
func (res *resource[D, In, Out]) read(r *http.Request, t *outdial.Tenant) (*D, error) {
	id, err := pathID(r, res.noun)
	if err != nil {
		return nil, err
	}
	return res.get(r.Context(), t.ID, id)
}

// save checks d's references and writes it with op.
func (res *resource[D, In, Out]) save(ctx context.Context, d *D, op func(context.Context, *D) error) error {
	if res.refs != nil {
		if err := res.refs(ctx, d); err != nil {
			return err
		}
	}
	return op(ctx, d)
}

// owned answers ENOTFOUND naming field unless id is 0 (no reference) or names one of the
// tenant's entities that get finds: another tenant's id is not found, as in a path.
func owned[T any](ctx context.Context, get func(context.Context, int64, int64) (T, error), tenantID, id int64, field, noun string) error {
	if id == 0 {
		return nil
	}
	_, err := get(ctx, tenantID, id)
	if isCode(err, outdial.ENOTFOUND) {
		return &outdial.Error{Code: outdial.ENOTFOUND, Field: field, Message: fmt.Sprintf("%s %d not found", noun, id)}
	}
	return err
}

// an puts "a" or "an" before a noun.
func an(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
