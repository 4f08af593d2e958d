package engine

import (
	"time"

	"github.com/outdial/outdial"
)

// taskRun is the engine's view of one task: its rules, its channels and its live calls.
type taskRun struct {
	task    *outdial.Task
	active  bool // running: may start calls
	rules   outdial.CallingRules
	recall  *outdial.RecallRule
	prompts []outdial.Prompt
	debug   bool
	line    *lineRun
	// channels holds, per channel (MaxConcurrency of them), when it may start its next
	// call: a live call's channel is busy until the call ends plus the pause.
	channels []time.Time
	live     int
	// wakeAt is when it is worth looking at the task again (a window opening, the next
	// recall); zero means now.
	wakeAt time.Time
	// taskFull is set when the store refused for task concurrency (calls of other nodes).
	taskFull bool
	// waiting names the limit the task waited on at the last pass (for metrics).
	waiting string
}

// lineRun is the engine's view of one line.
type lineRun struct {
	line *outdial.Line
	live int
	// tat mirrors the store's pacing: no call starts before it.
	tat time.Time
	// full is set when the store refused for line concurrency; cleared when one of this
	// node's calls on the line ends, or at the next refresh.
	full bool
}

// refresh re-reads the running tasks and everything they use.
func (e *Engine) refresh(now time.Time) error {
	ctx := e.sctx
	tasks, err := e.cfg.Store.RunningTasks(ctx)
	if err != nil {
		return err
	}
	running := make(map[int64]bool, len(tasks))
	for _, t := range tasks {
		running[t.ID] = true
		run := e.tasks[t.ID]
		if run == nil {
			run = &taskRun{}
			e.tasks[t.ID] = run
		}
		if err := e.load(run, t); err != nil {
			e.log.Error("engine: load task", "task", t.ID, "err", err)
			run.active = false
			continue
		}
		run.active = true
		run.taskFull = false
		run.wakeAt = time.Time{}
	}
	for id, run := range e.tasks {
		if !running[id] {
			run.active = false
			if run.live == 0 {
				delete(e.tasks, id)
			}
		}
	}
	for _, l := range e.lines {
		l.full = false
	}
	clear(e.capsCache)
	return nil
}

// load fills a taskRun from the task and the entities it names.
func (e *Engine) load(run *taskRun, t *outdial.Task) error {
	ctx := e.sctx
	line, err := e.cfg.Store.Line(ctx, t.TenantID, t.LineID)
	if err != nil {
		return err
	}
	lr := e.lines[line.ID]
	if lr == nil {
		lr = &lineRun{}
		e.lines[line.ID] = lr
	}
	lr.line = line
	rules := outdial.CallingRules{Location: t.Location(), Window: t.Window, ValidFrom: line.ValidFrom, ValidUntil: line.ValidUntil}
	if t.TimeGroupID != 0 {
		g, err := e.cfg.Store.TimeGroup(ctx, t.TenantID, t.TimeGroupID)
		if err != nil {
			return err
		}
		rules.Forbidden = g.Ranges
	}
	var recall *outdial.RecallRule
	if t.RecallRuleID != 0 {
		if recall, err = e.cfg.Store.RecallRule(ctx, t.TenantID, t.RecallRuleID); err != nil {
			return err
		}
	}
	group, err := e.cfg.Store.ScriptGroup(ctx, t.TenantID, t.ScriptGroupID)
	if err != nil {
		return err
	}
	scripts, err := e.cfg.Store.Scripts(ctx, t.TenantID, group.ID, outdial.Page{Limit: 1})
	if err != nil {
		return err
	}
	run.prompts = nil
	if len(scripts) > 0 {
		run.prompts = scripts[0].Prompts
	}
	run.task, run.line, run.rules, run.recall, run.debug = t, lr, rules, recall, group.Debug
	if len(run.channels) != t.MaxConcurrency {
		ch := make([]time.Time, t.MaxConcurrency)
		copy(ch, run.channels)
		// Channels beyond the new size that are busy keep their calls; they just end.
		run.channels = ch
	}
	return nil
}

// freeChannels returns the channels that may start a call at now, and the earliest time
// a busy-but-pausing channel frees (zero if none).
func (run *taskRun) freeChannels(now time.Time) (free []int, next time.Time) {
	for i, at := range run.channels {
		switch {
		case !at.After(now):
			free = append(free, i)
		case at.Before(busy) && (next.IsZero() || at.Before(next)):
			next = at
		}
	}
	return free, next
}

// busy marks a channel with a live call (far in the future).
var busy = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// ceilMS rounds t up to the next whole millisecond (call start times have millisecond
// resolution, so a start may never be before the instant it waited for).
func ceilMS(t time.Time) time.Time {
	r := t.Truncate(time.Millisecond)
	if r.Before(t) {
		r = r.Add(time.Millisecond)
	}
	return r
}
