package groupcall

import (
	"encoding/json"
	"net/http"

	"github.com/outdial/outdial"
)

// uploadWire is upload-data's info: the document's three counts and, only when a row was
// refused, failList (outdial's addition: the documented answer keeps its exact shape).
type uploadWire struct {
	SuccessCount   int           `json:"successCount"`
	DuplicateCount int           `json:"duplicateCount"`
	FailCount      int           `json:"failCount"`
	FailList       []failureWire `json:"failList,omitempty"`
}

// failureWire is one refused row: its 1-based index in data_list, the phone as sent, the
// field at fault ("" when none is) and why.
type failureWire struct {
	Row    int    `json:"row"`
	Phone  string `json:"phone"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// uploadData adds data_list to the batch, with the foundation's validation, normalisation
// and dedupe (against the batch and within the request). Bad rows are counted and listed;
// the good ones are added.
func (h *Handler) uploadData(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	u, err := parseUpload(data)
	if err != nil {
		return err
	}
	task, err := h.loadTask(r.Context(), t.ID, u.taskID)
	if err != nil {
		return err
	}
	b, err := h.store.Batch(r.Context(), t.ID, u.batchID)
	switch {
	case outdial.ErrorCode(err) == outdial.ENOTFOUND:
		return notFound("batch", idString(u.batchID))
	case err != nil:
		return err
	case b.TaskID != task.ID:
		return outdial.Errorf(outdial.ENOTFOUND, "batch %q is not bound to task %q", idString(b.ID), idString(task.ID))
	}
	res, err := h.importer.ImportRows(r.Context(), b, u.rows)
	if err != nil {
		return err
	}
	out := uploadWire{SuccessCount: res.SuccessCount, DuplicateCount: res.DuplicateCount, FailCount: res.FailCount}
	for _, f := range res.Failures {
		out.FailList = append(out.FailList, failureWire{Row: f.Row, Phone: f.Phone, Field: f.Field, Reason: f.Reason})
	}
	h.ok(w, r, "success", out)
	return nil
}
