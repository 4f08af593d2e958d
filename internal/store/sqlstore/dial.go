package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// DueContacts returns the task's pending contacts due at now, in dialing order.
func (s *Store) DueContacts(ctx context.Context, taskID int64, now time.Time, n int) ([]*outdial.Contact, error) {
	rows, err := s.rows(ctx, `SELECT `+contactCols+` FROM contacts WHERE task_id = ? AND status = 'pending'
		AND next_attempt_at <= ? ORDER BY priority DESC, next_attempt_at, id LIMIT ?`, taskID, ms(now), limit(n, 100, 10000))
	if err != nil {
		return nil, wrap("due contacts", err)
	}
	return collect(rows, scanContact, "due contacts")
}

// NextDue returns the earliest due time of the task's pending contacts.
func (s *Store) NextDue(ctx context.Context, taskID int64) (time.Time, bool, error) {
	var v sql.NullInt64
	err := s.row(ctx, `SELECT min(next_attempt_at) FROM contacts WHERE task_id = ? AND status = 'pending'`, taskID).Scan(&v)
	if err != nil || !v.Valid {
		return time.Time{}, false, wrap("next due", err)
	}
	return fromMS(v.Int64), true, nil
}

// lineState and taskState are the rows StartAttempts and FinishAttempts lock and update.
// The limits are read from the locked rows, so a change committed through the API binds
// the next start on every node at once, whatever the engines still have in memory.
type lineState struct {
	gone            bool // deleted: nothing to write back
	live, liveDelta int
	tat             int64 // pacing: the earliest next start, Unix microseconds
	tatChanged      bool
	concurrency     int
	callsPerSecond  float64
	validFrom       int64 // Unix ms, 0: none
	validUntil      int64
}

type taskState struct {
	gone                                     bool // deleted: nothing to write back
	live, liveDelta                          int
	dialed, calls, pending, answered, failed int
	maxConcurrency, pauseSeconds             int
	// pausing holds when channels come out of their pause after a call (Unix ms,
	// ascending): each one still to come keeps a channel busy.
	pausing        []int64
	pausingChanged bool
	// The task's daily window, time zone and time group as stored now, and (built by
	// StartAttempts only) the calling rules they make.
	windowStart, windowEnd int
	timeZone               string
	timeGroupID            int64
	rules                  *outdial.CallingRules
}

// changed reports whether t has anything to write back.
func (t *taskState) changed() bool {
	return t.liveDelta != 0 || t.dialed != 0 || t.calls != 0 || t.pending != 0 || t.answered != 0 || t.failed != 0 ||
		t.pausingChanged
}

// pausingAt drops the pauses over by now (Unix ms) and returns how many remain, and the
// first to end.
func (t *taskState) pausingAt(now int64) (int, int64) {
	i := 0
	for i < len(t.pausing) && t.pausing[i] <= now {
		i++
	}
	if i > 0 {
		t.pausing = t.pausing[i:]
		t.pausingChanged = true
	}
	if len(t.pausing) == 0 {
		return 0, 0
	}
	return len(t.pausing), t.pausing[0]
}

// pause adds a channel's pause ending at until (Unix ms), keeping at most
// maxConcurrency (the latest).
func (t *taskState) pause(until int64) {
	i, _ := slices.BinarySearch(t.pausing, until)
	t.pausing = slices.Insert(t.pausing, i, until)
	if n := max(t.maxConcurrency, 1); len(t.pausing) > n {
		t.pausing = t.pausing[len(t.pausing)-n:]
	}
	t.pausingChanged = true
}

