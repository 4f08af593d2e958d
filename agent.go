package outdial

import "time"

// AgentGroup is a group of human agents that answered calls can be transferred to, over
// its own line.
type AgentGroup struct {
	ID       int64  `json:"id"`
	TenantID int64  `json:"-"`
	Name     string `json:"name"`
	// LineID is the line used to reach the agents; a group without one cannot take calls.
	LineID int64 `json:"line_id,omitempty"`
	// Status 1 means usable, 0 disabled (telrobot's customer_service status).
	Status    int       `json:"status"`
	Agents    []Agent   `json:"agents"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Agent is one human agent: a name and where to ring them.
type Agent struct {
	Name string `json:"name"`
	// Extension is the number or SIP URI the agent answers at.
	Extension string `json:"extension"`
}

// Usable reports whether tasks may transfer calls to the group.
func (g *AgentGroup) Usable() bool { return g.Status == 1 && g.LineID != 0 }

// Validate checks the group's fields.
func (g *AgentGroup) Validate() error {
	switch {
	case g.Name == "" || len(g.Name) > 200:
		return FieldErrorf("name", "agent group name must be 1 to 200 bytes")
	case g.Status != 0 && g.Status != 1:
		return FieldErrorf("status", "status must be 0 or 1")
	case len(g.Agents) > 1000:
		return FieldErrorf("agents", "at most 1000 agents per group")
	}
	for _, a := range g.Agents {
		if a.Extension == "" || len(a.Extension) > 200 || len(a.Name) > 200 {
			return FieldErrorf("agents", "each agent needs an extension (at most 200 bytes)")
		}
	}
	return nil
}
