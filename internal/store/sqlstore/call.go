package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/outdial/outdial"
)

const callCols = `id, tenant_id, project_id, task_id, batch_id, contact_id, external_id, line_id, attempt, node_id, status, caller, called,
	called_areacode, called_areaname, called_type, called_vendor, trans_caller, trans_phone, trans_areacode, trans_areaname,
	trans_type, trans_vendor, start_time_ee, ring_time_ee, answer_time_ee, end_time_ee, start_time, ring_time, answer_time,
	link_time, end_time, ans_secs, link_secs, all_secs, result, callresult, endresult, hangup_by, sip_status, reason,
	recording, dtmf, tags, updated_at`

func scanCall(row interface{ Scan(...any) error }) (*outdial.Call, error) {
	var c outdial.Call
	var sEe, rEe, aEe, eEe, st, rt, at, lt, et, up int64
	var tags string
	if err := row.Scan(&c.ID, &c.TenantID, &c.ProjectID, &c.TaskID, &c.BatchID, &c.ContactID, &c.ExternalID, &c.LineID, &c.Attempt, &c.NodeID,
		&c.Status, &c.Caller, &c.Called, &c.CalledAreaCode, &c.CalledAreaName, &c.CalledType, &c.CalledVendor, &c.TransCaller,
		&c.TransPhone, &c.TransAreaCode, &c.TransAreaName, &c.TransType, &c.TransVendor, &sEe, &rEe, &aEe, &eEe, &st, &rt, &at,
		&lt, &et, &c.AnsSecs, &c.LinkSecs, &c.AllSecs, &c.Result, &c.CallResult, &c.EndResult, &c.HangupBy, &c.SIPStatus,
		&c.Reason, &c.Recording, &c.DTMF, &tags, &up); err != nil {
		return nil, err
	}
	c.StartTimeEe, c.RingTimeEe, c.AnswerTimeEe, c.EndTimeEe = fromMS(sEe), fromMS(rEe), fromMS(aEe), fromMS(eEe)
	c.StartTime, c.RingTime, c.AnswerTime, c.LinkTime, c.EndTime = fromMS(st), fromMS(rt), fromMS(at), fromMS(lt), fromMS(et)
	c.UpdatedAt = fromMS(up)
	return &c, fromJSON(tags, &c.Tags)
}

// Call returns one of the tenant's calls, live or ended.
func (s *Store) Call(ctx context.Context, tenantID, id int64) (*outdial.Call, error) {
	c, err := scanCall(s.row(ctx, `SELECT `+callCols+` FROM calls WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return c, wrap("call", notFound(err, "call"))
}

// callWhere builds the WHERE clause of a CDR search with only the predicates f uses, so
// the database can pick the index that fits. Start times map to call id ranges.
func callWhere(f outdial.CallFilter, withCursor bool) (string, []any) {
	var w strings.Builder
	args := []any{f.TenantID}
	w.WriteString(` WHERE tenant_id = ?`)
	add := func(cond string, v any) {
		w.WriteString(" AND " + cond)
		args = append(args, v)
	}
	if !f.IncludeLive {
		add(`status = ?`, outdial.CallEnded)
	}
	if f.ProjectID != 0 {
		add(`project_id = ?`, f.ProjectID)
	}
	if f.TaskID != 0 {
		add(`task_id = ?`, f.TaskID)
	}
	if f.BatchID != 0 {
		add(`batch_id = ?`, f.BatchID)
	}
	if f.ContactID != 0 {
		add(`contact_id = ?`, f.ContactID)
	}
	if f.CallID != 0 {
		add(`id = ?`, f.CallID)
	}
	if f.Caller != "" {
		add(`caller = ?`, f.Caller)
	}
	if f.Called != "" {
		add(`called = ?`, f.Called)
	}
	if f.Result != "" {
		add(`result = ?`, string(f.Result))
	}
	if f.CallResult != nil {
		add(`callresult = ?`, *f.CallResult)
	}
	if f.EndResult != 0 {
		add(`endresult = ?`, f.EndResult)
	}
	if !f.From.IsZero() {
		add(`id >= ?`, outdial.CallIDFloor(f.From))
	}
	if !f.To.IsZero() {
		add(`id < ?`, outdial.CallIDFloor(f.To.Add(1e6)))
	}
	if withCursor && f.After != 0 {
		if f.Desc {
			add(`id < ?`, f.After)
		} else {
			add(`id > ?`, f.After)
		}
	}
	return w.String(), args
}

// Calls lists CDRs in id order.
func (s *Store) Calls(ctx context.Context, f outdial.CallFilter) ([]*outdial.Call, error) {
	where, args := callWhere(f, true)
	order := ` ORDER BY id`
	if f.Desc {
		order = ` ORDER BY id DESC`
	}
	args = append(args, limit(f.Limit, 100, 1000))
	rows, err := s.rows(ctx, `SELECT `+callCols+` FROM calls`+where+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, wrap("calls", err)
	}
	return collect(rows, scanCall, "calls")
}

// CountCalls counts the CDRs f matches.
func (s *Store) CountCalls(ctx context.Context, f outdial.CallFilter) (int64, error) {
	where, args := callWhere(f, false)
	var n int64
	err := s.row(ctx, `SELECT count(*) FROM calls`+where, args...).Scan(&n)
	return n, wrap("count calls", err)
}

// BlockNumber adds or updates a blocked number.
func (s *Store) BlockNumber(ctx context.Context, b *outdial.BlockedNumber) error {
	if b.Phone == "" || len(b.Phone) > 32 || len(b.Reason) > 500 {
		return outdial.FieldErrorf("phone", "a blocked number needs a phone (at most 32 bytes) and a reason of at most 500 bytes")
	}
	b.CreatedAt = s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO blocklist (tenant_id, phone, reason, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant_id, phone) DO UPDATE SET reason = excluded.reason`, b.TenantID, b.Phone, b.Reason, ms(b.CreatedAt))
		return err
	})
	return wrap("block number", err)
}

// UnblockNumber removes a blocked number.
func (s *Store) UnblockNumber(ctx context.Context, tenantID int64, phone string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM blocklist WHERE tenant_id = ? AND phone = ?`, tenantID, phone)
		return affected(res, err, "blocked number")
	})
	return wrap("unblock number", err)
}

// BlockedNumbers lists blocked numbers in phone order after afterPhone.
func (s *Store) BlockedNumbers(ctx context.Context, tenantID int64, afterPhone string, n int) ([]*outdial.BlockedNumber, error) {
	rows, err := s.rows(ctx, `SELECT tenant_id, phone, reason, created_at FROM blocklist WHERE tenant_id = ? AND phone > ?
		ORDER BY phone LIMIT ?`, tenantID, afterPhone, limit(n, 100, 1000))
	if err != nil {
		return nil, wrap("blocked numbers", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (*outdial.BlockedNumber, error) {
		var b outdial.BlockedNumber
		var c int64
		err := r.Scan(&b.TenantID, &b.Phone, &b.Reason, &c)
		b.CreatedAt = fromMS(c)
		return &b, err
	}, "blocked numbers")
}

// IsBlocked reports whether the tenant blocks a number.
func (s *Store) IsBlocked(ctx context.Context, tenantID int64, phone string) (bool, error) {
	var n int64
	err := s.row(ctx, `SELECT count(*) FROM blocklist WHERE tenant_id = ? AND phone = ?`, tenantID, phone).Scan(&n)
	return n > 0, wrap("is blocked", err)
}
