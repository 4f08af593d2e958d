package groupcall

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/outdial/outdial"
)

// taskWire is a task as the document shows it: ids and status as strings, the daily
// window as "08:30:01".
type taskWire struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
}

// Task statuses as the document shows them.
const (
	statusStopped = "0" // stopped, or finished (every contact is final)
	statusRunning = "1"
)

func showTask(t *outdial.Task) taskWire {
	status := statusStopped
	if t.Status == outdial.TaskRunning {
		status = statusRunning
	}
	return taskWire{ID: idString(t.ID), Name: t.Name, Status: status,
		StartTime: timeOfDay(t.Window.Start), EndTime: timeOfDay(t.Window.End)}
}

// timeOfDay formats a window edge; the end of the day, 24:00:00, shows as "23:59:59",
// which every time parser accepts.
func timeOfDay(d outdial.TimeOfDay) string {
	if d == outdial.EndOfDay {
		return "23:59:59"
	}
	return d.String()
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// loadTask returns the tenant's task; another tenant's id answers as an unknown one.
func (h *Handler) loadTask(ctx context.Context, tenantID, id int64) (*outdial.Task, error) {
	t, err := h.store.Task(ctx, tenantID, id)
	if outdial.ErrorCode(err) == outdial.ENOTFOUND {
		return nil, notFound("task", idString(id))
	}
	return t, err
}

func (h *Handler) taskList(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	// task-list takes no data: absent, null, {} or [] (PHP's empty array) are all fine.
	if s := string(data); s != "" && s != "null" && s != "[]" {
		if err := decodeData(data, &struct{}{}); err != nil {
			return err
		}
	}
	list := []taskWire{}
	const pageSize = 1000
	for after := int64(0); ; {
		ts, err := h.store.Tasks(r.Context(), t.ID, outdial.TaskFilter{Page: outdial.Page{After: after, Limit: pageSize}})
		if err != nil {
			return err
		}
		for _, task := range ts {
			list = append(list, showTask(task))
		}
		if len(ts) < pageSize {
			break
		}
		after = ts[len(ts)-1].ID
	}
	h.ok(w, r, "success", map[string]any{"list": list})
	return nil
}

func (h *Handler) taskInfo(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	id, err := parseTask(data)
	if err != nil {
		return err
	}
	task, err := h.loadTask(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	h.ok(w, r, "success", map[string]any{"info": showTask(task)})
	return nil
}

func (h *Handler) taskStart(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	id, err := parseTask(data)
	if err != nil {
		return err
	}
	if _, err := h.loadTask(r.Context(), t.ID, id); err != nil {
		return err
	}
	if _, err := h.control.Start(r.Context(), t.ID, id); err != nil {
		return conflict(err)
	}
	h.ok(w, r, "success", "")
	return nil
}

func (h *Handler) taskStop(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	id, err := parseTask(data)
	if err != nil {
		return err
	}
	if _, err := h.loadTask(r.Context(), t.ID, id); err != nil {
		return err
	}
	if _, err := h.control.Stop(r.Context(), t.ID, id); err != nil {
		return err
	}
	h.ok(w, r, "success", "")
	return nil
}

func (h *Handler) batchAdd(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	b, err := parseBatchAdd(data)
	if err != nil {
		return err
	}
	if _, err := h.loadTask(r.Context(), t.ID, b.TaskID); err != nil {
		return err
	}
	b.TenantID = t.ID
	if err := h.store.CreateBatch(r.Context(), b); err != nil {
		if outdial.ErrorCode(err) == outdial.ENOTFOUND { // the task was deleted meanwhile
			return notFound("task", idString(b.TaskID))
		}
		return err
	}
	h.ok(w, r, "success", map[string]string{"batch_id": idString(b.ID)})
	return nil
}

func (h *Handler) boundBatches(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	id, err := parseTask(data)
	if err != nil {
		return err
	}
	if _, err := h.loadTask(r.Context(), t.ID, id); err != nil {
		return err
	}
	list := []string{}
	const pageSize = 10000
	for after := int64(0); ; {
		bs, err := h.store.Batches(r.Context(), t.ID, id, outdial.Page{After: after, Limit: pageSize})
		if err != nil {
			return err
		}
		for _, b := range bs {
			list = append(list, idString(b.ID))
		}
		if len(bs) < pageSize {
			break
		}
		after = bs[len(bs)-1].ID
	}
	h.ok(w, r, "success", map[string]any{"list": list})
	return nil
}
