package telrobot

import (
	"context"
	"reflect"
	"strings"

	"github.com/google/uuid"
	"github.com/outdial/outdial"
)

// Notification types of call_notify_type.
const (
	NotifyAnswered = 1 // only calls that were answered
	NotifyAll      = 2 // every call, answered or not (the default with a URL)
)

// taskParams are the parameters of task create and update (the document's table, plus
// call_notify_url and call_notify_type), after the checks that need no store.
type taskParams struct {
	CallerLineID         string
	CustomerServiceID    int64 // 0: none
	DestinationExtension int64
	DisableDialTimegroup string
	Maximumcall          int
	Name                 string
	Remark               string
	OriginateTimeout     int
	CallPauseSecond      int
	AutoRecycleRuleID    int64
	CallNotifyURL        string
	CallNotifyType       int // 0 only without a URL
}

// taskKeys are the parameters; readOnlyKeys are the task entity's other fields, accepted
// and ignored so that an entity as answered can be sent back to PUT.
var taskKeys = map[string]bool{"caller_line_id": true, "customer_service_id": true, "destination_extension": true,
	"disable_dial_timegroup": true, "maximumcall": true, "name": true, "random_assignment_number": true,
	"recycle_limit": true, "remark": true, "_originate_timeout": true, "call_pause_second": true,
	"auto_recycle_rule_id": true, "call_notify_url": true, "call_notify_type": true}

var readOnlyKeys = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[taskEntity]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if !taskKeys[name] {
			m[name] = true
		}
	}
	return m
}()

// parseTaskParams checks the body's fields against every rule that needs no store; the
// error names every field at fault.
func parseTaskParams(f fields) (taskParams, error) {
	var fe fieldErrors
	f.unknown(&fe, taskKeys, readOnlyKeys)
	f.required(&fe, "caller_line_id", "destination_extension", "disable_dial_timegroup", "maximumcall", "name",
		"random_assignment_number", "recycle_limit", "_originate_timeout", "call_pause_second", "auto_recycle_rule_id")
	p := taskParams{
		CallerLineID: strings.ToLower(f.str("caller_line_id", &fe)), CustomerServiceID: f.integer("customer_service_id", &fe),
		DestinationExtension: f.integer("destination_extension", &fe), DisableDialTimegroup: strings.ToLower(f.str("disable_dial_timegroup", &fe)),
		Maximumcall: int(f.integer("maximumcall", &fe)), Name: f.str("name", &fe), Remark: f.str("remark", &fe),
		OriginateTimeout: int(f.integer("_originate_timeout", &fe)), CallPauseSecond: int(f.integer("call_pause_second", &fe)),
		AutoRecycleRuleID: f.integer("auto_recycle_rule_id", &fe), CallNotifyURL: f.str("call_notify_url", &fe),
		CallNotifyType: int(f.integer("call_notify_type", &fe)),
	}
	random, recycle := f.integer("random_assignment_number", &fe), f.integer("recycle_limit", &fe)
	check := func(field string, bad bool, format string, args ...any) {
		if bad && !fe.has(field) {
			fe.add(field, format, args...)
		}
	}
	check("name", p.Name == "", "name is required")
	check("name", len(p.Name) > 200, "name must be at most 200 bytes")
	check("remark", len(p.Remark) > 1000, "remark must be at most 1000 bytes")
	check("caller_line_id", !isUUID(p.CallerLineID), "caller_line_id must be the uuid of a line (value in caller_line_list)")
	check("disable_dial_timegroup", !isUUID(p.DisableDialTimegroup),
		"disable_dial_timegroup must be the uuid of a forbidden time group (enum_disable_dial_timegroup)")
	check("destination_extension", p.DestinationExtension < 1, "destination_extension must be the id of a script group")
	check("auto_recycle_rule_id", p.AutoRecycleRuleID < 1, "auto_recycle_rule_id must be the id of a recall rule")
	check("customer_service_id", p.CustomerServiceID < 0, "customer_service_id must be the id of an agent group, or null")
	check("maximumcall", p.Maximumcall < 1 || p.Maximumcall > 10000, "maximumcall must be 1 to 10000")
	check("random_assignment_number", random != 0, "random_assignment_number must be 0")
	check("recycle_limit", recycle != 0, "recycle_limit is deprecated and must be 0: use auto_recycle_rule_id")
	check("_originate_timeout", p.OriginateTimeout < 1 || p.OriginateTimeout > outdial.MaxRingTimeout,
		"_originate_timeout must be 1 to %d seconds", outdial.MaxRingTimeout)
	check("call_pause_second", p.CallPauseSecond < 0 || p.CallPauseSecond > 3600, "call_pause_second must be 0 to 3600 seconds")
	check("call_notify_url", p.CallNotifyURL != "" && !outdial.ValidCallbackURL(p.CallNotifyURL),
		"call_notify_url must be an http or https URL of at most 2048 bytes")
	check("call_notify_type", f.present("call_notify_type") && p.CallNotifyType != NotifyAnswered && p.CallNotifyType != NotifyAll,
		"call_notify_type must be 1 (answered calls) or 2 (every call)")
	if p.CallNotifyURL != "" && p.CallNotifyType == 0 {
		p.CallNotifyType = NotifyAll
	}
	return p, fe.err()
}

