package telrobot

import (
	"math"
	"net"
	"time"

	"github.com/outdial/outdial"
)

// Fixed values of fields that belong to the document's FreeSWITCH platform and mean
// nothing in outdial; they are shown as the document shows them.
const (
	destinationDialplan = "XML"
	destinationContext  = "default"
	originateVariables  = "{execute_on_media=start_da2}"
	dialFormat          = "user/admin"
	lineFeature         = 7
)

// taskEntity is a task as every task route answers it: the document's task list item,
// which holds every field of its create answer too. Times are in the task's time zone.
type taskEntity struct {
	UUID                      string           `json:"uuid"`
	Name                      string           `json:"name"`
	CreateDatetime            string           `json:"create_datetime"`
	AlterDatetime             string           `json:"alter_datetime"`
	Start                     int              `json:"start"`
	Maximumcall               int              `json:"maximumcall"`
	CallPerSecond             int              `json:"call_per_second"`
	RecycleLimit              int              `json:"recycle_limit"`
	RandomAssignmentNumber    int              `json:"random_assignment_number"`
	DisableDialTimegroup      *string          `json:"disable_dial_timegroup"`
	DestinationExtension      int64            `json:"destination_extension"`
	DestinationDialplan       string           `json:"destination_dialplan"`
	DestinationContext        string           `json:"destination_context"`
	SchedulingPolicyRatio     *string          `json:"scheduling_policy_ratio"`
	SchedulingQueue           *string          `json:"scheduling_queue"`
	DialFormat                string           `json:"dial_format"`
	Domain                    *string          `json:"domain"`
	Remark                    *string          `json:"remark"`
	Sort                      int              `json:"sort"`
	OriginateVariables        string           `json:"originate_variables"`
	OriginateTimeout          int              `json:"_originate_timeout"`
	OriginationCallerIDNumber string           `json:"_origination_caller_id_number"`
	UserID                    string           `json:"user_id"`
	CallerLineID              string           `json:"caller_line_id"`
	CustomerServiceID         *int64           `json:"customer_service_id"`
	AutoRecycleRuleID         *int64           `json:"auto_recycle_rule_id"`
	CallNotifyURL             *string          `json:"call_notify_url"`
	CallNotifyType            *int             `json:"call_notify_type"`
	CallPauseSecond           int              `json:"call_pause_second"`
	StartStr                  string           `json:"start_str"`
	GroupStr                  string           `json:"group_str"`
	ProgressBar               progressBar      `json:"progress_bar"`
	CallerLine                *callerLineWire  `json:"caller_line"`
	AutoRecycleRule           *recallRuleWire  `json:"auto_recycle_rule"`
	DisableTimeGroup          *timeGroupWire   `json:"disable_time_group"`
	Group                     *scriptGroupWire `json:"group"`
}

// progressBar is a task's progress: total customers, progress of them final, percent.
type progressBar struct {
	Total    int64 `json:"total"`
	Progress int64 `json:"progress"`
	Percent  int   `json:"percent"`
}

func showProgress(p outdial.Progress) progressBar {
	return progressBar{Total: p.Total, Progress: p.Total - p.Pending, Percent: p.Percent}
}

// callerLineWire is the task's line. id is its uuid; call_line_used is the concurrency
// running tasks have reserved; available_time is its validity in seconds (0: no end);
// node_ip is the host of its SIP gateway.
type callerLineWire struct {
	ID                         string  `json:"id"`
	Name                       string  `json:"name"`
	UserID                     string  `json:"user_id"`
	Description                *string `json:"description"`
	DeadlineAt                 *string `json:"deadline_at"`
	AvailableTime              int64   `json:"available_time"`
	BeginAt                    string  `json:"begin_at"`
	CallLine                   int     `json:"call_line"`
	CallLineUsed               int     `json:"call_line_used"`
	CallNumberPrefix           string  `json:"call_number_prefix"`
	IsCallNumberEnable         int     `json:"is_call_number_enable"`
	IsCallNumberPrefixEditable int     `json:"is_call_number_prefix_editable"`
	DialString                 string  `json:"dial_string"`
	DialStringMode             int     `json:"dial_string_mode"`
	DBPublicID                 *int64  `json:"db_public_id"`
	DBPrivateID                *int64  `json:"db_private_id"`
	NodeIP                     string  `json:"node_ip"`
	NodeStatus                 string  `json:"node_status"`
	CreatedAt                  string  `json:"created_at"`
	UpdatedAt                  string  `json:"updated_at"`
	Feature                    int     `json:"feature"`
}

