package telrobot

import (
	"context"
	"net/http"
	"strings"

	"github.com/outdial/outdial"
)

// taskOf returns the tenant's task named by the path value (its uuid); another tenant's
// task, or a value that is not a uuid, is "task not found".
func (h *Handler) taskOf(r *http.Request, name string, t *outdial.Tenant) (*outdial.Task, error) {
	id := strings.ToLower(r.PathValue(name))
	if !isUUID(id) {
		return nil, notFound("task")
	}
	task, err := h.store.TaskByUUID(r.Context(), t.ID, id)
	if outdial.ErrorCode(err) == outdial.ENOTFOUND {
		return nil, notFound("task")
	}
	return task, err
}

// answerTask writes the task entity.
func (h *Handler) answerTask(w http.ResponseWriter, r *http.Request, task *outdial.Task) error {
	e, err := h.refs(r.Context(), task.TenantID).task(task)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, e)
	return nil
}

// createTask answers POST /v1/task with the new (paused) task.
func (h *Handler) createTask(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	task := &outdial.Task{TenantID: t.ID, Status: outdial.TaskStopped}
	if err := h.fillTask(r, task); err != nil {
		return err
	}
	if err := h.store.CreateTask(r.Context(), task); err != nil {
		return err
	}
	return h.answerTask(w, r, task)
}

// updateTask answers PUT /v1/task/{task_id}: every parameter again, as in create.
func (h *Handler) updateTask(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	task, err := h.taskOf(r, "task_id", t)
	if err != nil {
		return err
	}
	if err := h.fillTask(r, task); err != nil {
		return err
	}
	if err := h.store.UpdateTask(r.Context(), task); err != nil {
		return err
	}
	return h.answerTask(w, r, task)
}

// fillTask reads, checks and applies the body's parameters to task.
func (h *Handler) fillTask(r *http.Request, task *outdial.Task) error {
	f, err := readFields(r, MaxBodyBytes)
	if err != nil {
		return err
	}
	p, err := parseTaskParams(f)
	if err != nil {
		return err
	}
	return h.resolve(r.Context(), p, task)
}

// listTasks answers GET /v1/task: a page of the tenant's tasks, oldest first.
func (h *Handler) listTasks(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	ctx := r.Context()
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	total, err := h.store.CountTasks(ctx, t.ID, outdial.TaskFilter{})
	if err != nil {
		return err
	}
	after, ok, err := p.skip(ctx, func(ctx context.Context, pg outdial.Page) ([]int64, error) {
		tasks, err := h.store.Tasks(ctx, t.ID, outdial.TaskFilter{Page: pg})
		keys := make([]int64, len(tasks))
		for i, x := range tasks {
			keys[i] = x.ID
		}
		return keys, err
	})
	if err != nil {
		return err
	}
	var items []taskEntity
	if ok {
		tasks, err := h.store.Tasks(ctx, t.ID, outdial.TaskFilter{Page: outdial.Page{After: after, Limit: p.perPage}})
		if err != nil {
			return err
		}
		rf := h.refs(ctx, t.ID)
		for _, task := range tasks {
			e, err := rf.task(task)
			if err != nil {
				return err
			}
			items = append(items, e)
		}
	}
	h.writeJSON(w, r, http.StatusOK, pageOf(h, r, p, items, total))
	return nil
}

// destroyTask answers GET /v1/task/destroy/{task_id} with the task as it was; a running
// task (or one with live calls) must be stopped first.
func (h *Handler) destroyTask(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	task, err := h.taskOf(r, "task_id", t)
	if err != nil {
		return err
	}
	e, err := h.refs(r.Context(), t.ID).task(task)
	if err != nil {
		return err
	}
	if err := h.store.DeleteTask(r.Context(), t.ID, task.ID); err != nil {
		if outdial.ErrorCode(err) == outdial.ECONFLICT {
			return outdial.Errorf(outdial.ECONFLICT, "the task is running or has live calls: stop it (GET /v1/task/stop/%s) "+
				"and let its calls end first", task.UUID)
		}
		return err
	}
	h.writeJSON(w, r, http.StatusOK, e)
	return nil
}

// startTask answers GET /v1/task/start/{id}. A paused task starts only when its
// maximumcall fits in its line's residue; a running task stays running.
func (h *Handler) startTask(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	task, err := h.taskOf(r, "id", t)
	if err != nil {
		return err
	}
	if task.Status != outdial.TaskRunning {
		line, err := h.store.Line(r.Context(), t.ID, task.LineID)
		if err != nil {
			return err
		}
		var fe fieldErrors
		if err := h.checkResidue(r.Context(), line, task.MaxConcurrency, task, &fe); err != nil {
			return err
		}
		if len(fe) > 0 {
			return outdial.Errorf(outdial.ECONFLICT, "cannot start: %s", fe[0].Message)
		}
	}
	if task, err = h.control.Start(r.Context(), t.ID, task.ID); err != nil {
		return err
	}
	return h.answerTask(w, r, task)
}

// stopTask answers GET /v1/task/stop/{id}: no new calls start, live calls end normally.
func (h *Handler) stopTask(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	task, err := h.taskOf(r, "id", t)
	if err != nil {
		return err
	}
	if task, err = h.control.Stop(r.Context(), t.ID, task.ID); err != nil {
		return err
	}
	return h.answerTask(w, r, task)
}

// progressOut is the answer of GET /v1/task/progress/{task_id}: the progress_bar fields
// (total customers, progress of them final, percent) and the counters behind them.
type progressOut struct {
	UUID     string `json:"uuid"`
	Start    int    `json:"start"`
	StartStr string `json:"start_str"`
	Total    int64  `json:"total"`
	Progress int64  `json:"progress"`
	Percent  int    `json:"percent"`
	Pending  int64  `json:"pending"`
	Dialed   int64  `json:"dialed"`
	Answered int64  `json:"answered"`
	Failed   int64  `json:"failed"`
	Calls    int64  `json:"calls"`
	Live     int64  `json:"live"`
}

func (h *Handler) taskProgress(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	task, err := h.taskOf(r, "task_id", t)
	if err != nil {
		return err
	}
	p, err := h.store.TaskProgress(r.Context(), t.ID, task.ID)
	if err != nil {
		return err
	}
	bar := showProgress(p)
	start, startStr := startFlag(task.Status)
	h.writeJSON(w, r, http.StatusOK, progressOut{UUID: task.UUID, Start: start, StartStr: startStr, Total: bar.Total,
		Progress: bar.Progress, Percent: bar.Percent, Pending: p.Pending, Dialed: p.Dialed, Answered: p.Answered,
		Failed: p.Failed, Calls: p.Calls, Live: p.Live})
	return nil
}
