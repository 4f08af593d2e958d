package sqlstore

import (
	"context"
	"database/sql"

	"github.com/outdial/outdial"
)

// CreateTenant creates the tenant and its default project.
func (s *Store) CreateTenant(ctx context.Context, t *outdial.Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO tenants (name, cap_per_hour, cap_per_day, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)`, t.Name, t.CapPerHour, t.CapPerDay, ms(now), ms(now))
		if err != nil {
			if s.d.IsUniqueViolation(err) {
				return outdial.Errorf(outdial.ECONFLICT, "tenant %q exists already", t.Name)
			}
			return err
		}
		t.ID, t.CreatedAt, t.UpdatedAt = id, now, now
		_, err = s.insert(ctx, tx, `INSERT INTO projects (tenant_id, name, is_default, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)`, id, "default", true, ms(now), ms(now))
		return err
	})
	return wrap("create tenant", err)
}

const tenantCols = `id, name, cap_per_hour, cap_per_day, created_at, updated_at`

func scanTenant(row interface{ Scan(...any) error }) (*outdial.Tenant, error) {
	var t outdial.Tenant
	var c, u int64
	if err := row.Scan(&t.ID, &t.Name, &t.CapPerHour, &t.CapPerDay, &c, &u); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromMS(c), fromMS(u)
	return &t, nil
}

// Tenant returns a tenant by id.
func (s *Store) Tenant(ctx context.Context, id int64) (*outdial.Tenant, error) {
	t, err := scanTenant(s.row(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = ?`, id))
	return t, wrap("tenant", notFound(err, "tenant"))
}

// TenantByName returns a tenant by name.
func (s *Store) TenantByName(ctx context.Context, name string) (*outdial.Tenant, error) {
	t, err := scanTenant(s.row(ctx, `SELECT `+tenantCols+` FROM tenants WHERE name = ?`, name))
	return t, wrap("tenant by name", notFound(err, "tenant"))
}

// UpdateTenant updates a tenant's name and caps.
func (s *Store) UpdateTenant(ctx context.Context, t *outdial.Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE tenants SET name = ?, cap_per_hour = ?, cap_per_day = ?, updated_at = ? WHERE id = ?`,
			t.Name, t.CapPerHour, t.CapPerDay, ms(now), t.ID)
		if err != nil && s.d.IsUniqueViolation(err) {
			return outdial.Errorf(outdial.ECONFLICT, "tenant %q exists already", t.Name)
		}
		return affected(res, err, "tenant")
	})
	if err == nil {
		t.UpdatedAt = now
	}
	return wrap("update tenant", err)
}

// AddToken stores a token hash for a tenant.
func (s *Store) AddToken(ctx context.Context, tenantID int64, hash string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO tokens (hash, tenant_id, created_at) VALUES (?, ?, ?)`, hash, tenantID, ms(s.now()))
		return err
	})
	return wrap("add token", err)
}

// TenantByToken returns the tenant holding a token hash.
func (s *Store) TenantByToken(ctx context.Context, hash string) (*outdial.Tenant, error) {
	t, err := scanTenant(s.row(ctx, `SELECT t.id, t.name, t.cap_per_hour, t.cap_per_day, t.created_at, t.updated_at
		FROM tokens k JOIN tenants t ON t.id = k.tenant_id WHERE k.hash = ?`, hash))
	if err == sql.ErrNoRows {
		return nil, outdial.Errorf(outdial.EUNAUTHORIZED, "invalid token")
	}
	return t, wrap("tenant by token", err)
}
