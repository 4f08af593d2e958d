package telrobot

import (
	"context"
	"time"

	"github.com/outdial/outdial"
)

// maxAll bounds the entities of one kind a meta list shows (every one a tenant has, in
// practice).
const maxAll = 10000

// all reads every entity of one kind of the tenant, page by page, up to maxAll.
func all[T any](ctx context.Context, tenantID int64, list func(context.Context, int64, outdial.Page) ([]*T, error),
	key func(*T) int64) ([]*T, error) {
	var out []*T
	after := int64(0)
	for len(out) < maxAll {
		page, err := list(ctx, tenantID, outdial.Page{After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 1000 {
			break
		}
		after = key(page[len(page)-1])
	}
	return out, nil
}

// refs reads the entities tasks refer to, each once per request.
type refs struct {
	store    outdial.Store
	ctx      context.Context
	tenantID int64
	lines    map[int64]*outdial.Line
	reserved map[int64]int
	scripts  map[int64]*outdial.ScriptGroup
	times    map[int64]*outdial.TimeGroup
	recalls  map[int64]*outdial.RecallRule
}

func (h *Handler) refs(ctx context.Context, tenantID int64) *refs {
	return &refs{store: h.store, ctx: ctx, tenantID: tenantID, lines: map[int64]*outdial.Line{}, reserved: map[int64]int{},
		scripts: map[int64]*outdial.ScriptGroup{}, times: map[int64]*outdial.TimeGroup{}, recalls: map[int64]*outdial.RecallRule{}}
}

// cached returns m[id], reading it with get on first use; nil (no error) for id 0 or an
// entity that is gone.
func cached[T any](r *refs, m map[int64]*T, id int64, get func(context.Context, int64, int64) (*T, error)) (*T, error) {
	if id == 0 {
		return nil, nil
	}
	if v, ok := m[id]; ok {
		return v, nil
	}
	v, err := get(r.ctx, r.tenantID, id)
	if outdial.ErrorCode(err) == outdial.ENOTFOUND {
		v, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	m[id] = v
	return v, nil
}

func (r *refs) line(id int64) (*outdial.Line, error) { return cached(r, r.lines, id, r.store.Line) }
func (r *refs) script(id int64) (*outdial.ScriptGroup, error) {
	return cached(r, r.scripts, id, r.store.ScriptGroup)
}
func (r *refs) timeGroup(id int64) (*outdial.TimeGroup, error) {
	return cached(r, r.times, id, r.store.TimeGroup)
}
func (r *refs) recall(id int64) (*outdial.RecallRule, error) {
	return cached(r, r.recalls, id, r.store.RecallRule)
}

// used returns how much of the line's concurrency running tasks have reserved.
func (r *refs) used(id int64) (int, error) {
	if n, ok := r.reserved[id]; ok {
		return n, nil
	}
	_, n, err := r.store.LineUsage(r.ctx, r.tenantID, id)
	if err != nil {
		return 0, err
	}
	r.reserved[id] = n
	return n, nil
}

// residue is the document's residue: the line's concurrency that running tasks have not
// reserved, 0 while the line is outside its validity (expired or not yet begun).
func residue(l *outdial.Line, reserved int, now time.Time) int {
	if (!l.ValidUntil.IsZero() && !now.Before(l.ValidUntil)) || (!l.ValidFrom.IsZero() && now.Before(l.ValidFrom)) {
		return 0
	}
	return max(0, l.Concurrency-reserved)
}

// callerNumber is the number a line presents first.
func callerNumber(l *outdial.Line) string {
	if l == nil || len(l.CallerNumbers) == 0 {
		return ""
	}
	return l.CallerNumbers[0]
}
