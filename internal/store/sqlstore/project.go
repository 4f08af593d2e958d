package sqlstore

import (
	"context"
	"database/sql"

	"github.com/outdial/outdial"
)

const projectCols = `id, tenant_id, name, is_default, created_at, updated_at`

func scanProject(row interface{ Scan(...any) error }) (*outdial.Project, error) {
	var p outdial.Project
	var c, u int64
	if err := row.Scan(&p.ID, &p.TenantID, &p.Name, &p.IsDefault, &c, &u); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMS(c), fromMS(u)
	return &p, nil
}

// CreateProject creates a (non-default) project.
func (s *Store) CreateProject(ctx context.Context, p *outdial.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO projects (tenant_id, name, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			p.TenantID, p.Name, false, ms(now), ms(now))
		p.ID, p.IsDefault, p.CreatedAt, p.UpdatedAt = id, false, now, now
		return err
	})
	return wrap("create project", err)
}

// Project returns one of the tenant's projects.
func (s *Store) Project(ctx context.Context, tenantID, id int64) (*outdial.Project, error) {
	p, err := scanProject(s.row(ctx, `SELECT `+projectCols+` FROM projects WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return p, wrap("project", notFound(err, "project"))
}

// DefaultProject returns the tenant's default project.
func (s *Store) DefaultProject(ctx context.Context, tenantID int64) (*outdial.Project, error) {
	p, err := scanProject(s.row(ctx, `SELECT `+projectCols+` FROM projects WHERE tenant_id = ? AND is_default = ? ORDER BY id LIMIT 1`, tenantID, true))
	return p, wrap("default project", notFound(err, "project"))
}

// Projects lists the tenant's projects.
func (s *Store) Projects(ctx context.Context, tenantID int64, pg outdial.Page) ([]*outdial.Project, error) {
	rows, err := s.rows(ctx, `SELECT `+projectCols+` FROM projects WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`,
		tenantID, pg.After, limit(pg.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("projects", err)
	}
	return collect(rows, scanProject, "projects")
}

// UpdateProject renames a project.
func (s *Store) UpdateProject(ctx context.Context, p *outdial.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE projects SET name = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`, p.Name, ms(now), p.TenantID, p.ID)
		return affected(res, err, "project")
	})
	if err == nil {
		p.UpdatedAt = now
	}
	return wrap("update project", err)
}

// DeleteProject deletes a project that is not the default and has no tasks.
func (s *Store) DeleteProject(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var isDefault bool
		err := s.txRow(ctx, tx, `SELECT is_default FROM projects WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&isDefault)
		if err != nil {
			return notFound(err, "project")
		}
		if isDefault {
			return outdial.Errorf(outdial.ECONFLICT, "the default project cannot be deleted")
		}
		if n, err := s.count(ctx, tx, `SELECT count(*) FROM tasks WHERE tenant_id = ? AND project_id = ?`, tenantID, id); err != nil {
			return err
		} else if n > 0 {
			return outdial.Errorf(outdial.ECONFLICT, "project has %d tasks; move or delete them first", n)
		}
		_, err = s.exec(ctx, tx, `DELETE FROM projects WHERE tenant_id = ? AND id = ?`, tenantID, id)
		return err
	})
	return wrap("delete project", err)
}

// count runs a SELECT count(*) in tx.
func (s *Store) count(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	var n int64
	err := s.txRow(ctx, tx, query, args...).Scan(&n)
	return n, err
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error), op string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, v)
	}
	return out, wrap(op, rows.Err())
}
