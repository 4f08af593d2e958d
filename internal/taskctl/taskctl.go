// Package taskctl starts and stops tasks for every API dialect: it checks that a task can
// run, moves its status, reports the change, and wakes the dialing engine.
package taskctl

import (
	"context"

	"github.com/outdial/outdial"
)

// Control starts and stops tasks.
type Control struct {
	Store outdial.Store
	Clock outdial.Clock
	// Wake, if set, tells the dialing engine that a task's status changed.
	Wake func()
	// Notify, if set, reports task.started and task.stopped (webhooks).
	Notify func(ctx context.Context, t *outdial.Task, eventType string)
}

// Start makes a stopped or finished task run (a running task stays running). It refuses
// a task whose line has expired.
func (c *Control) Start(ctx context.Context, tenantID, taskID int64) (*outdial.Task, error) {
	t, err := c.Store.Task(ctx, tenantID, taskID)
	if err != nil {
		return nil, err
	}
	line, err := c.Store.Line(ctx, tenantID, t.LineID)
	if err != nil {
		return nil, err
	}
	if now := c.Clock.Now(); !line.ValidUntil.IsZero() && !now.Before(line.ValidUntil) {
		return nil, outdial.Errorf(outdial.EINVALID, "line %q expired at %s; choose another line", line.Name,
			line.ValidUntil.In(t.Location()).Format("2006-01-02 15:04:05"))
	}
	moved, err := c.Store.SetTaskStatus(ctx, tenantID, taskID, outdial.TaskRunning, outdial.TaskStopped, outdial.TaskFinished)
	if err != nil {
		return nil, err
	}
	t.Status = outdial.TaskRunning
	c.changed(ctx, t, moved, outdial.EventTaskStarted)
	return t, nil
}

// Stop stops a running task: it starts no new calls and live calls end normally. Stopping
// a task that is not running changes nothing.
func (c *Control) Stop(ctx context.Context, tenantID, taskID int64) (*outdial.Task, error) {
	moved, err := c.Store.SetTaskStatus(ctx, tenantID, taskID, outdial.TaskStopped, outdial.TaskRunning)
	if err != nil {
		return nil, err
	}
	t, err := c.Store.Task(ctx, tenantID, taskID)
	if err != nil {
		return nil, err
	}
	c.changed(ctx, t, moved, outdial.EventTaskStopped)
	return t, nil
}

func (c *Control) changed(ctx context.Context, t *outdial.Task, moved bool, event string) {
	if !moved {
		return
	}
	if c.Notify != nil {
		c.Notify(ctx, t, event)
	}
	if c.Wake != nil {
		c.Wake()
	}
}