// recallRuleWire is the task's recall rule; status is whether it is enabled.
type recallRuleWire struct {
	ID        int64  `json:"id"`
	UserID    string `json:"user_id"`
	Name      string `json:"name"`
	Remark    string `json:"remark"`
	Status    bool   `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	IsDefault bool   `json:"is_default"`
}

// timeGroupWire is the task's forbidden time group; domain is always "".
type timeGroupWire struct {
	UUID      string  `json:"uuid"`
	Name      string  `json:"name"`
	Domain    string  `json:"domain"`
	UserID    string  `json:"user_id"`
	CreatedAt *string `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
}

// task shows a task with the entities it uses and its progress.
func (r *refs) task(t *outdial.Task) (taskEntity, error) {
	loc := location(t.TimeZone)
	line, err := r.line(t.LineID)
	if err != nil {
		return taskEntity{}, err
	}
	script, err := r.script(t.ScriptGroupID)
	if err != nil {
		return taskEntity{}, err
	}
	tg, err := r.timeGroup(t.TimeGroupID)
	if err != nil {
		return taskEntity{}, err
	}
	rule, err := r.recall(t.RecallRuleID)
	if err != nil {
		return taskEntity{}, err
	}
	p, err := r.store.TaskProgress(r.ctx, r.tenantID, t.ID)
	if err != nil {
		return taskEntity{}, err
	}
	start, startStr := startFlag(t.Status)
	e := taskEntity{UUID: t.UUID, Name: t.Name, CreateDatetime: datetime(t.CreatedAt, loc), AlterDatetime: datetime(t.UpdatedAt, loc),
		Start: start, Maximumcall: t.MaxConcurrency, DestinationExtension: t.ScriptGroupID,
		DestinationDialplan: destinationDialplan, DestinationContext: destinationContext, DialFormat: dialFormat,
		Remark: nullString(t.Remark), Sort: 1, OriginateVariables: originateVariables, OriginateTimeout: t.RingTimeoutSeconds,
		OriginationCallerIDNumber: t.CallerNumber, UserID: UserID(t.TenantID), CustomerServiceID: nullID(t.AgentGroupID),
		AutoRecycleRuleID: nullID(t.RecallRuleID), CallNotifyURL: nullString(t.NotifyURL), CallPauseSecond: t.PauseSeconds,
		StartStr: startStr, ProgressBar: showProgress(p), Group: showScriptGroup(script)}
	if t.NotifyType != 0 {
		n := t.NotifyType
		e.CallNotifyType = &n
	}
	if script != nil {
		e.GroupStr = script.Name
	}
	if tg != nil {
		e.DisableDialTimegroup = &tg.UUID
		e.DisableTimeGroup = &timeGroupWire{UUID: tg.UUID, Name: tg.Name, UserID: UserID(tg.TenantID),
			CreatedAt: nullDatetime(tg.CreatedAt, loc), UpdatedAt: nullDatetime(tg.UpdatedAt, loc)}
	}
	if rule != nil {
		e.AutoRecycleRule = &recallRuleWire{ID: rule.ID, UserID: UserID(rule.TenantID), Name: rule.Name, Remark: rule.Remark,
			Status: rule.Enabled, CreatedAt: datetime(rule.CreatedAt, loc), UpdatedAt: datetime(rule.UpdatedAt, loc),
			IsDefault: rule.IsDefault}
	}
	if line != nil {
		used, err := r.used(line.ID)
		if err != nil {
			return taskEntity{}, err
		}
		e.CallerLineID = line.UUID
		if e.OriginationCallerIDNumber == "" {
			e.OriginationCallerIDNumber = callerNumber(line)
		}
		if line.CallsPerSecond > 0 {
			e.CallPerSecond = int(math.Ceil(line.CallsPerSecond))
		}
		e.CallerLine = showLine(line, used, loc)
	}
	return e, nil
}

// showLine shows a task's line with the concurrency running tasks have reserved.
func showLine(l *outdial.Line, used int, loc *time.Location) *callerLineWire {
	begin := l.ValidFrom
	if begin.IsZero() {
		begin = l.CreatedAt
	}
	var avail int64
	if !l.ValidUntil.IsZero() {
		avail = int64(l.ValidUntil.Sub(begin).Seconds())
	}
	host, _, err := net.SplitHostPort(l.Gateway)
	if err != nil {
		host = l.Gateway
	}
	return &callerLineWire{ID: l.UUID, Name: l.Name, UserID: UserID(l.TenantID), DeadlineAt: nullDatetime(l.ValidUntil, loc),
		AvailableTime: max(avail, 0), BeginAt: datetime(begin, loc), CallLine: l.Concurrency, CallLineUsed: used,
		CallNumberPrefix: callerNumber(l), IsCallNumberEnable: 1, DialString: dialFormat, DialStringMode: 1,
		NodeIP: host, NodeStatus: "1", CreatedAt: datetime(l.CreatedAt, loc), UpdatedAt: datetime(l.UpdatedAt, loc),
		Feature: lineFeature}
}
