package groupcall

import (
	"encoding/json"
	"net/http"

	"github.com/outdial/outdial"
)

// route is one value of r (after RoutePrefix): what it does, and its handler, which
// answers success itself and returns any error for the envelope.
type route struct {
	name    string // "task-list"
	summary string
	get     bool // also answers GET, with token and data in the query
	binary  bool // success is a file, not the envelope; errors carry an HTTP status too
	handle  func(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error
}

// routeTable lists every route, the document's first, in its order; README.md lists the
// same (a test checks it).
func (h *Handler) routeTable() []route {
	return []route{
		{name: "task-list", summary: "List the tenant's tasks with their daily window and status", handle: h.taskList},
		{name: "task-info", summary: "One task", handle: h.taskInfo},
		{name: "batch-add", summary: "Create a contact batch bound to a task", handle: h.batchAdd},
		{name: "task-bound-batch-id-list", summary: "The ids of the batches bound to a task", handle: h.boundBatches},
		{name: "task-start", summary: "Start a task", handle: h.taskStart},
		{name: "task-stop", summary: "Stop a task (the document's 关闭任务)", handle: h.taskStop},
		{name: "upload-data", summary: "Add contacts to a batch of a task", handle: h.uploadData},
		{name: "record-list", summary: "A page of a task's calls of today or of a past day", handle: h.recordList},
		{name: "record-download", summary: "Download a recording by its path from record-list (outdial's addition)",
			get: true, binary: true, handle: h.recordDownload},
		{name: "record-url", summary: "A signed link to a recording that works without the token for 7 days (outdial's addition)",
			handle: h.recordURL},
	}
}