// isUUID reports whether s is a UUID in its usual 36-character form (uuids are stored and
// compared in lower case; callers lower them first).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// resolve checks what the parameters name against the tenant's data and fills t (a new
// task, or the stored one being updated) with them.
func (h *Handler) resolve(ctx context.Context, p taskParams, t *outdial.Task) error {
	var fe fieldErrors
	s, tenant := h.store, t.TenantID
	missing := func(field string, err error, format string, args ...any) bool {
		if outdial.ErrorCode(err) == outdial.ENOTFOUND {
			fe.add(field, format, args...)
			return true
		}
		return false
	}
	line, err := s.LineByUUID(ctx, tenant, p.CallerLineID)
	if !missing("caller_line_id", err, "no line %s: use a value of caller_line_list (GET /v1/task/create)", p.CallerLineID) && err != nil {
		return err
	}
	if line != nil {
		if err := h.checkResidue(ctx, line, p.Maximumcall, t, &fe); err != nil {
			return err
		}
	}
	script, err := s.ScriptGroup(ctx, tenant, p.DestinationExtension)
	if !missing("destination_extension", err, "no script group %d (GET /v1/outbound_group)", p.DestinationExtension) && err != nil {
		return err
	}
	tg, err := s.TimeGroupByUUID(ctx, tenant, p.DisableDialTimegroup)
	if !missing("disable_dial_timegroup", err, "no forbidden time group %s: use enum_disable_dial_timegroup", p.DisableDialTimegroup) && err != nil {
		return err
	}
	rule, err := s.RecallRule(ctx, tenant, p.AutoRecycleRuleID)
	if !missing("auto_recycle_rule_id", err, "no recall rule %d: use auto_recycle_rules", p.AutoRecycleRuleID) && err != nil {
		return err
	}
	var agents *outdial.AgentGroup
	if p.CustomerServiceID != 0 {
		agents, err = s.AgentGroup(ctx, tenant, p.CustomerServiceID)
		if !missing("customer_service_id", err, "no agent group %d (GET /v1/customer_service)", p.CustomerServiceID) && err != nil {
			return err
		}
		if agents != nil && !agents.Usable() {
			fe.add("customer_service_id", "agent group %d cannot take calls: only groups with status 1 and a caller_line_id can be used",
				agents.ID)
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	t.Name, t.Remark, t.LineID, t.ScriptGroupID, t.TimeGroupID, t.RecallRuleID = p.Name, p.Remark, line.ID, script.ID, tg.ID, rule.ID
	t.AgentGroupID = 0
	if agents != nil {
		t.AgentGroupID = agents.ID
	}
	t.MaxConcurrency, t.PauseSeconds, t.RingTimeoutSeconds = p.Maximumcall, p.CallPauseSecond, p.OriginateTimeout
	t.NotifyURL, t.NotifyType = p.CallNotifyURL, p.CallNotifyType
	return t.Validate()
}

// checkResidue refuses a maximumcall above the line's residue. A running task's own
// reservation on the line counts as free for it.
func (h *Handler) checkResidue(ctx context.Context, line *outdial.Line, maximumcall int, t *outdial.Task, fe *fieldErrors) error {
	_, used, err := h.store.LineUsage(ctx, t.TenantID, line.ID)
	if err != nil {
		return err
	}
	if t.Status == outdial.TaskRunning && t.LineID == line.ID {
		used -= t.MaxConcurrency
	}
	now := h.clock.Now()
	res := residue(line, used, now)
	switch {
	case !line.ValidUntil.IsZero() && !now.Before(line.ValidUntil):
		fe.add("caller_line_id", "line %q expired at %s: choose another line", line.Name, datetime(line.ValidUntil, defaultZone()))
	case !line.ValidFrom.IsZero() && now.Before(line.ValidFrom):
		fe.add("caller_line_id", "line %q is not available before %s", line.Name, datetime(line.ValidFrom, defaultZone()))
	case maximumcall > res:
		fe.add("maximumcall", "maximumcall %d is more than the residue of line %q (%d of its %d are free): lower it or stop another task",
			maximumcall, line.Name, res, line.Concurrency)
	}
	return nil
}
