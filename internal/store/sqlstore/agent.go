package sqlstore

import (
	"context"
	"database/sql"

	"github.com/outdial/outdial"
)

const agentGroupCols = `id, tenant_id, name, line_id, status, agents, created_at, updated_at`

func scanAgentGroup(row interface{ Scan(...any) error }) (*outdial.AgentGroup, error) {
	var g outdial.AgentGroup
	var agents string
	var c, u int64
	if err := row.Scan(&g.ID, &g.TenantID, &g.Name, &g.LineID, &g.Status, &agents, &c, &u); err != nil {
		return nil, err
	}
	g.CreatedAt, g.UpdatedAt = fromMS(c), fromMS(u)
	return &g, fromJSON(agents, &g.Agents)
}

// CreateAgentGroup creates an agent group; its line must be the tenant's.
func (s *Store) CreateAgentGroup(ctx context.Context, g *outdial.AgentGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.mustOwn(ctx, tx, "lines", "line_id", g.TenantID, g.LineID); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, `INSERT INTO agent_groups (tenant_id, name, line_id, status, agents, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, g.TenantID, g.Name, g.LineID, g.Status, jsonText(nonNil(g.Agents)), ms(now), ms(now))
		g.ID, g.CreatedAt, g.UpdatedAt = id, now, now
		return err
	})
	return wrap("create agent group", err)
}

// AgentGroup returns one of the tenant's agent groups.
func (s *Store) AgentGroup(ctx context.Context, tenantID, id int64) (*outdial.AgentGroup, error) {
	g, err := scanAgentGroup(s.row(ctx, `SELECT `+agentGroupCols+` FROM agent_groups WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return g, wrap("agent group", notFound(err, "agent group"))
}

// AgentGroups lists the tenant's agent groups.
func (s *Store) AgentGroups(ctx context.Context, tenantID int64, pg outdial.Page) ([]*outdial.AgentGroup, error) {
	rows, err := s.rows(ctx, `SELECT `+agentGroupCols+` FROM agent_groups WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`,
		tenantID, pg.After, limit(pg.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("agent groups", err)
	}
	return collect(rows, scanAgentGroup, "agent groups")
}

// UpdateAgentGroup updates an agent group.
func (s *Store) UpdateAgentGroup(ctx context.Context, g *outdial.AgentGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.mustOwn(ctx, tx, "lines", "line_id", g.TenantID, g.LineID); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `UPDATE agent_groups SET name = ?, line_id = ?, status = ?, agents = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ?`, g.Name, g.LineID, g.Status, jsonText(nonNil(g.Agents)), ms(now), g.TenantID, g.ID)
		return affected(res, err, "agent group")
	})
	if err == nil {
		g.UpdatedAt = now
	}
	return wrap("update agent group", err)
}

// DeleteAgentGroup deletes an agent group no task uses.
func (s *Store) DeleteAgentGroup(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.refused(ctx, tx, "agent group", `SELECT count(*) FROM tasks WHERE tenant_id = ? AND agent_group_id = ?`, tenantID, id); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `DELETE FROM agent_groups WHERE tenant_id = ? AND id = ?`, tenantID, id)
		return affected(res, err, "agent group")
	})
	return wrap("delete agent group", err)
}

// mustOwn answers EINVALID naming field unless id is 0 or a row of table owned by the tenant.
func (s *Store) mustOwn(ctx context.Context, tx *sql.Tx, table, field string, tenantID, id int64) error {
	if id == 0 {
		return nil
	}
	n, err := s.count(ctx, tx, `SELECT count(*) FROM `+table+` WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return outdial.FieldErrorf(field, "%s %d does not exist", field, id)
	}
	return nil
}
