package outdial

import (
	"net/url"
	"time"
)

// TaskStatus is where a task is in its life.
type TaskStatus string

// Task statuses. A new task is stopped; start makes it running; it is finished when every
// contact is final (importing more contacts and starting it again resumes it).
const (
	TaskStopped  TaskStatus = "stopped"
	TaskRunning  TaskStatus = "running"
	TaskFinished TaskStatus = "finished"
)

// Task is a calling campaign: a line, a script group and the rules that decide when and
// how fast its contacts are called.
type Task struct {
	ID            int64      `json:"id"`
	UUID          string     `json:"uuid"`
	TenantID      int64      `json:"-"`
	ProjectID     int64      `json:"project_id"`
	Name          string     `json:"name"`
	Remark        string     `json:"remark"`
	Status        TaskStatus `json:"status"`
	LineID        int64      `json:"line_id"`
	ScriptGroupID int64      `json:"script_group_id"`
	TimeGroupID   int64      `json:"time_group_id,omitempty"`  // 0: no forbidden times
	RecallRuleID  int64      `json:"recall_rule_id,omitempty"` // 0: no recalls
	AgentGroupID  int64      `json:"agent_group_id,omitempty"` // 0: no transfers
	// MaxConcurrency is the task's own limit of live calls (telrobot's maximumcall).
	MaxConcurrency int `json:"max_concurrency"`
	// PauseSeconds is the pause between two calls on one channel (call_pause_second).
	PauseSeconds int `json:"pause_seconds"`
	// RingTimeoutSeconds is how long a call rings before it is cancelled (_originate_timeout).
	RingTimeoutSeconds int         `json:"ring_timeout_seconds"`
	Window             DailyWindow `json:"-"`
	TimeZone           string      `json:"time_zone"`
	// CallerNumber overrides the line's caller numbers when set.
	CallerNumber string `json:"caller_number,omitempty"`
	// NotifyURL receives the telrobot-style hangup notification of every call;
	// NotifyType is that dialect's call_notify_type.
	NotifyURL  string    `json:"notify_url,omitempty"`
	NotifyType int       `json:"notify_type,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Task defaults.
const (
	DefaultRingTimeout = 60
	MaxRingTimeout     = 300
)

// Validate checks the task's own fields and fills defaults; references to other entities
// are checked by the store.
func (t *Task) Validate() error {
	if t.TimeZone == "" {
		t.TimeZone = DefaultTimeZone
	}
	if t.RingTimeoutSeconds == 0 {
		t.RingTimeoutSeconds = DefaultRingTimeout
	}
	if t.MaxConcurrency == 0 {
		t.MaxConcurrency = 1
	}
	if t.Status == "" {
		t.Status = TaskStopped
	}
	if t.Window.End == 0 && t.Window.Start == 0 {
		t.Window.End = EndOfDay
	}
	switch {
	case t.Name == "" || len(t.Name) > 200:
		return FieldErrorf("name", "task name must be 1 to 200 bytes")
	case len(t.Remark) > 1000:
		return FieldErrorf("remark", "remark must be at most 1000 bytes")
	case t.LineID == 0:
		return FieldErrorf("line_id", "a task needs a line")
	case t.ScriptGroupID == 0:
		return FieldErrorf("script_group_id", "a task needs a script group")
	case t.MaxConcurrency < 1 || t.MaxConcurrency > 10000:
		return FieldErrorf("max_concurrency", "max_concurrency must be 1 to 10000")
	case t.PauseSeconds < 0 || t.PauseSeconds > 3600:
		return FieldErrorf("pause_seconds", "pause_seconds must be 0 to 3600")
	case t.RingTimeoutSeconds < 1 || t.RingTimeoutSeconds > MaxRingTimeout:
		return FieldErrorf("ring_timeout_seconds", "ring_timeout_seconds must be 1 to %d", MaxRingTimeout)
	case !t.Window.Start.Valid() || !t.Window.End.Valid() || t.Window.Start == EndOfDay:
		return FieldErrorf("window", "the daily window must be within 00:00:00 and 24:00:00")
	case t.Status != TaskStopped && t.Status != TaskRunning && t.Status != TaskFinished:
		return FieldErrorf("status", "unknown status %q", t.Status)
	case len(t.CallerNumber) > 32:
		return FieldErrorf("caller_number", "caller_number must be at most 32 characters")
	case t.NotifyURL != "" && !ValidCallbackURL(t.NotifyURL):
		return FieldErrorf("notify_url", "notify_url must be an http or https URL")
	}
	if _, err := time.LoadLocation(t.TimeZone); err != nil {
		return FieldErrorf("time_zone", "unknown time zone %q", t.TimeZone)
	}
	return nil
}

// Location returns the task's time zone (UTC if it cannot be loaded).
func (t *Task) Location() *time.Location {
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// ValidCallbackURL reports whether s is an absolute http(s) URL of at most 2048 bytes.
// Where it may be delivered (no private addresses) is decided at delivery time.
func ValidCallbackURL(s string) bool {
	if len(s) > 2048 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// Progress is how far a task has come, read from counters kept as calls end.
type Progress struct {
	Total    int64 `json:"total"`    // contacts in the task
	Pending  int64 `json:"pending"`  // contacts not final yet (due, waiting for a recall, or live)
	Dialed   int64 `json:"dialed"`   // contacts called at least once
	Answered int64 `json:"answered"` // contacts final with an answered call
	Failed   int64 `json:"failed"`   // contacts final without an answered call
	Calls    int64 `json:"calls"`    // finished call attempts
	Live     int64 `json:"live"`     // calls in progress
	Percent  int   `json:"percent"`  // final contacts as a whole percentage of Total
}

// ComputePercent fills Percent from the counters (100 for an empty task).
func (p *Progress) ComputePercent() {
	if p.Total <= 0 {
		p.Percent = 0
		return
	}
	p.Percent = int((p.Total - p.Pending) * 100 / p.Total)
}
