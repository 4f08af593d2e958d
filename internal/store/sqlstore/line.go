package sqlstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"
	"github.com/outdial/outdial"
)

const lineCols = `id, uuid, tenant_id, name, gateway, transport, username, password, caller_numbers,
	concurrency, calls_per_second, valid_from, valid_until, created_at, updated_at`

func scanLine(row interface{ Scan(...any) error }) (*outdial.Line, error) {
	var l outdial.Line
	var numbers string
	var vf, vu, c, u int64
	if err := row.Scan(&l.ID, &l.UUID, &l.TenantID, &l.Name, &l.Gateway, &l.Transport, &l.Username, &l.Password,
		&numbers, &l.Concurrency, &l.CallsPerSecond, &vf, &vu, &c, &u); err != nil {
		return nil, err
	}
	if err := fromJSON(numbers, &l.CallerNumbers); err != nil {
		return nil, err
	}
	l.ValidFrom, l.ValidUntil, l.CreatedAt, l.UpdatedAt = fromMS(vf), fromMS(vu), fromMS(c), fromMS(u)
	return &l, nil
}

// CreateLine creates a line.
func (s *Store) CreateLine(ctx context.Context, l *outdial.Line) error {
	if err := l.Validate(); err != nil {
		return err
	}
	now := s.now()
	l.UUID = uuid.NewString()
	err := s.write(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO lines (uuid, tenant_id, name, gateway, transport, username, password,
			caller_numbers, concurrency, calls_per_second, valid_from, valid_until, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			l.UUID, l.TenantID, l.Name, l.Gateway, l.Transport, l.Username, l.Password, jsonText(l.CallerNumbers),
			l.Concurrency, l.CallsPerSecond, ms(l.ValidFrom), ms(l.ValidUntil), ms(now), ms(now))
		l.ID, l.CreatedAt, l.UpdatedAt = id, now, now
		return err
	})
	return wrap("create line", err)
}

// Line returns one of the tenant's lines.
func (s *Store) Line(ctx context.Context, tenantID, id int64) (*outdial.Line, error) {
	l, err := scanLine(s.row(ctx, `SELECT `+lineCols+` FROM lines WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return l, wrap("line", notFound(err, "line"))
}

// LineByUUID returns one of the tenant's lines by its uuid.
func (s *Store) LineByUUID(ctx context.Context, tenantID int64, id string) (*outdial.Line, error) {
	l, err := scanLine(s.row(ctx, `SELECT `+lineCols+` FROM lines WHERE tenant_id = ? AND uuid = ?`, tenantID, id))
	return l, wrap("line", notFound(err, "line"))
}

// Lines lists the tenant's lines.
func (s *Store) Lines(ctx context.Context, tenantID int64, pg outdial.Page) ([]*outdial.Line, error) {
	rows, err := s.rows(ctx, `SELECT `+lineCols+` FROM lines WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`,
		tenantID, pg.After, limit(pg.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("lines", err)
	}
	return collect(rows, scanLine, "lines")
}

// AllLines returns every tenant's lines.
func (s *Store) AllLines(ctx context.Context) ([]*outdial.Line, error) {
	rows, err := s.rows(ctx, `SELECT `+lineCols+` FROM lines ORDER BY id`)
	if err != nil {
		return nil, wrap("all lines", err)
	}
	return collect(rows, scanLine, "all lines")
}

// UpdateLine updates a line; an empty password keeps the stored one.
func (s *Store) UpdateLine(ctx context.Context, l *outdial.Line) error {
	if err := l.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE lines SET name = ?, gateway = ?, transport = ?, username = ?,
			password = CASE WHEN ? = '' THEN password ELSE ? END, caller_numbers = ?, concurrency = ?,
			calls_per_second = ?, valid_from = ?, valid_until = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			l.Name, l.Gateway, l.Transport, l.Username, l.Password, l.Password, jsonText(l.CallerNumbers), l.Concurrency,
			l.CallsPerSecond, ms(l.ValidFrom), ms(l.ValidUntil), ms(now), l.TenantID, l.ID)
		return affected(res, err, "line")
	})
	if err == nil {
		l.UpdatedAt = now
	}
	return wrap("update line", err)
}

// DeleteLine deletes a line that no task or agent group uses.
func (s *Store) DeleteLine(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.refused(ctx, tx, "line", `SELECT count(*) FROM tasks WHERE tenant_id = ? AND line_id = ?`, tenantID, id); err != nil {
			return err
		}
		if err := s.refused(ctx, tx, "line", `SELECT count(*) FROM agent_groups WHERE tenant_id = ? AND line_id = ?`, tenantID, id); err != nil {
			return err
		}
		// A task moved to another line may still have calls up on this one: their
		// outcomes release the line's slots.
		var live int
		if err := s.txRow(ctx, tx, `SELECT live FROM lines WHERE tenant_id = ? AND id = ?`+s.d.ForUpdate, tenantID, id).Scan(&live); err != nil {
			return notFound(err, "line")
		}
		if live > 0 {
			return outdial.Errorf(outdial.ECONFLICT, "the line has %d calls up; delete it when they have ended", live)
		}
		res, err := s.exec(ctx, tx, `DELETE FROM lines WHERE tenant_id = ? AND id = ?`, tenantID, id)
		return affected(res, err, "line")
	})
	return wrap("delete line", err)
}

// LineUsage returns the line's live calls and the concurrency running tasks reserve on it.
func (s *Store) LineUsage(ctx context.Context, tenantID, id int64) (live, reserved int, err error) {
	err = s.row(ctx, `SELECT l.live, COALESCE((SELECT CAST(sum(t.max_concurrency) AS BIGINT) FROM tasks t
		WHERE t.line_id = l.id AND t.status = 'running'), 0) FROM lines l WHERE l.tenant_id = ? AND l.id = ?`, tenantID, id).Scan(&live, &reserved)
	return live, reserved, wrap("line usage", notFound(err, "line"))
}

// refused answers ECONFLICT when the count query finds users of the thing being deleted.
func (s *Store) refused(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	n, err := s.count(ctx, tx, query, args...)
	if err != nil {
		return err
	}
	if n > 0 {
		return outdial.Errorf(outdial.ECONFLICT, "the %s is in use (%d references); detach it first", what, n)
	}
	return nil
}
