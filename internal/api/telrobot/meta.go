package telrobot

import (
	"net/http"

	"github.com/outdial/outdial"
)

// MaxRecycleLimit is the meta's max_recycle_limit (a string, as the document shows): the
// most attempts a recall rule allows. The document deprecates it for recall rules.
const MaxRecycleLimit = "50"

// metaOut is the answer of GET /v1/task/create.
type metaOut struct {
	Meta taskMeta `json:"meta"`
}

// taskMeta is everything a task form chooses from.
type taskMeta struct {
	TimeGroups      []timeGroupOption  `json:"enum_disable_dial_timegroup"`
	Lines           []lineOption       `json:"caller_line_list"`
	MaxRecycleLimit string             `json:"max_recycle_limit"`
	RecallRules     []recallRuleOption `json:"auto_recycle_rules"`
	AgentGroups     []agentGroupWire   `json:"customer_service"`
	ScriptGroups    []scriptGroupWire  `json:"outbound_group"`
}

// timeGroupOption is a forbidden time group to choose.
type timeGroupOption struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// lineOption is a line to choose: value is its uuid (the task's caller_line_id), residue
// its concurrency not reserved by running tasks, call_line its whole concurrency,
// available_at when it expires (null: never), call_number the caller number it presents.
type lineOption struct {
	Name        string  `json:"name"`
	Value       string  `json:"value"`
	Residue     int     `json:"residue"`
	CallLine    int     `json:"call_line"`
	AvailableAt *string `json:"available_at"`
	CallNumber  string  `json:"call_number"`
}

// recallRuleOption is a recall rule to choose; status is whether it is enabled.
type recallRuleOption struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Remark string `json:"remark"`
	Status bool   `json:"status"`
}

// agentGroupWire is an agent group (客服组): a task can use it when status is 1 and
// caller_line_id (the uuid of the line that reaches its agents) is not null.
type agentGroupWire struct {
	ID           int64   `json:"id"`
	UserID       string  `json:"user_id"`
	Name         string  `json:"name"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
	CallerLineID *string `json:"caller_line_id"`
	Status       int     `json:"status"`
}

// scriptGroupWire is a script group (话术分组); debug speaks every prompt by TTS. outdial
// has no link word groups, business scenes or soft deletion: those fields are null.
type scriptGroupWire struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	UserID          string  `json:"user_id"`
	Debug           bool    `json:"debug"`
	DeletedAt       *string `json:"deleted_at"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
	LinkWordGroupID *int64  `json:"link_word_group_id"`
	TagSceneID      *int64  `json:"tag_scene_id"`
	Default         bool    `json:"default"`
}

func showScriptGroup(g *outdial.ScriptGroup) *scriptGroupWire {
	if g == nil {
		return nil
	}
	z := defaultZone()
	return &scriptGroupWire{ID: g.ID, Name: g.Name, UserID: UserID(g.TenantID), Debug: g.Debug,
		CreatedAt: datetime(g.CreatedAt, z), UpdatedAt: datetime(g.UpdatedAt, z), Default: g.IsDefault}
}

// showAgentGroup shows g; lineUUID is the uuid of its line ("" for none).
func showAgentGroup(g *outdial.AgentGroup, lineUUID string) agentGroupWire {
	z := defaultZone()
	return agentGroupWire{ID: g.ID, UserID: UserID(g.TenantID), Name: g.Name, CreatedAt: datetime(g.CreatedAt, z),
		UpdatedAt: datetime(g.UpdatedAt, z), CallerLineID: nullString(lineUUID), Status: g.Status}
}

// agentGroups shows groups with the uuids of their lines.
func (r *refs) agentGroups(groups []*outdial.AgentGroup) ([]agentGroupWire, error) {
	out := make([]agentGroupWire, 0, len(groups))
	for _, g := range groups {
		l, err := r.line(g.LineID)
		if err != nil {
			return nil, err
		}
		id := ""
		if l != nil {
			id = l.UUID
		}
		out = append(out, showAgentGroup(g, id))
	}
	return out, nil
}

// taskMeta answers GET /v1/task/create from the tenant's lines, groups and rules.
func (h *Handler) taskMeta(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	ctx, s := r.Context(), h.store
	rf := h.refs(ctx, t.ID)
	out := taskMeta{MaxRecycleLimit: MaxRecycleLimit, TimeGroups: []timeGroupOption{}, Lines: []lineOption{},
		RecallRules: []recallRuleOption{}, ScriptGroups: []scriptGroupWire{}}
	tgs, err := all(ctx, t.ID, s.TimeGroups, func(g *outdial.TimeGroup) int64 { return g.ID })
	if err != nil {
		return err
	}
	for _, g := range tgs {
		out.TimeGroups = append(out.TimeGroups, timeGroupOption{UUID: g.UUID, Name: g.Name})
	}
	lines, err := all(ctx, t.ID, s.Lines, func(l *outdial.Line) int64 { return l.ID })
	if err != nil {
		return err
	}
	now := h.clock.Now()
	for _, l := range lines {
		rf.lines[l.ID] = l
		used, err := rf.used(l.ID)
		if err != nil {
			return err
		}
		out.Lines = append(out.Lines, lineOption{Name: l.Name, Value: l.UUID, Residue: residue(l, used, now),
			CallLine: l.Concurrency, AvailableAt: nullDatetime(l.ValidUntil, defaultZone()), CallNumber: callerNumber(l)})
	}
	rules, err := all(ctx, t.ID, s.RecallRules, func(x *outdial.RecallRule) int64 { return x.ID })
	if err != nil {
		return err
	}
	for _, x := range rules {
		out.RecallRules = append(out.RecallRules, recallRuleOption{ID: x.ID, Name: x.Name, Remark: x.Remark, Status: x.Enabled})
	}
	groups, err := all(ctx, t.ID, s.AgentGroups, func(g *outdial.AgentGroup) int64 { return g.ID })
	if err != nil {
		return err
	}
	if out.AgentGroups, err = rf.agentGroups(groups); err != nil {
		return err
	}
	scripts, err := all(ctx, t.ID, s.ScriptGroups, func(g *outdial.ScriptGroup) int64 { return g.ID })
	if err != nil {
		return err
	}
	for _, g := range scripts {
		out.ScriptGroups = append(out.ScriptGroups, *showScriptGroup(g))
	}
	h.writeJSON(w, r, http.StatusOK, metaOut{Meta: out})
	return nil
}
