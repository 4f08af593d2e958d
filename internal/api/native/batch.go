package native

import (
	"context"
	"net/url"
	"time"

	"github.com/outdial/outdial"
)

// batchIn is the body of batch create; a batch cannot be changed afterwards.
type batchIn struct {
	TaskID int64  `json:"task_id"`
	Name   string `json:"name"`
}

// batchOut is a batch; size counts its contacts.
type batchOut struct {
	ID        int64      `json:"id"`
	TaskID    int64      `json:"task_id"`
	Name      string     `json:"name"`
	Size      int64      `json:"size"`
	CreatedAt *time.Time `json:"created_at"`
}

func fillBatch(in *batchIn, b *outdial.Batch) error {
	if in.TaskID < 0 {
		return outdial.FieldErrorf("task_id", "task_id must be a task's id")
	}
	b.TaskID, b.Name = in.TaskID, in.Name
	return b.Validate()
}

func (h *Handler) batches() *resource[outdial.Batch, batchIn, batchOut] {
	s := h.store
	return &resource[outdial.Batch, batchIn, batchOut]{
		h: h, noun: "batch", nouns: "batches", path: "/api/v1/batches",
		filters: []param{{name: "task_id", typ: "integer", desc: "only the batches of this task"}},
		list: func(ctx context.Context, tenantID int64, q url.Values, pg outdial.Page) ([]*outdial.Batch, error) {
			taskID, err := queryID(q, "task_id")
			if err != nil {
				return nil, err
			}
			return s.Batches(ctx, tenantID, taskID, pg)
		},
		get:    s.Batch,
		create: s.CreateBatch,
		remove: s.DeleteBatch,
		blank:  func(tenantID int64) *outdial.Batch { return &outdial.Batch{TenantID: tenantID} },
		fill:   fillBatch,
		refs: func(ctx context.Context, b *outdial.Batch) error {
			return owned(ctx, s.Task, b.TenantID, b.TaskID, "task_id", "task")
		},
		show: func(b *outdial.Batch) batchOut {
			return batchOut{ID: b.ID, TaskID: b.TaskID, Name: b.Name, Size: b.Size, CreatedAt: ts(b.CreatedAt)}
		},
		key: func(b *outdial.Batch) int64 { return b.ID },
	}
}