func parsePausing(s string) []int64 {
	var out []int64
	for _, f := range strings.Fields(s) {
		if v, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func formatPausing(p []int64) string {
	var b strings.Builder
	for i, v := range p {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(v, 10))
	}
	return b.String()
}

// lockCounters reads and locks, in id order, the lines and tasks the attempts use. A
// line or task that no longer exists is an error unless gone is set: then it gets a
// state that is counted in but never written (an ended call's outcome must be written
// even if its line or task was deleted meanwhile).
func (s *Store) lockCounters(ctx context.Context, tx *sql.Tx, lineIDs, taskIDs []int64, gone bool) (map[int64]*lineState, map[int64]*taskState, error) {
	lines := make(map[int64]*lineState, len(lineIDs))
	tasks := make(map[int64]*taskState, len(taskIDs))
	for _, id := range sortedUnique(lineIDs) {
		var l lineState
		if err := s.txRow(ctx, tx, `SELECT live, pace_tat, concurrency, calls_per_second, valid_from, valid_until FROM lines
			WHERE id = ?`+s.d.ForUpdate, id).Scan(&l.live, &l.tat, &l.concurrency, &l.callsPerSecond, &l.validFrom, &l.validUntil); err != nil {
			if !gone || !errors.Is(err, sql.ErrNoRows) {
				return nil, nil, notFound(err, "line")
			}
			l.gone = true
		}
		lines[id] = &l
	}
	for _, id := range sortedUnique(taskIDs) {
		var t taskState
		var pausing string
		if err := s.txRow(ctx, tx, `SELECT live, max_concurrency, pause_seconds, pausing, window_start, window_end, time_zone,
			time_group_id FROM tasks WHERE id = ?`+s.d.ForUpdate, id).Scan(&t.live, &t.maxConcurrency, &t.pauseSeconds, &pausing,
			&t.windowStart, &t.windowEnd, &t.timeZone, &t.timeGroupID); err != nil {
			if !gone || !errors.Is(err, sql.ErrNoRows) {
				return nil, nil, notFound(err, "task")
			}
			t.gone = true
		}
		t.pausing = parsePausing(pausing)
		tasks[id] = &t
	}
	return lines, tasks, nil
}

// saveCounters writes back what changed in the locked lines and tasks.
func (s *Store) saveCounters(ctx context.Context, tx *sql.Tx, lines map[int64]*lineState, tasks map[int64]*taskState) error {
	for id, l := range lines {
		if l.gone || (l.liveDelta == 0 && !l.tatChanged) {
			continue
		}
		if _, err := s.exec(ctx, tx, `UPDATE lines SET live = live + ?, pace_tat = ? WHERE id = ?`, l.liveDelta, l.tat, id); err != nil {
			return err
		}
	}
	for id, t := range tasks {
		if t.gone || !t.changed() {
			continue
		}
		if _, err := s.exec(ctx, tx, `UPDATE tasks SET live = live + ?, dialed = dialed + ?, calls = calls + ?, pending = pending + ?,
			answered = answered + ?, failed = failed + ?, pausing = ? WHERE id = ?`, t.liveDelta, t.dialed, t.calls, t.pending, t.answered,
			t.failed, formatPausing(t.pausing), id); err != nil {
			return err
		}
	}
	return nil
}

// StartAttempts records attempts as started, each only if every limit allows it.
func (s *Store) StartAttempts(ctx context.Context, as []outdial.AttemptStart) ([]*outdial.Refusal, error) {
	var refusals []*outdial.Refusal
	err := s.write(ctx, func(tx *sql.Tx) error {
		refusals = make([]*outdial.Refusal, len(as))
		var lineIDs, taskIDs, keys []int64
		for _, a := range as {
			lineIDs, taskIDs = append(lineIDs, a.Call.LineID), append(taskIDs, a.Call.TaskID)
			keys = append(keys, numberKey(a.Call.TenantID, a.Call.Called))
		}
		lines, tasks, err := s.lockCounters(ctx, tx, lineIDs, taskIDs, false)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if t.rules, err = s.taskRules(ctx, tx, t); err != nil {
				return err
			}
		}
		if s.d.LockNumbers != nil {
			if err := s.d.LockNumbers(ctx, tx, sortedUnique(keys)); err != nil {
				return err
			}
		}
		blocking := map[int64]bool{} // tenants with blocked numbers (one check per tenant)
		caps := map[int64][2]int{}   // tenants' per-number caps, as stored now
		for _, a := range as {
			if _, ok := blocking[a.Call.TenantID]; !ok {
				n, err := s.count(ctx, tx, `SELECT count(*) FROM (SELECT 1 FROM blocklist WHERE tenant_id = ? LIMIT 1) AS b`, a.Call.TenantID)
				if err != nil {
					return err
				}
				blocking[a.Call.TenantID] = n > 0
				var hour, day int
				if err := s.txRow(ctx, tx, `SELECT cap_per_hour, cap_per_day FROM tenants WHERE id = ?`, a.Call.TenantID).Scan(&hour, &day); err != nil {
					return notFound(err, "tenant")
				}
				caps[a.Call.TenantID] = [2]int{hour, day}
			}
		}
		for i, a := range as {
			c := caps[a.Call.TenantID]
			a.CapPerHour, a.CapPerDay = stricterCap(a.CapPerHour, c[0]), stricterCap(a.CapPerDay, c[1])
			r, err := s.startAttempt(ctx, tx, a, lines[a.Call.LineID], tasks[a.Call.TaskID], blocking[a.Call.TenantID])
			if err != nil {
				return err
			}
			refusals[i] = r
		}
		return s.saveCounters(ctx, tx, lines, tasks)
	})
	return refusals, wrap("start attempts", err)
}

