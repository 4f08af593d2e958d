package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/outdial/outdial"
)

// load inserts the contacts and calls in chunks of a million rows, each one INSERT ...
// SELECT over a generated series (a recursive CTE on SQLite, generate_series on
// PostgreSQL), with the secondary indexes of both tables dropped during the load.
func (w *cdrWorld) load(ctx context.Context, db string, lineID, batch0, projectID int64) error {
	conn, err := w.store.DB().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	setup := []string{`PRAGMA synchronous = OFF`, `PRAGMA cache_size = -1048576`}
	indexQuery := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('calls', 'contacts') AND sql IS NOT NULL`
	phone := `'138' || substr('00000000' || k, -8, 8)`
	series := func(from, to int64) string {
		return fmt.Sprintf(`(WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i + 1 < %d) SELECT i FROM n) AS s`, from, to)
	}
	if db == "postgres" {
		setup = []string{`SET synchronous_commit = off`, `SET maintenance_work_mem = '1GB'`}
		indexQuery = `SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema()
			AND tablename IN ('calls', 'contacts') AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`
		phone = `'138' || lpad(k::text, 8, '0')`
		series = func(from, to int64) string {
			return fmt.Sprintf(`generate_series(%d::bigint, %d::bigint) AS s(i)`, from, to-1)
		}
	}
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	creates, err := dropIndexes(ctx, conn, indexQuery)
	if err != nil {
		return err
	}
	contacts := w.calls / 2
	created := cdrStart.UnixMilli()
	contactSQL := fmt.Sprintf(`INSERT INTO contacts (id, tenant_id, task_id, batch_id, phone, name, address, email, state,
		callback_url, external_id, variables, priority, area_code, area_name, number_type, carrier, status, attempts,
		next_attempt_at, last_result, last_call_id, created_at, updated_at)
		SELECT 1 + k, %d, %d + k %% %d, %d + k %% %d, %s, '', '', '', '', '', 'ext-' || k, '{}', 0, '0755', '广东 深圳',
		'MOBILE', 'MOBILE', 'finished', 2, 0, 'answered', 0, %d, %d FROM (SELECT i AS k FROM {series}) AS x`,
		w.tenantID, w.task0, cdrTasks, batch0, cdrTasks, phone, created, created)
	e0 := cdrStart.Sub(outdial.CallIDEpoch).Milliseconds()
	callSQL := fmt.Sprintf(`INSERT INTO calls (id, tenant_id, project_id, task_id, batch_id, contact_id, external_id, line_id, attempt, node_id,
		status, caller, called, called_areacode, called_areaname, called_type, called_vendor, trans_caller, trans_phone,
		trans_areacode, trans_areaname, trans_type, trans_vendor, start_time_ee, ring_time_ee, answer_time_ee, end_time_ee,
		start_time, ring_time, answer_time, link_time, end_time, ans_secs, link_secs, all_secs, result, callresult, endresult,
		hangup_by, sip_status, reason, recording, dtmf, tags, updated_at)
		SELECT (%d + i * %d) * 2097152 + 2048, %d, %d, %d + k %% %d, %d + k %% %d, 1 + k, 'ext-' || k, %d, 1 + i / %d, '1', 'ended',
		'0215123456' || (i %% 10), %s, '0755', '广东 深圳', 'MOBILE', 'MOBILE', '', CASE WHEN h >= 95 THEN '8001' ELSE '' END,
		'', '', '', '', CASE WHEN h >= 95 THEN st + 8000 ELSE 0 END, CASE WHEN h >= 95 THEN st + 9000 ELSE 0 END,
		CASE WHEN h >= 95 THEN st + 10000 ELSE 0 END, CASE WHEN h >= 95 THEN st + 35000 ELSE 0 END,
		st, CASE WHEN h >= 30 AND h < 50 THEN 0 ELSE st + 2000 END, CASE WHEN h >= 60 THEN st + 5000 ELSE 0 END,
		CASE WHEN h >= 95 THEN st + 10000 ELSE 0 END, CASE WHEN h >= 60 THEN st + 35000 ELSE st + 20000 END,
		CASE WHEN h >= 60 THEN 30 ELSE 0 END, CASE WHEN h >= 95 THEN 25 ELSE 0 END, CASE WHEN h >= 60 THEN 35 ELSE 20 END,
		CASE WHEN h < 30 THEN 'no_answer' WHEN h < 50 THEN 'busy' WHEN h < 60 THEN 'failed' ELSE 'answered' END,
		CASE WHEN h < 60 THEN 0 WHEN h < 95 THEN 1 ELSE 2 END, CASE WHEN h >= 60 AND h %% 2 = 0 THEN 11 ELSE 12 END,
		CASE WHEN h < 60 THEN '' WHEN h %% 2 = 0 THEN 'customer' ELSE 'platform' END,
		CASE WHEN h < 30 THEN 487 WHEN h < 50 THEN 486 WHEN h < 60 THEN 503 ELSE 200 END, '', '', '', '[]', st + 35000
		FROM (SELECT i, i %% %d AS k, (i * 2654435761) %% 4294967291 %% 100 AS h, %d + i * %d AS st FROM {series}) AS x`,
		e0, w.stepMS, w.tenantID, projectID, w.task0, cdrTasks, batch0, cdrTasks, lineID, contacts, phone,
		contacts, created, w.stepMS)
	const chunk = 1_000_000
	for _, t := range []struct {
		sql string
		n   int64
	}{{contactSQL, contacts}, {callSQL, w.calls}} {
		for from := int64(0); from < t.n; from += chunk {
			q := strings.Replace(t.sql, "{series}", series(from, min(from+chunk, t.n)), 1)
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("load rows %d: %w", from, err)
			}
		}
	}
	for _, c := range creates {
		if _, err := conn.ExecContext(ctx, c); err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
	}
	after := []string{`PRAGMA wal_checkpoint(TRUNCATE)`}
	if db == "postgres" {
		after = []string{`VACUUM ANALYZE calls`, `VACUUM ANALYZE contacts`}
	}
	for _, q := range after {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// dropIndexes drops the indexes query lists (name, definition) and returns their
// definitions, to build them again after the load.
func dropIndexes(ctx context.Context, conn *sql.Conn, query string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	var names, creates []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, creates = append(names, name), append(creates, def)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, n := range names {
		if _, err := conn.ExecContext(ctx, `DROP INDEX `+n); err != nil {
			return nil, err
		}
	}
	return creates, nil
}
