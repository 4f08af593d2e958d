package sqlstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"
	"github.com/outdial/outdial"
)

const timeGroupCols = `id, uuid, tenant_id, name, ranges, created_at, updated_at`

func scanTimeGroup(row interface{ Scan(...any) error }) (*outdial.TimeGroup, error) {
	var g outdial.TimeGroup
	var ranges string
	var c, u int64
	if err := row.Scan(&g.ID, &g.UUID, &g.TenantID, &g.Name, &ranges, &c, &u); err != nil {
		return nil, err
	}
	g.CreatedAt, g.UpdatedAt = fromMS(c), fromMS(u)
	return &g, fromJSON(ranges, &g.Ranges)
}

// CreateTimeGroup creates a forbidden time group.
func (s *Store) CreateTimeGroup(ctx context.Context, g *outdial.TimeGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	now := s.now()
	g.UUID = uuid.NewString()
	err := s.write(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO time_groups (uuid, tenant_id, name, ranges, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			g.UUID, g.TenantID, g.Name, jsonText(nonNil(g.Ranges)), ms(now), ms(now))
		g.ID, g.CreatedAt, g.UpdatedAt = id, now, now
		return err
	})
	return wrap("create time group", err)
}

// TimeGroup returns one of the tenant's time groups.
func (s *Store) TimeGroup(ctx context.Context, tenantID, id int64) (*outdial.TimeGroup, error) {
	g, err := scanTimeGroup(s.row(ctx, `SELECT `+timeGroupCols+` FROM time_groups WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return g, wrap("time group", notFound(err, "time group"))
}

// TimeGroupByUUID returns one of the tenant's time groups by uuid.
func (s *Store) TimeGroupByUUID(ctx context.Context, tenantID int64, id string) (*outdial.TimeGroup, error) {
	g, err := scanTimeGroup(s.row(ctx, `SELECT `+timeGroupCols+` FROM time_groups WHERE tenant_id = ? AND uuid = ?`, tenantID, id))
	return g, wrap("time group", notFound(err, "time group"))
}

// TimeGroups lists the tenant's time groups.
func (s *Store) TimeGroups(ctx context.Context, tenantID int64, pg outdial.Page) ([]*outdial.TimeGroup, error) {
	rows, err := s.rows(ctx, `SELECT `+timeGroupCols+` FROM time_groups WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`,
		tenantID, pg.After, limit(pg.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("time groups", err)
	}
	return collect(rows, scanTimeGroup, "time groups")
}

// UpdateTimeGroup updates a time group.
func (s *Store) UpdateTimeGroup(ctx context.Context, g *outdial.TimeGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE time_groups SET name = ?, ranges = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			g.Name, jsonText(nonNil(g.Ranges)), ms(now), g.TenantID, g.ID)
		return affected(res, err, "time group")
	})
	if err == nil {
		g.UpdatedAt = now
	}
	return wrap("update time group", err)
}

// DeleteTimeGroup deletes a time group no task uses.
func (s *Store) DeleteTimeGroup(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.refused(ctx, tx, "time group", `SELECT count(*) FROM tasks WHERE tenant_id = ? AND time_group_id = ?`, tenantID, id); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `DELETE FROM time_groups WHERE tenant_id = ? AND id = ?`, tenantID, id)
		return affected(res, err, "time group")
	})
	return wrap("delete time group", err)
}

const recallCols = `id, tenant_id, name, remark, enabled, results, intervals, max_attempts, is_default, created_at, updated_at`

func scanRecallRule(row interface{ Scan(...any) error }) (*outdial.RecallRule, error) {
	var r outdial.RecallRule
	var results, intervals string
	var c, u int64
	if err := row.Scan(&r.ID, &r.TenantID, &r.Name, &r.Remark, &r.Enabled, &results, &intervals, &r.MaxAttempts, &r.IsDefault, &c, &u); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = fromMS(c), fromMS(u)
	if err := fromJSON(results, &r.Results); err != nil {
		return nil, err
	}
	return &r, fromJSON(intervals, &r.Intervals)
}

// CreateRecallRule creates a recall rule.
func (s *Store) CreateRecallRule(ctx context.Context, r *outdial.RecallRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO recall_rules (tenant_id, name, remark, enabled, results, intervals, max_attempts,
			is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.TenantID, r.Name, r.Remark, r.Enabled, jsonText(nonNil(r.Results)), jsonText(nonNil(r.Intervals)), r.MaxAttempts,
			r.IsDefault, ms(now), ms(now))
		r.ID, r.CreatedAt, r.UpdatedAt = id, now, now
		return err
	})
	return wrap("create recall rule", err)
}

// RecallRule returns one of the tenant's recall rules.
func (s *Store) RecallRule(ctx context.Context, tenantID, id int64) (*outdial.RecallRule, error) {
	r, err := scanRecallRule(s.row(ctx, `SELECT `+recallCols+` FROM recall_rules WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return r, wrap("recall rule", notFound(err, "recall rule"))
}

// RecallRules lists the tenant's recall rules.
func (s *Store) RecallRules(ctx context.Context, tenantID int64, pg outdial.Page) ([]*outdial.RecallRule, error) {
	rows, err := s.rows(ctx, `SELECT `+recallCols+` FROM recall_rules WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`,
		tenantID, pg.After, limit(pg.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("recall rules", err)
	}
	return collect(rows, scanRecallRule, "recall rules")
}

// UpdateRecallRule updates a recall rule.
func (s *Store) UpdateRecallRule(ctx context.Context, r *outdial.RecallRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE recall_rules SET name = ?, remark = ?, enabled = ?, results = ?, intervals = ?,
			max_attempts = ?, is_default = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			r.Name, r.Remark, r.Enabled, jsonText(nonNil(r.Results)), jsonText(nonNil(r.Intervals)), r.MaxAttempts, r.IsDefault,
			ms(now), r.TenantID, r.ID)
		return affected(res, err, "recall rule")
	})
	if err == nil {
		r.UpdatedAt = now
	}
	return wrap("update recall rule", err)
}

// DeleteRecallRule deletes a recall rule no task uses.
func (s *Store) DeleteRecallRule(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.refused(ctx, tx, "recall rule", `SELECT count(*) FROM tasks WHERE tenant_id = ? AND recall_rule_id = ?`, tenantID, id); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `DELETE FROM recall_rules WHERE tenant_id = ? AND id = ?`, tenantID, id)
		return affected(res, err, "recall rule")
	})
	return wrap("delete recall rule", err)
}

// nonNil turns a nil slice into an empty one, so JSON columns hold [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