// taskRules makes the calling rules of a locked task: its window and time zone, and its
// forbidden time group (read here, when it has one).
func (s *Store) taskRules(ctx context.Context, tx *sql.Tx, t *taskState) (*outdial.CallingRules, error) {
	task := outdial.Task{TimeZone: t.timeZone}
	r := &outdial.CallingRules{Location: task.Location(),
		Window: outdial.DailyWindow{Start: outdial.TimeOfDay(t.windowStart), End: outdial.TimeOfDay(t.windowEnd)}}
	if t.timeGroupID != 0 {
		var ranges string
		err := s.txRow(ctx, tx, `SELECT ranges FROM time_groups WHERE id = ?`, t.timeGroupID).Scan(&ranges)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if err == nil {
			if err := fromJSON(ranges, &r.Forbidden); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// stricterCap returns the lower of two caps, 0 (or less) meaning none.
func stricterCap(a, b int) int {
	switch {
	case a <= 0:
		return b
	case b <= 0:
		return a
	}
	return min(a, b)
}

// startAttempt checks and records one attempt inside StartAttempts' transaction.
func (s *Store) startAttempt(ctx context.Context, tx *sql.Tx, a outdial.AttemptStart, l *lineState, t *taskState, blocking bool) (*outdial.Refusal, error) {
	c := a.Call
	start := c.StartTime.UnixMicro()
	startMS := c.StartTime.UnixMilli()
	// The stricter of what the engine knows and what the rows say: a limit lowered a
	// moment ago binds at once; one raised is used at the engine's next look.
	lineConc, taskConc := min(a.LineConcurrency, l.concurrency), min(a.TaskConcurrency, t.maxConcurrency)
	cps := a.CallsPerSecond
	if cps <= 0 || (l.callsPerSecond > 0 && l.callsPerSecond < cps) {
		cps = l.callsPerSecond
	}
	pausing, pauseEnds := t.pausingAt(startMS)
	if t.rules != nil && !t.rules.Allows(c.StartTime) {
		next, _ := t.rules.NextAllowed(c.StartTime)
		return &outdial.Refusal{Reason: outdial.RefuseOutsideHours, Until: next}, nil
	}
	switch {
	case l.validUntil > 0 && startMS >= l.validUntil:
		return &outdial.Refusal{Reason: outdial.RefuseLineClosed}, nil
	case l.validFrom > 0 && startMS < l.validFrom:
		return &outdial.Refusal{Reason: outdial.RefuseLineClosed, Until: time.UnixMilli(l.validFrom).UTC()}, nil
	case l.live+l.liveDelta >= lineConc:
		return &outdial.Refusal{Reason: outdial.RefuseLineFull}, nil
	case t.live+t.liveDelta >= taskConc:
		return &outdial.Refusal{Reason: outdial.RefuseTaskFull}, nil
	case t.live+t.liveDelta+pausing >= taskConc:
		return &outdial.Refusal{Reason: outdial.RefusePausing, Until: time.UnixMilli(pauseEnds).UTC()}, nil
	case cps > 0 && l.tat > start:
		return &outdial.Refusal{Reason: outdial.RefusePaced, Until: time.UnixMicro(l.tat).UTC()}, nil
	}
	if blocking {
		if n, err := s.count(ctx, tx, `SELECT count(*) FROM blocklist WHERE tenant_id = ? AND phone = ?`, c.TenantID, c.Called); err != nil {
			return nil, err
		} else if n > 0 {
			return &outdial.Refusal{Reason: outdial.RefuseBlocked}, nil
		}
	}
	for _, cap := range []struct {
		n      int
		window time.Duration
	}{{a.CapPerHour, time.Hour}, {a.CapPerDay, 24 * time.Hour}} {
		if cap.n <= 0 {
			continue
		}
		var n int
		var oldest sql.NullInt64
		err := s.txRow(ctx, tx, `SELECT count(*), min(id) FROM calls WHERE tenant_id = ? AND called = ? AND id >= ?`,
			c.TenantID, c.Called, outdial.CallIDFloor(c.StartTime.Add(-cap.window).Add(time.Millisecond))).Scan(&n, &oldest)
		if err != nil {
			return nil, err
		}
		if n >= cap.n {
			return &outdial.Refusal{Reason: outdial.RefuseCapped, Until: outdial.CallIDTime(oldest.Int64).Add(cap.window)}, nil
		}
	}
	// Claim the contact: only a pending one moves to dialing, so two engines never both win.
	now := ms(s.now())
	var attempts int
	err := s.txRow(ctx, tx, `UPDATE contacts SET status = 'dialing', attempts = attempts + 1, last_call_id = ?, updated_at = ?
		WHERE id = ? AND status = 'pending' RETURNING attempts`, c.ID, now, c.ContactID).Scan(&attempts)
	if err == sql.ErrNoRows {
		return &outdial.Refusal{Reason: outdial.RefuseNotPending}, nil
	} else if err != nil {
		return nil, err
	}
	attempts-- // the count before this attempt
	if cps > 0 {
		l.tat = max(l.tat, start) + int64(1e6/cps)
		l.tatChanged = true
	}
	l.liveDelta++
	t.liveDelta++
	if attempts == 0 {
		t.dialed++
	}
	c.Attempt, c.Status = attempts+1, outdial.CallStarted
	_, err = s.exec(ctx, tx, `INSERT INTO calls (id, tenant_id, project_id, task_id, batch_id, contact_id, external_id, line_id, attempt,
		node_id, status, caller, called, called_areacode, called_areaname, called_type, called_vendor, start_time, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TenantID, c.ProjectID, c.TaskID, c.BatchID, c.ContactID, c.ExternalID, c.LineID, c.Attempt, c.NodeID, c.Status, c.Caller, c.Called,
		c.CalledAreaCode, c.CalledAreaName, c.CalledType, c.CalledVendor, ms(c.StartTime), now)
	return nil, err
}

// FinishAttempts writes each call's CDR, its contact's new state and its outbox messages,
// all in one transaction, and releases the calls' slots.
func (s *Store) FinishAttempts(ctx context.Context, es []outdial.AttemptEnd) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var lineIDs, taskIDs []int64
		for _, e := range es {
			lineIDs, taskIDs = append(lineIDs, e.Call.LineID), append(taskIDs, e.Call.TaskID)
		}
		lines, tasks, err := s.lockCounters(ctx, tx, lineIDs, taskIDs, true)
		if err != nil {
			return err
		}
		var outbox []*outdial.OutboxMessage
		for _, e := range es {
			written, err := s.finishAttempt(ctx, tx, e, lines[e.Call.LineID], tasks[e.Call.TaskID])
			if err != nil {
				return err
			}
			if written {
				outbox = append(outbox, e.Outbox...)
			}
		}
		if err := s.insertOutboxBatch(ctx, tx, outbox); err != nil {
			return err
		}
		return s.saveCounters(ctx, tx, lines, tasks)
	})
	return wrap("finish attempts", err)
}

// finishAttempt writes one call's CDR and its contact's state, and reports whether it did
// (false for a call already ended); the caller writes the outbox messages of those it did.
func (s *Store) finishAttempt(ctx context.Context, tx *sql.Tx, e outdial.AttemptEnd, l *lineState, t *taskState) (bool, error) {
	c := e.Call
	now := ms(s.now())
	res, err := s.exec(ctx, tx, `UPDATE calls SET status = ?, trans_caller = ?, trans_phone = ?, trans_areacode = ?, trans_areaname = ?,
		trans_type = ?, trans_vendor = ?, start_time_ee = ?, ring_time_ee = ?, answer_time_ee = ?, end_time_ee = ?, ring_time = ?,
		answer_time = ?, link_time = ?, end_time = ?, ans_secs = ?, link_secs = ?, all_secs = ?, result = ?, callresult = ?,
		endresult = ?, hangup_by = ?, sip_status = ?, reason = ?, recording = ?, dtmf = ?, tags = ?, updated_at = ?
		WHERE id = ? AND status = ?`,
		outdial.CallEnded, c.TransCaller, c.TransPhone, c.TransAreaCode, c.TransAreaName, c.TransType, c.TransVendor,
		ms(c.StartTimeEe), ms(c.RingTimeEe), ms(c.AnswerTimeEe), ms(c.EndTimeEe), ms(c.RingTime), ms(c.AnswerTime), ms(c.LinkTime),
		ms(c.EndTime), c.AnsSecs, c.LinkSecs, c.AllSecs, string(c.Result), c.CallResult, c.EndResult, string(c.HangupBy),
		c.SIPStatus, c.Reason, c.Recording, c.DTMF, jsonText(nonNil(c.Tags)), now, c.ID, outdial.CallStarted)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, err
	} else if n == 0 {
		return false, nil // ended already (recovered twice): count nothing twice
	}
	c.Status = outdial.CallEnded
	l.liveDelta--
	t.liveDelta--
	t.calls++
	if t.pauseSeconds > 0 {
		end := c.EndTime
		if end.IsZero() {
			end = s.now()
		}
		t.pausingAt(now) // drop the pauses over, so the list holds only channels still pausing
		t.pause(end.UnixMilli() + int64(t.pauseSeconds)*1000)
	}
	u := e.Contact
	if _, err := s.exec(ctx, tx, `UPDATE contacts SET status = ?, next_attempt_at = ?, last_result = ?, updated_at = ? WHERE id = ? AND status = 'dialing'`,
		u.Status, ms(u.NextAttemptAt), string(u.Result), now, u.ContactID); err != nil {
		return false, err
	}
	if u.Status == outdial.ContactFinished {
		t.pending--
		if u.Result == outdial.ResultAnswered {
			t.answered++
		} else {
			t.failed++
		}
	}
	return true, nil
}

// SettleContact makes a pending contact final, or due later, without a call.
func (s *Store) SettleContact(ctx context.Context, u outdial.ContactUpdate) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var taskID int64
		err := s.txRow(ctx, tx, `SELECT task_id FROM contacts WHERE tenant_id = ? AND id = ? AND status = 'pending'`, u.TenantID, u.ContactID).Scan(&taskID)
		if err != nil {
			return notFound(err, "pending contact")
		}
		if _, err := s.exec(ctx, tx, `UPDATE contacts SET status = ?, next_attempt_at = ?, last_result = ?, updated_at = ? WHERE id = ?`,
			u.Status, ms(u.NextAttemptAt), string(u.Result), ms(s.now()), u.ContactID); err != nil {
			return err
		}
		if u.Status != outdial.ContactFinished {
			return nil
		}
		col := "failed"
		if u.Result == outdial.ResultAnswered {
			col = "answered"
		}
		_, err = s.exec(ctx, tx, `UPDATE tasks SET pending = pending - 1, `+col+` = `+col+` + 1 WHERE id = ?`, taskID)
		return err
	})
	return wrap("settle contact", err)
}

// LiveAttempts returns the node's started calls without an outcome.
func (s *Store) LiveAttempts(ctx context.Context, nodeID string) ([]*outdial.Call, error) {
	rows, err := s.rows(ctx, `SELECT `+callCols+` FROM calls WHERE status = 'started' AND node_id = ? ORDER BY id`, nodeID)
	if err != nil {
		return nil, wrap("live attempts", err)
	}
	return collect(rows, scanCall, "live attempts")
}

// numberKey is the advisory-lock key of a tenant's phone number.
func numberKey(tenantID int64, phone string) int64 {
	h := fnv.New64a()
	h.Write([]byte(phone))
	return int64(h.Sum64()>>1) ^ tenantID
}

func sortedUnique(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
