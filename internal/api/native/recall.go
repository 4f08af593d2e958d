package native

import (
	"context"
	"net/url"
	"time"

	"github.com/outdial/outdial"
)

// recallRuleIn is the body of recall rule create and update. Enabled is true when absent.
type recallRuleIn struct {
	Name        string   `json:"name"`
	Remark      string   `json:"remark"`
	Enabled     *bool    `json:"enabled"`
	Results     []string `json:"results" enum:"no_answer,busy,rejected,invalid_number,unreachable,failed,cancelled,interrupted"`
	Intervals   []int    `json:"intervals"`
	MaxAttempts int      `json:"max_attempts"`
	IsDefault   bool     `json:"is_default"`
}

// recallRuleOut is a recall rule.
type recallRuleOut struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Remark      string     `json:"remark"`
	Enabled     bool       `json:"enabled"`
	Results     []string   `json:"results" enum:"no_answer,busy,rejected,invalid_number,unreachable,failed,cancelled,interrupted"`
	Intervals   []int      `json:"intervals"`
	MaxAttempts int        `json:"max_attempts"`
	IsDefault   bool       `json:"is_default"`
	CreatedAt   *time.Time `json:"created_at"`
	UpdatedAt   *time.Time `json:"updated_at"`
}

func fillRecallRule(in *recallRuleIn, r *outdial.RecallRule) error {
	if len(in.Results) > len(outdial.Results) {
		return outdial.FieldErrorf("results", "results lists at most %d results", len(outdial.Results))
	}
	r.Name, r.Remark, r.MaxAttempts, r.IsDefault = in.Name, in.Remark, in.MaxAttempts, in.IsDefault
	r.Enabled = in.Enabled == nil || *in.Enabled
	r.Intervals = in.Intervals
	r.Results = make([]outdial.Result, len(in.Results))
	for i, s := range in.Results {
		r.Results[i] = outdial.Result(s)
	}
	if len(r.Remark) > 1000 {
		return outdial.FieldErrorf("remark", "remark must be at most 1000 bytes")
	}
	return r.Validate()
}

func showRecallRule(r *outdial.RecallRule) recallRuleOut {
	out := recallRuleOut{ID: r.ID, Name: r.Name, Remark: r.Remark, Enabled: r.Enabled, Results: make([]string, len(r.Results)),
		Intervals: nonNil(r.Intervals), MaxAttempts: r.MaxAttempts, IsDefault: r.IsDefault,
		CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt)}
	for i, res := range r.Results {
		out.Results[i] = string(res)
	}
	return out
}

func (h *Handler) recallRules() *resource[outdial.RecallRule, recallRuleIn, recallRuleOut] {
	s := h.store
	return &resource[outdial.RecallRule, recallRuleIn, recallRuleOut]{
		h: h, noun: "recall rule", nouns: "recall rules", path: "/api/v1/recall-rules",
		list: func(ctx context.Context, tenantID int64, _ url.Values, pg outdial.Page) ([]*outdial.RecallRule, error) {
			return s.RecallRules(ctx, tenantID, pg)
		},
		get:    s.RecallRule,
		create: s.CreateRecallRule,
		update: s.UpdateRecallRule,
		remove: s.DeleteRecallRule,
		blank:  func(tenantID int64) *outdial.RecallRule { return &outdial.RecallRule{TenantID: tenantID} },
		fill:   fillRecallRule,
		show:   showRecallRule,
		key:    func(r *outdial.RecallRule) int64 { return r.ID },
	}
}

// agentWire is one agent of a group.
type agentWire struct {
	Name      string `json:"name"`
	Extension string `json:"extension"`
}

// agentGroupIn is the body of agent group create and update. Status is 1 (usable) when
// absent.
type agentGroupIn struct {
	Name   string      `json:"name"`
	LineID int64       `json:"line_id"`
	Status *int        `json:"status"`
	Agents []agentWire `json:"agents"`
}

// agentGroupOut is an agent group.
type agentGroupOut struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	LineID    int64       `json:"line_id"`
	Status    int         `json:"status"`
	Agents    []agentWire `json:"agents"`
	CreatedAt *time.Time  `json:"created_at"`
	UpdatedAt *time.Time  `json:"updated_at"`
}

func fillAgentGroup(in *agentGroupIn, g *outdial.AgentGroup) error {
	g.Name, g.LineID, g.Status = in.Name, in.LineID, 1
	if in.Status != nil {
		g.Status = *in.Status
	}
	if in.LineID < 0 {
		return outdial.FieldErrorf("line_id", "line_id must be a line's id, or 0 for none")
	}
	g.Agents = make([]outdial.Agent, len(in.Agents))
	for i, a := range in.Agents {
		g.Agents[i] = outdial.Agent{Name: a.Name, Extension: a.Extension}
	}
	return g.Validate()
}

func showAgentGroup(g *outdial.AgentGroup) agentGroupOut {
	out := agentGroupOut{ID: g.ID, Name: g.Name, LineID: g.LineID, Status: g.Status, Agents: make([]agentWire, len(g.Agents)),
		CreatedAt: ts(g.CreatedAt), UpdatedAt: ts(g.UpdatedAt)}
	for i, a := range g.Agents {
		out.Agents[i] = agentWire{Name: a.Name, Extension: a.Extension}
	}
	return out
}

func (h *Handler) agentGroups() *resource[outdial.AgentGroup, agentGroupIn, agentGroupOut] {
	s := h.store
	return &resource[outdial.AgentGroup, agentGroupIn, agentGroupOut]{
		h: h, noun: "agent group", nouns: "agent groups", path: "/api/v1/agent-groups",
		list: func(ctx context.Context, tenantID int64, _ url.Values, pg outdial.Page) ([]*outdial.AgentGroup, error) {
			return s.AgentGroups(ctx, tenantID, pg)
		},
		get:    s.AgentGroup,
		create: s.CreateAgentGroup,
		update: s.UpdateAgentGroup,
		remove: s.DeleteAgentGroup,
		blank:  func(tenantID int64) *outdial.AgentGroup { return &outdial.AgentGroup{TenantID: tenantID} },
		fill:   fillAgentGroup,
		refs: func(ctx context.Context, g *outdial.AgentGroup) error {
			return owned(ctx, s.Line, g.TenantID, g.LineID, "line_id", "line")
		},
		show: showAgentGroup,
		key:  func(g *outdial.AgentGroup) int64 { return g.ID },
	}
}
