package native

import (
	"net/http"

	"github.com/outdial/outdial"
)

func (h *Handler) taskControlRoutes() []route {
	return []route{
		{method: "POST", pattern: "/api/v1/tasks/{id}/start", summary: "Start a task (a running task stays running)",
			out: taskOut{}, handle: h.startTask},
		{method: "POST", pattern: "/api/v1/tasks/{id}/stop", summary: "Stop a task: no new calls start, live calls end normally",
			out: taskOut{}, handle: h.stopTask},
		{method: "GET", pattern: "/api/v1/tasks/{id}/progress", summary: "Read a task's progress counters",
			out: outdial.Progress{}, handle: h.taskProgress},
	}
}

func (h *Handler) startTask(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	id, err := pathID(r, "task")
	if err != nil {
		return err
	}
	task, err := h.control.Start(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, showTask(task))
	return nil
}

func (h *Handler) stopTask(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	id, err := pathID(r, "task")
	if err != nil {
		return err
	}
	task, err := h.control.Stop(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, showTask(task))
	return nil
}

func (h *Handler) taskProgress(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	id, err := pathID(r, "task")
	if err != nil {
		return err
	}
	p, err := h.store.TaskProgress(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, p)
	return nil
}
