package sqlstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"
	"github.com/outdial/outdial"
)

const taskCols = `id, uuid, tenant_id, project_id, name, remark, status, line_id, script_group_id, time_group_id,
	recall_rule_id, agent_group_id, max_concurrency, pause_seconds, ring_timeout_seconds, window_start, window_end,
	time_zone, caller_number, notify_url, notify_type, created_at, updated_at`

func scanTask(row interface{ Scan(...any) error }) (*outdial.Task, error) {
	var t outdial.Task
	var c, u int64
	if err := row.Scan(&t.ID, &t.UUID, &t.TenantID, &t.ProjectID, &t.Name, &t.Remark, &t.Status, &t.LineID, &t.ScriptGroupID,
		&t.TimeGroupID, &t.RecallRuleID, &t.AgentGroupID, &t.MaxConcurrency, &t.PauseSeconds, &t.RingTimeoutSeconds,
		&t.Window.Start, &t.Window.End, &t.TimeZone, &t.CallerNumber, &t.NotifyURL, &t.NotifyType, &c, &u); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromMS(c), fromMS(u)
	return &t, nil
}

// checkTaskRefs checks that everything the task names is the tenant's, and fills the
// default project.
func (s *Store) checkTaskRefs(ctx context.Context, tx *sql.Tx, t *outdial.Task) error {
	if t.ProjectID == 0 {
		err := s.txRow(ctx, tx, `SELECT id FROM projects WHERE tenant_id = ? AND is_default = ? ORDER BY id LIMIT 1`,
			t.TenantID, true).Scan(&t.ProjectID)
		if err != nil {
			return notFound(err, "default project")
		}
	}
	for _, ref := range []struct {
		table, field string
		id           int64
	}{
		{"projects", "project_id", t.ProjectID},
		{"lines", "line_id", t.LineID},
		{"script_groups", "script_group_id", t.ScriptGroupID},
		{"time_groups", "time_group_id", t.TimeGroupID},
		{"recall_rules", "recall_rule_id", t.RecallRuleID},
		{"agent_groups", "agent_group_id", t.AgentGroupID},
	} {
		if err := s.mustOwn(ctx, tx, ref.table, ref.field, t.TenantID, ref.id); err != nil {
			return err
		}
	}
	return nil
}

// CreateTask creates a stopped task.
func (s *Store) CreateTask(ctx context.Context, t *outdial.Task) error {
	t.Status = outdial.TaskStopped
	if err := t.Validate(); err != nil {
		return err
	}
	now := s.now()
	t.UUID = uuid.NewString()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkTaskRefs(ctx, tx, t); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, `INSERT INTO tasks (uuid, tenant_id, project_id, name, remark, status, line_id, script_group_id,
			time_group_id, recall_rule_id, agent_group_id, max_concurrency, pause_seconds, ring_timeout_seconds, window_start,
			window_end, time_zone, caller_number, notify_url, notify_type, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.UUID, t.TenantID, t.ProjectID, t.Name, t.Remark, t.Status, t.LineID, t.ScriptGroupID, t.TimeGroupID, t.RecallRuleID,
			t.AgentGroupID, t.MaxConcurrency, t.PauseSeconds, t.RingTimeoutSeconds, t.Window.Start, t.Window.End, t.TimeZone,
			t.CallerNumber, t.NotifyURL, t.NotifyType, ms(now), ms(now))
		t.ID, t.CreatedAt, t.UpdatedAt = id, now, now
		return err
	})
	return wrap("create task", err)
}

// Task returns one of the tenant's tasks.
func (s *Store) Task(ctx context.Context, tenantID, id int64) (*outdial.Task, error) {
	t, err := scanTask(s.row(ctx, `SELECT `+taskCols+` FROM tasks WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return t, wrap("task", notFound(err, "task"))
}

// TaskByUUID returns one of the tenant's tasks by uuid.
func (s *Store) TaskByUUID(ctx context.Context, tenantID int64, id string) (*outdial.Task, error) {
	t, err := scanTask(s.row(ctx, `SELECT `+taskCols+` FROM tasks WHERE tenant_id = ? AND uuid = ?`, tenantID, id))
	return t, wrap("task", notFound(err, "task"))
}

const taskWhere = ` FROM tasks WHERE tenant_id = ? AND (? = 0 OR project_id = ?) AND (? = '' OR status = ?)`

// Tasks lists the tenant's tasks.
func (s *Store) Tasks(ctx context.Context, tenantID int64, f outdial.TaskFilter) ([]*outdial.Task, error) {
	rows, err := s.rows(ctx, `SELECT `+taskCols+taskWhere+` AND id > ? ORDER BY id LIMIT ?`,
		tenantID, f.ProjectID, f.ProjectID, string(f.Status), string(f.Status), f.After, limit(f.Limit, 100, 1000))
	if err != nil {
		return nil, wrap("tasks", err)
	}
	return collect(rows, scanTask, "tasks")
}

// CountTasks counts the tenant's tasks that match f.
func (s *Store) CountTasks(ctx context.Context, tenantID int64, f outdial.TaskFilter) (int64, error) {
	var n int64
	err := s.row(ctx, `SELECT count(*)`+taskWhere, tenantID, f.ProjectID, f.ProjectID, string(f.Status), string(f.Status)).Scan(&n)
	return n, wrap("count tasks", err)
}

