package native

import (
	"context"
	"net/url"
	"time"

	"github.com/outdial/outdial"
)

// windowWire is a task's daily calling window in its time zone, "HH:MM:SS" to
// "HH:MM:SS"; start after end crosses midnight, equal means all day.
type windowWire struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// taskIn is the body of task create and update. Absent numbers take the defaults:
// max_concurrency 1, ring_timeout_seconds 60, time_zone Asia/Shanghai, window all day,
// project_id the default project; 0 for time_group_id, recall_rule_id and agent_group_id
// means none.
type taskIn struct {
	ProjectID          int64       `json:"project_id"`
	Name               string      `json:"name"`
	Remark             string      `json:"remark"`
	LineID             int64       `json:"line_id"`
	ScriptGroupID      int64       `json:"script_group_id"`
	TimeGroupID        int64       `json:"time_group_id"`
	RecallRuleID       int64       `json:"recall_rule_id"`
	AgentGroupID       int64       `json:"agent_group_id"`
	MaxConcurrency     int         `json:"max_concurrency"`
	PauseSeconds       int         `json:"pause_seconds"`
	RingTimeoutSeconds int         `json:"ring_timeout_seconds"`
	Window             *windowWire `json:"window"`
	TimeZone           string      `json:"time_zone"`
	CallerNumber       string      `json:"caller_number"`
	NotifyURL          string      `json:"notify_url"`
	NotifyType         int         `json:"notify_type"`
}

// taskOut is a task. Status is stopped, running or finished; it changes only through
// the start and stop routes and the engine.
type taskOut struct {
	ID                 int64      `json:"id"`
	UUID               string     `json:"uuid"`
	ProjectID          int64      `json:"project_id"`
	Name               string     `json:"name"`
	Remark             string     `json:"remark"`
	Status             string     `json:"status" enum:"stopped,running,finished"`
	LineID             int64      `json:"line_id"`
	ScriptGroupID      int64      `json:"script_group_id"`
	TimeGroupID        int64      `json:"time_group_id"`
	RecallRuleID       int64      `json:"recall_rule_id"`
	AgentGroupID       int64      `json:"agent_group_id"`
	MaxConcurrency     int        `json:"max_concurrency"`
	PauseSeconds       int        `json:"pause_seconds"`
	RingTimeoutSeconds int        `json:"ring_timeout_seconds"`
	Window             windowWire `json:"window"`
	TimeZone           string     `json:"time_zone"`
	CallerNumber       string     `json:"caller_number"`
	NotifyURL          string     `json:"notify_url"`
	NotifyType         int        `json:"notify_type"`
	CreatedAt          *time.Time `json:"created_at"`
	UpdatedAt          *time.Time `json:"updated_at"`
}

func fillTask(in *taskIn, t *outdial.Task) error {
	for _, ref := range []struct {
		field string
		id    int64
	}{{"project_id", in.ProjectID}, {"line_id", in.LineID}, {"script_group_id", in.ScriptGroupID},
		{"time_group_id", in.TimeGroupID}, {"recall_rule_id", in.RecallRuleID}, {"agent_group_id", in.AgentGroupID}} {
		if ref.id < 0 {
			return outdial.FieldErrorf(ref.field, "%s must be an id, or 0 for none", ref.field)
		}
	}
	t.Window = outdial.DailyWindow{}
	if in.Window != nil {
		var err error
		if t.Window.Start, err = parseClock(in.Window.Start, "window.start"); err != nil {
			return err
		}
		if t.Window.End, err = parseClock(in.Window.End, "window.end"); err != nil {
			return err
		}
	}
	if in.NotifyType < 0 || in.NotifyType > 1000 {
		return outdial.FieldErrorf("notify_type", "notify_type must be 0 to 1000")
	}
	t.ProjectID, t.Name, t.Remark = in.ProjectID, in.Name, in.Remark
	t.LineID, t.ScriptGroupID, t.TimeGroupID = in.LineID, in.ScriptGroupID, in.TimeGroupID
	t.RecallRuleID, t.AgentGroupID = in.RecallRuleID, in.AgentGroupID
	t.MaxConcurrency, t.PauseSeconds, t.RingTimeoutSeconds = in.MaxConcurrency, in.PauseSeconds, in.RingTimeoutSeconds
	t.TimeZone, t.CallerNumber, t.NotifyURL, t.NotifyType = in.TimeZone, in.CallerNumber, in.NotifyURL, in.NotifyType
	return t.Validate()
}

