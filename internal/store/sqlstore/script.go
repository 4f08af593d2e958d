package sqlstore

import (
	"context"
	"database/sql"

	"github.com/outdial/outdial"
)

const scriptGroupCols = `id, tenant_id, name, debug, is_default, created_at, updated_at`

func scanScriptGroup(row interface{ Scan(...any) error }) (*outdial.ScriptGroup, error) {
	var g outdial.ScriptGroup
	var c, u int64
	if err := row.Scan(&g.ID, &g.TenantID, &g.Name, &g.Debug, &g.IsDefault, &c, &u); err != nil {
		return nil, err
	}
	g.CreatedAt, g.UpdatedAt = fromMS(c), fromMS(u)
	return &g, nil
}

// CreateScriptGroup creates a script group.
func (s *Store) CreateScriptGroup(ctx context.Context, g *outdial.ScriptGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO script_groups (tenant_id, name, debug, is_default, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, g.TenantID, g.Name, g.Debug, g.IsDefault, ms(now), ms(now))
		g.ID, g.CreatedAt, g.UpdatedAt = id, now, now
		return err
	})
	return wrap("create script group", err)
}

// ScriptGroup returns one of the tenant's script groups.
func (s *Store) ScriptGroup(ctx context.Context, tenantID, id int64) (*outdial.ScriptGroup, error) {
	g, err := scanScriptGroup(s.row(ctx, `SELECT `+scriptGroupCols+` FROM script_groups WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return g, wrap("script group", notFound(err, "script group"))
}

// ScriptGroups lists the tenant's script groups.
func (s *Store) ScriptGroups(ctx context.Context, tenantID int64, pg outdial.Page) ([]*outdial.ScriptGroup, error) {
	rows, err := s.rows(ctx, `SELECT `+scriptGroupCols+` FROM script_groups WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`,
		tenantID, pg.After, limit(pg.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("script groups", err)
	}
	return collect(rows, scanScriptGroup, "script groups")
}

// UpdateScriptGroup updates a script group.
func (s *Store) UpdateScriptGroup(ctx context.Context, g *outdial.ScriptGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE script_groups SET name = ?, debug = ?, is_default = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			g.Name, g.Debug, g.IsDefault, ms(now), g.TenantID, g.ID)
		return affected(res, err, "script group")
	})
	if err == nil {
		g.UpdatedAt = now
	}
	return wrap("update script group", err)
}

// DeleteScriptGroup deletes a script group and its scripts, unless a task uses it.
func (s *Store) DeleteScriptGroup(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.refused(ctx, tx, "script group", `SELECT count(*) FROM tasks WHERE tenant_id = ? AND script_group_id = ?`, tenantID, id); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM scripts WHERE tenant_id = ? AND group_id = ?`, tenantID, id); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `DELETE FROM script_groups WHERE tenant_id = ? AND id = ?`, tenantID, id)
		return affected(res, err, "script group")
	})
	return wrap("delete script group", err)
}

const scriptCols = `id, tenant_id, group_id, name, prompts, created_at, updated_at`

func scanScript(row interface{ Scan(...any) error }) (*outdial.Script, error) {
	var sc outdial.Script
	var prompts string
	var c, u int64
	if err := row.Scan(&sc.ID, &sc.TenantID, &sc.GroupID, &sc.Name, &prompts, &c, &u); err != nil {
		return nil, err
	}
	sc.CreatedAt, sc.UpdatedAt = fromMS(c), fromMS(u)
	return &sc, fromJSON(prompts, &sc.Prompts)
}

// CreateScript creates a script in one of the tenant's script groups.
func (s *Store) CreateScript(ctx context.Context, sc *outdial.Script) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.mustOwn(ctx, tx, "script_groups", "group_id", sc.TenantID, sc.GroupID); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, `INSERT INTO scripts (tenant_id, group_id, name, prompts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			sc.TenantID, sc.GroupID, sc.Name, jsonText(nonNil(sc.Prompts)), ms(now), ms(now))
		sc.ID, sc.CreatedAt, sc.UpdatedAt = id, now, now
		return err
	})
	return wrap("create script", err)
}

// Script returns one of the tenant's scripts.
func (s *Store) Script(ctx context.Context, tenantID, id int64) (*outdial.Script, error) {
	sc, err := scanScript(s.row(ctx, `SELECT `+scriptCols+` FROM scripts WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return sc, wrap("script", notFound(err, "script"))
}

// Scripts lists the tenant's scripts, of one group when groupID is not 0.
func (s *Store) Scripts(ctx context.Context, tenantID, groupID int64, pg outdial.Page) ([]*outdial.Script, error) {
	rows, err := s.rows(ctx, `SELECT `+scriptCols+` FROM scripts WHERE tenant_id = ? AND (? = 0 OR group_id = ?) AND id > ?
		ORDER BY id LIMIT ?`, tenantID, groupID, groupID, pg.After, limit(pg.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("scripts", err)
	}
	return collect(rows, scanScript, "scripts")
}

// UpdateScript updates a script.
func (s *Store) UpdateScript(ctx context.Context, sc *outdial.Script) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.mustOwn(ctx, tx, "script_groups", "group_id", sc.TenantID, sc.GroupID); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `UPDATE scripts SET group_id = ?, name = ?, prompts = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			sc.GroupID, sc.Name, jsonText(nonNil(sc.Prompts)), ms(now), sc.TenantID, sc.ID)
		return affected(res, err, "script")
	})
	if err == nil {
		sc.UpdatedAt = now
	}
	return wrap("update script", err)
}

// DeleteScript deletes a script.
func (s *Store) DeleteScript(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM scripts WHERE tenant_id = ? AND id = ?`, tenantID, id)
		return affected(res, err, "script")
	})
	return wrap("delete script", err)
}