// UpdateTask updates a task's settings (not its status: see SetTaskStatus).
func (s *Store) UpdateTask(ctx context.Context, t *outdial.Task) error {
	if err := t.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkTaskRefs(ctx, tx, t); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `UPDATE tasks SET project_id = ?, name = ?, remark = ?, line_id = ?, script_group_id = ?,
			time_group_id = ?, recall_rule_id = ?, agent_group_id = ?, max_concurrency = ?, pause_seconds = ?,
			ring_timeout_seconds = ?, window_start = ?, window_end = ?, time_zone = ?, caller_number = ?, notify_url = ?,
			notify_type = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			t.ProjectID, t.Name, t.Remark, t.LineID, t.ScriptGroupID, t.TimeGroupID, t.RecallRuleID, t.AgentGroupID,
			t.MaxConcurrency, t.PauseSeconds, t.RingTimeoutSeconds, t.Window.Start, t.Window.End, t.TimeZone, t.CallerNumber,
			t.NotifyURL, t.NotifyType, ms(now), t.TenantID, t.ID)
		if err := affected(res, err, "task"); err != nil {
			return err
		}
		return s.txRow(ctx, tx, `SELECT status FROM tasks WHERE id = ?`, t.ID).Scan(&t.Status)
	})
	if err == nil {
		t.UpdatedAt = now
	}
	return wrap("update task", err)
}

// DeleteTask deletes a task that is not running and has no live calls, with its batches
// and contacts; its CDRs stay.
func (s *Store) DeleteTask(ctx context.Context, tenantID, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var status string
		var live int
		err := s.txRow(ctx, tx, `SELECT status, live FROM tasks WHERE tenant_id = ? AND id = ?`+s.d.ForUpdate, tenantID, id).Scan(&status, &live)
		if err != nil {
			return notFound(err, "task")
		}
		if status == string(outdial.TaskRunning) || live > 0 {
			return outdial.Errorf(outdial.ECONFLICT, "the task is running; stop it first")
		}
		if s.keyed() {
			batchIDs, err := s.taskBatchIDs(ctx, tx, tenantID, id)
			if err != nil {
				return err
			}
			if err := s.forgetKeys(ctx, tx, "", batchIDs...); err != nil {
				return err
			}
		}
		for _, q := range []string{`DELETE FROM contacts WHERE tenant_id = ? AND task_id = ?`,
			`DELETE FROM batches WHERE tenant_id = ? AND task_id = ?`, `DELETE FROM tasks WHERE tenant_id = ? AND id = ?`} {
			if _, err := s.exec(ctx, tx, q, tenantID, id); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("delete task", err)
}

// taskBatchIDs returns the ids of the task's batches.
func (s *Store) taskBatchIDs(ctx context.Context, tx *sql.Tx, tenantID, taskID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id FROM batches WHERE tenant_id = ? AND task_id = ?`), tenantID, taskID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetTaskStatus moves a task to status if it is in one of from.
func (s *Store) SetTaskStatus(ctx context.Context, tenantID, id int64, status outdial.TaskStatus, from ...outdial.TaskStatus) (bool, error) {
	var moved bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		var cur outdial.TaskStatus
		err := s.txRow(ctx, tx, `SELECT status FROM tasks WHERE tenant_id = ? AND id = ?`+s.d.ForUpdate, tenantID, id).Scan(&cur)
		if err != nil {
			return notFound(err, "task")
		}
		ok := len(from) == 0
		for _, f := range from {
			ok = ok || f == cur
		}
		if !ok || cur == status {
			return nil
		}
		_, err = s.exec(ctx, tx, `UPDATE tasks SET status = ?, updated_at = ? WHERE id = ?`, status, ms(s.now()), id)
		moved = err == nil
		return err
	})
	return moved, wrap("set task status", err)
}

// FinishTask finishes a running task with nothing left to call and queues msgs (its
// task.finished webhooks) in the same transaction: the check and the move are one, so an
// upload that lands between the engine's look and its decision keeps the task running,
// and a crash cannot leave a finished task without its webhook.
func (s *Store) FinishTask(ctx context.Context, tenantID, id int64, msgs []*outdial.OutboxMessage) (bool, error) {
	var moved bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		moved = false
		res, err := s.exec(ctx, tx, `UPDATE tasks SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND status = ?
			AND total > 0 AND pending = 0 AND live = 0`, outdial.TaskFinished, ms(s.now()), tenantID, id, outdial.TaskRunning)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		moved = true
		return s.insertOutboxBatch(ctx, tx, msgs)
	})
	return moved, wrap("finish task", err)
}

// TaskProgress reads a task's counters.
func (s *Store) TaskProgress(ctx context.Context, tenantID, id int64) (outdial.Progress, error) {
	var p outdial.Progress
	err := s.row(ctx, `SELECT total, pending, dialed, answered, failed, calls, live FROM tasks WHERE tenant_id = ? AND id = ?`,
		tenantID, id).Scan(&p.Total, &p.Pending, &p.Dialed, &p.Answered, &p.Failed, &p.Calls, &p.Live)
	p.ComputePercent()
	return p, wrap("task progress", notFound(err, "task"))
}

// RunningTasks returns every running task of every tenant.
func (s *Store) RunningTasks(ctx context.Context) ([]*outdial.Task, error) {
	rows, err := s.rows(ctx, `SELECT `+taskCols+` FROM tasks WHERE status = ? ORDER BY id`, outdial.TaskRunning)
	if err != nil {
		return nil, wrap("running tasks", err)
	}
	return collect(rows, scanTask, "running tasks")
}
