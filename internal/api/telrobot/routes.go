package telrobot

import (
	"net/http"

	"github.com/outdial/outdial"
)

// route is one entry of the dialect's route table: what Register mounts and what the
// README test checks.
type route struct {
	method  string // "GET"
	pattern string // ServeMux path pattern, "/v1/task/{task_id}"
	summary string
	handle  func(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error
}

// routeTable lists every route, the document's first and then the ones designed here.
func (h *Handler) routeTable() []route {
	return []route{
		{"GET", "/v1/task/create", "Task-creation metadata: time groups, lines with residue, recall rules, agent and script groups", h.taskMeta},
		{"POST", "/v1/task", "Create a task (paused)", h.createTask},
		{"PUT", "/v1/task/{task_id}", "Update a task: every parameter, as in create", h.updateTask},
		{"GET", "/v1/task", "List tasks, paginated, with their line, recall rule, time group and script group", h.listTasks},
		{"GET", "/v1/task/destroy/{task_id}", "Delete a paused task with its customers (its call records stay)", h.destroyTask},
		{"GET", "/v1/task/start/{id}", "Start a task", h.startTask},
		{"GET", "/v1/task/stop/{id}", "Pause a task: no new calls, live calls end normally", h.stopTask},
		{"POST", "/v1/task/import_task_customer/{task_id}", "Import customers (phone, name, variables) into a task", h.importCustomers},
		{"GET", "/v1/task/progress/{task_id}", "A task's dialing progress", h.taskProgress},
		{"GET", "/v1/outbound_group", "List script groups, paginated", h.listScriptGroups},
		{"GET", "/v1/customer_service", "List agent groups, paginated", h.listAgentGroups},
	}
}