func showTask(t *outdial.Task) taskOut {
	return taskOut{ID: t.ID, UUID: t.UUID, ProjectID: t.ProjectID, Name: t.Name, Remark: t.Remark, Status: string(t.Status),
		LineID: t.LineID, ScriptGroupID: t.ScriptGroupID, TimeGroupID: t.TimeGroupID, RecallRuleID: t.RecallRuleID,
		AgentGroupID: t.AgentGroupID, MaxConcurrency: t.MaxConcurrency, PauseSeconds: t.PauseSeconds,
		RingTimeoutSeconds: t.RingTimeoutSeconds, Window: windowWire{Start: t.Window.Start.String(), End: t.Window.End.String()},
		TimeZone: t.TimeZone, CallerNumber: t.CallerNumber, NotifyURL: t.NotifyURL, NotifyType: t.NotifyType,
		CreatedAt: ts(t.CreatedAt), UpdatedAt: ts(t.UpdatedAt)}
}

func (h *Handler) tasks() *resource[outdial.Task, taskIn, taskOut] {
	s := h.store
	return &resource[outdial.Task, taskIn, taskOut]{
		h: h, noun: "task", nouns: "tasks", path: "/api/v1/tasks",
		filters: []param{
			{name: "project_id", typ: "integer", desc: "only the tasks of this project"},
			{name: "status", typ: "string", desc: "only tasks in this status", enum: []string{"stopped", "running", "finished"}},
		},
		list: func(ctx context.Context, tenantID int64, q url.Values, pg outdial.Page) ([]*outdial.Task, error) {
			f := outdial.TaskFilter{Status: outdial.TaskStatus(q.Get("status")), Page: pg}
			switch f.Status {
			case "", outdial.TaskStopped, outdial.TaskRunning, outdial.TaskFinished:
			default:
				return nil, outdial.FieldErrorf("status", "status must be stopped, running or finished")
			}
			var err error
			if f.ProjectID, err = queryID(q, "project_id"); err != nil {
				return nil, err
			}
			return s.Tasks(ctx, tenantID, f)
		},
		get:    s.Task,
		create: s.CreateTask,
		update: s.UpdateTask,
		remove: s.DeleteTask,
		blank:  func(tenantID int64) *outdial.Task { return &outdial.Task{TenantID: tenantID} },
		fill:   fillTask,
		refs: func(ctx context.Context, t *outdial.Task) error {
			for _, err := range []func() error{
				func() error { return owned(ctx, s.Project, t.TenantID, t.ProjectID, "project_id", "project") },
				func() error { return owned(ctx, s.Line, t.TenantID, t.LineID, "line_id", "line") },
				func() error {
					return owned(ctx, s.ScriptGroup, t.TenantID, t.ScriptGroupID, "script_group_id", "script group")
				},
				func() error { return owned(ctx, s.TimeGroup, t.TenantID, t.TimeGroupID, "time_group_id", "time group") },
				func() error {
					return owned(ctx, s.RecallRule, t.TenantID, t.RecallRuleID, "recall_rule_id", "recall rule")
				},
				func() error {
					return owned(ctx, s.AgentGroup, t.TenantID, t.AgentGroupID, "agent_group_id", "agent group")
				},
			} {
				if err := err(); err != nil {
					return err
				}
			}
			return nil
		},
		show: showTask,
		key:  func(t *outdial.Task) int64 { return t.ID },
	}
}
